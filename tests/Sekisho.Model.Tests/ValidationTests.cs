using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Validation;
using Sekisho.Testing;

namespace Sekisho.Model.Tests;

public class ValidationTests
{
    private static readonly PolicySnapshot Base = PolicySamples.Full();

    private static ValidationProblem Single(PolicySnapshot p, string code)
    {
        var problems = PolicyValidator.Validate(p);
        return Assert.Single(problems, x => x.Code == code);
    }

    [Fact]
    public void Internal_group_with_a_wildcard_domain_names_the_field_and_what_to_do()
    {
        var g = Base.AddressGroups[0] with { Entries = [.. Base.AddressGroups[0].Entries, new(AddressPattern.Parse("*@*.example.co.jp"))] };
        var p = Single(Base with { AddressGroups = [g, Base.AddressGroups[1]] }, "group.internal.wildcard");
        Assert.Equal("addressGroups[0].entries[2]", p.Path);
        Assert.Contains("hybrid", p.Message.En);
        Assert.Contains("ハイブリッド", p.Message.Ja);
    }

    [Fact]
    public void Inbound_rule_recipients_outside_managed_domains_are_refused()
    {
        var r = Base.Rules[1] with { Scope = RuleScope.Default with { Recipients = Participants.Of(new AddressParticipant(AddressPattern.Parse("*@elsewhere.example"))) } };
        var p = Single(Base with { Rules = [Base.Rules[0], r, .. Base.Rules.Skip(2)] }, "rule.scope.address.outside-managed");
        Assert.Equal("rules[1].scope.recipients.entries[0]", p.Path);
        Assert.Contains("*@elsewhere.example", p.Message.En);
    }

    [Fact]
    public void Hybrid_group_as_inbound_recipients_is_refused()
    {
        var r = Base.Rules[1] with { Scope = RuleScope.Default with { Recipients = Participants.Of(new AddressGroupParticipant("ag-hybrid")) } };
        Single(Base with { Rules = [Base.Rules[0], r, .. Base.Rules.Skip(2)] }, "rule.scope.group.not-internal");
    }

    [Theory]
    [InlineData("X-Sekisho-Verdict", "rule.action.x-header.reserved")]
    [InlineData("x-sekisho", "rule.action.x-header.reserved")]
    [InlineData("Subject", "rule.action.x-header.invalid")]
    [InlineData("X-Bad Name", "rule.action.x-header.invalid")]
    public void X_header_names_are_checked(string name, string code)
    {
        var r = Base.Rules[1] with { Actions = new RuleActions(new DoNotIntercept(), [new InsertXHeader(name, "v")], []) };
        var p = Single(Base with { Rules = [Base.Rules[0], r, .. Base.Rules.Skip(2)] }, code);
        Assert.Equal("rules[1].actions.modify[0].name", p.Path);
    }

    [Fact]
    public void Bcc_outside_managed_domains_is_refused()
    {
        var r = Base.Rules[1] with { Actions = new RuleActions(new DoNotIntercept(), [], [new Bcc(["ddei@ddei.example.local"])]) };
        var p = Single(Base with { Rules = [Base.Rules[0], r, .. Base.Rules.Skip(2)] }, "rule.action.address.outside-managed");
        Assert.Equal("rules[1].actions.monitor[0].recipients[0]", p.Path);
    }

    [Fact]
    public void Criteria_of_another_rule_type_are_refused()
    {
        var r = Base.Rules[1] with { Criteria = CriteriaSet.AnyOf(new Phishing()) };
        var p = Single(Base with { Rules = [Base.Rules[0], r, .. Base.Rules.Skip(2)] }, "rule.criteria.wrong-type");
        Assert.Contains("phishing", p.Message.En);
    }

    [Fact]
    public void Dangling_references_are_reported()
    {
        var r = Base.Rules[1] with { Criteria = CriteriaSet.AnyOf(new SubjectMatches(["nope"])), Actions = new RuleActions(new DoNotIntercept(), [new InsertStamp("gone")], [new Notify("missing")]) };
        var problems = PolicyValidator.Validate(Base with { Rules = [Base.Rules[0], r, .. Base.Rules.Skip(2)] });
        Assert.Contains(problems, p => p.Code == "rule.criteria.keyword-list.missing");
        Assert.Contains(problems, p => p.Code == "rule.action.stamp.missing");
        Assert.Contains(problems, p => p.Code == "rule.action.notification.missing");
    }

    [Fact]
    public void Invalid_keyword_expression_is_reported_with_the_regex_error()
    {
        var k = Base.KeywordLists[1] with { Expressions = [new("[abc")] };
        var p = Single(Base with { KeywordLists = [Base.KeywordLists[0], k, .. Base.KeywordLists.Skip(2)] }, "keyword.pattern.invalid");
        Assert.Equal("keywordLists[1].expressions[0].pattern", p.Path);
    }

    [Fact]
    public void Message_size_limit_is_at_most_150_mb()
    {
        var s = Base.Settings with { Limits = Base.Settings.Limits with { MaxMessageSizeBytes = 151 * Settings.GatewayLimits.MegaByte } };
        Single(Base with { Settings = s }, "settings.size.range");
    }

    [Fact]
    public void Duplicate_rule_names_within_a_type_and_direction_are_refused()
    {
        var dup = Base.Rules[1] with { Id = "other", Name = Base.Rules[0].Name };
        var p = Single(Base with { Rules = [.. Base.Rules, dup] }, "rule.name.duplicate");
        Assert.Contains("受信コンテンツフィルタ", p.Message.Ja);
    }

    [Fact]
    public void Levels_follow_the_protected_side_of_the_scope()
    {
        Assert.Equal(RuleLevel.Group, Base.Rules[0].Level);
        Assert.Equal(RuleLevel.Organization, Base.Rules[1].Level);
        Assert.Equal(RuleLevel.User, Base.Rules.Single(r => r.Id == "r-virus").Level);
    }

    [Theory]
    [InlineData(24, 24, "ja")]
    [InlineData(8, 0, "ja")]
    [InlineData(8, 24, "fr")]
    public void End_user_quarantine_settings_out_of_range_are_refused(int hour, int interval, string language)
    {
        var settings = Base.Settings with { EndUserQuarantine = new Settings.EndUserQuarantineSettings { DigestHour = hour, DigestIntervalHours = interval, DigestLanguage = language } };
        var p = Single(Base with { Settings = settings }, "settings.end-user-quarantine.range");
        Assert.Equal("settings.endUserQuarantine", p.Path);
        Assert.Contains("digestHour 0–23", p.Message.En);
        Assert.DoesNotContain(PolicyValidator.Validate(Base with { Settings = Base.Settings with { EndUserQuarantine = new() } }), x => x.Code == "settings.end-user-quarantine.range");
    }
}
