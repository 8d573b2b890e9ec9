using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using static Sekisho.Policy.Tests.TestMessages;

namespace Sekisho.Policy.Tests;

/// <summary>Approved and blocked senders (送信者フィルタ) decide per recipient in the engine: the end-user quarantine's lists take effect here.</summary>
public sealed class SenderListTests
{
    private static readonly PolicyPorts Ports = new() { Spam = new WordSpamScanner() };

    private static Model.PolicySnapshot Policy(params SenderListEntry[] entries)
    {
        var spam = Policies.Rule("spam", RuleType.Spam, CriteriaSet.AnyOf(new SpamDetection(SpamLevel.ModeratelyLow)), new Quarantine());
        var exe = Policies.Rule("exe", RuleType.Content, CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, ["exe"])), new Quarantine());
        var p = Policies.With(spam, exe);
        return p with { Settings = p.Settings with { SenderFilter = new SenderFilter { Entries = entries } } };
    }

    private static SenderListEntry EndUser(SenderListKind list, string recipient, string sender) =>
        new(list, SenderListScope.Recipient, recipient, AddressPattern.Parse(sender), SenderListSource.EndUser);

    [Fact]
    public async Task A_recipients_approved_sender_is_not_quarantined_as_spam_for_that_recipient_only()
    {
        var p = Policy(EndUser(SenderListKind.Approved, "bob@example.co.jp", "alice@partner.example"));
        var plan = await Evaluate(p, New(body: "viagra viagra viagra"), Envelope(to: ["bob@example.co.jp", "carol@example.co.jp"]), Ports);
        var bob = plan.Recipients[0];
        Assert.Equal(FinalAction.Deliver, bob.Outcome);
        Assert.Equal(RuleDisposition.ApprovedSender, bob.Rules.Single(r => r.RuleName == "spam").Disposition);
        Assert.Equal(FinalAction.Quarantine, plan.Recipients[1].Outcome);
        Assert.Equal("spam", plan.Recipients[1].DecidedBy!.Name);

        // Approval skips spam rules only: content rules still hold the executable.
        var exe = WithAttachments(New(body: "viagra viagra"), Attachment("tool.exe", Exe()));
        var held = (await Evaluate(p, exe, Envelope(), Ports)).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, held.Outcome);
        Assert.Equal("exe", held.DecidedBy!.Name);
    }

    [Fact]
    public async Task A_recipients_blocked_sender_is_deleted_and_an_administrators_block_beats_an_end_users_approval()
    {
        var p = Policy(EndUser(SenderListKind.Blocked, "bob@example.co.jp", "*@partner.example"));
        var plan = await Evaluate(p, New(body: "Hello."), Envelope(to: ["bob@example.co.jp", "carol@example.co.jp"]), Ports);
        Assert.Equal(FinalAction.Delete, plan.Recipients[0].Outcome);
        Assert.Equal("sender-filter:blocked", plan.Recipients[0].DecidedBy!.Id);
        Assert.Contains("recipient's block list", plan.Recipients[0].Reason);
        Assert.All(plan.Recipients[0].Rules, r => Assert.Equal(RuleDisposition.Bypassed, r.Disposition));
        Assert.Equal(FinalAction.Deliver, plan.Recipients[1].Outcome);

        var admin = Policy(EndUser(SenderListKind.Approved, "bob@example.co.jp", "alice@partner.example"),
            new SenderListEntry(SenderListKind.Blocked, SenderListScope.Domain, "example.co.jp", AddressPattern.Parse("*@partner.example")));
        var blocked = (await Evaluate(admin, New(), Envelope(), Ports)).Recipients[0];
        Assert.Equal(FinalAction.Delete, blocked.Outcome);
        Assert.Contains("administrator's block list", blocked.Reason);
    }

    [Fact]
    public async Task The_header_sender_counts_only_when_the_filter_matches_header_addresses()
    {
        var entries = EndUser(SenderListKind.Approved, "bob@example.co.jp", "news@partner.example");
        var mail = New(body: "viagra viagra", from: "news@partner.example");
        var viaBounce = Envelope(sender: "bounces+123@mailer.example");
        Assert.Equal(FinalAction.Deliver, (await Evaluate(Policy(entries), mail, viaBounce, Ports)).Recipients[0].Outcome);
        var p = Policy(entries);
        var envelopeOnly = p with { Settings = p.Settings with { SenderFilter = p.Settings.SenderFilter with { MatchHeaderAddresses = false } } };
        Assert.Equal(FinalAction.Quarantine, (await Evaluate(envelopeOnly, mail, viaBounce, Ports)).Recipients[0].Outcome);
    }
}
