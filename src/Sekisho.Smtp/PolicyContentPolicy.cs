using System.Text;
using Microsoft.Extensions.Logging;
using Sekisho.Mail;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp;

/// <summary>The engine and applier of the policy in force; replaced as a whole when the policy changes.</summary>
/// <param name="Finisher">The last steps on delivered copies (Authentication-Results, time-of-click links, DKIM signing); none when null.</param>
public sealed record PolicyRuntime(PolicyEngine Engine, PolicyApplier Applier, DeliveryFinisher? Finisher = null);

/// <summary>Gives the policy in force (the store-backed view re-reads it when the configuration changes).</summary>
public interface IPolicyRuntimeSource
{
    PolicyRuntime Current { get; }
}

/// <summary>One runtime that never changes (an embedded policy, tests, benchmarks).</summary>
public sealed class FixedPolicyRuntime(PolicyRuntime runtime) : IPolicyRuntimeSource
{
    public PolicyRuntime Current => runtime;
}

/// <summary>Queues a message the policy wrote (notification, BCC copy, redirected copy).</summary>
public interface IGeneratedMailSubmitter
{
    Task SubmitAsync(OutgoingMessage message, CancellationToken ct);
}

/// <summary>
/// The policy engine behind the gateway's <see cref="IContentPolicy"/>: inspects the spooled message, evaluates it per
/// recipient (recipients of each direction together), applies the plan, queues the extra messages and reports which
/// rules fired. Modified copies are shared by the recipients that got the same changes. With a <paramref name="policyEvents"/> sink,
/// every rule that matched (and every authentication check or scan exception that decided) is recorded per recipient with its actions.
/// </summary>
public sealed class PolicyContentPolicy(
    IPolicyRuntimeSource source, MessageInspector inspector, IGeneratedMailSubmitter? submitter = null,
    Action<IReadOnlyCollection<string>, DateTimeOffset>? rulesUsed = null, ILogger? log = null, IPolicyEventSink? policyEvents = null) : IContentPolicy
{
    private static readonly SmtpReply Refused = new(550, "5.7.1", "Message refused by policy");

    public async ValueTask<ContentPolicyResult> EvaluateAsync(ContentPolicyRequest request, CancellationToken ct)
    {
        var runtime = source.Current;
        byte[] raw;
        await using (var s = request.Message.OpenRead())
        {
            raw = new byte[request.Message.Length];
            await s.ReadExactlyAsync(raw, ct).ConfigureAwait(false);
        }
        var facts = inspector.Inspect(raw, ct);
        var outcomes = new RecipientOutcome[request.Recipients.Count];
        var copies = new Dictionary<byte[], MessageCopy>(ReferenceEqualityComparer.Instance);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var finishing = new Dictionary<byte[], Dictionary<string, byte[]?>>(ReferenceEqualityComparer.Instance);
        // Outcomes go by position in the request; the recipients of each direction are evaluated together.
        var evaluated = new List<(List<(PolicyRecipient Recipient, int Position)> List, MessageEnvelope Envelope, PolicyPlan Plan)>();
        foreach (var group in request.Recipients.Select((r, position) => (Recipient: r, Position: position)).GroupBy(x => x.Recipient.Direction))
        {
            var list = group.ToList();
            var envelope = new MessageEnvelope(request.Session.Client.Address, request.Session.HeloName, request.Sender ?? "",
                list.Select(x => x.Recipient.Address).ToList(), group.Key == MailDirection.Inbound ? TrafficDirection.Inbound : TrafficDirection.Outbound,
                request.Session.AuthenticatedUser, request.QueueId);
            var plan = await runtime.Engine.EvaluateAsync(facts, envelope, raw, new EvaluationOptions { ReceivedAt = request.ReceivedAt }, ct).ConfigureAwait(false);
            // A scanner down and failing closed: nothing is applied, the whole message waits (4xx, or retried from the queue).
            if (plan.Recipients.FirstOrDefault(r => r.Outcome == FinalAction.Defer) is { } deferred)
                return Deferred(request.Recipients.Count, deferred.Reason);
            evaluated.Add((list, envelope, plan));
        }
        var events = new List<PolicyEventRecord>();
        foreach (var (list, envelope, plan) in evaluated)
        {
            var applied = await runtime.Applier.ApplyAsync(raw, facts, envelope, plan, ct).ConfigureAwait(false);
            foreach (var id in plan.MatchedRuleIds) used.Add(id);
            if (policyEvents is not null) events.AddRange(EventsOf(request, facts, list[0].Recipient.Direction, plan, applied));
            for (int i = 0; i < list.Count; i++)
            {
                var a = applied.Recipients[i];
                MessageCopy? copy = null;
                var finishedContent = a.Content;
                if (runtime.Finisher is { } finisher && a.Outcome is FinalAction.Deliver or FinalAction.DeliverNow)
                    finishedContent = await FinishAsync(finisher, finishing, raw, a.Content, facts, envelope, plan, plan.Recipients[i], ct).ConfigureAwait(false);
                if (finishedContent is { } content && !copies.TryGetValue(content, out copy))
                    copies[content] = copy = new MessageCopy(content);
                outcomes[list[i].Position] = a.Outcome switch
                {
                    FinalAction.Delete => new RecipientOutcome.Deleted(a.RuleNames),
                    FinalAction.Quarantine => new RecipientOutcome.Quarantined(a.QuarantineId, a.RuleNames),
                    FinalAction.Reject => new RecipientOutcome.RejectInDialog(Refused, a.RuleNames),
                    // The copy for the new recipients is queued below; this recipient gets nothing.
                    FinalAction.ChangeRecipient => new RecipientOutcome.Deleted(a.RuleNames),
                    _ => new RecipientOutcome.Deliver(copy,
                        a.RouteHost is { } host ? new NextHop(host, a.RoutePort == 0 ? 25 : a.RoutePort, 0, TlsPolicy.Opportunistic) : null,
                        a.NotBefore, a.RuleNames),
                };
            }
            if (submitter is not null)
                foreach (var m in applied.Outgoing)
                    await submitter.SubmitAsync(m, ct).ConfigureAwait(false);
            else if (applied.Outgoing.Count > 0)
                log?.LogWarning("{QueueId}: {Count} policy messages (notifications, copies) not sent: no submitter", request.QueueId, applied.Outgoing.Count);
        }
        if (used.Count > 0) rulesUsed?.Invoke(used, request.ReceivedAt);
        if (events.Count > 0) await RecordAsync(events, request.QueueId, ct).ConfigureAwait(false);
        return new ContentPolicyResult(outcomes);
    }

    /// <summary>One event per recipient and matched rule, plus the authentication check or scan exception that decided, if any.</summary>
    private static IEnumerable<PolicyEventRecord> EventsOf(ContentPolicyRequest request, Mail.MessageFacts facts, MailDirection direction, PolicyPlan plan, ApplyResult applied)
    {
        for (int i = 0; i < plan.Recipients.Count; i++)
        {
            var r = plan.Recipients[i];
            var a = applied.Recipients[i];
            var outcome = ModelJson.EnumName(a.Outcome);
            PolicyEventRecord Event(string id, string name, string? type, IReadOnlyList<string> actions)
            {
                bool decided = r.DecidedBy?.Id == id;
                return new($"{request.QueueId}:{r.Recipient}:{id}", plan.EvaluatedAt, direction, request.QueueId, request.Sender, r.Recipient, facts.Headers.Subject,
                    facts.Headers.MessageId, id, name, type, actions, outcome, decided ? r.Reason : null, decided ? a.QuarantineId : null);
            }
            foreach (var t in r.Rules.Where(t => t.Disposition == RuleDisposition.Matched))
                yield return Event(t.RuleId, t.RuleName, ModelJson.EnumName(t.Type), t.PlannedActions);
            if (r.DecidedBy is { Type: null } check)
                yield return Event(check.Id, check.Name, null, r.Intercept is null ? [] : [CriterionNames.Of(r.Intercept)]);
        }
    }

    private async Task RecordAsync(List<PolicyEventRecord> events, string queueId, CancellationToken ct)
    {
        try
        {
            await policyEvents!.RecordAsync(events, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The mail goes on; only the log of what the policy did is incomplete.
            log?.LogWarning(e, "{QueueId}: policy events not recorded", queueId);
        }
    }

    /// <summary>The finished copy of one recipient's content, shared with the recipients that get the same one.</summary>
    private static async Task<byte[]?> FinishAsync(DeliveryFinisher finisher, Dictionary<byte[], Dictionary<string, byte[]?>> finishing, byte[] raw, byte[]? content,
        Mail.MessageFacts facts, MessageEnvelope envelope, PolicyPlan plan, RecipientPlan recipient, CancellationToken ct)
    {
        var source = content ?? raw;
        if (!finishing.TryGetValue(source, out var byKey)) finishing[source] = byKey = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        var key = (envelope.Direction == TrafficDirection.Inbound ? "in:" : "out:") + finisher.CopyKey(recipient, facts);
        if (!byKey.TryGetValue(key, out var finished))
            byKey[key] = finished = await finisher.FinishAsync(source, facts, envelope, plan, recipient, ct).ConfigureAwait(false);
        return finished ?? content;
    }

    private static ContentPolicyResult Deferred(int count, string? reason)
    {
        var outcome = new RecipientOutcome.Defer(new SmtpReply(451, "4.7.0", "Message scanning temporarily unavailable, try again later"),
            reason is null ? null : [reason]);
        var outcomes = new RecipientOutcome[count];
        Array.Fill(outcomes, outcome);
        return new ContentPolicyResult(outcomes);
    }
}

/// <summary>
/// Queues policy messages in the running gateway's own queue, without content policy. A message sent to changed
/// recipients, or released from the quarantine, keeps the original envelope sender (as Postfix's <c>redirect</c> does),
/// so its sender learns of a failure;
/// notifications and BCC copies use the null reverse-path, so a failing hidden copy is never reported to the sender
/// (Postfix adds its BCC recipients with NOTIFY=NONE for the same reason).
/// </summary>
/// Copies leaving the organization are DKIM-signed with the key of their From domain, when there is one.
public sealed class GatewayMailSubmitter(Func<SmtpGateway> gateway, IManagedDomainCatalog domains, TimeProvider time, IRandomSource random,
    IOutboundSigner? signer = null) : IGeneratedMailSubmitter
{
    public async Task SubmitAsync(OutgoingMessage message, CancellationToken ct)
    {
        var queue = gateway().InternalQueue;
        bool utf8 = !Ascii.IsValid(message.Content);
        byte[]? signed = null;
        foreach (var recipient in message.Recipients)
        {
            var domain = recipient[(recipient.LastIndexOf('@') + 1)..];
            var direction = domains.Current.Find(new System.Globalization.IdnMapping().GetAscii(domain).ToLowerInvariant()) is not null ? MailDirection.Inbound : MailDirection.Outbound;
            var sender = message.Kind is OutgoingKind.ChangedRecipient or OutgoingKind.Released ? message.Sender : null;
            var content = message.Content;
            if (direction == MailDirection.Outbound && signer is not null)
                content = signed ??= await SignAsync(signer, message, ct).ConfigureAwait(false);
            await queue.EnqueueGeneratedAsync(QueueIds.New(time, random), recipient, direction, content, utf8, sender).ConfigureAwait(false);
        }
    }

    /// <summary>The message with a DKIM-Signature of its From domain (or the envelope sender's), or unchanged when that domain has no key.</summary>
    private static async Task<byte[]> SignAsync(IOutboundSigner signer, OutgoingMessage message, CancellationToken ct)
    {
        string? from;
        using (var s = new MemoryStream(message.Content, writable: false)) from = Queue.MessageHeaders.ReadFacts(s, message.Content.Length).Facts.From;
        var domain = from is not null && MimeKit.InternetAddressList.TryParse(from, out var list) && list.Mailboxes.FirstOrDefault() is { } mailbox
            ? mailbox.Domain
            : Model.Addresses.DomainNames.DomainOf(message.Sender);
        if (string.IsNullOrEmpty(domain) || await signer.SignAsync(message.Content, domain, ct).ConfigureAwait(false) is not { } signature) return message.Content;
        return SignatureField.Prepend(signature, message.Content);
    }
}
