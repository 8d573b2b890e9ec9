using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;

namespace Sekisho.Policy.Apply;

/// <summary>A message to quarantine for one recipient: the original bytes, why, and the trace that explains it.</summary>
public sealed record QuarantineRequest(
    string Recipient, string Sender, Direction Direction, string Subject, ReadOnlyMemory<byte> Message,
    string RuleId, string RuleName, string Reason, string? Area, string TraceJson, DateTimeOffset ReceivedAt, string? QueueId);

/// <summary>Where quarantined messages go (the Store's quarantine; tests use a list).</summary>
public interface IQuarantineSink
{
    /// <summary>Keeps the message; returns the quarantine id.</summary>
    Task<string> QuarantineAsync(QuarantineRequest request, CancellationToken ct);
}

/// <summary>Where archive copies go.</summary>
public interface IArchiveSink
{
    Task ArchiveAsync(string? area, string recipient, ReadOnlyMemory<byte> message, CancellationToken ct);
}

/// <summary>Why the gateway writes a new message.</summary>
public enum OutgoingKind
{
    Notification,
    Bcc,
    /// <summary>The copy for a changed recipient.</summary>
    ChangedRecipient,
    /// <summary>A message released from quarantine (the console and the end-user quarantine put it into the running gateway's queue).</summary>
    Released,
}

/// <summary>A message the policy sends besides the original: a notification, a BCC copy, a redirected copy.</summary>
/// <param name="Sender">Envelope sender (empty for the null reverse-path).</param>
public sealed record OutgoingMessage(OutgoingKind Kind, string Sender, IReadOnlyList<string> Recipients, byte[] Content, string RuleName);

/// <summary>What happened to one recipient.</summary>
/// <param name="Content">The modified copy, or null when the original is delivered unchanged (or nothing is delivered).</param>
/// <param name="RouteHost">Deliver now to a given server.</param>
/// <param name="NotBefore">Deliver at a time of day.</param>
/// <param name="QuarantineId">Set when quarantined.</param>
public sealed record AppliedRecipient(
    string Recipient, FinalAction Outcome, byte[]? Content, string? RouteHost, int RoutePort, DateTimeOffset? NotBefore, string? QuarantineId,
    IReadOnlyList<string> RuleNames, IReadOnlyList<string> ChangedTo);

/// <summary>The result of applying a plan: one entry per recipient, in plan order, and the extra messages to send.</summary>
public sealed record ApplyResult(IReadOnlyList<AppliedRecipient> Recipients, IReadOnlyList<OutgoingMessage> Outgoing);
