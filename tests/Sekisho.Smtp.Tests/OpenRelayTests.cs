using System.Net;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>
/// The open-relay suite: every trick that makes an MTA forward mail for strangers, tried from an outside client.
/// All must be refused; only real recipients of managed, verified domains pass.
/// </summary>
public sealed class OpenRelayTests : IAsyncLifetime
{
    private GatewayHarness _h = null!;

    public async Task InitializeAsync() => _h = await GatewayHarness.StartAsync();
    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<string, int> Refused => new()
    {
        { "<victim@elsewhere.example>", 550 },
        { "<user%elsewhere.example@managed.example>", 550 },
        { "<user!elsewhere.example@managed.example>", 550 },
        { "<@managed.example:victim@elsewhere.example>", 553 },
        { "<@elsewhere.example,@managed.example:victim@managed.example>", 553 },
        { "<\"victim@elsewhere.example\"@managed.example>", 550 },
        { "<\"user%elsewhere.example\"@managed.example>", 550 },
        { "<\"plain\"@managed.example>", 550 },
        { "<user@[127.0.0.1]>", 550 },
        { "<user@[IPv6:::1]>", 550 },
        { "<postmaster>", 550 },
        { "<Postmaster>", 550 },
        { "<postmaster@elsewhere.example>", 550 },
        { "<postmaster@[127.0.0.1]>", 550 },
        { "<postmaster@gw.sekisho.test>", 550 },
        { "<user@managed.example.elsewhere.example>", 550 },
        { "<user@sub.managed.example>", 550 },
        { "<user@managed.example.>", 553 },
        { "<user@managed.example@elsewhere.example>", 553 },
        { "<user@unverified.example>", 550 },
        { "victim@elsewhere.example", 553 },
        { "<victim@elsewhere.example> NOTIFY=NEVER", 555 },
        { "<user@managed.example> ORCPT=rfc822;victim@elsewhere.example", 555 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Relay_tricks_from_an_outside_client_are_refused(string path, int code)
    {
        await using var c = await _h.ConnectAsync();
        await c.EhloAsync("relay-tester.example");
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<spammer@elsewhere.example>")).Code);
        var r = await c.CommandAsync("RCPT TO:" + path);
        Assert.Equal(code, r.Code);
        Assert.NotEqual(250, r.Code);
        Assert.Equal(554, (await c.CommandAsync("DATA")).Code);
    }

    [Theory]
    [InlineData("<user@managed.example>")]
    [InlineData("<USER@MANAGED.EXAMPLE>")]
    [InlineData("<postmaster@managed.example>")]
    [InlineData("<first.last+tag@managed.example>")]
    public async Task Recipients_of_a_managed_verified_domain_are_accepted(string path)
    {
        await using var c = await _h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<someone@elsewhere.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:" + path)).Code);
    }

    [Fact]
    public async Task Sender_spoofing_a_managed_domain_from_outside_cannot_relay_outward()
    {
        await using var c = await _h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<ceo@managed.example>")).Code);
        var r = await c.CommandAsync("RCPT TO:<victim@elsewhere.example>");
        Assert.Equal((550, "5.7.1"), (r.Code, r.Enhanced));
        Assert.Equal((553, "5.1.3"), await c.CommandAsync("RCPT TO:<>") is var n ? (n.Code, n.Enhanced) : default);
    }

    [Fact]
    public async Task An_outbound_server_may_send_outward_only_for_its_own_domain()
    {
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(_h.Mta, GatewayHarness.OutboundServerAddress);
        await c.EhloAsync("exchange.managed.example");
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<staff@managed.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<partner@elsewhere.example>")).Code);
        Assert.Equal(550, (await c.CommandAsync("RCPT TO:<user%third.example@elsewhere.example>")).Code);
        Assert.Equal(550, (await c.CommandAsync("RCPT TO:<postmaster>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RSET")).Code);
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<someone@elsewhere.example>")).Code);
        Assert.Equal(550, (await c.CommandAsync("RCPT TO:<partner@elsewhere.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RSET")).Code);
        // Bounces (null sender) from the organization's own server may go out.
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<partner@elsewhere.example>")).Code);
    }

    [Fact]
    public async Task Submission_without_authentication_relays_nothing()
    {
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(_h.Submission);
        await c.EhloAsync();
        await c.StartTlsAsync();
        Assert.Equal(530, (await c.CommandAsync("MAIL FROM:<staff@managed.example>")).Code);
        Assert.Equal(503, (await c.CommandAsync("RCPT TO:<partner@elsewhere.example>")).Code);
    }

    [Fact]
    public async Task Unverified_domains_are_accepted_only_when_allowed_explicitly()
    {
        await using var lab = await GatewayHarness.StartAsync(o => o.AcceptUnverifiedDomains = true);
        await using var c = await lab.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<someone@elsewhere.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<user@unverified.example>")).Code);
        Assert.Equal(550, (await c.CommandAsync("RCPT TO:<victim@elsewhere.example>")).Code);
    }

    [Fact]
    public async Task Refused_recipients_are_tracked_as_blocked_traffic()
    {
        await using var c = await _h.ConnectAsync();
        await c.EhloAsync();
        await c.CommandAsync("MAIL FROM:<spammer@elsewhere.example>");
        await c.CommandAsync("RCPT TO:<victim@elsewhere.example>");
        await _h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => _h.Tracking.Snapshot.Any(t => t.Recipient == "victim@elsewhere.example"), "blocked record");
        var t = _h.Tracking.Snapshot.Single(t => t.Recipient == "victim@elsewhere.example");
        Assert.Equal(Tracking.TrackingAction.Rejected, t.Action);
        Assert.StartsWith("550 5.7.1", t.DeliveryStatus, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Loopback.ToString(), t.ClientAddress);
    }
}
