using System.Globalization;
using System.Text;

namespace Sekisho.Smtp.Operations;

/// <summary>A cumulative histogram with fixed upper bounds (Prometheus style).</summary>
public sealed class LatencyHistogram(params double[] bounds)
{
    private readonly double[] _bounds = bounds;
    private readonly long[] _counts = new long[bounds.Length + 1];
    private long _sumMicros;
    private long _count;

    public void Observe(TimeSpan elapsed)
    {
        var s = elapsed.TotalSeconds;
        var i = 0;
        while (i < _bounds.Length && s > _bounds[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, (long)(elapsed.Ticks / 10));
        Interlocked.Increment(ref _count);
    }

    public long Count => Interlocked.Read(ref _count);

    internal void Write(StringBuilder sb, string name, string help)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" histogram\n");
        long cumulative = 0;
        for (var i = 0; i < _bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            sb.Append(name).Append("_bucket{le=\"").Append(_bounds[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative).Append('\n');
        }
        cumulative += Interlocked.Read(ref _counts[^1]);
        sb.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(cumulative).Append('\n');
        sb.Append(name).Append("_sum ").Append((Interlocked.Read(ref _sumMicros) / 1e6).ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(name).Append("_count ").Append(cumulative).Append('\n');
    }
}

/// <summary>Counters and gauges of the gateway, written in the Prometheus text exposition format.</summary>
public sealed class SmtpMetrics
{
    private long _connectionsTotal;
    private long _connectionsActive;
    private long _connectionsRefused;
    private long _acceptedInbound;
    private long _acceptedOutbound;
    private long _rejectedMessages;
    private long _rejectedRecipients;
    private long _delivered;
    private long _deferred;
    private long _bounced;
    private long _expired;
    private long _dsnSent;
    private long _queueMessages;

    public LatencyHistogram AcceptLatency { get; } = new(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    public LatencyHistogram DeliveryLatency { get; } = new(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 900, 3600, 86400);

    public void ConnectionOpened() { Interlocked.Increment(ref _connectionsTotal); Interlocked.Increment(ref _connectionsActive); }
    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsActive);
    public void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);
    public void MessageAccepted(bool outbound) => Interlocked.Increment(ref outbound ? ref _acceptedOutbound : ref _acceptedInbound);
    public void MessageRejected() => Interlocked.Increment(ref _rejectedMessages);
    public void RecipientRejected() => Interlocked.Increment(ref _rejectedRecipients);
    public void Delivered(int n = 1) => Interlocked.Add(ref _delivered, n);
    public void Deferred(int n = 1) => Interlocked.Add(ref _deferred, n);
    public void Bounced(int n = 1) => Interlocked.Add(ref _bounced, n);
    public void Expired(int n = 1) => Interlocked.Add(ref _expired, n);
    public void DsnSent() => Interlocked.Increment(ref _dsnSent);
    public void QueueChanged(int delta) => Interlocked.Add(ref _queueMessages, delta);

    public long ActiveConnections => Interlocked.Read(ref _connectionsActive);
    public long QueueMessages => Interlocked.Read(ref _queueMessages);
    public long AcceptedMessages => Interlocked.Read(ref _acceptedInbound) + Interlocked.Read(ref _acceptedOutbound);
    public long DeliveredRecipients => Interlocked.Read(ref _delivered);
    public long DeferredRecipients => Interlocked.Read(ref _deferred);
    public long BouncedRecipients => Interlocked.Read(ref _bounced);

    /// <summary>The text exposition format 0.0.4 (served at <c>/metrics</c>).</summary>
    public string ToPrometheusText()
    {
        var sb = new StringBuilder(4096);
        Counter(sb, "sekisho_smtp_connections_total", "SMTP connections accepted by the listeners.", _connectionsTotal);
        Gauge(sb, "sekisho_smtp_connections_active", "SMTP sessions open now.", _connectionsActive);
        Counter(sb, "sekisho_smtp_connections_refused_total", "Connections closed at once (limits, blocked clients, early talkers).", _connectionsRefused);
        sb.Append("# HELP sekisho_smtp_messages_accepted_total Messages acknowledged with 250 after fsync.\n# TYPE sekisho_smtp_messages_accepted_total counter\n");
        sb.Append("sekisho_smtp_messages_accepted_total{direction=\"inbound\"} ").Append(Interlocked.Read(ref _acceptedInbound)).Append('\n');
        sb.Append("sekisho_smtp_messages_accepted_total{direction=\"outbound\"} ").Append(Interlocked.Read(ref _acceptedOutbound)).Append('\n');
        Counter(sb, "sekisho_smtp_messages_rejected_total", "Messages refused at the end of DATA or BDAT.", _rejectedMessages);
        Counter(sb, "sekisho_smtp_recipients_rejected_total", "Recipients refused at RCPT.", _rejectedRecipients);
        Counter(sb, "sekisho_delivery_recipients_delivered_total", "Recipients handed to the next hop.", _delivered);
        Counter(sb, "sekisho_delivery_recipients_deferred_total", "Temporary delivery failures.", _deferred);
        Counter(sb, "sekisho_delivery_recipients_bounced_total", "Permanent delivery failures.", _bounced);
        Counter(sb, "sekisho_delivery_recipients_expired_total", "Recipients that outlived the queue lifetime.", _expired);
        Counter(sb, "sekisho_delivery_dsn_total", "Delivery status notifications generated.", _dsnSent);
        Gauge(sb, "sekisho_queue_messages", "Messages in the queue.", _queueMessages);
        AcceptLatency.Write(sb, "sekisho_smtp_accept_latency_seconds", "From the end of the message data to the final reply (spool fsync and content policy included).");
        DeliveryLatency.Write(sb, "sekisho_delivery_latency_seconds", "From arrival to delivery at the next hop.");
        return sb.ToString();
    }

    private static void Counter(StringBuilder sb, string name, string help, long value) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" counter\n").Append(name).Append(' ').Append(value).Append('\n');

    private static void Gauge(StringBuilder sb, string name, string help, long value) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n").Append(name).Append(' ').Append(value).Append('\n');
}
