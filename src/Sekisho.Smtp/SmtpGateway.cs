using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Delivery;
using Sekisho.Smtp.Operations;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Server;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp;

/// <summary>The ports the gateway is built from (supplied by the composition root).</summary>
public sealed record SmtpGatewayPorts(
    IRelayAuthority Authority,
    INextHopResolver Routes,
    ITlsPolicyProvider Tls,
    IContentPolicy Policy,
    IMailTrackingSink Tracking,
    IDnsResolver Dns,
    ISubmissionAuthenticator? Authenticator,
    TimeProvider Time,
    IRandomSource Random);

/// <summary>
/// The SMTP relay: listeners, spool, queue and delivery as one unit with a start and a graceful stop.
/// <see cref="StartAsync"/> recovers the queue from the spool before it accepts connections.
/// </summary>
public sealed class SmtpGateway : IAsyncDisposable
{
    private readonly SmtpGatewayOptions _options;
    private readonly SmtpGatewayPorts _ports;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly List<SmtpListener> _listeners = [];
    private SpoolStore? _spool;
    private GatewayQueue? _queue;
    private TrackingWriter? _tracking;
    private ConnectionPool? _pool;
    private DeliveryEngine? _delivery;
    private ITimer? _retention;
    private QueueControlServer? _control;
    private int _state; // 0 new, 1 running, 2 stopped

    public SmtpGateway(SmtpGatewayOptions options, SmtpGatewayPorts ports, ILoggerFactory loggers)
    {
        options.Validate();
        _options = options;
        _ports = ports;
        _loggers = loggers;
        _log = loggers.CreateLogger("Sekisho.Smtp");
    }

    public SmtpMetrics Metrics { get; } = new();

    /// <summary>How long mail tracking records are kept (cegp-target-model §3.13).</summary>
    public static TimeSpan TrackingRetention { get; } = TimeSpan.FromDays(90);

    /// <summary>The bound endpoints (real ports when 0 was configured).</summary>
    public IReadOnlyList<(ListenerKind Kind, IPEndPoint Endpoint)> Endpoints => _listeners.Select(l => (l.Kind, l.LocalEndpoint)).ToList();

    /// <summary>Queue management of the running gateway.</summary>
    public IQueueAdministration Queue => new QueueAdministration(_queue ?? throw new InvalidOperationException("The gateway is not started."));

    public bool IsRunning => Volatile.Read(ref _state) == 1;

    internal GatewayQueue InternalQueue => _queue ?? throw new InvalidOperationException("The gateway is not started.");

    public async Task StartAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("The gateway was already started.");
        _spool = new SpoolStore(_options.SpoolDirectory, _options.Fsync);
        _spool.Open();
        _tracking = new TrackingWriter(_ports.Tracking, _loggers.CreateLogger("Sekisho.Smtp.Tracking"));
        _queue = new GatewayQueue(_spool, _options, _ports.Policy, _ports.Authority, _tracking, Metrics, _ports.Time, _ports.Random, _loggers.CreateLogger("Sekisho.Smtp.Queue"));
        var recovered = _queue.Recover(runPolicies: true);
        _log.LogInformation("Spool {Spool}: {Count} queued messages recovered", _spool.Root, recovered);

        _pool = new ConnectionPool(_options.Delivery, _ports.Time, _ports.Dns, _options.HostName);
        _delivery = new DeliveryEngine(_queue, _ports.Routes, _ports.Tls, _pool, _options.Delivery, _loggers.CreateLogger("Sekisho.Smtp.Delivery"));
        _delivery.Start();

        SslStreamCertificateContext? cert = null;
        if (_options.EnableStartTls)
        {
            var x509 = _options.TlsCertificateFile is not null
                ? SelfSignedCertificate.LoadPem(_options.TlsCertificateFile, _options.TlsKeyFile!)
                : SelfSignedCertificate.CreateOrLoad(Path.Combine(_spool.Root, "tls"), _options.HostName, _ports.Time);
            cert = SslStreamCertificateContext.Create(x509, null);
        }
        var ctx = new SmtpServerContext
        {
            Options = _options,
            Authority = _ports.Authority,
            Authenticator = _ports.Authenticator,
            Certificate = cert,
            Queue = _queue,
            Metrics = Metrics,
            Time = _ports.Time,
            Log = _loggers.CreateLogger("Sekisho.Smtp.Server"),
            Tracking = _tracking,
            RateLimiter = new ClientRateLimiter(_options.Limits.MaxRecipientsPerClientPerWindow, _options.Limits.RateWindow, _ports.Time),
        };
        var counter = new ConnectionCounter(_options.Limits.MaxConnections, _options.Limits.MaxConnectionsPerClient);
        foreach (var l in _options.Listeners)
        {
            var listener = new SmtpListener(l, ctx, counter);
            listener.Start();
            _listeners.Add(listener);
            _log.LogInformation("Listening for {Kind} on {Endpoint}", l.Kind == ListenerKind.Mta ? "SMTP" : "submission", listener.LocalEndpoint);
        }
        _retention = _ports.Time.CreateTimer(_ => _ = PurgeTrackingAsync(), null, TimeSpan.FromSeconds(5), TimeSpan.FromDays(1));
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                _control = new QueueControlServer(_spool.ControlSocketPath, new QueueAdministration(_queue), _loggers.CreateLogger("Sekisho.Smtp.Control"));
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or System.Net.Sockets.SocketException or IOException)
            {
                // Unix socket paths are limited to about 100 bytes; queue commands then need the gateway stopped.
                _log.LogWarning("Queue control socket {Path} unavailable: {Error}", _spool.ControlSocketPath, ex.Message);
            }
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task PurgeTrackingAsync()
    {
        try
        {
            var n = await _ports.Tracking.PurgeAsync(_ports.Time.GetUtcNow() - TrackingRetention, CancellationToken.None).ConfigureAwait(false);
            if (n > 0) _log.LogInformation("Mail tracking: {Count} records past the 90-day retention removed", n);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _log.LogWarning(ex, "Mail tracking retention failed");
        }
    }

    /// <summary>Stops accepting, lets open transactions and deliveries finish (within the grace period), and releases the spool.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1) return;
        _log.LogInformation("Stopping: no new connections; open transactions may finish");
        await Task.WhenAll(_listeners.Select(l => l.StopAsync(_options.Limits.ShutdownGrace))).ConfigureAwait(false);
        if (_delivery is not null) await _delivery.StopAsync(_options.Limits.ShutdownGrace).ConfigureAwait(false);
        if (_queue is not null) await _queue.StopAsync().ConfigureAwait(false);
        await DisposePartsAsync().ConfigureAwait(false);
        _log.LogInformation("Stopped");
    }

    /// <summary>Waits until mail tracking records posted so far have been written (for tests and tools).</summary>
    public Task FlushTrackingAsync(TimeSpan timeout) => _tracking?.DrainAsync(timeout) ?? Task.CompletedTask;

    private async Task DisposePartsAsync()
    {
        if (_retention is not null) await _retention.DisposeAsync().ConfigureAwait(false);
        if (_control is not null) await _control.DisposeAsync().ConfigureAwait(false);
        _control = null;
        foreach (var l in _listeners) await l.DisposeAsync().ConfigureAwait(false);
        if (_delivery is not null) await _delivery.DisposeAsync().ConfigureAwait(false);
        if (_pool is not null) await _pool.DisposeAsync().ConfigureAwait(false);
        if (_queue is not null) await _queue.DisposeAsync().ConfigureAwait(false);
        if (_tracking is not null) await _tracking.DisposeAsync().ConfigureAwait(false);
        _spool?.Dispose();
        _delivery = null;
        _pool = null;
        _tracking = null;
        _spool = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 1) await StopAsync(CancellationToken.None).ConfigureAwait(false);
        else await DisposePartsAsync().ConfigureAwait(false);
    }
}
