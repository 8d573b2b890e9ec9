using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sekisho.Smtp.Routing;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>What a test may change before the gateway starts.</summary>
internal sealed class HarnessSetup
{
    public List<ManagedDomain>? Domains { get; set; }
    public IContentPolicy Policy { get; set; } = new PassThroughContentPolicy();
    public ISubmissionAuthenticator? Authenticator { get; set; } = new TestAuthenticator();
    public TimeProvider Time { get; set; } = TimeProvider.System;
    public IRandomSource Random { get; set; } = SystemRandomSource.Instance;
    public IDnsResolver? Dns { get; set; }
    public ITlsPolicyProvider Tls { get; set; } = new UniformTlsPolicy(TlsPolicy.Opportunistic);
    public X509Certificate2? InboundCertificate { get; set; }
    public string? SpoolDirectory { get; set; }
    public bool StartInbound { get; set; } = true;
    /// <summary>Route outbound mail to the fake inbound server as the smart host.</summary>
    public bool SmartHostToInbound { get; set; }
}

/// <summary>An in-memory DNS zone for tests where only resolver logic is under test (unknown names: NXDOMAIN).</summary>
internal sealed class StaticDnsResolver : IDnsResolver
{
    public Dictionary<string, DnsAnswer<MxHost>> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, DnsAnswer<IPAddress>> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ValueTask<DnsAnswer<MxHost>> ResolveMxAsync(string domain, CancellationToken ct) =>
        ValueTask.FromResult(Mx.GetValueOrDefault(domain) ?? new DnsAnswer<MxHost>(DnsStatus.NxDomain, []));

    public ValueTask<DnsAnswer<IPAddress>> ResolveAddressesAsync(string host, CancellationToken ct) =>
        ValueTask.FromResult(Addresses.GetValueOrDefault(host) ?? new DnsAnswer<IPAddress>(DnsStatus.NxDomain, []));
}

/// <summary>Users for submission tests: alice@managed.example / correct horse.</summary>
internal sealed class TestAuthenticator : ISubmissionAuthenticator
{
    public ValueTask<AuthenticationResult> AuthenticateAsync(string userName, string password, SessionFacts session, CancellationToken ct) =>
        ValueTask.FromResult(userName == "alice@managed.example" && password == "correct horse"
            ? AuthenticationResult.Success(userName, "managed.example")
            : AuthenticationResult.Failed);
}

/// <summary>A gateway on loopback with a fake inbound server for managed.example, a temporary spool and in-memory tracking.</summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    public const string Managed = "managed.example";
    public static readonly IPAddress OutboundServerAddress = IPAddress.Parse("127.0.0.2");

    private readonly TempDir? _spoolDir;

    private GatewayHarness(SmtpGateway gateway, FakeMta inbound, InMemoryMailTrackingSink tracking, StaticManagedDomainCatalog domains, SmtpGatewayOptions options, TempDir? spoolDir, HarnessSetup setup)
    {
        Gateway = gateway;
        Inbound = inbound;
        Tracking = tracking;
        Domains = domains;
        Options = options;
        _spoolDir = spoolDir;
        Setup = setup;
    }

    public SmtpGateway Gateway { get; }
    public FakeMta Inbound { get; }
    public InMemoryMailTrackingSink Tracking { get; }
    public StaticManagedDomainCatalog Domains { get; }
    public SmtpGatewayOptions Options { get; }
    public HarnessSetup Setup { get; }
    public IPEndPoint Mta => Gateway.Endpoints.First(e => e.Kind == ListenerKind.Mta).Endpoint;
    public IPEndPoint Submission => Gateway.Endpoints.First(e => e.Kind == ListenerKind.Submission).Endpoint;

    public static async Task<GatewayHarness> StartAsync(Action<SmtpGatewayOptions>? configure = null, Action<HarnessSetup>? setup = null)
    {
        var s = new HarnessSetup();
        setup?.Invoke(s);
        var inbound = new FakeMta(s.InboundCertificate);
        if (s.StartInbound) inbound.Start();
        else
        {
            // Reserve a port that nobody listens on yet; the test starts the server later.
            inbound.Start();
            await inbound.StopAsync();
        }
        var domains = new StaticManagedDomainCatalog(s.Domains ?? DefaultDomains(inbound.Port));
        TempDir? dir = s.SpoolDirectory is null ? new TempDir("sekisho-smtp") : null;
        var options = new SmtpGatewayOptions
        {
            HostName = "gw.sekisho.test",
            SpoolDirectory = s.SpoolDirectory ?? dir!.Path,
            Listeners = [new(ListenerKind.Mta, new IPEndPoint(IPAddress.Loopback, 0)), new(ListenerKind.Submission, new IPEndPoint(IPAddress.Loopback, 0))],
        };
        options.Delivery.ConnectionCacheTime = TimeSpan.FromSeconds(2);
        if (s.SmartHostToInbound) options.Delivery.SmartHost = $"127.0.0.1:{inbound.Port}";
        configure?.Invoke(options);
        var tracking = new InMemoryMailTrackingSink();
        s.Dns ??= new StaticDnsResolver();
        var dns = s.Dns;
        var authority = new ManagedDomainRelayAuthority(domains, options.AcceptUnverifiedDomains);
        var routes = new GatewayNextHopResolver(domains, dns, s.Tls, s.Random, options.Delivery.SmartHost, options.Delivery.MxPort);
        var gateway = new SmtpGateway(options, new SmtpGatewayPorts(authority, routes, s.Tls, s.Policy, tracking, dns, s.Authenticator, s.Time, s.Random), Loggers);
        await gateway.StartAsync(CancellationToken.None);
        return new GatewayHarness(gateway, inbound, tracking, domains, options, dir, s);
    }

    /// <summary>Set SEKISHO_TEST_LOG=1 to see the gateway's log while debugging a test.</summary>
    private static ILoggerFactory Loggers => Environment.GetEnvironmentVariable("SEKISHO_TEST_LOG") == "1"
        ? LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug))
        : NullLoggerFactory.Instance;

    public static List<ManagedDomain> DefaultDomains(int inboundPort) =>
    [
        new(Managed, true, [new InboundServer("*", "127.0.0.1", inboundPort, 10)], [new IPNetwork(OutboundServerAddress, 32)]),
        new("unverified.example", false, [new InboundServer("*", "127.0.0.1", inboundPort, 10)], []),
    ];

    public Task<SmtpTestClient> ConnectAsync(IPAddress? from = null) => SmtpTestClient.ConnectAndGreetAsync(Mta, from);

    /// <summary>A plain message with a unique Message-ID.</summary>
    public static string Message(string subject = "hello", string body = "Body line 1\r\nBody line 2\r\n", string from = "sender@remote.example", string to = "user@managed.example") =>
        $"From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@remote.example>\r\nDate: Wed, 01 Apr 2026 09:00:00 +0000\r\n\r\n{body}";

    public async Task FlushTrackingAsync() => await Gateway.FlushTrackingAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Inbound.DisposeAsync();
        _spoolDir?.Dispose();
    }

    /// <summary>A CA and a leaf certificate for "localhost" signed by it (for mandatory-verify TLS tests).</summary>
    public static (X509Certificate2 Root, X509Certificate2 Leaf) CreateCaAndLeaf(string host = "localhost")
    {
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest("CN=Sekisho Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var root = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var leafKey = RSA.Create(2048);
        var leafReq = new CertificateRequest($"CN={host}", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        leafReq.CertificateExtensions.Add(san.Build());
        leafReq.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leafPub = leafReq.Create(root, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMonths(1), [1, 2, 3, 4]);
        using var withKey = leafPub.CopyWithPrivateKey(leafKey);
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (root, leaf);
    }

    /// <summary>A self-signed certificate for the fake MTA.</summary>
    public static X509Certificate2 SelfSigned(string host = "localhost")
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var c = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(c.Export(X509ContentType.Pkcs12), null);
    }
}
