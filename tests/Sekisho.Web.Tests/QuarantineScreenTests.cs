using System.Net;
using System.Text.RegularExpressions;
using Sekisho.Model.Rules;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>The quarantine screen (隔離): query, detail with the trace, download, release and delete with anti-forgery.</summary>
public sealed class QuarantineScreenTests
{
    [Fact]
    public async Task The_quarantine_screen_queries_shows_downloads_releases_and_deletes()
    {
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ReleaseVia = $"127.0.0.1:{mta.Port}");
        var a = await QuarantineApiTests.QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        var b = await QuarantineApiTests.QuarantineAsync(host, "carol@example.co.jp", "dave@customer.example", "Quarterly report", Direction.Outbound, "送信ファイル制限");
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/quarantine");

        var list = await client.GetStringAsync("/quarantine");
        Assert.Contains("id=\"nav-quarantine\"", list);
        Assert.Contains("<h1>隔離</h1>", list);
        Assert.Equal(2, Regex.Matches(list, "<tr data-id=").Count);
        var filtered = await client.GetStringAsync("/quarantine?direction=outbound&subject=Quarterly");
        Assert.Equal([b], Regex.Matches(filtered, "<tr data-id=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("隔離されたメッセージはありません", await client.GetStringAsync("/quarantine?sender=nobody@example.net"));

        var detail = await client.GetStringAsync($"/quarantine/detail?id={a}");
        Assert.Contains("請求書のご送付", detail);
        Assert.Contains("invoice.exe: exe", detail); // the stored trace
        Assert.Contains("id=\"release\"", detail);
        var download = await client.GetAsync($"/quarantine/detail?handler=Download&id={a}");
        Assert.Equal("message/rfc822", download.Content.Headers.ContentType!.MediaType);
        Assert.Contains("invoice.exe", await download.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/quarantine/detail?id=nosuchid")).StatusCode);

        // Without the anti-forgery token a release is refused.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/quarantine/detail?handler=Release",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = a }))).StatusCode);
        var released = await ConsoleHost.PostFormAsync(client, $"/quarantine/detail?id={a}", "/quarantine/detail?handler=Release", new() { ["id"] = a });
        Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);
        Assert.Equal("bob@example.co.jp", Assert.Single(await mta.WaitForMessagesAsync(1)).Recipients.Single());
        Assert.Contains("を配信しました", await client.GetStringAsync("/quarantine"));

        var deleted = await ConsoleHost.PostFormAsync(client, $"/quarantine/detail?id={b}", "/quarantine/detail?handler=Delete", new() { ["id"] = b });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Empty(Regex.Matches(await client.GetStringAsync("/quarantine"), "<tr data-id="));
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Equal("web:admin", (await s.QueryAuditAsync(eventType: "quarantine.released")).Single().Actor);
        Assert.Equal("web:admin", (await s.QueryAuditAsync(eventType: "quarantine.deleted")).Single().Actor);
    }

    [Fact]
    public async Task A_read_only_user_sees_the_quarantine_but_cannot_release_or_delete()
    {
        await using var host = await ConsoleHost.StartAsync();
        var a = await QuarantineApiTests.QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "請求書のご送付");
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        await client.GetAsync("/lang/en?returnUrl=/quarantine");
        Assert.Contains("<h1>Quarantine</h1>", await client.GetStringAsync("/quarantine"));
        var detail = await client.GetStringAsync($"/quarantine/detail?id={a}");
        Assert.DoesNotContain("id=\"release\"", detail);
        Assert.DoesNotContain("id=\"delete\"", detail);
        var token = Regex.Match(await client.GetStringAsync("/account"), "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var refused = await client.PostAsync("/quarantine/detail?handler=Delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = a, ["__csrf"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Single(Regex.Matches(await client.GetStringAsync("/quarantine"), "<tr data-id="));
    }
}
