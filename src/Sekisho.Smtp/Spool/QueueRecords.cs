using System.Text.Json.Serialization;

namespace Sekisho.Smtp.Spool;

/// <summary>The state of one recipient of a queued message.</summary>
public enum RecipientState
{
    /// <summary>Waiting for the content policy or a first attempt.</summary>
    Pending,
    /// <summary>A temporary failure; retried later.</summary>
    Deferred,
    Delivered,
    /// <summary>A permanent failure; the sender gets a DSN.</summary>
    Bounced,
    /// <summary>The queue lifetime ran out; the sender gets a DSN.</summary>
    Expired,
    Quarantined,
    /// <summary>Dropped by the policy or by an administrator.</summary>
    Deleted,
}

/// <summary>One envelope recipient as stored.</summary>
public sealed record QueuedRecipient(string Address, MailDirection Direction);

/// <summary>The envelope record (E) of a queue file: written once when the message starts.</summary>
public sealed record QueuedEnvelope(
    string Id,
    DateTimeOffset ArrivedAt,
    string? Sender,
    IReadOnlyList<QueuedRecipient> Recipients,
    bool SmtpUtf8,
    bool EightBit,
    string SessionId,
    ListenerKind Listener,
    string ClientAddress,
    int ClientPort,
    string? Helo,
    string? TlsProtocol,
    string? TlsCipher,
    string? AuthenticatedUser,
    bool Generated);

/// <summary>Header facts (F) taken from the message once it is on disk, for tracking and queue listings.</summary>
public sealed record MessageFacts(string? From, string? To, string? Subject, string? MessageId, long Size);

/// <summary>The content policy's decision for one recipient (part of a P record).</summary>
/// <param name="Copy">0 for the original; n for the n-th C record.</param>
public sealed record RecipientPolicy(
    int Recipient,
    RecipientState State,
    int Copy,
    string? RouteHost,
    int RoutePort,
    DateTimeOffset? NotBefore,
    IReadOnlyList<string> Rules,
    string? Reply);

/// <summary>A change of recipient state (an S record entry).</summary>
public sealed record RecipientStatus(
    int Recipient,
    RecipientState State,
    DateTimeOffset At,
    int Attempts,
    DateTimeOffset? NextAttempt,
    string? Reply,
    string? Hop,
    string? Tls,
    bool Notified);

/// <summary>Hold or release by an administrator (an H record).</summary>
public sealed record HoldRecord(bool Held, DateTimeOffset At);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(QueuedEnvelope))]
[JsonSerializable(typeof(MessageFacts))]
[JsonSerializable(typeof(List<RecipientPolicy>))]
[JsonSerializable(typeof(List<RecipientStatus>))]
[JsonSerializable(typeof(HoldRecord))]
internal sealed partial class QueueJson : JsonSerializerContext;
