using System.Net;
using System.Text;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>The policy engine behind <see cref="IContentPolicy"/>: outcomes per recipient, in request order, with shared copies.</summary>
public class PolicyContentPolicyTests
{
    private sealed class Bytes(byte[] data) : IMessageContent
    {
        public long Length => data.Length;
        public Stream OpenRead() => new MemoryStream(data, writable: false);
    }

    private sealed class Fixed(PolicyRuntime runtime) : IPolicyRuntimeSource
    {
        public PolicyRuntime Current => runtime;
    }

    private sealed class Sink : IQuarantineSink
    {
        public List<QuarantineRequest> Items { get; } = [];
        public Task<string> QuarantineAsync(QuarantineRequest request, CancellationToken ct)
        {
            Items.Add(request);
            return Task.FromResult("Q" + Items.Count);
        }
    }

    private sealed class Submitter : IGeneratedMailSubmitter
    {
        public List<OutgoingMessage> Sent { get; } = [];
        public Task SubmitAsync(OutgoingMessage message, CancellationToken ct)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    private static Rule Rule(string name, int order, RuleScope scope, InterceptAction intercept, IReadOnlyList<ModifyAction>? modify = null,
        IReadOnlyList<MonitorAction>? monitor = null, Direction direction = Direction.Inbound) => new()
    {
        Id = "r" + order, Name = name, Order = order, Direction = direction, Type = RuleType.Content, Scope = scope, Criteria = CriteriaSet.Empty,
        Actions = new RuleActions(intercept, modify ?? [], monitor ?? []), Created = PolicySamples.T0, Modified = PolicySamples.T0,
    };

    [Fact]
    public async Task Each_recipient_gets_its_outcome_in_request_order_and_recipients_with_the_same_changes_share_one_copy()
    {
        var ceo = new RuleScope(Participants.Of(new AddressParticipant(Model.Addresses.AddressPattern.Parse("ceo@example.co.jp"))), Participants.Anyone, []);
        var snapshot = new PolicySnapshot
        {
            Domains = [PolicySamples.Domain("example.co.jp")],
            Rules =
            [
                Rule("hold for ceo", 1, ceo, new Quarantine()),
                Rule("tag inbound", 2, RuleScope.Default, new DoNotIntercept(), [new TagSubject("[ext]")], [new Bcc(["audit@example.co.jp"])]),
                Rule("outbound header", 3, new RuleScope(Participants.Anyone, Participants.Anyone, []), new DoNotIntercept(), [new InsertXHeader("X-Out", "1")], direction: Direction.Outbound),
            ],
        };
        var sink = new Sink();
        var submitter = new Submitter();
        var used = new List<string>();
        var policy = new PolicyContentPolicy(new Fixed(new PolicyRuntime(new PolicyEngine(snapshot), new PolicyApplier(snapshot, sink))), new MessageInspector(), submitter,
            (ids, _) => used.AddRange(ids));
        var raw = Encoding.ASCII.GetBytes("From: a@partner.example\r\nTo: x@example.co.jp\r\nSubject: hello\r\n\r\nbody\r\n");
        var session = new SessionFacts("s1", ListenerKind.Mta, new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40000), new IPEndPoint(IPAddress.Loopback, 25), PolicySamples.T0);
        var request = new ContentPolicyRequest("Q1", session, "a@partner.example",
            [new PolicyRecipient(0, "ceo@example.co.jp", MailDirection.Inbound), new PolicyRecipient(1, "x@partner.example", MailDirection.Outbound),
             new PolicyRecipient(2, "bob@example.co.jp", MailDirection.Inbound), new PolicyRecipient(3, "carol@example.co.jp", MailDirection.Inbound)],
            new Bytes(raw), PolicySamples.T0);
        var result = await policy.EvaluateAsync(request, default);

        var q = Assert.IsType<RecipientOutcome.Quarantined>(result.Outcomes[0]);
        Assert.Equal("Q1", q.Reference);
        Assert.Equal("ceo@example.co.jp", sink.Items.Single().Recipient);
        var outbound = Assert.IsType<RecipientOutcome.Deliver>(result.Outcomes[1]);
        Assert.Contains("X-Out: 1", Encoding.ASCII.GetString(outbound.Copy!.Content.Span));
        var bob = Assert.IsType<RecipientOutcome.Deliver>(result.Outcomes[2]);
        var carol = Assert.IsType<RecipientOutcome.Deliver>(result.Outcomes[3]);
        Assert.Same(bob.Copy, carol.Copy);
        Assert.Contains("Subject: [ext] hello", Encoding.ASCII.GetString(bob.Copy!.Content.Span));
        Assert.Equal(["tag inbound"], bob.Rules);
        Assert.Equal(["audit@example.co.jp"], submitter.Sent.Single().Recipients);
        Assert.Equal(["r1", "r2", "r3"], used.Order());
    }

    // Policy events (ポリシーイベント): one per recipient and matched rule, with the rule's actions and the outcome.
    [Fact]
    public async Task Each_matched_rule_is_recorded_per_recipient_with_its_actions_and_the_outcome_once_per_key()
    {
        using var dir = new TempDir();
        var ceo = new RuleScope(Participants.Of(new AddressParticipant(Model.Addresses.AddressPattern.Parse("ceo@example.co.jp"))), Participants.Anyone, []);
        Rule Rule(string id, string name, int order, RuleScope scope, InterceptAction intercept, IReadOnlyList<ModifyAction> modify) => new()
        {
            Id = id, Name = name, Order = order, Direction = Direction.Inbound, Type = RuleType.Content, Scope = scope, Criteria = CriteriaSet.Empty,
            Actions = new RuleActions(intercept, modify, []), Created = PolicySamples.T0, Modified = PolicySamples.T0,
        };
        var snapshot = new PolicySnapshot
        {
            Domains = [PolicySamples.Domain("example.co.jp")],
            Rules = [Rule("r1", "役員宛て保留", 1, ceo, new Quarantine(), []), Rule("r2", "社外タグ", 2, RuleScope.Default, new DoNotIntercept(), [new TagSubject("[社外]")])],
        };
        var sink = new JsonLinesPolicyEventSink(dir.Path);
        var policy = new PolicyContentPolicy(new FixedPolicyRuntime(new PolicyRuntime(new PolicyEngine(snapshot), new PolicyApplier(snapshot))), new MessageInspector(),
            policyEvents: sink);
        var raw = Encoding.ASCII.GetBytes("From: a@partner.example\r\nTo: ceo@example.co.jp\r\nSubject: hello\r\nMessage-ID: <m1@partner.example>\r\n\r\nbody\r\n");
        var session = new SessionFacts("s1", ListenerKind.Mta, new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40000), new IPEndPoint(IPAddress.Loopback, 25), PolicySamples.T0);
        var request = new ContentPolicyRequest("Q1", session, "a@partner.example",
            [new PolicyRecipient(0, "ceo@example.co.jp", MailDirection.Inbound), new PolicyRecipient(1, "bob@example.co.jp", MailDirection.Inbound)],
            new Bytes(raw), PolicySamples.T0);
        await policy.EvaluateAsync(request, default);
        await policy.EvaluateAsync(request, default); // again after a crash: the same events, not twice as many

        var events = new List<PolicyEventRecord>();
        await foreach (var e in sink.ReadAsync(null, default)) events.Add(e);
        Assert.Equal(
            [("ceo@example.co.jp", "役員宛て保留", "quarantine"), ("ceo@example.co.jp", "社外タグ", "quarantine"), ("bob@example.co.jp", "社外タグ", "deliver")],
            events.OrderBy(e => e.Recipient != "ceo@example.co.jp").ThenBy(e => e.RuleId).Select(e => (e.Recipient, e.RuleName, e.Outcome)));
        var held = events.Single(e => e.RuleId == "r1");
        Assert.Equal(["quarantine"], held.Actions);
        Assert.False(string.IsNullOrEmpty(held.Reason));
        Assert.Equal(("Q1", "hello", "m1@partner.example", "content", MailDirection.Inbound), (held.QueueId, held.Subject, held.MessageId, held.RuleType, held.Direction));
        Assert.Equal(["tag-subject"], events.First(e => e.RuleId == "r2").Actions);
        Assert.Null(events.First(e => e.RuleId == "r2").Reason); // it did not decide
        Assert.Empty(await ReadAsync(sink, PolicySamples.T0.AddDays(1)));
    }

    private static async Task<List<PolicyEventRecord>> ReadAsync(JsonLinesPolicyEventSink sink, DateTimeOffset since)
    {
        var list = new List<PolicyEventRecord>();
        await foreach (var e in sink.ReadAsync(since, default)) list.Add(e);
        return list;
    }
}
