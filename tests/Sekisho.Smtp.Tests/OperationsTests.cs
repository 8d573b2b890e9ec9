using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Hosting;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Server;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>Hosting, metrics and health endpoints, mail tracking storage, certificates, options and address syntax.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task The_hosted_gateway_serves_metrics_and_health_over_http()
    {
        using var spool = new TempDir("sekisho-host");
        await using var inbound = new FakeMta().Start();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IManagedDomainCatalog>(new StaticManagedDomainCatalog(GatewayHarness.DefaultDomains(inbound.Port)));
        builder.Services.AddSekishoSmtp(o =>
        {
            o.SpoolDirectory = spool.Path;
            o.HostName = "gw.sekisho.test";
            o.Listeners = [new(ListenerKind.Mta, new IPEndPoint(IPAddress.Loopback, 0))];
        });
        await using var app = builder.Build();
        app.MapSekishoSmtpEndpoints();
        await app.StartAsync();
        var gateway = app.Services.GetRequiredService<SmtpGateway>();
        await using (var c = await SmtpTestClient.ConnectAndGreetAsync(gateway.Endpoints[0].Endpoint))
        {
            await c.EhloAsync();
            Assert.Equal(250, (await c.SendMessageAsync("a@remote.example", ["u@managed.example"], GatewayHarness.Message("metrics"))).Code);
            Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
            Assert.Equal(550, (await c.CommandAsync("RCPT TO:<x@elsewhere.example>")).Code);
        }
        await inbound.WaitForMessagesAsync(1);
        await Eventually.TrueAsync(() => gateway.Metrics.DeliveredRecipients == 1, "delivered");
        var url = app.Urls.First();
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(url + "/metrics");
        Assert.Contains("sekisho_smtp_messages_accepted_total{direction=\"inbound\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("sekisho_delivery_recipients_delivered_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("sekisho_queue_messages 0", metrics, StringComparison.Ordinal);
        Assert.Contains("sekisho_smtp_recipients_rejected_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("sekisho_smtp_accept_latency_seconds_count 1", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/healthz")).StatusCode);
        await app.StopAsync();
        Assert.False(gateway.IsRunning);
    }

    [Fact]
    public async Task Json_lines_tracking_keeps_one_row_per_recipient_filters_and_purges_by_day()
    {
        using var dir = new TempDir("sekisho-tracking");
        await using var sink = new JsonLinesMailTrackingSink(dir.Path);
        var t0 = new DateTimeOffset(2026, 1, 10, 8, 0, 0, TimeSpan.Zero);
        MailTrackingRecord Rec(string key, DateTimeOffset t, TrackingAction a, string rcpt, string subject) =>
            new(key, t, MailDirection.Inbound, "Q1", "boss@partner.example", rcpt, "Boss <boss@partner.example>", null, subject, "<m1@partner.example>", "192.0.2.1", "TLSv1.3", null, a, "250 ok", "mx:25", ["r1"], 100);
        await sink.RecordAsync([Rec("Q1/0", t0, TrackingAction.Queued, "alice@managed.example", "Quarterly report 第3四半期")], default);
        await sink.RecordAsync([Rec("Q1/0", t0.AddDays(1), TrackingAction.Delivered, "alice@managed.example", "Quarterly report 第3四半期")], default);
        await sink.RecordAsync([Rec("Q2/0", t0.AddDays(2), TrackingAction.Bounced, "bob@managed.example", "Invoice")], default);

        var all = await Query(new MailTrackingQuery());
        Assert.Equal(2, all.Count);
        Assert.Equal(TrackingAction.Delivered, all.Single(r => r.Key == "Q1/0").Action);
        Assert.Single(await Query(new MailTrackingQuery { Recipient = "ALICE@*" }));
        Assert.Single(await Query(new MailTrackingQuery { Subject = "report 第3四半期" }));
        Assert.Empty(await Query(new MailTrackingQuery { Subject = "\"Quarterly\"" }));
        Assert.Single(await Query(new MailTrackingQuery { Status = TrackingAction.Bounced }));
        Assert.Equal(2, (await Query(new MailTrackingQuery { Sender = "*@partner.example" })).Count);
        Assert.Single(await Query(new MailTrackingQuery { Since = t0.AddDays(2) }));

        Assert.Equal(2, await sink.PurgeAsync(t0.AddDays(2), default));
        Assert.Single(await Query(new MailTrackingQuery()));
        var text = SmtpCliFormat.TrackingText(await Query(new MailTrackingQuery()), Resources.SmtpText.Japanese);
        Assert.Contains("エラー通知済み", text, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"Bounced\"", SmtpCliFormat.TrackingJson(await Query(new MailTrackingQuery())), StringComparison.Ordinal);

        async Task<List<MailTrackingRecord>> Query(MailTrackingQuery q)
        {
            var list = new List<MailTrackingRecord>();
            await foreach (var r in sink.QueryAsync(q, default)) list.Add(r);
            return list;
        }
    }

    [Fact]
    public void Wildcards_match_without_backtracking_blowup()
    {
        Assert.True(Wildcard.Matches("*@example.com", "a@EXAMPLE.com"));
        Assert.True(Wildcard.Matches("a*b*c", "aXXbYYc"));
        Assert.False(Wildcard.Matches("a*b*c", "aXXbYY"));
        Assert.False(Wildcard.Matches(string.Concat(Enumerable.Repeat("*a", 50)) + "b", new string('a', 5000)));
    }

    [Fact]
    public void A_self_signed_certificate_is_created_once_with_a_private_key_file()
    {
        using var dir = new TempDir("sekisho-cert");
        using var first = SelfSignedCertificate.CreateOrLoad(dir.Path, "gw.sekisho.test", TimeProvider.System);
        using var second = SelfSignedCertificate.CreateOrLoad(dir.Path, "gw.sekisho.test", TimeProvider.System);
        Assert.Equal(first.Thumbprint, second.Thumbprint);
        Assert.True(first.HasPrivateKey);
        Assert.True(first.MatchesHostname("gw.sekisho.test"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "selfsigned-key.pem")));
        var other = new TempDir("sekisho-cert2");
        using (SelfSignedCertificate.CreateOrLoad(other.Path, "x.test", TimeProvider.System)) { }
        var ex = Assert.Throws<InvalidDataException>(() => SelfSignedCertificate.LoadPem(Path.Combine(dir.Path, "selfsigned-cert.pem"), Path.Combine(other.Path, "selfsigned-key.pem")));
        Assert.Contains("cannot be used together", ex.Message, StringComparison.Ordinal);
        other.Dispose();
    }

    [Fact]
    public void Options_refuse_limits_outside_the_allowed_ranges()
    {
        var o = new SmtpGatewayOptions();
        o.Limits.MaxMessageSize = 151L * 1024 * 1024;
        Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        o = new SmtpGatewayOptions();
        o.Delivery.InboundQueueLifetime = TimeSpan.FromDays(11);
        Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        o = new SmtpGatewayOptions();
        o.Delivery.InboundQueueLifetime = TimeSpan.FromDays(10);
        o.Validate();
        o.TlsCertificateFile = "cert.pem";
        Assert.Throws<ArgumentException>(o.Validate);
    }

    [Theory]
    [InlineData("127.0.0.1:2525", "127.0.0.1", 2525)]
    [InlineData("[::1]:587", "::1", 587)]
    [InlineData(":25", "0.0.0.0", 25)]
    [InlineData("localhost:2526", "127.0.0.1", 2526)]
    public void Listener_endpoints_parse_like_the_command_line_options(string text, string address, int port)
    {
        var ep = ListenerOptions.ParseEndpoint(text);
        Assert.Equal(IPAddress.Parse(address), ep.Address);
        Assert.Equal(port, ep.Port);
    }

    [Theory]
    [InlineData("25")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("host.example:25")]
    public void Bad_listener_endpoints_get_a_clear_error(string text)
    {
        var ex = Assert.Throws<FormatException>(() => ListenerOptions.ParseEndpoint(text));
        Assert.Contains("ADDR:PORT", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<a@b.example>", "a", "b.example", false)]
    [InlineData("<\"a b\"@b.example>", "a b", "b.example", true)]
    [InlineData("<\"a\\\"q\"@b.example>", "a\"q", "b.example", true)]
    [InlineData("<ユーザー@例え.jp>", "ユーザー", "例え.jp", false)]
    public void Paths_parse_strictly(string path, string local, string domain, bool quoted)
    {
        var r = SmtpPathParser.ParsePath(path, false, false);
        Assert.True(r.Success);
        Assert.Equal((local, domain, quoted), (r.Mailbox!.LocalPart, r.Mailbox.Domain, r.Mailbox.IsQuotedLocalPart));
        if (domain == "例え.jp") Assert.Equal("xn--r8jz45g.jp", r.Mailbox.AsciiDomain);
    }

    [Theory]
    [InlineData("<a..b@x.example>")]
    [InlineData("<.a@x.example>")]
    [InlineData("<a@-x.example>")]
    [InlineData("<a@x..example>")]
    [InlineData("<a@[300.1.1.1]>")]
    [InlineData("<a b@x.example>")]
    [InlineData("<a@x.example")]
    [InlineData("<>")]
    public void Malformed_paths_are_refused(string path) => Assert.False(SmtpPathParser.ParsePath(path, false, false).Success);
}
