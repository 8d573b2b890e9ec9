using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Spool;

namespace Sekisho.Smtp.Delivery;

/// <summary>
/// Idle delivery connections by destination (host, port, TLS level) for reuse, and a cap on concurrent
/// connections per destination. Connections idle longer than the cache time are closed with QUIT.
/// </summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentStack<SmtpClientConnection>> _idle = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new();
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly IDnsResolver _dns;
    private readonly string _heloName;
    private readonly ITimer _reaper;

    public ConnectionPool(DeliveryOptions options, TimeProvider time, IDnsResolver dns, string heloName)
    {
        _options = options;
        _time = time;
        _dns = dns;
        _heloName = heloName;
        _reaper = time.CreateTimer(_ => _ = ReapAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private static string Key(NextHop hop) => $"{hop.Host.ToLowerInvariant()}:{hop.Port}:{hop.Tls.Level}:{hop.Tls.MinimumProtocol}";

    /// <summary>A connection to <paramref name="hop"/>: a cached one when available. Throws <see cref="HopFailedException"/>.</summary>
    public async Task<(SmtpClientConnection Connection, bool Reused)> AcquireAsync(NextHop hop, bool fresh, CancellationToken ct)
    {
        var key = Key(hop);
        var slots = _slots.GetOrAdd(key, _ => new SemaphoreSlim(_options.MaxConnectionsPerDestination));
        await slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!fresh && _idle.TryGetValue(key, out var stack))
            {
                while (stack.TryPop(out var cached))
                {
                    if (!cached.Broken && _time.GetTimestamp() - cached.LastUsed < _options.ConnectionCacheTime.TotalSeconds * _time.TimestampFrequency)
                        return (cached, true);
                    await CloseAsync(cached).ConfigureAwait(false);
                }
            }
            var addresses = await ResolveAsync(hop, ct).ConfigureAwait(false);
            HopFailedException? last = null;
            foreach (var address in addresses)
            {
                try
                {
                    return (await SmtpClientConnection.OpenAsync(hop, address, _heloName, _options, _time, ct).ConfigureAwait(false), false);
                }
                catch (HopFailedException ex)
                {
                    last = ex;
                }
            }
            throw last ?? new HopFailedException(new SmtpReply(451, "4.4.3", $"no address for {hop.Host}"));
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    private async Task<IReadOnlyList<IPAddress>> ResolveAsync(NextHop hop, CancellationToken ct)
    {
        if (IPAddress.TryParse(hop.Host.Trim('[', ']'), out var ip)) return [ip];
        var answer = await _dns.ResolveAddressesAsync(hop.Host, ct).ConfigureAwait(false);
        return answer.Status switch
        {
            DnsStatus.Ok when answer.Records.Count > 0 => answer.Records,
            DnsStatus.TemporaryFailure => throw new HopFailedException(new SmtpReply(451, "4.4.3", $"DNS lookup of {hop.Host} failed temporarily")),
            _ => throw new HopFailedException(new SmtpReply(451, "4.4.4", $"{hop.Host} has no address")),
        };
    }

    /// <summary>Returns a connection after a transaction: kept for reuse unless broken.</summary>
    public async Task ReleaseAsync(SmtpClientConnection conn)
    {
        var key = Key(conn.Hop);
        if (conn.Broken) await CloseAsync(conn).ConfigureAwait(false);
        else
        {
            conn.LastUsed = _time.GetTimestamp();
            _idle.GetOrAdd(key, _ => new ConcurrentStack<SmtpClientConnection>()).Push(conn);
        }
        if (_slots.TryGetValue(key, out var slots)) slots.Release();
    }

    /// <summary>Drops a connection that failed (it is not reused).</summary>
    public async Task DiscardAsync(SmtpClientConnection conn)
    {
        await CloseAsync(conn).ConfigureAwait(false);
        if (_slots.TryGetValue(Key(conn.Hop), out var slots)) slots.Release();
    }

    private static async Task CloseAsync(SmtpClientConnection c)
    {
        await c.QuitAsync().ConfigureAwait(false);
        await c.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReapAsync()
    {
        var limit = _options.ConnectionCacheTime.TotalSeconds * _time.TimestampFrequency;
        foreach (var stack in _idle.Values)
        {
            var keep = new List<SmtpClientConnection>();
            while (stack.TryPop(out var c))
            {
                if (_time.GetTimestamp() - c.LastUsed >= limit || c.Broken) await CloseAsync(c).ConfigureAwait(false);
                else keep.Add(c);
            }
            for (var i = keep.Count - 1; i >= 0; i--) stack.Push(keep[i]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reaper.DisposeAsync().ConfigureAwait(false);
        foreach (var stack in _idle.Values)
            while (stack.TryPop(out var c)) await CloseAsync(c).ConfigureAwait(false);
    }
}

/// <summary>
/// Delivery workers: take due messages from the queue, group their recipients by next hop and content copy,
/// try the hops in order (failover, with the resolver's load balancing), and report per-recipient results.
/// </summary>
internal sealed class DeliveryEngine : IAsyncDisposable
{
    private readonly GatewayQueue _queue;
    private readonly INextHopResolver _resolver;
    private readonly ITlsPolicyProvider _tls;
    private readonly ConnectionPool _pool;
    private readonly DeliveryOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private volatile bool _draining;
    private readonly CancellationTokenSource _wake = new();

    public DeliveryEngine(GatewayQueue queue, INextHopResolver resolver, ITlsPolicyProvider tls, ConnectionPool pool, DeliveryOptions options, ILogger log)
    {
        _queue = queue;
        _resolver = resolver;
        _tls = tls;
        _pool = pool;
        _options = options;
        _log = log;
    }

    public void Start()
    {
        for (var i = 0; i < _options.MaxConcurrentDeliveries; i++) _workers.Add(Task.Run(WorkerAsync));
    }

    private async Task WorkerAsync()
    {
        try
        {
            while (!_draining && await _queue.Ready.WaitToReadAsync(_wake.Token).ConfigureAwait(false))
            {
                while (!_draining && _queue.Ready.TryRead(out var entry))
                {
                    var due = _queue.TryBeginDelivery(entry);
                    if (due.Count == 0) continue;
                    IReadOnlyList<AttemptResult> results;
                    try
                    {
                        results = await DeliverAsync(entry, due, _stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
                    {
                        _log.LogError(ex, "{QueueId}: delivery attempt failed unexpectedly", entry.Id);
                        var reply = new SmtpReply(451, "4.3.0", "local delivery error: " + ex.GetType().Name);
                        results = due.Select(r => new AttemptResult(r.Index, RecipientState.Deferred, reply, null, null)).ToArray();
                    }
                    catch (OperationCanceledException)
                    {
                        // Stopping: the attempt is abandoned and the message stays queued as it was.
                        lock (entry.Gate) entry.Busy = false;
                        return;
                    }
                    await _queue.CompleteAttemptAsync(entry, results).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested || _wake.IsCancellationRequested)
        {
        }
    }

    private async Task<IReadOnlyList<AttemptResult>> DeliverAsync(QueueEntry entry, IReadOnlyList<RecipientRuntime> due, CancellationToken ct)
    {
        var results = new List<AttemptResult>(due.Count);
        var groups = new Dictionary<string, (IReadOnlyList<NextHop> Hops, int Copy, List<RecipientRuntime> Recipients)>();
        var routeCache = new Dictionary<string, RouteResolution>();
        foreach (var r in due)
        {
            RouteResolution route;
            if (r.Route is { } fixedHop)
            {
                route = RouteResolution.To([fixedHop with { Tls = _tls.ForPeer(r.Recipient.Direction, r.Mailbox.AsciiDomain) }]);
            }
            else
            {
                // Inbound routes can differ per local part (exact inbound-server entries), so the key includes it.
                var key = $"{r.Recipient.Direction}:{r.Mailbox.AsciiDomain}:{(r.Recipient.Direction == MailDirection.Inbound ? r.Mailbox.LocalPart.ToLowerInvariant() : "")}";
                if (!routeCache.TryGetValue(key, out route!))
                {
                    route = await _resolver.ResolveAsync(r.Recipient.Direction, r.Mailbox, ct).ConfigureAwait(false);
                    routeCache[key] = route;
                }
            }
            if (route.Failure is not null)
            {
                results.Add(new AttemptResult(r.Index, route.Failure.IsPermanent ? RecipientState.Bounced : RecipientState.Deferred, route.Failure, null, null));
                continue;
            }
            var groupKey = r.Copy + "|" + string.Join(",", route.Hops.Select(h => $"{h.Host}:{h.Port}:{h.Tls.Level}"));
            if (!groups.TryGetValue(groupKey, out var g)) groups[groupKey] = g = (route.Hops, r.Copy, []);
            g.Recipients.Add(r);
        }
        foreach (var g in groups.Values)
            results.AddRange(await DeliverGroupAsync(entry, g.Hops, g.Copy, g.Recipients, ct).ConfigureAwait(false));
        return results;
    }

    private async Task<IReadOnlyList<AttemptResult>> DeliverGroupAsync(QueueEntry entry, IReadOnlyList<NextHop> hops, int copy, List<RecipientRuntime> rcpts, CancellationToken ct)
    {
        var content = entry.Content(copy);
        var eightBit = entry.Envelope.EightBit || copy != 0;
        SmtpReply lastFailure = new(451, "4.4.1", "no next hop could be reached");
        string? lastHop = null;
        foreach (var hop in hops)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                SmtpClientConnection conn;
                bool reused;
                try
                {
                    (conn, reused) = await _pool.AcquireAsync(hop, fresh: attempt > 0, ct).ConfigureAwait(false);
                }
                catch (HopFailedException ex)
                {
                    lastFailure = ex.Reply;
                    lastHop = hop.ToString();
                    _log.LogInformation("{QueueId}: {Hop}: {Reply}", entry.Id, hop, ex.Reply);
                    break;
                }
                TransactionReplies replies;
                try
                {
                    replies = await conn.SendAsync(entry.Envelope.Sender, rcpts.Select(r => r.Recipient.Address).ToArray(), content, eightBit, entry.Envelope.SmtpUtf8, ct).ConfigureAwait(false);
                }
                catch (HopFailedException ex)
                {
                    await _pool.DiscardAsync(conn).ConfigureAwait(false);
                    lastFailure = ex.Reply;
                    lastHop = conn.Describe();
                    // A cached connection the server had already dropped is not a failure of the hop: retry once on a new one.
                    if (reused) continue;
                    break;
                }
                var described = conn.Describe();
                var tls = conn.TlsProtocol;
                await _pool.ReleaseAsync(conn).ConfigureAwait(false);
                return Results(rcpts, replies, described, tls);
            }
        }
        return rcpts.Select(r => new AttemptResult(r.Index, RecipientState.Deferred, lastFailure, lastHop, null)).ToArray();
    }

    private static IReadOnlyList<AttemptResult> Results(List<RecipientRuntime> rcpts, TransactionReplies replies, string hop, string? tls)
    {
        var list = new List<AttemptResult>(rcpts.Count);
        for (var i = 0; i < rcpts.Count; i++)
        {
            var rcptReply = i < replies.RecipientReplies.Count ? replies.RecipientReplies[i] : null;
            SmtpReply reply;
            if (rcptReply is { IsPositive: false }) reply = rcptReply;
            else if (replies.MessageFailure is not null) reply = replies.MessageFailure;
            else reply = replies.DataReply ?? rcptReply ?? new SmtpReply(250, "2.0.0", "Ok");
            var state = reply.IsPositive ? RecipientState.Delivered : reply.IsPermanent ? RecipientState.Bounced : RecipientState.Deferred;
            list.Add(new AttemptResult(rcpts[i].Index, state, reply, hop, tls));
        }
        return list;
    }

    public async Task StopAsync(TimeSpan grace)
    {
        _draining = true;
        await _wake.CancelAsync().ConfigureAwait(false);
        var all = Task.WhenAll(_workers);
        // Let in-flight transactions finish; after the grace they are cut (the queue keeps the messages).
        if (await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false) != all)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        _stop.Dispose();
        _wake.Dispose();
    }
}
