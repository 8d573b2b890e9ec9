using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using static Sekisho.Policy.Tests.TestMessages;

namespace Sekisho.Policy.Tests;

/// <summary>An antivirus port implementation for tests: finds the EICAR string and reports it.</summary>
internal sealed class EicarScanner(bool available = true) : IVirusScanner
{
    public bool CanClean => false;
    public int Calls;

    public async ValueTask<VirusVerdict> ScanAsync(Stream content, string? name, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        if (!available) return VirusVerdict.Unavailable("clamd: connection refused");
        using var ms = new MemoryStream();
        await content.CopyToAsync(ms, ct);
        var infected = new VirusVerdict(ScanStatus.Completed, [new VirusDetection("Win.Test.EICAR_HDB-1", DetectionType.Uncleanable)]);
        if (System.Text.Encoding.Latin1.GetString(ms.ToArray()).Contains("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")) return infected;
        ms.Position = 0;
        // Like clamd, look inside the MIME structure: decode every part.
        MimeKit.MimeMessage message;
        try { message = await MimeKit.MimeMessage.LoadAsync(ms, ct); }
        catch (FormatException) { return VirusVerdict.Clean; }
        foreach (var part in message.BodyParts.OfType<MimeKit.MimePart>())
        {
            using var decoded = new MemoryStream();
            await part.Content!.DecodeToAsync(decoded, ct);
            if (System.Text.Encoding.Latin1.GetString(decoded.ToArray()).Contains("EICAR-STANDARD-ANTIVIRUS-TEST-FILE"))
                return new VirusVerdict(ScanStatus.Completed, [new VirusDetection("Win.Test.EICAR_HDB-1", DetectionType.Uncleanable)]);
        }
        return VirusVerdict.Clean;
    }
}

/// <summary>An antispam port implementation for tests: the score is the number of times "viagra" appears times 4.</summary>
internal sealed class WordSpamScanner : ISpamScanner
{
    public async ValueTask<SpamVerdict> CheckAsync(Stream message, MessageEnvelope envelope, CancellationToken ct)
    {
        using var r = new StreamReader(message);
        var text = await r.ReadToEndAsync(ct);
        int n = 0;
        for (int i = text.IndexOf("viagra", StringComparison.OrdinalIgnoreCase); i >= 0; i = text.IndexOf("viagra", i + 1, StringComparison.OrdinalIgnoreCase)) n++;
        return new SpamVerdict(ScanStatus.Completed, n * 4.0, n > 0 ? [new EngineFinding("test", "VIAGRA", n * 4.0)] : [])
        {
            Phishing = text.Contains("verify your account", StringComparison.OrdinalIgnoreCase),
        };
    }
}

public sealed class EvaluationTests
{
    public const string Eicar = @"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    [Fact]
    public async Task Recipients_in_different_scopes_get_different_outcomes()
    {
        var execs = new AddressGroup { Id = "execs", Name = "役員", Internal = true, Entries = [new(AddressPattern.Parse("ceo@example.co.jp"))] };
        var exeRule = Policies.Rule("exe for execs", RuleType.Content, CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, ["exe"])), new DeleteMessage(),
            scope: new RuleScope(Participants.Of(new AddressGroupParticipant("execs")), Participants.Anyone, []));
        var tagRule = Policies.Rule("tag exe", RuleType.Content, CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, ["exe"])), null, [new TagSubject("[EXE]")]);
        var p = Policies.With(exeRule, tagRule) with { AddressGroups = [execs] };
        var m = WithAttachments(New(), Attachment("tool.exe", Exe()));
        var plan = await Evaluate(p, m, Envelope(to: ["ceo@example.co.jp", "staff@example.co.jp", "friend@elsewhere.example"]));
        Assert.Equal(FinalAction.Delete, plan.Recipients[0].Outcome);
        Assert.Equal(FinalAction.Deliver, plan.Recipients[1].Outcome);
        Assert.Single(plan.Recipients[1].Modify);
        Assert.Equal(RuleDisposition.NotInScope, plan.Recipients[1].Rules.Single(r => r.RuleName == "exe for execs").Disposition);
        // Not a managed domain: the organization's rules do not apply.
        Assert.All(plan.Recipients[2].Rules, r => Assert.Equal(RuleDisposition.NotInScope, r.Disposition));
    }

    [Fact]
    public async Task Scope_exceptions_exclude_a_sender_recipient_pair()
    {
        var rule = Policies.Rule("blank subject", RuleType.Content, CriteriaSet.AnyOf(new SubjectBlank()), new Quarantine(),
            scope: new RuleScope(Participants.MyOrganization, Participants.Anyone,
                [new ScopeException(Participants.Of(new DomainParticipant("partner.example")), Participants.Of(new AddressParticipant(AddressPattern.Parse("bob@example.co.jp"))))]));
        var plan = await Evaluate(Policies.With(rule), New(subject: ""), Envelope(to: ["bob@example.co.jp", "carol@example.co.jp"]));
        Assert.Equal(RuleDisposition.ScopeException, plan.Recipients[0].Rules[0].Disposition);
        Assert.Equal(FinalAction.Quarantine, plan.Recipients[1].Outcome);
    }

    [Fact]
    public async Task Intercept_priority_is_delete_then_deliver_now_then_quarantine_then_change_recipient()
    {
        Rule R(string n, InterceptAction a) => Policies.Rule(n, RuleType.Content, CriteriaSet.Empty, a);
        async Task<FinalAction> Outcome(params Rule[] rules) => (await Evaluate(Policies.With(rules), New())).Recipients[0].Outcome;
        Assert.Equal(FinalAction.Quarantine, await Outcome(R("cr", new ChangeRecipient(["legal@example.co.jp"])), R("q", new Quarantine())));
        Assert.Equal(FinalAction.DeliverNow, await Outcome(R("q", new Quarantine()), R("dn", new DeliverNow())));
        Assert.Equal(FinalAction.Delete, await Outcome(R("del", new DeleteMessage()), R("dn", new DeliverNow())));
        Assert.Equal(FinalAction.Delete, await Outcome(R("q", new Quarantine()), R("del", new DeleteMessage())));
        Assert.Equal(FinalAction.ChangeRecipient, await Outcome(R("cr", new ChangeRecipient(["legal@example.co.jp"]))));
    }

    [Fact]
    public async Task Deliver_now_bypasses_the_remaining_rules()
    {
        var first = Policies.Rule("deliver", RuleType.Content, CriteriaSet.Empty, new DeliverNow("mail.example.co.jp", 2525));
        var later = Policies.Rule("delete", RuleType.Content, CriteriaSet.Empty, new DeleteMessage());
        var plan = (await Evaluate(Policies.With(first, later), New())).Recipients[0];
        Assert.Equal(FinalAction.DeliverNow, plan.Outcome);
        Assert.Equal(RuleDisposition.Bypassed, plan.Rules.Single(r => r.RuleName == "delete").Disposition);
        Assert.Equal("mail.example.co.jp", ((DeliverNow)plan.Intercept!).Host);
    }

    [Fact]
    public async Task Modify_and_monitor_actions_accumulate_across_rules()
    {
        var a = Policies.Rule("a", RuleType.Content, CriteriaSet.Empty, null, [new TagSubject("[A]"), new InsertXHeader("X-Check", "one")], [new Bcc(["audit@example.co.jp"])]);
        var b = Policies.Rule("b", RuleType.Content, CriteriaSet.Empty, null, [new InsertXHeader("X-Check", "two")], [new Archive()]);
        var plan = (await Evaluate(Policies.With(a, b), New())).Recipients[0];
        Assert.Equal(FinalAction.Deliver, plan.Outcome);
        Assert.Equal(3, plan.Modify.Count);
        Assert.Equal(2, plan.Monitor.Count);
        Assert.Equal(["a", "b"], plan.MatchedRuleNames);
    }

    [Fact]
    public async Task Disabled_and_needs_fix_rules_are_skipped()
    {
        var disabled = Policies.Rule("off", RuleType.Content, CriteriaSet.Empty, new DeleteMessage()) with { Enabled = false };
        var needsFix = Policies.Rule("fix", RuleType.Content, CriteriaSet.Empty, new DeleteMessage()) with
        {
            Migration = new RuleMigration(new Provenance("x", "R1", "t"), MigrationStatus.NeedsFix, []),
        };
        var plan = (await Evaluate(Policies.With(disabled, needsFix), New())).Recipients[0];
        Assert.Equal(FinalAction.Deliver, plan.Outcome);
        Assert.Equal([RuleDisposition.Disabled, RuleDisposition.NeedsFix], plan.Rules.Select(r => r.Disposition));
    }

    [Fact]
    public async Task Stages_run_in_order_and_missing_engines_say_not_configured()
    {
        var virus = Policies.Rule("virus", RuleType.Virus, CriteriaSet.AnyOf(MalwareDetection.All), new DeleteMessage());
        var plan = (await Evaluate(Policies.With(virus), New())).Recipients[0];
        Assert.Equal([PolicyStage.ScanException, PolicyStage.Connection, PolicyStage.Authentication, PolicyStage.Virus, PolicyStage.Spam, PolicyStage.Content, PolicyStage.Dlp],
            plan.Stages.Select(s => s.Stage));
        Assert.Equal(StageStatus.NotConfigured, plan.Stages.Single(s => s.Stage == PolicyStage.Virus).Status);
        Assert.Equal(RuleDisposition.StageUnavailable, plan.Rules[0].Disposition);
    }

    [Fact]
    public async Task Virus_rules_act_on_the_scanners_detection_and_stamp_clean_mail()
    {
        var stamp = new Stamp { Id = "safe", Name = "safe", Text = "Scanned" };
        var virus = Policies.Rule("virus", RuleType.Virus, CriteriaSet.AnyOf(MalwareDetection.All), new DeleteMessage(), [new InsertSafeStamp("safe")], [new Notify("n1")]);
        var p = Policies.With(virus) with { Stamps = [stamp] };
        var ports = new PolicyPorts { Virus = new EicarScanner() };
        var infected = (await Evaluate(p, WithAttachments(New(), Attachment("eicar.com", System.Text.Encoding.ASCII.GetBytes(Eicar))), ports: ports)).Recipients[0];
        Assert.Equal(FinalAction.Delete, infected.Outcome);
        Assert.Equal("Win.Test.EICAR_HDB-1", infected.Rules[0].Criteria[0].Evidence[0].Keyword);
        var clean = (await Evaluate(p, New(), ports: ports)).Recipients[0];
        Assert.Equal(FinalAction.Deliver, clean.Outcome);
        Assert.IsType<InsertSafeStamp>(clean.Modify.Single().Action);
    }

    [Fact]
    public async Task An_unavailable_antivirus_raises_the_scan_engine_scan_exception()
    {
        var virus = Policies.Rule("virus", RuleType.Virus, CriteriaSet.AnyOf(MalwareDetection.All), new DeleteMessage());
        var settings = GatewaySettings.Default with
        {
            ScanExceptions = new ScanExceptionSettings
            {
                Inbound = [new ScanExceptionAction(ScanExceptionTrigger.ScanEngineUnavailable, new RuleActions(new DoNotIntercept(), [new TagSubject("[NOT SCANNED]")], []))],
            },
        };
        var p = Policies.With(virus) with { Settings = settings };
        var plan = (await Evaluate(p, New(), ports: new PolicyPorts { Virus = new EicarScanner(available: false) })).Recipients[0];
        Assert.Equal(FinalAction.Deliver, plan.Outcome);
        Assert.Equal("[NOT SCANNED]", ((TagSubject)plan.Modify.Single().Action).Tag);
        Assert.Equal(StageStatus.Unavailable, plan.Stages.Single(s => s.Stage == PolicyStage.Virus).Status);
    }

    [Fact]
    public async Task Scan_exceptions_come_first_and_quarantine_by_default()
    {
        var files = Enumerable.Range(0, 5).Select(i => ($"f{i}.txt", "x")).ToArray();
        var raw = Bytes(WithAttachments(New(), Attachment("many.zip", Zip(files), "application/zip")));
        var facts = new Mail.MessageInspector(new Mail.InspectionOptions { MaxArchiveFiles = 3 }).Inspect(raw);
        var plan = (await new PolicyEngine(Policies.With()).EvaluateAsync(facts, Envelope(), raw)).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, plan.Outcome);
        Assert.Equal("scan-exception:too-many-files", plan.DecidedBy!.Id);
    }

    [Fact]
    public async Task Spam_rules_use_the_catch_rate_thresholds()
    {
        var spam = Policies.Rule("spam", RuleType.Spam, CriteriaSet.AnyOf(new SpamDetection(SpamLevel.ModeratelyLow)), new Quarantine());
        var phish = Policies.Rule("phish", RuleType.Spam, CriteriaSet.AnyOf(new Phishing()), new DeleteMessage());
        var ports = new PolicyPorts { Spam = new WordSpamScanner() };
        var p = Policies.With(spam, phish);
        Assert.Equal(FinalAction.Deliver, (await Evaluate(p, New(body: "cheap viagra"), ports: ports)).Recipients[0].Outcome); // 4 < 6
        Assert.Equal(FinalAction.Quarantine, (await Evaluate(p, New(body: "viagra viagra"), ports: ports)).Recipients[0].Outcome); // 8 ≥ 6
        Assert.Equal(FinalAction.Delete, (await Evaluate(p, New(body: "please verify your account"), ports: ports)).Recipients[0].Outcome);
    }

    [Fact]
    public async Task Outbound_rules_apply_to_outbound_mail_only()
    {
        var outbound = Policies.Rule("out", RuleType.Content, CriteriaSet.Empty, new Quarantine(), direction: Direction.Outbound);
        var p = Policies.With(outbound);
        var inbound = (await Evaluate(p, New())).Recipients[0];
        Assert.Equal(FinalAction.Deliver, inbound.Outcome);
        var sent = (await Evaluate(p, New(from: "bob@example.co.jp", to: "x@partner.example"),
            Envelope(sender: "bob@example.co.jp", to: ["x@partner.example"], direction: TrafficDirection.Outbound))).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, sent.Outcome);
    }
}
