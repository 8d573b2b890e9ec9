using System.Net;
using System.Text;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Antispam;
using Sekisho.Scanning.Antivirus;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>
/// <see cref="RecipientOutcome.Defer"/>: a content policy that cannot decide yet (a scanner down, fail-closed) tempfails the
/// message in the dialogue, or keeps it queued and runs the policy again; with a real clamd client and engine behind SMTP.
/// </summary>
public sealed class DeferralTests
{
    private static readonly SmtpReply Later = new(451, "4.7.0", "Message scanning temporarily unavailable, try again later");

    private static ContentPolicyResult All(ContentPolicyRequest r, RecipientOutcome o) => new(r.Recipients.Select(_ => o).ToArray());

    private static async Task<TestReply> SendAsync(GatewayHarness h, string body = "Body line 1\r\n")
    {
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        return await c.SendMessageAsync("sender@remote.example", ["user@managed.example"], GatewayHarness.Message("scan me", body));
    }

    [Fact]
    public async Task A_deferral_within_the_budget_is_a_4xx_reply_and_nothing_is_queued()
    {
        var policy = new ScriptedPolicy((r, _) => Task.FromResult(All(r, new RecipientOutcome.Defer(Later, ["antivirus unavailable"]))));
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Policy = policy);
        var reply = await SendAsync(h);
        Assert.Equal((451, "4.7.0"), (reply.Code, reply.Enhanced));
        Assert.Empty(h.Gateway.Queue.List());
        await h.FlushTrackingAsync();
        Assert.Equal(TrackingAction.Deferred, h.Tracking.Snapshot.Single().Action);
        Assert.Empty(h.Inbound.Messages);
    }

    [Fact]
    public async Task A_deferral_from_the_queue_keeps_the_message_and_the_policy_runs_again_later()
    {
        var clock = new ManualTimeProvider();
        var answers = 0;
        var firstAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new ScriptedPolicy(async (r, ct) =>
        {
            await firstAnswer.Task.WaitAsync(ct);
            // The scanner is down for the first evaluation and back for the next.
            return Interlocked.Increment(ref answers) > 1 ? All(r, new RecipientOutcome.Deliver(RuleNames: ["scanned"])) : All(r, new RecipientOutcome.Defer(Later));
        });
        await using var h = await GatewayHarness.StartAsync(o => o.PolicyBudget = TimeSpan.FromSeconds(1), s => { s.Policy = policy; s.Time = clock; });
        var sending = SendAsync(h);
        await Eventually.TrueAsync(() => policy.Calls == 1, "first evaluation");
        // Past the budget (on the gateway's clock) the message is accepted and the policy finishes from the queue.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return sending.IsCompleted;
        }, "accepted past the budget");
        Assert.Equal(250, (await sending).Code);
        firstAnswer.SetResult();
        await Eventually.TrueAsync(() => h.Gateway.Queue.List().Single().State == QueueMessageState.Scanning, "still scanning");
        Assert.Empty(h.Inbound.Messages);
        // The retry waits on the gateway's clock (one minute, then doubling).
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            return policy.Calls >= 2;
        }, "policy retried");
        var got = await h.Inbound.WaitForMessagesAsync(1);
        Assert.Contains("Subject: scan me", got[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_the_policy_keeps_deferring_is_returned_to_the_sender_after_the_queue_lifetime()
    {
        var clock = new ManualTimeProvider();
        await using var senderMx = new FakeMta().Start();
        var dns = new StaticDnsResolver();
        dns.Mx["remote.example"] = new DnsAnswer<MxHost>(DnsStatus.Ok, [new MxHost(10, "127.0.0.1")]);
        // The scanner answers only after the budget, and never comes back.
        var pastBudget = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new ScriptedPolicy(async (r, ct) =>
        {
            await pastBudget.Task.WaitAsync(ct);
            return All(r, new RecipientOutcome.Defer(Later));
        });
        await using var h = await GatewayHarness.StartAsync(
            o => { o.PolicyBudget = TimeSpan.FromSeconds(1); o.Delivery.MxPort = senderMx.Port; o.Delivery.InboundQueueLifetime = TimeSpan.FromDays(1); },
            s => { s.Policy = policy; s.Time = clock; s.Dns = dns; });
        var sending = SendAsync(h);
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return sending.IsCompleted;
        }, "accepted past the budget");
        Assert.Equal(250, (await sending).Code);
        pastBudget.SetResult();
        await Eventually.TrueAsync(() => h.Gateway.Queue.List().SingleOrDefault()?.State == QueueMessageState.Scanning, "waiting for the scanner");
        // Retries every 30 minutes at most; after a day the message leaves the queue as a DSN to its sender.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            return h.Gateway.Queue.List().Count == 0;
        }, "returned after the lifetime");
        Assert.True(policy.Calls > 2);
        var dsn = (await senderMx.WaitForMessagesAsync(1))[0];
        Assert.Equal("", dsn.MailFrom);
        Assert.Equal(["sender@remote.example"], dsn.Recipients);
        Assert.Contains("Final-Recipient: rfc822; user@managed.example", dsn.Text, StringComparison.Ordinal);
        Assert.Contains("could not be scanned within the queue lifetime", dsn.Text, StringComparison.Ordinal);
        Assert.Empty(h.Inbound.Messages);
    }

    private static Rule VirusRule() => new()
    {
        Id = "virus", Name = "virus", Order = 1, Direction = Direction.Inbound, Type = RuleType.Virus, Scope = RuleScope.Default,
        Criteria = CriteriaSet.AnyOf(MalwareDetection.All), Actions = new RuleActions(new DeleteMessage(), [], []),
        Created = PolicySamples.T0, Modified = PolicySamples.T0,
    };

    private static PolicyContentPolicy EnginePolicy(IVirusScanner scanner)
    {
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [VirusRule()] };
        var ports = new PolicyPorts { Virus = scanner };
        return new PolicyContentPolicy(new FixedPolicyRuntime(new PolicyRuntime(new PolicyEngine(snapshot, ports), new PolicyApplier(snapshot, virus: scanner))), new MessageInspector());
    }

    [Fact]
    public async Task With_clamd_unreachable_fail_closed_defers_and_fail_open_delivers_with_a_header()
    {
        var closed = $"127.0.0.1:{ExternalProcess.FreePort()}";
        var failClosed = new ClamdScanner(new ClamdOptions { Endpoints = [closed], ConnectTimeout = TimeSpan.FromSeconds(2) });
        await using (var h = await GatewayHarness.StartAsync(setup: s => s.Policy = EnginePolicy(failClosed)))
        {
            var reply = await SendAsync(h);
            Assert.Equal((451, "4.7.0"), (reply.Code, reply.Enhanced));
            Assert.Empty(h.Gateway.Queue.List());
        }
        var failOpen = new ClamdScanner(new ClamdOptions { Endpoints = [closed], ConnectTimeout = TimeSpan.FromSeconds(2), FailOpen = true });
        await using (var h = await GatewayHarness.StartAsync(setup: s => s.Policy = EnginePolicy(failOpen)))
        {
            var reply = await SendAsync(h);
            Assert.Equal(250, reply.Code);
            var got = await h.Inbound.WaitForMessagesAsync(1);
            Assert.Contains("X-Sekisho-Scan: antivirus unavailable\r\n", got[0].Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_clamd_and_rspamd_unreachable_and_fail_open_the_trace_and_the_header_name_both()
    {
        var closed = $"127.0.0.1:{ExternalProcess.FreePort()}";
        var virus = new ClamdScanner(new ClamdOptions { Endpoints = [closed], ConnectTimeout = TimeSpan.FromSeconds(2), FailOpen = true });
        var spam = new RspamdScanner(new RspamdOptions { Endpoints = [new Uri("http://" + closed)], Timeout = TimeSpan.FromSeconds(2), FailOpen = true });
        var spamRule = VirusRule() with { Id = "spam", Name = "spam", Type = RuleType.Spam, Criteria = CriteriaSet.AnyOf(new SpamDetection(SpamLevel.ModeratelyHigh)) };
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [VirusRule(), spamRule] };
        var engine = new PolicyEngine(snapshot, new PolicyPorts { Virus = virus, Spam = spam });
        var raw = Encoding.ASCII.GetBytes(GatewayHarness.Message("both down"));
        var envelope = new MessageEnvelope(IPAddress.Parse("203.0.113.9"), "mx.remote.example", "sender@remote.example", ["user@managed.example"], TrafficDirection.Inbound);
        var plan = (await engine.EvaluateAsync(new MessageInspector().Inspect(raw), envelope, raw)).Recipients[0];
        Assert.Equal(FinalAction.Deliver, plan.Outcome);
        var header = Assert.IsType<InsertXHeader>(Assert.Single(plan.Modify).Action);
        Assert.Equal((EngineAvailability.HeaderName, "antivirus, antispam unavailable"), (header.Name, header.Value));
        Assert.All(plan.Stages.Where(s => s.Stage is PolicyStage.Virus or PolicyStage.Spam),
            s => Assert.EndsWith("(fail-open: delivered with X-Sekisho-Scan)", s.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_real_clamd_catches_eicar_and_once_stopped_the_engine_defers_and_says_why_in_the_trace()
    {
        await using var clamd = await ClamdServer.StartAsync();
        var scanner = new ClamdScanner(new ClamdOptions { Endpoints = [clamd.Endpoint], ConfigFile = clamd.ConfigFile, RetryDownAfter = TimeSpan.Zero });
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [VirusRule()] };
        var engine = new PolicyEngine(snapshot, new PolicyPorts { Virus = scanner });
        var envelope = new MessageEnvelope(IPAddress.Parse("203.0.113.9"), "mx.remote.example", "sender@remote.example", ["user@managed.example"], TrafficDirection.Inbound);
        var eicar = Encoding.ASCII.GetBytes("From: sender@remote.example\r\nTo: user@managed.example\r\nSubject: eicar\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n" +
            "Content-Type: application/octet-stream; name=e.com\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            Convert.ToBase64String(ClamdServer.Eicar) + "\r\n--b--\r\n");
        var clean = Encoding.ASCII.GetBytes(GatewayHarness.Message("clean"));
        var inspector = new MessageInspector();

        var infected = await engine.EvaluateAsync(inspector.Inspect(eicar), envelope, eicar);
        Assert.Equal(FinalAction.Delete, infected.Recipients[0].Outcome);

        clamd.Stop();
        var plan = (await engine.EvaluateAsync(inspector.Inspect(clean), envelope, clean)).Recipients[0];
        Assert.Equal(FinalAction.Defer, plan.Outcome);
        Assert.Equal(EngineAvailability.Source, plan.DecidedBy);
        var stage = plan.Stages.Single(s => s.Stage == PolicyStage.Virus);
        Assert.Equal(StageStatus.Unavailable, stage.Status);
        Assert.EndsWith("(fail-closed: deferred)", stage.Detail, StringComparison.Ordinal);
        Assert.Equal(RuleDisposition.Bypassed, plan.Rules.Single().Disposition);
    }
}
