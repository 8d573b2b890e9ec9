using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sekisho.Model.Rules;
using Sekisho.Store;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

public sealed class QuarantineApiTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A real MIME message with an attachment, quarantined for one recipient through the store.</summary>
    internal static Task<string> QuarantineAsync(ConsoleHost host, string sender, string recipient, string subject, Direction direction = Direction.Inbound,
        string rule = "高リスク添付ファイル")
    {
        var encodedSubject = "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(subject)) + "?=";
        var mime = $"From: {sender}\r\nTo: {recipient}\r\nSubject: {encodedSubject}\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            Convert.ToBase64String(Encoding.UTF8.GetBytes("請求書を添付します。")) + "\r\n--b1\r\nContent-Type: application/octet-stream; name=\"invoice.exe\"\r\n" +
            "Content-Disposition: attachment; filename=\"invoice.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n--b1--\r\n";
        var trace = JsonSerializer.Serialize(new
        {
            recipient,
            outcome = "quarantine",
            decidedBy = new { id = "rule-1", name = rule },
            steps = new[] { new { rule, matched = true, criterion = "attachment-true-type", detail = "invoice.exe: exe" } },
        });
        return new QuarantineStore(host.Store, host.Organization).AddAsync(new NewQuarantinedMessage(recipient, sender, direction, subject, Encoding.ASCII.GetBytes(mime),
            "rule-1", rule, "attachment-true-type (exe)", "default", trace, Received, "Q" + recipient.Length), 30);
    }

    [Fact]
    public async Task Quarantined_messages_are_listed_filtered_shown_and_downloaded()
    {
        await using var host = await ConsoleHost.StartAsync();
        var a = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        var b = await QuarantineAsync(host, "carol@example.co.jp", "dave@customer.example", "Quarterly report", Direction.Outbound, "送信ファイル制限");
        var viewer = host.Api(host.ViewerToken);

        var all = await viewer.GetFromJsonAsync<JsonElement[]>("/api/v1/quarantine");
        Assert.Equal(2, all!.Length);
        Assert.Equal([a], await Ids(viewer, "/api/v1/quarantine?direction=inbound"));
        Assert.Equal([b], await Ids(viewer, "/api/v1/quarantine?direction=outbound"));
        Assert.Equal([a], await Ids(viewer, "/api/v1/quarantine?sender=alice@partner.example"));
        Assert.Equal([b], await Ids(viewer, "/api/v1/quarantine?recipient=DAVE@customer.example"));
        Assert.Equal([a], await Ids(viewer, "/api/v1/quarantine?subject=" + Uri.EscapeDataString("請求書")));
        Assert.Equal([b], await Ids(viewer, "/api/v1/quarantine?rule=" + Uri.EscapeDataString("送信ファイル制限")));
        Assert.Empty(await Ids(viewer, "/api/v1/quarantine?since=2099-01-01T00:00:00Z"));
        Assert.Single(await Ids(viewer, "/api/v1/quarantine?limit=1"));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/v1/quarantine?direction=sideways")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/v1/quarantine?since=yesterday")).StatusCode);

        var detail = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/quarantine/{a}");
        var m = detail.GetProperty("message");
        Assert.Equal(("bob@example.co.jp", "alice@partner.example", "高リスク添付ファイル", "attachment-true-type (exe)", "inbound"),
            (m.GetProperty("recipient").GetString(), m.GetProperty("sender").GetString(), m.GetProperty("rule").GetString(), m.GetProperty("reason").GetString(),
             m.GetProperty("direction").GetString()));
        Assert.Equal("invoice.exe: exe", detail.GetProperty("trace").GetProperty("steps")[0].GetProperty("detail").GetString());
        Assert.Equal(a, (await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/quarantine/{a[..12]}")).GetProperty("message").GetProperty("id").GetString());

        var download = await viewer.GetAsync($"/api/v1/quarantine/{a}/message");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("message/rfc822", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(a + ".eml", download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName);
        var raw = await download.Content.ReadAsByteArrayAsync();
        var parsed = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(raw));
        Assert.Equal("請求書のご送付", parsed.Subject);
        Assert.Equal("invoice.exe", parsed.Attachments.Single() is MimeKit.MimePart p ? p.FileName : null);

        var missing = await viewer.GetAsync("/api/v1/quarantine/nosuchid");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("quarantine.not-found", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/v1/quarantine/nosuchid/message")).StatusCode);
    }

    [Fact]
    public async Task Deleting_needs_an_administrator_token_and_is_audited_with_the_actor()
    {
        await using var host = await ConsoleHost.StartAsync();
        var a = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        var viewer = host.Api(host.ViewerToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).DeleteAsync($"/api/v1/quarantine/{a}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/v1/quarantine/{a}")).StatusCode);
        Assert.Single(await Ids(viewer, "/api/v1/quarantine"));

        var admin = host.Api(host.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/quarantine/{a}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/quarantine/{a}")).StatusCode);
        Assert.Empty(await Ids(viewer, "/api/v1/quarantine"));

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?type=quarantine.*");
        var e = Assert.Single(audit.EnumerateArray());
        Assert.Equal("quarantine.deleted", e.GetProperty("eventType").GetString());
        Assert.Equal("api:admin/tests", e.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Releasing_delivers_through_the_configured_server_and_is_audited_with_the_actor()
    {
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ReleaseVia = $"127.0.0.1:{mta.Port}");
        var a = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).PostAsync($"/api/v1/quarantine/{a}/release", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Api(host.ViewerToken).PostAsync($"/api/v1/quarantine/{a}/release", null)).StatusCode);
        Assert.Empty(mta.Messages);

        var admin = host.Api(host.AdminToken);
        var released = await admin.PostAsync($"/api/v1/quarantine/{a}/release", null);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        var r = await released.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bob@example.co.jp", r.GetProperty("deliveredTo")[0].GetString());
        Assert.Equal($"127.0.0.1:{mta.Port}", r.GetProperty("via").GetString());
        var delivered = Assert.Single(await mta.WaitForMessagesAsync(1));
        Assert.Equal(("alice@partner.example", "bob@example.co.jp"), (delivered.MailFrom, delivered.Recipients.Single()));
        Assert.Contains("invoice.exe", delivered.Text);
        Assert.Empty(await Ids(admin, "/api/v1/quarantine"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/quarantine/{a}/release", null)).StatusCode);

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?type=quarantine.*");
        var e = Assert.Single(audit.EnumerateArray());
        Assert.Equal(("quarantine.released", "api:admin/tests"), (e.GetProperty("eventType").GetString(), e.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task A_release_that_cannot_be_delivered_leaves_the_message_in_quarantine()
    {
        var closedPort = Sekisho.Testing.ExternalProcess.FreePort();
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ReleaseVia = $"127.0.0.1:{closedPort}");
        var a = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        var admin = host.Api(host.AdminToken);
        var failed = await admin.PostAsync($"/api/v1/quarantine/{a}/release", null);
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("quarantine.release.failed", (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal([a], await Ids(admin, "/api/v1/quarantine"));

        // Without a release server the recipient domain's inbound servers are used; this domain is not managed, so there is none.
        await using var noRoute = await ConsoleHost.StartAsync();
        var b = await QuarantineAsync(noRoute, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        var conflict = await noRoute.Api(noRoute.AdminToken).PostAsync($"/api/v1/quarantine/{b}/release", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("quarantine.release.no-route", (await conflict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Single(await Ids(noRoute.Api(noRoute.AdminToken), "/api/v1/quarantine"));
    }

    private static async Task<List<string>> Ids(HttpClient api, string path) =>
        (await api.GetFromJsonAsync<JsonElement[]>(path))!.Select(x => x.GetProperty("id").GetString()!).ToList();
}
