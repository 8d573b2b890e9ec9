using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;
using static Sekisho.Policy.Tests.TestMessages;

namespace Sekisho.Policy.Tests;

public sealed class DlpTests
{
    private static Rule Dlp(params string[] templates) =>
        Policies.Rule("dlp", RuleType.Dlp, CriteriaSet.AnyOf(new DlpMatch(templates, [DlpField.Subject, DlpField.Body, DlpField.Attachments])), new Quarantine());

    private static async Task<RecipientPlan> Run(string body, params string[] templates) =>
        (await Evaluate(Policies.With(Dlp(templates)), New(body: body))).Recipients[0];

    [Fact]
    public async Task My_number_needs_a_valid_check_digit()
    {
        // 123456789018 has check digit 8 under the My Number algorithm; 123456789012 does not.
        var hit = await Run("個人番号: 1234 5678 9018 をお送りします", "predefined:jp-my-number-template");
        Assert.Equal(FinalAction.Quarantine, hit.Outcome);
        Assert.Equal("**********9018", hit.Rules[0].Criteria[0].Evidence[0].Detail!.Replace(" ", "*"));
        Assert.Equal(FinalAction.Deliver, (await Run("個人番号: 1234 5678 9012", "predefined:jp-my-number-template")).Outcome);
    }

    [Fact]
    public async Task Card_numbers_need_the_luhn_check()
    {
        Assert.Equal(FinalAction.Quarantine, (await Run("card 4111 1111 1111 1111 exp 12/29", "predefined:pci-dss")).Outcome);
        Assert.Equal(FinalAction.Deliver, (await Run("card 4111 1111 1111 1112 exp 12/29", "predefined:pci-dss")).Outcome);
    }

    [Fact]
    public async Task Japanese_personal_information_template_finds_phone_address_and_account()
    {
        Assert.Equal(FinalAction.Quarantine, (await Run("お電話は 03-1234-5678 まで", "predefined:jp-personal-information")).Outcome);
        Assert.Equal(FinalAction.Quarantine, (await Run("〒100-0001 東京都千代田区千代田1-1", "predefined:jp-personal-information")).Outcome);
        Assert.Equal(FinalAction.Quarantine, (await Run("振込先 普通 1234567", "predefined:jp-bank-accounts")).Outcome);
        Assert.Equal(FinalAction.Deliver, (await Run("会議は3階です", "predefined:jp-personal-information")).Outcome);
    }

    [Fact]
    public async Task International_templates_iban_and_ssn()
    {
        Assert.Equal(FinalAction.Quarantine, (await Run("IBAN GB82 WEST 1234 5698 7654 32", "predefined:iban-template")).Outcome);
        Assert.Equal(FinalAction.Deliver, (await Run("IBAN GB83 WEST 1234 5698 7654 32", "predefined:iban-template")).Outcome);
        Assert.Equal(FinalAction.Quarantine, (await Run("SSN 123-45-6789", "predefined:us-ssn-template")).Outcome);
    }

    [Fact]
    public async Task Template_terms_combine_left_to_right_with_and_or_except()
    {
        var secret = new DlpKeywordList { Id = "kw-secret", Name = "secret", Keywords = ["社外秘"] };
        var draft = new DlpKeywordList { Id = "kw-draft", Name = "draft", Keywords = ["下書き"] };
        // (card AND secret) EXCEPT draft
        var t = new DlpTemplate
        {
            Id = "t1", Name = "secret cards",
            Terms = [new(DlpOperator.First, "predefined:payment-card-number"), new(DlpOperator.And, "kw-secret"), new(DlpOperator.Except, "kw-draft")],
        };
        var orT = new DlpTemplate { Id = "t2", Name = "either", Terms = [new(DlpOperator.First, "kw-draft"), new(DlpOperator.Or, "kw-secret")] };
        var p = Policies.With(Dlp("t1")) with { DlpIdentifiers = [secret, draft], DlpTemplates = [t, orT] };
        async Task<FinalAction> O(string body, Sekisho.Model.PolicySnapshot snap) => (await Evaluate(snap, New(body: body))).Recipients[0].Outcome;
        Assert.Equal(FinalAction.Quarantine, await O("社外秘 4111111111111111", p));
        Assert.Equal(FinalAction.Deliver, await O("4111111111111111", p));
        Assert.Equal(FinalAction.Deliver, await O("社外秘 下書き 4111111111111111", p));
        var p2 = p with { Rules = [Dlp("t2")] };
        Assert.Equal(FinalAction.Quarantine, await O("下書きです", p2));
        Assert.Equal(FinalAction.Deliver, await O("ふつうの文", p2));
    }

    [Fact]
    public async Task File_attribute_identifiers_find_attachments_by_true_type_and_size()
    {
        var exe = new DlpFileAttribute { Id = "fa", Name = "executables", TrueTypes = ["exe"], MinBytes = 100 };
        var t = new DlpTemplate { Id = "t", Name = "exe", Terms = [new(DlpOperator.First, "fa")] };
        var p = Policies.With(Dlp("t")) with { DlpIdentifiers = [exe], DlpTemplates = [t] };
        var plan = (await Evaluate(p, WithAttachments(New(), Attachment("x.dat", Exe())))).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, plan.Outcome);
        Assert.Equal("x.dat", plan.Rules[0].Criteria[0].Evidence[0].FileName);
    }
}
