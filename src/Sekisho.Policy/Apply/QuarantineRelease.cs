using System.Net;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Apply;

/// <summary>What releasing a quarantined message leads to: the plan of the remaining rules and its application.</summary>
/// <param name="Recipient">The applied outcome for the message's recipient (deliver, deliver now, change recipient, or again quarantine / delete).</param>
public sealed record ReleaseDecision(PolicyPlan Plan, AppliedRecipient Recipient, IReadOnlyList<OutgoingMessage> Outgoing)
{
    /// <summary>True when the message should now be delivered (to <see cref="AppliedRecipient.ChangedTo"/> when set).</summary>
    public bool Deliver => Recipient.Outcome is FinalAction.Deliver or FinalAction.DeliverNow or FinalAction.ChangeRecipient;
}

/// <summary>
/// Release from quarantine: runs the remaining rules — every rule but the one that quarantined the message, without
/// scan exceptions and engine stages — and applies them (another rule may quarantine or delete it instead).
/// Delivery is the caller's (the command line or the console), so is removing the old quarantine entry.
/// </summary>
public static class QuarantineRelease
{
    public static async Task<ReleaseDecision> DecideAsync(PolicySnapshot snapshot, ReadOnlyMemory<byte> message, string sender, string recipient,
        Direction direction, string quarantiningRuleId, DateTimeOffset receivedAt, string? queueId, IQuarantineSink? quarantine, TimeProvider time,
        CancellationToken ct = default)
    {
        var facts = new MessageInspector(timeProvider: time).Inspect(message, ct);
        var envelope = new MessageEnvelope(IPAddress.Loopback, "quarantine-release", sender, [recipient],
            direction == Direction.Inbound ? TrafficDirection.Inbound : TrafficDirection.Outbound, QueueId: queueId);
        var plan = await new PolicyEngine(snapshot, PolicyPorts.None, time).EvaluateAsync(facts, envelope, message,
            new EvaluationOptions { ReceivedAt = receivedAt, SkipRules = new HashSet<string> { quarantiningRuleId }, SkipScanExceptions = true }, ct).ConfigureAwait(false);
        var applied = await new PolicyApplier(snapshot, quarantine, null, null, time).ApplyAsync(message, facts, envelope, plan, ct).ConfigureAwait(false);
        return new ReleaseDecision(plan, applied.Recipients[0], applied.Outgoing);
    }
}
