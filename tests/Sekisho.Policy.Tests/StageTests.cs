using System.Net;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using static Sekisho.Policy.Tests.TestMessages;

namespace Sekisho.Policy.Tests;

/// <summary>A sender authenticator for tests: answers what it was given (the port contract, not a fake engine).</summary>
internal sealed class FixedAuthenticator(AuthenticationVerdict verdict) : ISenderAuthenticator
{
    public ValueTask<AuthenticationVerdict> AuthenticateAsync(ReadOnlyMemory<byte> message, MessageEnvelope envelope, CancellationToken ct) => ValueTask.FromResult(verdict);
}

internal sealed class FixedConnectionFilter(ConnectionVerdict verdict) : IConnectionFilter
{
    public ValueTask<ConnectionVerdict> CheckClientAsync(IPAddress client, CancellationToken ct) => ValueTask.FromResult(verdict);
    public ValueTask<ConnectionVerdict> CheckSenderAsync(IPAddress client, string sender, CancellationToken ct) => ValueTask.FromResult(ConnectionVerdict.Continue);
    public ValueTask<ConnectionVerdict> CheckRecipientAsync(IPAddress client, string sender, string recipient, TrafficDirection direction, CancellationToken ct) => ValueTask.FromResult(ConnectionVerdict.Continue);
}

internal sealed class FixedSpam(SpamVerdict verdict) : ISpamScanner
{
    public ValueTask<SpamVerdict> CheckAsync(Stream message, MessageEnvelope envelope, CancellationToken ct) => ValueTask.FromResult(verdict);
}

internal sealed class ListedUrls(string listed, string category = "phishing") : IUrlReputation
{
    public ValueTask<IReadOnlyList<UrlReputation>> CheckAsync(IReadOnlyList<string> urls, CancellationToken ct) =>
        ValueTask.FromResult<IReadOnlyList<UrlReputation>>(urls.Select(u => new UrlReputation(u, u.Contains(listed), category, ListedBy: "uribl.test")).ToList());
}

public sealed class StageTests
{
    private static AuthenticationVerdict Verdict(SpfResult spf, string dmarc = "pass", DmarcDisposition p = DmarcDisposition.None, string arc = "none") =>
        new(spf, "test", [], new DmarcResult(dmarc, p, "partner.example")) { Arc = arc };

    private static async Task<RecipientPlan> Run(PolicyPorts ports, Sekisho.Model.PolicySnapshot? p = null, MimeKit.MimeMessage? m = null) =>
        (await Evaluate(p ?? Policies.With(), m ?? New(), ports: ports)).Recipients[0];

    [Fact]
    public async Task Spf_fail_deletes_by_default_and_pass_accepts()
    {
        var fail = await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.Fail)) });
        Assert.Equal(FinalAction.Delete, fail.Outcome);
        Assert.Equal("authentication:spf", fail.DecidedBy!.Id);
        Assert.Equal(FinalAction.Deliver, (await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.Pass)) })).Outcome);
    }

    [Fact]
    public async Task Dmarc_failure_follows_the_published_policy_unless_arc_passes()
    {
        var reject = await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.None, "fail", DmarcDisposition.Reject)) });
        Assert.Equal(FinalAction.Delete, reject.Outcome);
        var quarantine = await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.None, "fail", DmarcDisposition.Quarantine)) });
        Assert.Equal(FinalAction.Quarantine, quarantine.Outcome);
        var forwarded = await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.None, "fail", DmarcDisposition.Reject, arc: "pass")) });
        Assert.Equal(FinalAction.Deliver, forwarded.Outcome);
    }

    [Fact]
    public async Task Authentication_actions_can_reject_and_tag()
    {
        var settings = GatewaySettings.Default with
        {
            Authentication = new AuthenticationSettings
            {
                Spf = new SpfSettings { Actions = new Dictionary<SpfResult, AuthAction> { [SpfResult.SoftFail] = new(AuthIntercept.Accept, "[SPF softfail]"), [SpfResult.Fail] = new(AuthIntercept.Reject) } },
            },
        };
        var p = Policies.With() with { Settings = settings };
        var tagged = await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.SoftFail)) }, p);
        Assert.Equal(FinalAction.Deliver, tagged.Outcome);
        Assert.Equal("[SPF softfail]", ((TagSubject)tagged.Modify.Single().Action).Tag);
        Assert.Equal(FinalAction.Reject, (await Run(new PolicyPorts { Authenticator = new FixedAuthenticator(Verdict(SpfResult.Fail)) }, p)).Outcome);
    }

    [Fact]
    public async Task A_rejecting_connection_filter_refuses_every_recipient_and_rules_do_not_run()
    {
        var rule = Policies.Rule("tag", RuleType.Content, CriteriaSet.Empty, null, [new TagSubject("[x]")]);
        var plan = await Evaluate(Policies.With(rule), New(), Envelope(to: ["a@example.co.jp", "b@example.co.jp"]),
            new PolicyPorts { ConnectionFilter = new FixedConnectionFilter(new ConnectionVerdict(ConnectionDecision.Reject, "listed in dnsbl.test", [])) });
        Assert.All(plan.Recipients, r => Assert.Equal(FinalAction.Reject, r.Outcome));
        Assert.All(plan.Recipients, r => Assert.Equal(RuleDisposition.Bypassed, r.Rules.Single().Disposition));
    }

    [Fact]
    public async Task Bec_graymail_social_engineering_and_web_reputation_use_the_verdicts()
    {
        var verdict = new SpamVerdict(ScanStatus.Completed, 1.0, [])
        {
            Bec = [BecMode.SuspectedByEngine], Graymail = [GraymailCategory.Marketing], SocialEngineering = true,
        };
        var ports = new PolicyPorts { Spam = new FixedSpam(verdict), UrlReputation = new ListedUrls("evil.example") };
        Rule S(string n, Criterion c) => Policies.Rule(n, RuleType.Spam, CriteriaSet.AnyOf(c), null, [new InsertXHeader("X-" + n, "yes")]);
        var p = Policies.With(
            S("bec", new Bec([BecMode.SuspectedByEngine])),
            S("bec-style", new Bec([BecMode.DetectedByWritingStyle])),
            S("gray", new Graymail([GraymailCategory.Marketing], [])),
            S("gray-exempt", new Graymail([GraymailCategory.Marketing], ["203.0.113.0/24"])),
            S("social", new SocialEngineering()),
            S("wrs", new WebReputation(WebReputationLevel.ModeratelyHigh)));
        var plan = await Run(ports, p, New(body: "Log in at http://login.evil.example/verify and http://ok.example/"));
        var matched = plan.Rules.Where(r => r.Disposition == RuleDisposition.Matched).Select(r => r.RuleName).ToList();
        Assert.Equal(["bec", "gray", "social", "wrs"], matched.Select(n => n.Split(' ')[0]));
        Assert.Contains("login.evil.example", plan.Rules.Single(r => r.RuleName == "wrs").Criteria[0].Evidence.Single().Detail);
    }

    [Theory]
    [InlineData("phishing", WebReputationLevel.Lowest, true)]
    [InlineData("malware", WebReputationLevel.Low, true)]
    [InlineData("cracked", WebReputationLevel.Low, false)]
    [InlineData("cracked", WebReputationLevel.ModeratelyLow, true)]
    [InlineData("spam", WebReputationLevel.ModeratelyHigh, false)]
    [InlineData("spam", WebReputationLevel.High, true)]
    [InlineData("spam", WebReputationLevel.Highest, true)]
    public async Task Web_reputation_acts_on_the_risks_its_security_level_covers(string category, WebReputationLevel level, bool matches)
    {
        // A spam rule's stage needs the antispam engine; a clean verdict leaves the decision to the URL reputation.
        var ports = new PolicyPorts { Spam = new FixedSpam(new SpamVerdict(ScanStatus.Completed, 0.0, [])), UrlReputation = new ListedUrls("listed.example", category) };
        var rule = Policies.Rule("wrs", RuleType.Spam, CriteriaSet.AnyOf(new WebReputation(level)), null, [new InsertXHeader("X-Wrs", "yes")]);
        var plan = await Run(ports, Policies.With(rule), New(body: "See http://listed.example/page"));
        Assert.Equal(matches, plan.Rules.Single().Disposition == RuleDisposition.Matched);
    }
}
