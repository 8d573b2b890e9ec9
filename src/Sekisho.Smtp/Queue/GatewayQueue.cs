using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Operations;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Server;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp.Queue;

/// <summary>A message being received: bytes go straight into its queue file in <c>incoming/</c>.</summary>
internal sealed class IncomingMessage : IContentSink
{
    private readonly SpoolStore _spool;
    private bool _done;

    public IncomingMessage(SpoolStore spool, QueueFileWriter writer, QueuedEnvelope envelope, SessionFacts session)
    {
        _spool = spool;
        Writer = writer;
        Envelope = envelope;
        Session = session;
    }

    public QueueFileWriter Writer { get; }
    public QueuedEnvelope Envelope { get; }
    public SessionFacts Session { get; }
    public string Id => Envelope.Id;
    public long Size => Writer.DataLength;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Writer.WriteData(bytes);
        // Keep the start of the message: the header facts are read from memory rather than from the file again.
        if (_headLength < _head.Length)
        {
            var n = Math.Min(bytes.Length, _head.Length - _headLength);
            bytes[..n].CopyTo(_head.AsSpan(_headLength));
            _headLength += n;
        }
    }

    private byte[] _head = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _headLength;

    /// <summary>Gives the head buffer back once the header facts are read.</summary>
    public void ReleaseHead()
    {
        var h = _head;
        _head = [];
        _headLength = 0;
        if (h.Length > 0) System.Buffers.ArrayPool<byte>.Shared.Return(h);
    }

    /// <summary>The message start when it holds the whole header block (or the whole message), else null.</summary>
    public Stream? HeaderBlock()
    {
        var span = _head.AsSpan(0, _headLength);
        if (_headLength == Writer.DataLength || span.IndexOf("\r\n\r\n"u8) >= 0) return new MemoryStream(_head, 0, _headLength, writable: false);
        return null;
    }

    public void Discard()
    {
        ReleaseHead();
        if (_done) return;
        _done = true;
        _spool.DiscardIncoming(Writer);
    }

    public void MarkCommitted() => _done = true;
}

/// <summary>One recipient's result from a delivery attempt.</summary>
internal sealed record AttemptResult(int Recipient, RecipientState Outcome, SmtpReply Reply, string? Hop, string? Tls);

/// <summary>
/// The queue: accepts messages into the spool (fsync before 250), runs the content policy within its budget,
/// keeps per-recipient state in memory and in the queue files, schedules retries with backoff, expires,
/// bounces (DSN) and records mail tracking. The queue files are the truth; this is their index.
/// </summary>
internal sealed class GatewayQueue : IAsyncDisposable
{
    private readonly SpoolStore _spool;
    private readonly SmtpGatewayOptions _options;
    private readonly IContentPolicy _policy;
    private readonly IRelayAuthority _authority;
    private readonly TrackingWriter _tracking;
    private readonly SmtpMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, QueueEntry> _entries = new();
    private readonly Channel<QueueEntry> _ready = Channel.CreateUnbounded<QueueEntry>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly PriorityQueue<(QueueEntry Entry, long Version), DateTimeOffset> _timers = new();
    private readonly Lock _timerLock = new();
    private readonly ITimer _wakeup;
    private DateTimeOffset _nextWake = DateTimeOffset.MaxValue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();

    public GatewayQueue(SpoolStore spool, SmtpGatewayOptions options, IContentPolicy policy, IRelayAuthority authority,
        TrackingWriter tracking, SmtpMetrics metrics, TimeProvider time, IRandomSource random, ILogger log)
    {
        _spool = spool;
        _options = options;
        _policy = policy;
        _authority = authority;
        _tracking = tracking;
        _metrics = metrics;
        _time = time;
        _random = random;
        _log = log;
        _wakeup = time.CreateTimer(_ => OnWakeup(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public ChannelReader<QueueEntry> Ready => _ready.Reader;
    public int Count => _entries.Count;
    internal TimeProvider Time => _time;
    internal SmtpGatewayOptions Options => _options;

    // ================================================================= receiving

    public IncomingMessage BeginMessage(SessionFacts session, SmtpMailbox? sender, IReadOnlyList<QueuedRecipient> recipients, bool smtpUtf8, bool eightBit, bool tls)
    {
        var now = _time.GetUtcNow();
        var id = QueueIds.New(_time, _random);
        var envelope = new QueuedEnvelope(id, now, sender?.Address, recipients.ToArray(), smtpUtf8, eightBit, session.SessionId, session.Listener,
            session.Client.Address.ToString(), session.Client.Port, session.HeloName, session.TlsProtocol, session.TlsCipher, session.AuthenticatedUser, Generated: false);
        var writer = _spool.CreateIncoming(envelope);
        writer.BeginData();
        var m = new IncomingMessage(_spool, writer, envelope, session);
        m.Write(Encoding.UTF8.GetBytes(ReceivedHeader(envelope, now)));
        return m;
    }

    private string ReceivedHeader(QueuedEnvelope e, DateTimeOffset now)
    {
        var proto = (e.SmtpUtf8 ? "UTF8SMTP" : "ESMTP") + (e.TlsProtocol is null ? "" : "S") + (e.AuthenticatedUser is null ? "" : "A");
        var ip = IPAddress.Parse(e.ClientAddress);
        var literal = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6:" + ip : ip.ToString();
        var sb = new StringBuilder(256);
        sb.Append("Received: from ").Append(MessageHeaders.Sanitize(e.Helo)).Append(" ([").Append(literal).Append("])\r\n");
        if (e.TlsProtocol is not null) sb.Append("\t(using ").Append(e.TlsProtocol).Append(" with cipher ").Append(MessageHeaders.Sanitize(e.TlsCipher)).Append(")\r\n");
        sb.Append("\tby ").Append(_options.HostName).Append(" (Sekisho) with ").Append(proto).Append(" id ").Append(e.Id);
        if (e.Recipients.Count == 1 && Ascii.IsValid(e.Recipients[0].Address)) sb.Append("\r\n\tfor <").Append(e.Recipients[0].Address).Append('>');
        sb.Append("; ").Append(MessageHeaders.Rfc5322Date(now)).Append("\r\n");
        return sb.ToString();
    }

    /// <summary>
    /// Finishes a received message: header facts and loop check, content policy within the budget, commit
    /// (fsync file, rename, fsync directory), then the reply for the client. Never returns 250 for a message
    /// that is not safely on disk.
    /// </summary>
    public async Task<SmtpReply> AcceptAsync(IncomingMessage m, CancellationToken ct)
    {
        var w = m.Writer;
        QueueEntry entry;
        Task<ContentPolicyResult?> policyTask;
        try
        {
            w.EndData();
            w.Flush(toDisk: false);
            MessageFacts facts;
            int hops;
            using (var s = m.HeaderBlock() ?? new FileSliceStream(w.Path, w.DataOffset, w.DataLength))
                (facts, hops) = MessageHeaders.ReadFacts(s, w.DataLength);
            m.ReleaseHead();
            // Our own Received header is one of them.
            if (hops - 1 >= _options.Limits.MaxHops)
            {
                _log.LogWarning("{QueueId}: refused, {Hops} Received headers (mail loop?)", m.Id, hops - 1);
                m.Discard();
                return SmtpReply.Server.TooManyHops;
            }
            w.AppendRecord(QueueFileFormat.Facts, QueueFileFormat.Json(facts, QueueJson.Default.MessageFacts));
            w.Flush(toDisk: false);
            entry = new QueueEntry(w.Path, m.Envelope, w.DataOffset, w.DataLength) { Facts = facts };
            policyTask = RunPolicyAsync(entry, m.Session);
        }
        catch (IOException ex)
        {
            _log.LogError(ex, "{QueueId}: cannot write to the spool", m.Id);
            m.Discard();
            return SmtpReply.Server.LocalError;
        }

        ContentPolicyResult? result = null;
        var inBudget = await WaitWithBudgetAsync(policyTask, _options.PolicyBudget).ConfigureAwait(false);
        if (inBudget)
        {
            result = await policyTask.ConfigureAwait(false);
            if (result is null)
            {
                m.Discard();
                return SmtpReply.Server.PolicyUnavailable;
            }
            if (result.Outcomes.All(o => o is RecipientOutcome.RejectInDialog))
            {
                var reply = ((RecipientOutcome.RejectInDialog)result.Outcomes[0]).Reply;
                _log.LogInformation("{QueueId}: refused by content policy: {Reply}", m.Id, reply);
                m.Discard();
                TrackAll(entry, TrackingAction.Rejected, reply.ToString(), result);
                return reply;
            }
            if (result.Deferral is { } deferral)
            {
                _log.LogInformation("{QueueId}: deferred by content policy: {Reply}", m.Id, deferral.Reply);
                m.Discard();
                TrackAll(entry, TrackingAction.Deferred, deferral.Reply.ToString(), result);
                return deferral.Reply;
            }
        }

        List<RecipientPolicy>? acceptedPolicy = null;
        try
        {
            if (result is not null)
            {
                var (records, policy) = BuildPolicy(result, 0);
                foreach (var (type, payload) in records)
                {
                    if (type == QueueFileFormat.Copy) entry.Copies.Add((w.Position + QueueFileFormat.HeaderLength, payload.Length));
                    w.AppendRecord(type, payload);
                }
                acceptedPolicy = policy;
            }
            var length = w.Position;
            entry.Path = await _spool.CommitAsync(w).ConfigureAwait(false);
            entry.ValidLength = length;
            m.MarkCommitted();
        }
        catch (IOException ex)
        {
            _log.LogError(ex, "{QueueId}: commit to the spool failed", m.Id);
            m.Discard();
            return SmtpReply.Server.LocalError;
        }

        // The message is safe on disk: from here on it can only be delivered, bounced or deleted on purpose.
        if (acceptedPolicy is not null) ApplyPolicyRecords(entry, acceptedPolicy);
        _entries[entry.Id] = entry;
        _metrics.QueueChanged(1);
        _metrics.MessageAccepted(entry.Envelope.Recipients.Any(r => r.Direction == MailDirection.Outbound));
        TrackAll(entry, TrackingAction.Queued, "250 2.0.0 queued", result);
        if (result is null)
        {
            _log.LogInformation("{QueueId}: content policy exceeded the {Budget} budget; accepted, scanning continues from the queue", entry.Id, _options.PolicyBudget);
            Track(ContinueBackgroundPolicyAsync(entry, policyTask));
        }
        else
        {
            await AfterPolicyAsync(entry).ConfigureAwait(false);
        }
        return new SmtpReply(250, "2.0.0", $"Ok: queued as {entry.Id}");
    }

    private async Task<bool> WaitWithBudgetAsync(Task task, TimeSpan budget)
    {
        if (task.IsCompleted) return true;
        using var cts = new CancellationTokenSource();
        var delay = Task.Delay(budget, _time, cts.Token);
        var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        return first == task;
    }

    /// <summary>Runs the policy with the background hard limit; null means it failed (logged) and must be retried.</summary>
    private async Task<ContentPolicyResult?> RunPolicyAsync(QueueEntry entry, SessionFacts session)
    {
        if (entry.Envelope.Generated)
            return new ContentPolicyResult(entry.Recipients.Select(_ => (RecipientOutcome)new RecipientOutcome.Deliver()).ToArray());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        cts.CancelAfter(_options.Delivery.BackgroundPolicyTimeout);
        try
        {
            var request = new ContentPolicyRequest(entry.Id, session, entry.Envelope.Sender,
                entry.Recipients.Select(r => new PolicyRecipient(r.Index, r.Recipient.Address, r.Recipient.Direction)).ToArray(),
                entry.Content(0), entry.Envelope.ArrivedAt);
            var result = await _policy.EvaluateAsync(request, cts.Token).ConfigureAwait(false);
            if (result.Outcomes.Count != entry.Recipients.Length)
            {
                _log.LogError("{QueueId}: content policy returned {Got} outcomes for {Expected} recipients", entry.Id, result.Outcomes.Count, entry.Recipients.Length);
                return null;
            }
            return result;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(ex, "{QueueId}: content policy failed", entry.Id);
            return null;
        }
    }

    private async Task ContinueBackgroundPolicyAsync(QueueEntry entry, Task<ContentPolicyResult?> running)
    {
        var session = SessionOf(entry.Envelope);
        var delay = TimeSpan.FromMinutes(1);
        var result = await running.ConfigureAwait(false);
        // A deferral (a scanner down, fail-closed) keeps the message queued: the policy runs again later, like after a failure.
        while ((result is null || result.Deferral is not null) && !_stopping.IsCancellationRequested)
        {
            if (result?.Deferral is { } deferral)
                _log.LogWarning("{QueueId}: content policy deferred ({Reply}); retried in {Delay}", entry.Id, deferral.Reply, delay);
            else
                _log.LogWarning("{QueueId}: content policy will be retried in {Delay}", entry.Id, delay);
            try { await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(30).Ticks));
            if (entry.Removed) return;
            if (PolicyExpired(entry))
            {
                // Like a delivery that never succeeds: past the queue lifetime the sender gets a DSN instead of silence.
                _log.LogWarning("{QueueId}: content policy could not run within the queue lifetime; returned to the sender", entry.Id);
                result = new ContentPolicyResult(entry.Recipients.Select(_ => (RecipientOutcome)new RecipientOutcome.RejectInDialog(PolicyExpiredReply)).ToArray());
                break;
            }
            result = await RunPolicyAsync(entry, session).ConfigureAwait(false);
        }
        if (result is null || result.Deferral is not null || entry.Removed) return;
        lock (entry.Gate)
        {
            if (entry.Removed) return;
            var (records, policy) = BuildPolicy(result, entry.Copies.Count);
            var at = entry.ValidLength;
            foreach (var (type, payload) in records)
            {
                if (type == QueueFileFormat.Copy) entry.Copies.Add((at + QueueFileFormat.HeaderLength, payload.Length));
                at += QueueFileFormat.HeaderLength + payload.Length + 1;
            }
            entry.ValidLength = QueueFileReader.Append(entry.Path, entry.ValidLength, records, _spool.FsyncEnabled);
            // Past the budget a dialogue rejection can only become a bounce.
            ApplyPolicyRecords(entry, policy);
        }
        TrackAll(entry, null, null, result);
        await AfterPolicyAsync(entry).ConfigureAwait(false);
    }

    /// <summary>The C records (modified copies, numbered after <paramref name="existingCopies"/>) and the P record of a policy result.</summary>
    private static (List<(byte Type, byte[] Payload)> Records, List<RecipientPolicy> Policy) BuildPolicy(ContentPolicyResult result, int existingCopies)
    {
        var copies = new Dictionary<MessageCopy, int>(ReferenceEqualityComparer.Instance);
        var list = new List<RecipientPolicy>(result.Outcomes.Count);
        var records = new List<(byte, byte[])>();
        for (var i = 0; i < result.Outcomes.Count; i++)
        {
            var o = result.Outcomes[i];
            switch (o)
            {
                case RecipientOutcome.Deliver d:
                    var copy = 0;
                    if (d.Copy is not null && !copies.TryGetValue(d.Copy, out copy))
                    {
                        copy = existingCopies + copies.Count + 1;
                        copies[d.Copy] = copy;
                        records.Add((QueueFileFormat.Copy, d.Copy.Content.ToArray()));
                    }
                    list.Add(new RecipientPolicy(i, RecipientState.Pending, copy, d.Route?.Host, d.Route?.Port ?? 0, d.NotBefore, o.Rules, null));
                    break;
                case RecipientOutcome.Quarantined q:
                    list.Add(new RecipientPolicy(i, RecipientState.Quarantined, 0, null, 0, null, o.Rules, q.Reference));
                    break;
                case RecipientOutcome.RejectInDialog r:
                    list.Add(new RecipientPolicy(i, RecipientState.Bounced, 0, null, 0, null, o.Rules, r.Reply.ToString()));
                    break;
                case RecipientOutcome.Defer:
                    throw new InvalidOperationException("a deferred policy result is retried, never recorded");
                default:
                    list.Add(new RecipientPolicy(i, RecipientState.Deleted, 0, null, 0, null, o.Rules, null));
                    break;
            }
        }
        records.Add((QueueFileFormat.Policy, QueueFileFormat.Json(list, QueueJson.Default.ListRecipientPolicy)));
        return (records, list);
    }

    private void ApplyPolicyRecords(QueueEntry entry, IReadOnlyList<RecipientPolicy> records)
    {
        foreach (var p in records)
        {
            if (p.Recipient < 0 || p.Recipient >= entry.Recipients.Length) continue;
            var r = entry.Recipients[p.Recipient];
            r.Rules = p.Rules;
            r.State = p.State;
            // A copy number that points at no C record would deliver the wrong bytes: keep such a recipient from going out.
            r.Copy = p.Copy;
            if (p.Copy < 0 || p.Copy > entry.Copies.Count)
            {
                r.Copy = 0;
                r.State = RecipientState.Deferred;
                r.NextAttempt = DateTimeOffset.MaxValue;
                r.LastReply = "queue file refers to a missing modified copy";
            }
            r.NotBefore = p.NotBefore;
            r.Route = p.RouteHost is null ? null : new NextHop(p.RouteHost, p.RoutePort == 0 ? 25 : p.RoutePort, 0, TlsPolicy.Opportunistic);
            if (p.State == RecipientState.Bounced) r.LastReply = p.Reply;
            if (p.State == RecipientState.Quarantined) r.LastReply = p.Reply is null ? "quarantined" : "quarantined as " + p.Reply;
        }
        entry.PolicyDone = true;
    }

    private async Task AfterPolicyAsync(QueueEntry entry)
    {
        if (entry.AllFinal)
        {
            await FinishAsync(entry).ConfigureAwait(false);
            return;
        }
        Schedule(entry, entry.NextDue() ?? _time.GetUtcNow());
    }

    // ================================================================= recovery

    /// <summary>Loads every committed queue file. Messages the policy has not decided on are scanned again.</summary>
    public int Recover(bool runPolicies)
    {
        var removed = _spool.CleanIncoming();
        if (removed > 0) _log.LogInformation("Spool: removed {Count} unacknowledged incoming files", removed);
        var n = 0;
        foreach (var id in _spool.CommittedIds())
        {
            QueueFileContents contents;
            try
            {
                contents = QueueFileReader.Read(_spool.QueuePath(id), SmtpServerLimits.MaxMessageSizeCeiling * 2);
            }
            catch (CorruptQueueFileException ex)
            {
                _log.LogError("Spool: {Error}; moved to corrupt/", ex.Message);
                _spool.MoveAside(id);
                continue;
            }
            var entry = new QueueEntry(_spool.QueuePath(id), contents.Envelope, contents.DataOffset, contents.DataLength)
            {
                Facts = contents.Facts,
                ValidLength = contents.ValidLength,
                Held = contents.Held,
            };
            entry.Copies.AddRange(contents.Copies);
            if (contents.Policy is not null) ApplyPolicyRecords(entry, contents.Policy);
            foreach (var s in contents.Statuses)
                if (s.Recipient >= 0 && s.Recipient < entry.Recipients.Length) entry.Recipients[s.Recipient].Apply(s);
            _entries[id] = entry;
            _metrics.QueueChanged(1);
            n++;
            if (!runPolicies) continue;
            if (!entry.PolicyDone)
                Track(ContinueBackgroundPolicyAsync(entry, RunPolicyAsync(entry, SessionOf(entry.Envelope))));
            else if (entry.AllFinal)
                Track(FinishAsync(entry));
            else
            {
                // After a restart, recipients that were due while we were down go now.
                Schedule(entry, entry.NextDue() ?? _time.GetUtcNow());
            }
        }
        return n;
    }

    private static SessionFacts SessionOf(QueuedEnvelope e) =>
        new(e.SessionId, e.Listener, new IPEndPoint(IPAddress.Parse(e.ClientAddress), e.ClientPort), new IPEndPoint(IPAddress.None, 0), e.ArrivedAt)
        {
            HeloName = e.Helo,
            TlsProtocol = e.TlsProtocol,
            TlsCipher = e.TlsCipher,
            AuthenticatedUser = e.AuthenticatedUser,
        };

    // ================================================================= scheduling

    public void Schedule(QueueEntry entry, DateTimeOffset at)
    {
        long version;
        lock (entry.Gate)
        {
            if (entry.Removed) return;
            version = ++entry.ScheduleVersion;
        }
        var now = _time.GetUtcNow();
        if (at <= now)
        {
            _ready.Writer.TryWrite(entry);
            return;
        }
        lock (_timerLock)
        {
            _timers.Enqueue((entry, version), at);
            if (at < _nextWake)
            {
                _nextWake = at;
                _wakeup.Change(at - now, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnWakeup()
    {
        var due = new List<QueueEntry>();
        lock (_timerLock)
        {
            var now = _time.GetUtcNow();
            while (_timers.TryPeek(out var item, out var at) && at <= now)
            {
                _timers.Dequeue();
                if (item.Entry.ScheduleVersion == item.Version && !item.Entry.Removed) due.Add(item.Entry);
            }
            if (_timers.TryPeek(out _, out var next))
            {
                _nextWake = next;
                _wakeup.Change(next - now > TimeSpan.Zero ? next - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _nextWake = DateTimeOffset.MaxValue;
            }
        }
        foreach (var e in due) _ready.Writer.TryWrite(e);
    }

    /// <summary>Claims an entry for a delivery attempt; returns the recipients that are due now (empty when nothing to do).</summary>
    public IReadOnlyList<RecipientRuntime> TryBeginDelivery(QueueEntry entry)
    {
        lock (entry.Gate)
        {
            if (entry.Removed || entry.Busy || entry.Held || !entry.PolicyDone) return [];
            var now = _time.GetUtcNow();
            var due = entry.Recipients.Where(r => !r.IsFinal && (r.NextAttempt ?? DateTimeOffset.MinValue) <= now && (r.NotBefore ?? DateTimeOffset.MinValue) <= now).ToList();
            if (due.Count > 0) entry.Busy = true;
            return due;
        }
    }

    /// <summary>Records the results of an attempt, journals them, and bounces, finishes or reschedules.</summary>
    public async Task CompleteAttemptAsync(QueueEntry entry, IReadOnlyList<AttemptResult> results)
    {
        var now = _time.GetUtcNow();
        var records = new List<MailTrackingRecord>();
        bool finished;
        lock (entry.Gate)
        {
            foreach (var res in results)
            {
                var r = entry.Recipients[res.Recipient];
                r.LastReply = res.Reply.ToString();
                r.Hop = res.Hop ?? r.Hop;
                r.Tls = res.Tls;
                switch (res.Outcome)
                {
                    case RecipientState.Delivered:
                        r.State = RecipientState.Delivered;
                        _metrics.Delivered();
                        _metrics.DeliveryLatency.Observe(now - entry.Envelope.ArrivedAt);
                        if (_log.IsEnabled(LogLevel.Information))
                            _log.LogInformation("{QueueId}: to=<{Recipient}>, relay={Hop}, tls={Tls}, status=sent ({Reply})", entry.Id, r.Recipient.Address, res.Hop, res.Tls ?? "none", res.Reply);
                        records.Add(TrackingFor(entry, r, TrackingAction.Delivered, now));
                        break;
                    case RecipientState.Bounced:
                        r.State = RecipientState.Bounced;
                        _metrics.Bounced();
                        _log.LogInformation("{QueueId}: to=<{Recipient}>, relay={Hop}, status=bounced ({Reply})", entry.Id, r.Recipient.Address, res.Hop ?? "none", res.Reply);
                        records.Add(TrackingFor(entry, r, TrackingAction.Bounced, now));
                        break;
                    default:
                        r.Attempts++;
                        if (now >= entry.Envelope.ArrivedAt + Lifetime(r.Recipient.Direction))
                        {
                            r.State = RecipientState.Expired;
                            r.NextAttempt = null;
                            _metrics.Expired();
                            _log.LogInformation("{QueueId}: to=<{Recipient}>, status=expired after {Attempts} attempts ({Reply})", entry.Id, r.Recipient.Address, r.Attempts, res.Reply);
                            records.Add(TrackingFor(entry, r, TrackingAction.Expired, now));
                        }
                        else
                        {
                            r.State = RecipientState.Deferred;
                            r.NextAttempt = now + _options.Delivery.RetryDelay(r.Attempts);
                            _metrics.Deferred();
                            _log.LogInformation("{QueueId}: to=<{Recipient}>, relay={Hop}, status=deferred until {Next:u} ({Reply})", entry.Id, r.Recipient.Address, res.Hop ?? "none", r.NextAttempt, res.Reply);
                            records.Add(TrackingFor(entry, r, TrackingAction.Deferred, now));
                        }
                        break;
                }
            }
            entry.Busy = false;
            finished = entry.AllFinal;
            var needsJournal = !finished || entry.Recipients.Any(r => r.NeedsDsn);
            if (needsJournal && !entry.Removed)
            {
                var statuses = results.Select(x => entry.Recipients[x.Recipient].ToStatus(now)).ToList();
                try
                {
                    entry.ValidLength = QueueFileReader.Append(entry.Path, entry.ValidLength,
                        [(QueueFileFormat.Status, QueueFileFormat.Json(statuses, QueueJson.Default.ListRecipientStatus))], _spool.FsyncEnabled);
                }
                catch (IOException ex)
                {
                    // The state stays in memory; after a crash the recipients are tried again (duplicates, not loss).
                    _log.LogError(ex, "{QueueId}: cannot journal recipient state", entry.Id);
                }
            }
        }
        _tracking.Post(records);
        if (finished) await FinishAsync(entry).ConfigureAwait(false);
        else if (!entry.Removed) Schedule(entry, entry.NextDue() ?? now);
    }

    private static readonly SmtpReply PolicyExpiredReply =
        new(554, "5.7.0", "The message could not be scanned within the queue lifetime (a scanning engine was unavailable)");

    /// <summary>True when every recipient has waited for the content policy longer than its direction's queue lifetime.</summary>
    private bool PolicyExpired(QueueEntry entry)
    {
        var now = _time.GetUtcNow();
        return entry.Recipients.All(r => now >= entry.Envelope.ArrivedAt + Lifetime(r.Recipient.Direction));
    }

    private TimeSpan Lifetime(MailDirection d) => d == MailDirection.Inbound ? _options.Delivery.InboundQueueLifetime : _options.Delivery.QueueLifetime;

    /// <summary>All recipients are final: send one DSN for the failed ones (never to the null sender), then drop the file.</summary>
    private async Task FinishAsync(QueueEntry entry)
    {
        List<RecipientRuntime> failed;
        lock (entry.Gate)
        {
            if (entry.Removed) return;
            failed = entry.Recipients.Where(r => r.NeedsDsn).ToList();
        }
        // Generated mail with a sender is a policy copy (a redirected message): its sender hears of failures. DSNs and
        // notifications have the null sender and never get one.
        if (failed.Count > 0 && entry.Envelope.Sender is not null)
        {
            try
            {
                await SendDsnAsync(entry, failed).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                _log.LogError(ex, "{QueueId}: cannot queue the DSN; the message stays queued and is retried", entry.Id);
                Schedule(entry, _time.GetUtcNow() + TimeSpan.FromMinutes(5));
                return;
            }
        }
        else if (failed.Count > 0)
        {
            _log.LogInformation("{QueueId}: {Count} recipients failed; no DSN (null sender or a DSN itself)", entry.Id, failed.Count);
        }
        lock (entry.Gate)
        {
            if (entry.Removed) return;
            entry.Removed = true;
        }
        _spool.Remove(entry.Id);
        if (_entries.TryRemove(entry.Id, out _)) _metrics.QueueChanged(-1);
        if (_log.IsEnabled(LogLevel.Debug)) _log.LogDebug("{QueueId}: removed", entry.Id);
    }

    private async Task SendDsnAsync(QueueEntry entry, List<RecipientRuntime> failed)
    {
        byte[] headers;
        using (var s = entry.Content(0).OpenRead()) headers = MessageHeaders.RawHeaderBlock(s);
        var now = _time.GetUtcNow();
        var id = QueueIds.New(_time, _random);
        var dsn = DsnBuilder.Build(_options.HostName, entry.Envelope,
            failed.Select(r => new DsnRecipient(r.Recipient.Address, r.State, r.LastReply, r.Hop, now)).ToArray(), headers, now, id);
        var sender = SmtpMailbox.Parse(entry.Envelope.Sender!);
        var direction = _authority.Domains.Find(sender.AsciiDomain) is not null ? MailDirection.Inbound : MailDirection.Outbound;
        await EnqueueGeneratedAsync(id, sender.Address, direction, dsn, entry.Envelope.SmtpUtf8).ConfigureAwait(false);
        _metrics.DsnSent();
        _log.LogInformation("{QueueId}: sender non-delivery notification: {DsnId}", entry.Id, id);
        lock (entry.Gate)
        {
            foreach (var r in failed) r.Notified = true;
        }
    }

    /// <summary>
    /// Queues a message the gateway itself wrote or copied, without content policy: a DSN or notification (null
    /// <paramref name="sender"/>), or a policy copy that keeps the original envelope sender (a redirected message),
    /// which then gets a DSN if it cannot be delivered.
    /// </summary>
    public async Task EnqueueGeneratedAsync(string id, string recipient, MailDirection direction, byte[] content, bool smtpUtf8, string? sender = null)
    {
        var now = _time.GetUtcNow();
        var envelope = new QueuedEnvelope(id, now, string.IsNullOrEmpty(sender) ? null : sender, [new QueuedRecipient(recipient, direction)], smtpUtf8, !Ascii.IsValid(content),
            "local", ListenerKind.Mta, "127.0.0.1", 0, _options.HostName, null, null, null, Generated: true);
        var w = _spool.CreateIncoming(envelope);
        try
        {
            w.BeginData();
            w.WriteData(content);
            w.EndData();
            MessageFacts facts;
            using (var s = new MemoryStream(content)) facts = MessageHeaders.ReadFacts(s, content.Length).Facts;
            w.AppendRecord(QueueFileFormat.Facts, QueueFileFormat.Json(facts, QueueJson.Default.MessageFacts));
            var entry = new QueueEntry(w.Path, envelope, w.DataOffset, w.DataLength) { Facts = facts, PolicyDone = true };
            var policy = new List<RecipientPolicy> { new(0, RecipientState.Pending, 0, null, 0, null, [], null) };
            w.AppendRecord(QueueFileFormat.Policy, QueueFileFormat.Json(policy, QueueJson.Default.ListRecipientPolicy));
            var length = w.Position;
            entry.Path = await _spool.CommitAsync(w).ConfigureAwait(false);
            entry.ValidLength = length;
            _entries[id] = entry;
            _metrics.QueueChanged(1);
            TrackAll(entry, TrackingAction.Queued, "generated", null);
            Schedule(entry, now);
        }
        catch
        {
            _spool.DiscardIncoming(w);
            throw;
        }
    }

    // ================================================================= administration

    public IReadOnlyList<QueueEntry> Snapshot() => _entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();

    public QueueEntry? Find(string id) => _entries.GetValueOrDefault(id.Trim().ToUpperInvariant());

    public int Retry(string? id)
    {
        var n = 0;
        var now = _time.GetUtcNow();
        foreach (var e in id is null ? _entries.Values : Find(id) is { } one ? [one] : [])
        {
            lock (e.Gate)
            {
                if (e.Removed) continue;
                var changed = e.Recipients.Where(r => r.State == RecipientState.Deferred).ToList();
                foreach (var r in changed) r.NextAttempt = now;
                // Journaled, so that a retry asked for while the gateway is down holds when it starts.
                if (changed.Count > 0)
                    e.ValidLength = QueueFileReader.Append(e.Path, e.ValidLength,
                        [(QueueFileFormat.Status, QueueFileFormat.Json(changed.Select(r => r.ToStatus(now)).ToList(), QueueJson.Default.ListRecipientStatus))], _spool.FsyncEnabled);
            }
            Schedule(e, now);
            n++;
        }
        return n;
    }

    public bool SetHold(string id, bool held)
    {
        var e = Find(id);
        if (e is null) return false;
        lock (e.Gate)
        {
            if (e.Removed) return false;
            e.ValidLength = QueueFileReader.Append(e.Path, e.ValidLength,
                [(QueueFileFormat.Hold, QueueFileFormat.Json(new HoldRecord(held, _time.GetUtcNow()), QueueJson.Default.HoldRecord))], _spool.FsyncEnabled);
            e.Held = held;
        }
        _log.LogInformation("{QueueId}: {Action} by administrator", e.Id, held ? "held" : "released");
        if (!held) Schedule(e, e.NextDue() ?? _time.GetUtcNow());
        return true;
    }

    public bool Delete(string id)
    {
        var e = Find(id);
        if (e is null) return false;
        var now = _time.GetUtcNow();
        var records = new List<MailTrackingRecord>();
        lock (e.Gate)
        {
            if (e.Removed) return false;
            e.Removed = true;
            foreach (var r in e.Recipients.Where(r => !r.IsFinal))
            {
                r.State = RecipientState.Deleted;
                r.LastReply = "deleted by administrator";
                records.Add(TrackingFor(e, r, TrackingAction.Deleted, now));
            }
        }
        _spool.Remove(e.Id);
        if (_entries.TryRemove(e.Id, out _)) _metrics.QueueChanged(-1);
        _tracking.Post(records);
        _log.LogInformation("{QueueId}: deleted by administrator", e.Id);
        return true;
    }

    // ================================================================= tracking

    private void TrackAll(QueueEntry entry, TrackingAction? action, string? status, ContentPolicyResult? result)
    {
        var now = _time.GetUtcNow();
        var list = new List<MailTrackingRecord>(entry.Recipients.Length);
        foreach (var r in entry.Recipients)
        {
            var a = action ?? TrackingAction.Queued;
            if (action is null or TrackingAction.Queued)
            {
                a = r.State switch
                {
                    RecipientState.Quarantined => TrackingAction.Quarantined,
                    RecipientState.Deleted => TrackingAction.Deleted,
                    RecipientState.Bounced => TrackingAction.Bounced,
                    _ => TrackingAction.Queued,
                };
            }
            var rules = result is null ? r.Rules : result.Outcomes[r.Index].Rules;
            list.Add(TrackingFor(entry, r, a, now, status ?? r.LastReply, rules));
        }
        _tracking.Post(list);
    }

    private MailTrackingRecord TrackingFor(QueueEntry e, RecipientRuntime r, TrackingAction action, DateTimeOffset now, string? status = null, IReadOnlyList<string>? rules = null) =>
        new($"{e.Id}/{r.Index}", now, r.Recipient.Direction, e.Id, e.Envelope.Sender, r.Recipient.Address,
            e.Facts?.From, e.Facts?.To, e.Facts?.Subject, e.Facts?.MessageId, e.Envelope.ClientAddress, e.Envelope.TlsProtocol, r.Tls,
            action, status ?? r.LastReply, r.Hop, rules ?? r.Rules, e.DataLength);

    // ================================================================= lifetime

    private void Track(Task t)
    {
        _background[t] = 0;
        _ = t.ContinueWith(done => _background.TryRemove(done, out _), TaskScheduler.Default);
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _ready.Writer.TryComplete();
        await _wakeup.DisposeAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_background.Keys.ToArray()).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
        catch (TimeoutException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested) await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
