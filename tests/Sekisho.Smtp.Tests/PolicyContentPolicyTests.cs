using System.Net;
using System.Text;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
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
}
