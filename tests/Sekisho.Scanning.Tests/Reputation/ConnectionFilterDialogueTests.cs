using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sekisho.Model.Addresses;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.Reputation;
using Sekisho.Smtp;
using Sekisho.Smtp.Routing;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Reputation;

/// <summary>The connection filter in a real SMTP dialogue: the gateway on loopback, clients bound to 127.0.0.x addresses.</summary>
public sealed class ConnectionFilterDialogueTests : IAsyncLifetime
{
    private readonly FakeDnsServer _dns = new FakeDnsServer()
        .A("7.0.0.127.bl.sekisho.test", "127.0.0.2")   // 127.0.0.7 is on the blocklist
        .A("8.0.0.127.bl.sekisho.test", "127.0.0.4");  // 127.0.0.8 listed with a code the settings ignore
    private readonly TempDir _spool = new("sekisho-filter");
    private readonly FakeMta _inbound = new(null);
    private SmtpGateway _gateway = null!;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static readonly ConnectionFiltering Filtering = new()
    {
        ApprovedIps = [new("127.0.0.20/32")],
        BlockedIps = [new("127.0.0.16/28"), new("127.0.0.66")],
        DnsBlocklists = [new DnsBlocklist("bl.sekisho.test", MinimumLevel: 2, ReturnCodes: ["127.0.0.2"])],
        ValidateRecipients = true,
        RateLimitPerClientIpPerMinute = 3,
        RateLimitPerRecipientPerMinute = 0,
    };

    private static readonly SenderFilter Senders = new()
    {
        Entries =
        [
            new(SenderListKind.Blocked, SenderListScope.Organization, null, AddressPattern.Parse("*@spam.example")),
            new(SenderListKind.Approved, SenderListScope.Recipient, "bob@managed.example", AddressPattern.Parse("boss@spam.example"), SenderListSource.EndUser),
            new(SenderListKind.Blocked, SenderListScope.Domain, "managed.example", AddressPattern.Parse("pest@other.example"), SenderListSource.EndUser),
            new(SenderListKind.Approved, SenderListScope.Organization, null, AddressPattern.Parse("pest@other.example")),
        ],
    };

    public async Task InitializeAsync()
    {
        _inbound.Start();
        var domains = new StaticManagedDomainCatalog([new ManagedDomain("managed.example", true, [new InboundServer("*", "127.0.0.1", _inbound.Port, 10)],
            [new IPNetwork(IPAddress.Parse("127.0.0.18"), 32)])]); // an outbound server inside the blocked /28
        var options = new SmtpGatewayOptions
        {
            HostName = "gw.sekisho.test",
            SpoolDirectory = _spool.Path,
            Listeners = [new(ListenerKind.Mta, new IPEndPoint(IPAddress.Loopback, 0))],
        };
        var resolver = _dns.Resolver();
        var filter = new ConnectionFilter(Filtering, Senders, resolver,
            new ImportedRecipientList(["alice@managed.example", "bob@managed.example"]), _time);
        var authority = new FilteringRelayAuthority(new ManagedDomainRelayAuthority(domains, false), filter);
        var smtpDns = new DnsClientResolver(new IPEndPoint(IPAddress.Loopback, _dns.Port));
        var tls = new UniformTlsPolicy(TlsPolicy.Opportunistic);
        var routes = new GatewayNextHopResolver(domains, smtpDns, tls, SystemRandomSource.Instance);
        _gateway = new SmtpGateway(options, new SmtpGatewayPorts(authority, routes, tls, new PassThroughContentPolicy(),
            new InMemoryMailTrackingSink(), smtpDns, null, TimeProvider.System, SystemRandomSource.Instance), NullLoggerFactory.Instance);
        await _gateway.StartAsync(CancellationToken.None);
    }

    private IPEndPoint Mta => _gateway.Endpoints.First(e => e.Kind == ListenerKind.Mta).Endpoint;

    private async Task<TestReply> GreetingFromAsync(string ip)
    {
        await using var c = await SmtpTestClient.ConnectAsync(Mta, IPAddress.Parse(ip));
        return await c.ReadReplyAsync();
    }

    [Fact]
    public async Task Blocked_ips_and_dnsbl_listed_ips_are_refused_at_connection_and_approved_ips_win()
    {
        var blocked = await GreetingFromAsync("127.0.0.17");
        Assert.Equal(554, blocked.Code); // RFC 5321 §3.1: a refusal at connection is 554
        Assert.Contains("found in block list", blocked.Text);

        var listed = await GreetingFromAsync("127.0.0.7");
        Assert.Equal(554, listed.Code);
        Assert.Contains("bl.sekisho.test", listed.Text);

        Assert.Equal(220, (await GreetingFromAsync("127.0.0.8")).Code);  // return code not configured as listed
        Assert.Equal(220, (await GreetingFromAsync("127.0.0.20")).Code); // approved inside the blocked /28
        Assert.Equal(220, (await GreetingFromAsync("127.0.0.5")).Code);
        Assert.Equal(220, (await GreetingFromAsync("127.0.0.18")).Code); // the organization's own outbound server is not filtered
    }

    [Fact]
    public async Task Invalid_recipients_and_blocked_senders_are_refused_at_rcpt_in_the_documented_order()
    {
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(Mta, IPAddress.Parse("127.0.0.5"));
        Assert.Equal(250, (await c.CommandAsync("EHLO client.example")).Code);

        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<friend@remote.example>")).Code);
        var unknown = await c.CommandAsync("RCPT TO:<nobody@managed.example>");
        Assert.Equal((550, "5.1.1"), (unknown.Code, unknown.Enhanced));
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<alice@managed.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RSET")).Code);

        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<x@spam.example>")).Code);
        var blocked = await c.CommandAsync("RCPT TO:<alice@managed.example>");
        Assert.Equal((550, "5.7.1"), (blocked.Code, blocked.Enhanced));
        Assert.Contains("blocked", blocked.Text);
        Assert.Equal(250, (await c.CommandAsync("RSET")).Code);

        // an end user's approval never overrides an administrator's block
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<boss@spam.example>")).Code);
        Assert.Equal(550, (await c.CommandAsync("RCPT TO:<bob@managed.example>")).Code);
    }

    [Fact]
    public void An_end_user_block_beats_an_administrator_approval()
    {
        var verdict = new ConnectionFilter(Filtering, Senders, new CachingDnsResolver(), null, _time)
            .EvaluateSenderLists("pest@other.example", "alice@managed.example");
        Assert.Equal(Sekisho.Policy.Ports.ConnectionDecision.Reject, verdict!.Decision);
        Assert.Equal("blocked-end-user", verdict.Findings[0].Name);
    }

    [Fact]
    public async Task The_per_client_rate_limit_answers_4xx_until_the_next_minute()
    {
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(Mta, IPAddress.Parse("127.0.0.9"));
        Assert.Equal(250, (await c.CommandAsync("EHLO client.example")).Code);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<friend@remote.example>")).Code);
            Assert.Equal(250, (await c.CommandAsync("RSET")).Code);
        }
        var limited = await c.CommandAsync("MAIL FROM:<friend@remote.example>");
        Assert.Equal((450, "4.7.1"), (limited.Code, limited.Enhanced));
        Assert.Contains("Message count limit", limited.Text);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<friend@remote.example>")).Code);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _inbound.DisposeAsync();
        _spool.Dispose();
        _dns.Dispose();
    }
}
