using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Operations;
using Sekisho.Smtp.Queue;

namespace Sekisho.Smtp.Server;

/// <summary>What every session of the server shares.</summary>
internal sealed class SmtpServerContext
{
    public required SmtpGatewayOptions Options { get; init; }
    public required IRelayAuthority Authority { get; init; }
    public ISubmissionAuthenticator? Authenticator { get; init; }
    public SslStreamCertificateContext? Certificate { get; init; }
    public required GatewayQueue Queue { get; init; }
    public required SmtpMetrics Metrics { get; init; }
    public required TimeProvider Time { get; init; }
    public required ILogger Log { get; init; }
    public required TrackingWriter Tracking { get; init; }
    public required ClientRateLimiter RateLimiter { get; init; }
}

/// <summary>Accepted recipients per client address per window (cegp-target-model §3.15: one message means one recipient).</summary>
internal sealed class ClientRateLimiter(int limit, TimeSpan window, TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, (long WindowStart, int Count)> _counts = new();

    public bool TryTake(IPAddress client)
    {
        if (limit <= 0) return true;
        var now = time.GetUtcNow().UtcTicks;
        while (true)
        {
            var current = _counts.GetOrAdd(client, (now, 0));
            var next = now - current.WindowStart >= window.Ticks ? (now, 1) : (current.WindowStart, current.Count + 1);
            if (next.Item2 > limit) return false;
            if (_counts.TryUpdate(client, next, current))
            {
                if (_counts.Count > 100_000) Prune(now);
                return true;
            }
        }
    }

    private void Prune(long now)
    {
        foreach (var (k, v) in _counts)
            if (now - v.WindowStart >= window.Ticks) _counts.TryRemove(k, out _);
    }
}

/// <summary>
/// One listening socket: accepts connections, enforces the connection limits (total and per client address)
/// and runs a session per connection. Stopping closes the socket, lets open transactions finish within the
/// grace period, and then cuts what is left.
/// </summary>
internal sealed class SmtpListener : IAsyncDisposable
{
    private readonly ListenerOptions _options;
    private readonly SmtpServerContext _ctx;
    private readonly ConnectionCounter _counter;
    private readonly ConcurrentDictionary<SmtpSession, Task> _sessions = new();
    private readonly CancellationTokenSource _hardStop = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private long _sessionSeq;

    public SmtpListener(ListenerOptions options, SmtpServerContext ctx, ConnectionCounter counter)
    {
        _options = options;
        _ctx = ctx;
        _counter = counter;
        LocalEndpoint = options.Endpoint;
    }

    /// <summary>The bound endpoint (with the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndpoint { get; private set; }

    public ListenerKind Kind => _options.Kind;

    public void Start()
    {
        var ep = _options.Endpoint;
        var s = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (ep.AddressFamily == AddressFamily.InterNetworkV6 && ep.Address.Equals(IPAddress.IPv6Any)) s.DualMode = true;
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(ep);
        s.Listen(1024);
        _socket = s;
        LocalEndpoint = (IPEndPoint)s.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        var prefix = $"{(_options.Kind == ListenerKind.Mta ? 'm' : 's')}{LocalEndpoint.Port}-";
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return; // listener closed
            }
            client.NoDelay = true;
            var remote = ((IPEndPoint)client.RemoteEndPoint!).Address;
            var admission = _counter.TryAdmit(remote);
            if (admission is not null)
            {
                _ctx.Metrics.ConnectionRefused();
                _ = RefuseAsync(client, admission);
                continue;
            }
            _ctx.Metrics.ConnectionOpened();
            var id = prefix + Interlocked.Increment(ref _sessionSeq).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var session = new SmtpSession(client, _options, _ctx, id);
            _sessions[session] = RunSessionAsync(session, remote);
        }
    }

    private async Task RunSessionAsync(SmtpSession session, IPAddress remote)
    {
        await Task.Yield();
        try
        {
            await session.RunAsync(_hardStop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _ctx.Log.LogError(ex, "{Session}: session failed", session.Facts.SessionId);
        }
        finally
        {
            session.Dispose();
            _counter.Release(remote);
            _ctx.Metrics.ConnectionClosed();
            _sessions.TryRemove(session, out _);
        }
    }

    private static async Task RefuseAsync(Socket client, Protocol.SmtpReply reply)
    {
        try
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(reply.ToWire());
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.SendAsync(bytes, SocketFlags.None, cts.Token).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Stops accepting; sessions end after their open transaction, or are cut when <paramref name="grace"/> runs out.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _socket?.Close();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        foreach (var s in _sessions.Keys) s.StopRequested = true;
        // Sessions waiting for a command learn about the stop only when a read returns; idle ones are told now.
        foreach (var s in _sessions.Keys)
            if (!s.InTransaction) s.InterruptIdleRead();
        var all = Task.WhenAll(_sessions.Values.ToArray());
        var finished = await Task.WhenAny(all, Task.Delay(grace, _ctx.Time)).ConfigureAwait(false);
        if (finished != all)
        {
            _ctx.Log.LogWarning("Listener {Endpoint}: {Count} sessions still open after the grace period; closing them", LocalEndpoint, _sessions.Count);
            await _hardStop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
    }

    public int OpenSessions => _sessions.Count;

    public async ValueTask DisposeAsync()
    {
        if (!_hardStop.IsCancellationRequested) await _hardStop.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        _hardStop.Dispose();
    }
}

/// <summary>Connection admission shared by all listeners: a total cap and a cap per client address.</summary>
internal sealed class ConnectionCounter(int maxTotal, int maxPerClient)
{
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private int _total;

    public Protocol.SmtpReply? TryAdmit(IPAddress client)
    {
        if (Interlocked.Increment(ref _total) > maxTotal)
        {
            Interlocked.Decrement(ref _total);
            return Protocol.SmtpReply.Server.TooManyConnections;
        }
        var n = _perClient.AddOrUpdate(client, 1, (_, v) => v + 1);
        if (n > maxPerClient)
        {
            Release(client);
            return Protocol.SmtpReply.Server.TooManyConnectionsFromIp;
        }
        return null;
    }

    public void Release(IPAddress client)
    {
        Interlocked.Decrement(ref _total);
        while (true)
        {
            if (!_perClient.TryGetValue(client, out var v)) return;
            if (v <= 1)
            {
                if (_perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, v))) return;
            }
            else if (_perClient.TryUpdate(client, v - 1, v)) return;
        }
    }
}
