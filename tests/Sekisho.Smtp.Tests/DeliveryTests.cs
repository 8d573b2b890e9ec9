using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>A random source that always picks a fixed position, so load balancing is reproducible.</summary>
internal sealed class FixedRandom(int value) : IRandomSource
{
    public int Next(int maxExclusive) => Math.Min(value, maxExclusive - 1);
    public void NextBytes(Span<byte> buffer) => Random.Shared.NextBytes(buffer);
}

/// <summary>Delivery to next hops: preference, failover, load balancing, TLS policy, reuse, retries, expiry and DSNs.</summary>
public sealed class DeliveryTests
{
    private static async Task<string> SendAsync(GatewayHarness h, string to = "user@managed.example", string from = "sender@remote.example", string subject = "hello")
    {
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        var r = await c.SendMessageAsync(from, [to], GatewayHarness.Message(subject, from: from, to: to));
        Assert.Equal(250, r.Code);
        return r.Lines[0].Split(' ')[^1];
    }

    [Fact]
    public async Task Inbound_servers_are_tried_by_preference_with_failover()
    {
        await using var down = new FakeMta().Start();
        await down.StopAsync();
        await using var backup = new FakeMta().Start();
        await using var h = await GatewayHarness.StartAsync();
        h.Domains.Replace(
        [
            new(GatewayHarness.Managed, true,
            [
                new InboundServer("*", "127.0.0.1", backup.Port, 20),
                new InboundServer("*", "127.0.0.1", down.Port, 10),
            ], []),
        ]);
        await SendAsync(h);
        var got = await backup.WaitForMessagesAsync(1);
        Assert.Single(got);
        Assert.Equal(0, down.Connections);
    }

    [Fact]
    public async Task Wildcard_and_exact_inbound_entries_are_merged_by_preference()
    {
        // cegp-target-model §3.2.1: *→A pref 10, recipient1→B pref 11, recipient2→C pref 9.
        await using var a = new FakeMta().Start();
        await using var b = new FakeMta().Start();
        await using var c = new FakeMta().Start();
        await using var h = await GatewayHarness.StartAsync();
        h.Domains.Replace(
        [
            new(GatewayHarness.Managed, true,
            [
                new InboundServer("*", "127.0.0.1", a.Port, 10),
                new InboundServer("recipient1", "127.0.0.1", b.Port, 11),
                new InboundServer("recipient2", "127.0.0.1", c.Port, 9),
            ], []),
        ]);
        await SendAsync(h, "recipient1@managed.example");
        await SendAsync(h, "recipient2@managed.example");
        await SendAsync(h, "someone@managed.example");
        var atA = await a.WaitForMessagesAsync(2);
        var atC = await c.WaitForMessagesAsync(1);
        Assert.Equal(["recipient1@managed.example", "someone@managed.example"], atA.SelectMany(m => m.Recipients).Order());
        Assert.Equal(["recipient2@managed.example"], atC.SelectMany(m => m.Recipients));
        Assert.Equal(0, b.Connections);

        // With A down, recipient1 fails over to B (pref 11).
        await a.StopAsync();
        await SendAsync(h, "recipient1@managed.example");
        Assert.Equal(["recipient1@managed.example"], (await b.WaitForMessagesAsync(1))[0].Recipients);
    }

    [Fact]
    public async Task Equal_preferences_are_load_balanced_by_the_random_source()
    {
        await using var first = new FakeMta().Start();
        await using var second = new FakeMta().Start();
        List<ManagedDomain> Domains() => [new(GatewayHarness.Managed, true, [new("*", "127.0.0.1", first.Port, 10), new("*", "127.0.0.1", second.Port, 10)], [])];
        await using (var h = await GatewayHarness.StartAsync(setup: s => { s.Random = new FixedRandom(0); s.Domains = Domains(); }))
        {
            await SendAsync(h);
            await second.WaitForMessagesAsync(1);
        }
        await using (var h = await GatewayHarness.StartAsync(setup: s => { s.Random = new FixedRandom(1); s.Domains = Domains(); }))
        {
            await SendAsync(h);
            await first.WaitForMessagesAsync(1);
        }
        Assert.Single(first.Messages);
        Assert.Single(second.Messages);
    }

    [Fact]
    public async Task Connections_to_a_next_hop_are_reused()
    {
        await using var h = await GatewayHarness.StartAsync(o => { o.Delivery.MaxConcurrentDeliveries = 1; o.Delivery.ConnectionCacheTime = TimeSpan.FromMinutes(1); });
        for (var i = 0; i < 5; i++) await SendAsync(h, subject: "reuse " + i);
        var got = await h.Inbound.WaitForMessagesAsync(5);
        Assert.Equal(5, got.Count);
        Assert.Equal(1, h.Inbound.Connections);
    }

    [Fact]
    public async Task Opportunistic_tls_is_used_when_offered_and_recorded()
    {
        await using var h = await GatewayHarness.StartAsync(setup: s => s.InboundCertificate = GatewayHarness.SelfSigned());
        var id = await SendAsync(h);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.NotNull(got.Tls);
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.QueueId == id && t.Action == TrackingAction.Delivered), "delivered record");
        Assert.StartsWith("TLSv1.", h.Tracking.Snapshot.Single(t => t.QueueId == id).TlsDownstream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mandatory_tls_defers_when_the_peer_offers_none()
    {
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Tls = new UniformTlsPolicy(new TlsPolicy(TlsSecurityLevel.Mandatory)));
        var id = await SendAsync(h);
        await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].State == RecipientState.Deferred, "deferred");
        Assert.Contains("4.7.5", h.Gateway.Queue.Show(id)!.Recipients[0].LastReply, StringComparison.Ordinal);
        Assert.Empty(h.Inbound.Messages);
    }

    [Fact]
    public async Task Mandatory_verify_refuses_an_untrusted_certificate_and_accepts_a_trusted_one()
    {
        var (root, leaf) = GatewayHarness.CreateCaAndLeaf("localhost");
        await using (var h = await GatewayHarness.StartAsync(setup: s =>
        {
            s.InboundCertificate = GatewayHarness.SelfSigned("localhost");
            s.Tls = new UniformTlsPolicy(new TlsPolicy(TlsSecurityLevel.MandatoryVerify));
        }))
        {
            h.Domains.Replace([new(GatewayHarness.Managed, true, [new("*", "localhost", h.Inbound.Port, 10)], [])]);
            ((StaticDnsResolver)h.Setup.Dns!).Addresses["localhost"] = new DnsAnswer<IPAddress>(DnsStatus.Ok, [IPAddress.Loopback]);
            var id = await SendAsync(h);
            await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].State == RecipientState.Deferred, "deferred");
            Assert.Contains("TLS with localhost failed", h.Gateway.Queue.Show(id)!.Recipients[0].LastReply, StringComparison.Ordinal);
        }
        await using (var h = await GatewayHarness.StartAsync(
            o => o.Delivery.TrustedRoots = new X509Certificate2Collection(root),
            s =>
            {
                s.InboundCertificate = leaf;
                s.Tls = new UniformTlsPolicy(new TlsPolicy(TlsSecurityLevel.MandatoryVerify));
            }))
        {
            h.Domains.Replace([new(GatewayHarness.Managed, true, [new("*", "localhost", h.Inbound.Port, 10)], [])]);
            ((StaticDnsResolver)h.Setup.Dns!).Addresses["localhost"] = new DnsAnswer<IPAddress>(DnsStatus.Ok, [IPAddress.Loopback]);
            await SendAsync(h);
            Assert.NotNull((await h.Inbound.WaitForMessagesAsync(1))[0].Tls);
        }
    }

    [Fact]
    public async Task A_next_hop_that_is_down_gets_retries_at_15_and_30_minutes_and_then_hourly_until_it_returns()
    {
        var clock = new ManualTimeProvider();
        await using var h = await GatewayHarness.StartAsync(setup: s => { s.Time = clock; s.StartInbound = false; });
        var id = await SendAsync(h);
        var arrived = clock.GetUtcNow();
        await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].Attempts == 1, "first attempt failed");
        Assert.Equal(arrived + TimeSpan.FromMinutes(15), h.Gateway.Queue.Show(id)!.Recipients[0].NextAttempt);
        Assert.Equal(QueueMessageState.Deferred, h.Gateway.Queue.List().Single().State);

        clock.Advance(TimeSpan.FromMinutes(15));
        await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].Attempts == 2, "second attempt");
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(30), h.Gateway.Queue.Show(id)!.Recipients[0].NextAttempt);

        clock.Advance(TimeSpan.FromMinutes(30));
        await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].Attempts == 3, "third attempt");
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(1), h.Gateway.Queue.Show(id)!.Recipients[0].NextAttempt);

        h.Inbound.Start();
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Empty(h.Inbound.Messages);
        clock.Advance(TimeSpan.FromMinutes(1));
        var got = await h.Inbound.WaitForMessagesAsync(1);
        Assert.Contains("Subject: hello", got[0].Text, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => h.Gateway.Queue.List().Count == 0, "queue empty");
    }

    [Fact]
    public async Task After_the_queue_lifetime_the_sender_gets_a_dsn_in_english_and_japanese()
    {
        var clock = new ManualTimeProvider();
        await using var senderMx = new FakeMta().Start();
        var dns = new StaticDnsResolver();
        dns.Mx["remote.example"] = new DnsAnswer<MxHost>(DnsStatus.Ok, [new MxHost(10, "mx.remote.example")]);
        dns.Addresses["mx.remote.example"] = new DnsAnswer<IPAddress>(DnsStatus.Ok, [IPAddress.Loopback]);
        await using var h = await GatewayHarness.StartAsync(
            o => { o.Delivery.MxPort = senderMx.Port; o.Delivery.InboundQueueLifetime = TimeSpan.FromDays(2); },
            s => { s.Time = clock; s.StartInbound = false; s.Dns = dns; });
        var id = await SendAsync(h, subject: "will expire");
        await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].Attempts == 1, "first attempt");
        for (var i = 0; i < 60 && h.Gateway.Queue.Show(id) is not null; i++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            // Wait until the attempt that became due (if any) has been made.
            await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id) is not { } m || m.Recipients[0].NextAttempt > clock.GetUtcNow(), "attempt done");
        }
        Assert.Null(h.Gateway.Queue.Show(id));
        var dsn = (await senderMx.WaitForMessagesAsync(1))[0];
        Assert.Equal("", dsn.MailFrom);
        Assert.Equal(["sender@remote.example"], dsn.Recipients);
        var text = dsn.Text;
        Assert.Contains("Content-Type: multipart/report; report-type=delivery-status", text, StringComparison.Ordinal);
        Assert.Contains("Final-Recipient: rfc822; user@managed.example", text, StringComparison.Ordinal);
        Assert.Contains("Action: failed", text, StringComparison.Ordinal);
        Assert.Contains("Status: 4.4.7", text, StringComparison.Ordinal);
        Assert.Contains("Subject: will expire", text, StringComparison.Ordinal);
        var human = DecodeFirstBase64Part(text);
        Assert.Contains("could not be delivered", human, StringComparison.Ordinal);
        Assert.Contains("配送できませんでした", human, StringComparison.Ordinal);
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.QueueId == id && t.Action == TrackingAction.Expired), "expired record");
    }

    [Fact]
    public async Task A_permanent_refusal_bounces_at_once_and_only_failed_recipients_are_reported()
    {
        await using var senderMx = new FakeMta().Start();
        var dns = new StaticDnsResolver();
        dns.Mx["remote.example"] = new DnsAnswer<MxHost>(DnsStatus.Ok, [new MxHost(10, "127.0.0.1")]);
        await using var h = await GatewayHarness.StartAsync(o => o.Delivery.MxPort = senderMx.Port, s => s.Dns = dns);
        h.Inbound.RcptReply = a => a.StartsWith("gone", StringComparison.Ordinal) ? "550 5.1.1 <" + a + ">: no such user" : "250 2.1.5 Ok";
        await using (var c = await h.ConnectAsync())
        {
            await c.EhloAsync();
            var r = await c.SendMessageAsync("sender@remote.example", ["gone@managed.example", "here@managed.example"], GatewayHarness.Message("partial"));
            Assert.Equal(250, r.Code);
        }
        Assert.Equal(["here@managed.example"], (await h.Inbound.WaitForMessagesAsync(1))[0].Recipients);
        var dsn = (await senderMx.WaitForMessagesAsync(1))[0].Text;
        Assert.Contains("Final-Recipient: rfc822; gone@managed.example", dsn, StringComparison.Ordinal);
        Assert.DoesNotContain("here@managed.example", dsn.Split("Content-Type: text/rfc822-headers")[0].Replace("To: <user@managed.example>", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Status: 5.1.1", dsn, StringComparison.Ordinal);
        Assert.Contains("Diagnostic-Code: smtp; 550 5.1.1 <gone@managed.example>: no such user", dsn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bounce_is_never_sent_to_the_null_sender()
    {
        await using var h = await GatewayHarness.StartAsync();
        h.Inbound.RcptReply = _ => "550 5.1.1 no such user";
        await using (var c = await h.ConnectAsync())
        {
            await c.EhloAsync();
            Assert.Equal(250, (await c.SendMessageAsync("", ["gone@managed.example"], GatewayHarness.Message("bounce of a bounce"))).Code);
        }
        await Eventually.TrueAsync(() => h.Gateway.Metrics.BouncedRecipients == 1, "bounced");
        await Eventually.TrueAsync(() => h.Gateway.Queue.List().Count == 0, "queue empty");
        Assert.Empty(h.Inbound.Messages);
    }

    [Fact]
    public async Task Outbound_mail_goes_to_the_mx_found_through_a_real_dns_server()
    {
        await using var mx = new FakeMta().Start();
        await using var dnsServer = FakeDnsServer.Start();
        dnsServer.Mx["partner.example"] = [(10, "mx1.partner.example"), (20, "mx2.partner.example")];
        dnsServer.A["mx1.partner.example"] = IPAddress.Parse("127.0.0.1");
        dnsServer.A["mx2.partner.example"] = IPAddress.Parse("127.0.0.1");
        var resolver = new Routing.DnsClientResolver(dnsServer.Endpoint);
        await using var h = await GatewayHarness.StartAsync(o => o.Delivery.MxPort = mx.Port, s => s.Dns = resolver);
        await using (var c = await SmtpTestClient.ConnectAndGreetAsync(h.Mta, GatewayHarness.OutboundServerAddress))
        {
            await c.EhloAsync();
            Assert.Equal(250, (await c.SendMessageAsync("staff@managed.example", ["buyer@partner.example", "nobody@no-such-domain.example"], GatewayHarness.Message("order"))).Code);
        }
        var got = (await mx.WaitForMessagesAsync(1))[0];
        Assert.Equal(["buyer@partner.example"], got.Recipients);
        // NXDOMAIN bounces to the (managed) sender, which goes to the inbound server.
        var dsn = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Equal(["staff@managed.example"], dsn.Recipients);
        Assert.Contains("Final-Recipient: rfc822; nobody@no-such-domain.example", dsn.Text, StringComparison.Ordinal);
        Assert.Contains("5.1.2", dsn.Text, StringComparison.Ordinal);
        Assert.True(dnsServer.Queries > 0);
    }

    [Fact]
    public async Task Null_mx_and_missing_mx_are_handled_by_the_resolver()
    {
        var dns = new StaticDnsResolver();
        dns.Mx["nullmx.example"] = new DnsAnswer<MxHost>(DnsStatus.Ok, [new MxHost(0, ".")]);
        dns.Mx["nomx.example"] = new DnsAnswer<MxHost>(DnsStatus.NoData, []);
        dns.Mx["flaky.example"] = new DnsAnswer<MxHost>(DnsStatus.TemporaryFailure, []);
        var r = new Routing.GatewayNextHopResolver(new StaticManagedDomainCatalog([]), dns, new UniformTlsPolicy(TlsPolicy.Opportunistic), new FixedRandom(0), null, 25);
        var nullMx = await r.ResolveAsync(MailDirection.Outbound, Protocol.SmtpMailbox.Parse("a@nullmx.example"), default);
        Assert.Equal((556, "5.1.10"), (nullMx.Failure!.Code, nullMx.Failure.Enhanced));
        var noMx = await r.ResolveAsync(MailDirection.Outbound, Protocol.SmtpMailbox.Parse("a@nomx.example"), default);
        Assert.Equal("nomx.example", Assert.Single(noMx.Hops).Host);
        var flaky = await r.ResolveAsync(MailDirection.Outbound, Protocol.SmtpMailbox.Parse("a@flaky.example"), default);
        Assert.True(flaky.Failure!.IsTransient);
        var nx = await r.ResolveAsync(MailDirection.Outbound, Protocol.SmtpMailbox.Parse("a@nx.example"), default);
        Assert.True(nx.Failure!.IsPermanent);
    }

    internal static string DecodeFirstBase64Part(string text)
    {
        var start = text.IndexOf("Content-Transfer-Encoding: base64\r\n\r\n", StringComparison.Ordinal);
        Assert.True(start > 0, "no base64 part");
        start += "Content-Transfer-Encoding: base64\r\n\r\n".Length;
        var end = text.IndexOf("\r\n--", start, StringComparison.Ordinal);
        return Encoding.UTF8.GetString(Convert.FromBase64String(text[start..end].Replace("\r\n", "", StringComparison.Ordinal)));
    }
}
