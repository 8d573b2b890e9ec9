using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Sekisho.Smtp.Operations;
using Sekisho.Smtp.Resources;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp.Queue;

/// <summary>The state of a queued message as a whole.</summary>
public enum QueueMessageState
{
    /// <summary>Due for delivery or being delivered.</summary>
    Active,
    /// <summary>Waiting for a retry.</summary>
    Deferred,
    /// <summary>Held by an administrator.</summary>
    Held,
    /// <summary>The content policy has not decided yet.</summary>
    Scanning,
}

/// <summary>One line of <c>sekisho queue list</c>.</summary>
public sealed record QueueMessageSummary(
    string Id, DateTimeOffset ArrivedAt, string? Sender, long Size, int Recipients, int Waiting,
    QueueMessageState State, DateTimeOffset? NextAttempt, string? LastError, string? Subject);

/// <summary>One recipient in <c>sekisho queue show</c>.</summary>
public sealed record QueueRecipientDetail(
    string Address, MailDirection Direction, RecipientState State, int Attempts, DateTimeOffset? NextAttempt, string? LastReply, string? NextHop, IReadOnlyList<string> Rules);

/// <summary><c>sekisho queue show</c>.</summary>
public sealed record QueueMessageDetail(
    QueueMessageSummary Summary, string? HeaderFrom, string? HeaderTo, string? MessageId, string ClientAddress, string? Helo,
    string? TlsProtocol, string? AuthenticatedUser, IReadOnlyList<QueueRecipientDetail> Recipients);

/// <summary>Queue management (<c>sekisho queue list|show|retry|hold|release|delete</c>).</summary>
public interface IQueueAdministration
{
    IReadOnlyList<QueueMessageSummary> List();
    QueueMessageDetail? Show(string id);
    /// <summary>Makes deferred recipients due now; null id means every message. Returns how many messages.</summary>
    int Retry(string? id);
    bool Hold(string id);
    bool Release(string id);
    /// <summary>Removes a message without a DSN (tracked as deleted).</summary>
    bool Delete(string id);
}

internal sealed class QueueAdministration(GatewayQueue queue) : IQueueAdministration
{
    public IReadOnlyList<QueueMessageSummary> List() => queue.Snapshot().Select(Summary).ToList();

    public QueueMessageDetail? Show(string id)
    {
        var e = queue.Find(id);
        if (e is null) return null;
        lock (e.Gate)
        {
            return new QueueMessageDetail(Summary(e), e.Facts?.From, e.Facts?.To, e.Facts?.MessageId, e.Envelope.ClientAddress, e.Envelope.Helo,
                e.Envelope.TlsProtocol, e.Envelope.AuthenticatedUser,
                e.Recipients.Select(r => new QueueRecipientDetail(r.Recipient.Address, r.Recipient.Direction, r.State, r.Attempts, r.NextAttempt, r.LastReply, r.Hop, r.Rules)).ToList());
        }
    }

    public int Retry(string? id) => queue.Retry(id);
    public bool Hold(string id) => queue.SetHold(id, true);
    public bool Release(string id) => queue.SetHold(id, false);
    public bool Delete(string id) => queue.Delete(id);

    internal static QueueMessageSummary Summary(QueueEntry e)
    {
        lock (e.Gate)
        {
            var waiting = e.Recipients.Count(r => !r.IsFinal);
            var next = e.NextDue();
            var state = e.Held ? QueueMessageState.Held
                : !e.PolicyDone ? QueueMessageState.Scanning
                : e.Recipients.Any(r => r.State == RecipientState.Deferred) && !e.Busy ? QueueMessageState.Deferred
                : QueueMessageState.Active;
            var lastError = e.Recipients.Where(r => !r.IsFinal && r.LastReply is not null).Select(r => r.LastReply).FirstOrDefault();
            return new QueueMessageSummary(e.Id, e.Envelope.ArrivedAt, e.Envelope.Sender, e.DataLength, e.Recipients.Length, waiting, state,
                next == DateTimeOffset.MinValue ? null : next, lastError, e.Facts?.Subject);
        }
    }
}

/// <summary>
/// Opens the queue of a spool for administration while no gateway runs (the process takes the spool lock, so a
/// gateway cannot start meanwhile). Changes go to the queue files exactly as the gateway would write them.
/// </summary>
public sealed class OfflineQueueAdministration : IQueueAdministration, IAsyncDisposable
{
    private readonly SpoolStore _spool;
    private readonly GatewayQueue _queue;
    private readonly TrackingWriter _tracking;
    private readonly QueueAdministration _admin;

    private OfflineQueueAdministration(SpoolStore spool, GatewayQueue queue, TrackingWriter tracking)
    {
        _spool = spool;
        _queue = queue;
        _tracking = tracking;
        _admin = new QueueAdministration(queue);
    }

    /// <summary>Opens <paramref name="spoolDirectory"/>; throws <see cref="SpoolLockedException"/> when a gateway uses it.</summary>
    public static OfflineQueueAdministration Open(string spoolDirectory, IMailTrackingSink? tracking = null, TimeProvider? time = null)
    {
        var spool = new SpoolStore(spoolDirectory, fsync: true);
        spool.Open();
        var options = new SmtpGatewayOptions { SpoolDirectory = spoolDirectory };
        var writer = new TrackingWriter(tracking ?? new InMemoryMailTrackingSink(), NullLogger.Instance);
        var authority = new Routing.ManagedDomainRelayAuthority(new StaticManagedDomainCatalog([]), false);
        var queue = new GatewayQueue(spool, options, new PassThroughContentPolicy(), authority, writer, new SmtpMetrics(),
            time ?? TimeProvider.System, SystemRandomSource.Instance, NullLogger.Instance);
        queue.Recover(runPolicies: false);
        return new OfflineQueueAdministration(spool, queue, writer);
    }

    public IReadOnlyList<QueueMessageSummary> List() => _admin.List();
    public QueueMessageDetail? Show(string id) => _admin.Show(id);
    /// <summary>Offline, retry only clears the wait: the gateway sends the recipients when it starts.</summary>
    public int Retry(string? id) => _admin.Retry(id);
    public bool Hold(string id) => _admin.Hold(id);
    public bool Release(string id) => _admin.Release(id);
    public bool Delete(string id) => _admin.Delete(id);

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await _tracking.DisposeAsync().ConfigureAwait(false);
        _spool.Dispose();
    }
}

/// <summary>Text and JSON renderings of queue listings and tracking records for the CLI (<c>--json</c>).</summary>
public static class SmtpCliFormat
{
    private static readonly JsonSerializerOptions Json = new(AdminJson.Default.Options) { WriteIndented = true };

    public static string QueueJson(IReadOnlyList<QueueMessageSummary> list) => JsonSerializer.Serialize(list, AdminJson.Default.IReadOnlyListQueueMessageSummary);
    public static string QueueJson(QueueMessageDetail detail) => JsonSerializer.Serialize(detail, AdminJson.Default.QueueMessageDetail);
    public static string TrackingJson(IReadOnlyList<MailTrackingRecord> records) => JsonSerializer.Serialize(records.ToList(), Tracking.TrackingJson.Default.ListMailTrackingRecord);

    public static string QueueText(IReadOnlyList<QueueMessageSummary> list, CultureInfo? culture = null)
    {
        if (list.Count == 0) return SmtpText.Get("QueueEmpty", culture) + "\n";
        var sb = new StringBuilder();
        sb.Append(SmtpText.Get("QueueHeader", culture)).Append('\n');
        foreach (var m in list)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m.Id,-21} {m.ArrivedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z {m.Size,6} {m.Recipients,4}  {SmtpText.Get("QueueState" + m.State, culture),-9} <{m.Sender}>");
            sb.Append('\n');
            if (m.LastError is not null) sb.Append("    (").Append(m.LastError).Append(")\n");
        }
        sb.Append(SmtpText.Format("QueueTotal", culture, list.Count, list.Sum(m => m.Waiting))).Append('\n');
        return sb.ToString();
    }

    public static string TrackingText(IReadOnlyList<MailTrackingRecord> records, CultureInfo? culture = null)
    {
        if (records.Count == 0) return SmtpText.Get("TrackingNone", culture) + "\n";
        var sb = new StringBuilder();
        sb.Append(SmtpText.Get("TrackingHeader", culture)).Append('\n');
        foreach (var r in records)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {SmtpText.Action(r.Action, culture),-12} <{r.Sender}> -> <{r.Recipient}>");
            if (r.Subject is not null) sb.Append("  [").Append(r.Subject).Append(']');
            sb.Append('\n');
            if (r.DeliveryStatus is not null) sb.Append("    ").Append(r.DeliveryStatus).Append(r.NextHop is null ? "" : " via " + r.NextHop).Append('\n');
        }
        return sb.ToString();
    }

    internal static JsonSerializerOptions Options => Json;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<QueueMessageSummary>))]
[JsonSerializable(typeof(QueueMessageDetail))]
internal sealed partial class AdminJson : JsonSerializerContext;
