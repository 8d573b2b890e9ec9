using System.Globalization;
using System.Net;

namespace Sekisho.Smtp;

/// <summary>How to treat CR or LF that is not part of CRLF inside message data (the SMTP smuggling class).</summary>
public enum BareLineEndingHandling
{
    /// <summary>Refuse the message with <c>550 5.5.2</c> (default).</summary>
    Reject,
    /// <summary>Store bare CR and bare LF as CRLF; only a real CRLF.CRLF ends the data.</summary>
    Normalize,
}

/// <summary>One listening socket.</summary>
public sealed record ListenerOptions(ListenerKind Kind, IPEndPoint Endpoint)
{
    /// <summary>Parses <c>ADDR:PORT</c>, <c>[v6]:PORT</c> or <c>:PORT</c> (all addresses), as given to <c>--smtp</c> and <c>--submission</c>; port 0 picks a free port.</summary>
    public static IPEndPoint ParseEndpoint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.StartsWith(':') && int.TryParse(s.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var anyPort) && anyPort is >= 0 and <= 65535)
            return new IPEndPoint(IPAddress.Any, anyPort);
        if (IPEndPoint.TryParse(s, out var ep) && ep.Port is >= 0 and <= 65535 && (s.Contains("]:") || s.Count(c => c == ':') == 1))
            return ep;
        if (s.Equals("localhost", StringComparison.OrdinalIgnoreCase) || s.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            var port = s.Length > 10 && int.TryParse(s.AsSpan(10), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : -1;
            if (port is > 0 and <= 65535) return new IPEndPoint(IPAddress.Loopback, port);
        }
        throw new FormatException($"'{text}' is not ADDR:PORT (for example 127.0.0.1:2525, [::1]:2525 or :25)");
    }

    /// <summary>Ports used when Sekisho runs as a system service.</summary>
    public static IReadOnlyList<ListenerOptions> ServiceDefaults { get; } =
    [
        new(ListenerKind.Mta, new IPEndPoint(IPAddress.Any, 25)),
        new(ListenerKind.Submission, new IPEndPoint(IPAddress.Any, 587)),
    ];

    /// <summary>Loopback high ports used by <c>./sekisho serve</c> on embedded defaults.</summary>
    public static IReadOnlyList<ListenerOptions> EmbeddedDefaults { get; } =
    [
        new(ListenerKind.Mta, new IPEndPoint(IPAddress.Loopback, 2525)),
        new(ListenerKind.Submission, new IPEndPoint(IPAddress.Loopback, 2587)),
    ];
}

/// <summary>Protocol limits and timeouts of the SMTP server (RFC 5321 §4.5.3).</summary>
public sealed class SmtpServerLimits
{
    /// <summary>The gateway's maximum message size, advertised with SIZE (default 50 MB; at most 150 MB).</summary>
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;
    public const long MaxMessageSizeCeiling = 150L * 1024 * 1024;
    /// <summary>Recipients per message; RFC 5321 requires at least 100.</summary>
    public int MaxRecipients { get; set; } = 100;
    /// <summary>Octets in a command line including CRLF (RFC 5321 allows 512; extensions need more).</summary>
    public int MaxCommandLineLength { get; set; } = 2048;
    public int MaxConnections { get; set; } = 1000;
    public int MaxConnectionsPerClient { get; set; } = 50;
    /// <summary>Accepted recipients per client address per <see cref="RateWindow"/>; 0 disables the limit.</summary>
    public int MaxRecipientsPerClientPerWindow { get; set; }
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Errors in one session before it is closed with 421 (Postfix <c>smtpd_hard_error_limit</c>).</summary>
    public int MaxErrors { get; set; } = 20;
    public int MaxAuthFailures { get; set; } = 3;
    /// <summary>Received headers counted before a message is refused as a loop.</summary>
    public int MaxHops { get; set; } = 50;
    /// <summary>RFC 5321 §4.5.3.2.7: at least 5 minutes waiting for the next command.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Longest wait for more message data (the client's data-block timeout is 3 minutes).</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long to wait before the banner to catch clients that talk first; zero only checks what already arrived.</summary>
    public TimeSpan GreetingDelay { get; set; } = TimeSpan.Zero;
    public BareLineEndingHandling BareLineEndings { get; set; } = BareLineEndingHandling.Reject;
    /// <summary>How long a graceful stop lets open transactions finish.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (MaxMessageSize is < 1024 or > MaxMessageSizeCeiling)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "The gateway message size limit must be between 1 KB and 150 MB.");
        if (MaxRecipients is < 1 or > 10000) throw new ArgumentOutOfRangeException(nameof(MaxRecipients), MaxRecipients, "Recipients per message must be 1–10000.");
        if (MaxCommandLineLength is < 512 or > 65536) throw new ArgumentOutOfRangeException(nameof(MaxCommandLineLength), MaxCommandLineLength, "The command line limit must be 512–65536 octets.");
        if (MaxConnections < 1 || MaxConnectionsPerClient < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), "Connection limits must be positive.");
    }
}

/// <summary>Delivery, retry and queue lifetime settings.</summary>
public sealed class DeliveryOptions
{
    public int MaxConcurrentDeliveries { get; set; } = 20;
    public int MaxConnectionsPerDestination { get; set; } = 20;
    /// <summary>Retry after the first, second and later temporary failures: 15 min, 30 min, then hourly.</summary>
    public IReadOnlyList<TimeSpan> RetrySchedule { get; set; } = [TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1)];
    /// <summary>How long outbound mail may stay queued before it bounces (default 5 days).</summary>
    public TimeSpan QueueLifetime { get; set; } = TimeSpan.FromDays(5);
    /// <summary>Inbound lifetime; may be raised to 10 days for continuity while the inbound servers are down.</summary>
    public TimeSpan InboundQueueLifetime { get; set; } = TimeSpan.FromDays(5);
    public static readonly TimeSpan MaxQueueLifetime = TimeSpan.FromDays(10);
    /// <summary>The port MX hosts are contacted on (25; labs and tests may move it).</summary>
    public int MxPort { get; set; } = 25;
    /// <summary>Outbound relay host instead of MX lookups (<c>host:port</c>); null uses MX.</summary>
    public string? SmartHost { get; set; }
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);
    public TimeSpan DataDoneTimeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How long an idle delivery connection is kept for reuse.</summary>
    public TimeSpan ConnectionCacheTime { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Roots trusted for <see cref="TlsSecurityLevel.MandatoryVerify"/> besides the system store (null: system store only).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustedRoots { get; set; }
    /// <summary>Hard limit for a content policy that overran the dialogue budget and finishes from the queue.</summary>
    public TimeSpan BackgroundPolicyTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public void Validate()
    {
        if (QueueLifetime <= TimeSpan.Zero || QueueLifetime > MaxQueueLifetime)
            throw new ArgumentOutOfRangeException(nameof(QueueLifetime), QueueLifetime, "The queue lifetime must be positive and at most 10 days.");
        if (InboundQueueLifetime <= TimeSpan.Zero || InboundQueueLifetime > MaxQueueLifetime)
            throw new ArgumentOutOfRangeException(nameof(InboundQueueLifetime), InboundQueueLifetime, "The inbound queue lifetime must be positive and at most 10 days.");
        if (RetrySchedule.Count == 0 || RetrySchedule.Any(t => t <= TimeSpan.Zero))
            throw new ArgumentOutOfRangeException(nameof(RetrySchedule), "The retry schedule needs at least one positive interval.");
        if (MaxConcurrentDeliveries < 1 || MaxConnectionsPerDestination < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentDeliveries), "Delivery concurrency must be positive.");
    }

    /// <summary>The wait after the <paramref name="failures"/>-th temporary failure.</summary>
    public TimeSpan RetryDelay(int failures) => RetrySchedule[Math.Clamp(failures - 1, 0, RetrySchedule.Count - 1)];
}

/// <summary>Settings of the SMTP gateway (listeners, limits, spool, delivery).</summary>
public sealed class SmtpGatewayOptions
{
    /// <summary>The name in the banner, EHLO and Received headers.</summary>
    public string HostName { get; set; } = Dns.GetHostName();
    public List<ListenerOptions> Listeners { get; set; } = [.. ListenerOptions.EmbeddedDefaults];
    /// <summary>The spool directory: queue files, lock, control socket.</summary>
    public string SpoolDirectory { get; set; } = "spool";
    /// <summary>Accept mail for managed domains whose ownership is not verified yet (labs only).</summary>
    public bool AcceptUnverifiedDomains { get; set; }
    /// <summary>PEM certificate and key for STARTTLS; when both are null a self-signed pair is created in the spool.</summary>
    public string? TlsCertificateFile { get; set; }
    public string? TlsKeyFile { get; set; }
    /// <summary>Offer STARTTLS at all.</summary>
    public bool EnableStartTls { get; set; } = true;
    /// <summary>How long the content policy may hold the final reply (default 60 s).</summary>
    public TimeSpan PolicyBudget { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>fsync queue files and directories before replying 250. Only tests of other things may turn it off.</summary>
    public bool Fsync { get; set; } = true;
    public SmtpServerLimits Limits { get; set; } = new();
    public DeliveryOptions Delivery { get; set; } = new();

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(HostName)) throw new ArgumentException("HostName is required.", nameof(HostName));
        if (string.IsNullOrWhiteSpace(SpoolDirectory)) throw new ArgumentException("SpoolDirectory is required.", nameof(SpoolDirectory));
        if (PolicyBudget <= TimeSpan.Zero || PolicyBudget > TimeSpan.FromMinutes(5))
            throw new ArgumentOutOfRangeException(nameof(PolicyBudget), PolicyBudget, "The policy budget must be positive and at most 5 minutes (clients give up after 10).");
        if ((TlsCertificateFile is null) != (TlsKeyFile is null))
            throw new ArgumentException("Give both the TLS certificate file and the key file, or neither.");
        Limits.Validate();
        Delivery.Validate();
    }
}
