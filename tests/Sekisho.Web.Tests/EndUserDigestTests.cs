using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sekisho.Model.Settings;
using Sekisho.Testing;
using Sekisho.Web.EndUsers;
using static Sekisho.Web.Tests.EndUserTestSupport;

namespace Sekisho.Web.Tests;

/// <summary>Quarantine digests (隔離通知): they arrive over SMTP, parse, and their signed links work once confirmed — and only then.</summary>
public sealed class EndUserDigestTests
{
    private static async Task<MimeMessage> ParseAsync(FakeMtaMessage m) => await MimeMessage.LoadAsync(new MemoryStream(m.Data));

    private static string[] Links(string text) => Regex.Matches(text, @"http://localhost/my/link\?t=[A-Za-z0-9_\-.]+").Select(m => m.Value).Distinct().ToArray();

    private static string PathOf(string link) => link["http://localhost".Length..];

    [Fact]
    public async Task A_digest_lists_new_quarantined_mail_with_links_that_act_only_after_confirmation()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(configure: o => { o.ReleaseVia = $"127.0.0.1:{mta.Port}"; o.PublicUrl = new Uri("http://localhost/"); }, time: time);
        await AddRulesAsync(host);
        var first = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "格安セールのお知らせ");
        var virus = await QuarantineAsync(host, "mallory@evil.example", "bob@example.co.jp", "請求書", VirusRule);
        await QuarantineAsync(host, "alice@partner.example", "carol@example.co.jp", "キャロル宛");
        await QuarantineAsync(host, "bob@example.co.jp", "x@partner.example", "送信メール", direction: Model.Rules.Direction.Outbound);
        var digests = host.App.Services.GetRequiredService<DigestService>();

        var run = await digests.RunAsync(default);
        Assert.Equal(["bob@example.co.jp", "carol@example.co.jp"], run.Sent.Select(s => s.Recipient));
        Assert.Equal(2, run.Sent[0].NewMessages);
        var arrived = await mta.WaitForMessagesAsync(2);
        var toBob = arrived.Single(m => m.Recipients.Single() == "bob@example.co.jp");
        Assert.Equal("", toBob.MailFrom);
        var digest = await ParseAsync(toBob);
        Assert.Equal("[Sekisho] 隔離通知: 新しい隔離メッセージ 2 件", digest.Subject);
        Assert.Equal("auto-generated", digest.Headers["Auto-Submitted"]);
        Assert.Contains("格安セールのお知らせ", digest.HtmlBody);
        Assert.Contains("請求書", digest.TextBody);
        Assert.DoesNotContain("キャロル宛", digest.TextBody);
        Assert.DoesNotContain("送信メール", digest.TextBody);
        var links = Links(digest.TextBody!);
        // Sign-in for everyone; release and approve only for the spam message; block for both.
        Assert.Equal(5, links.Length);
        Assert.Equal(links.Order(), Links(WebUtility.HtmlDecode(digest.HtmlBody!)).Order());
        var reader = host.App.Services.GetRequiredService<EndUserLinks>();
        EndUserLink Read(string link) => reader.Read(Token(link)).Link!;
        var release = links.Single(l => Read(l).Action == EndUserLinkAction.Release);
        var approve = links.Single(l => Read(l).Action == EndUserLinkAction.Approve);
        var block = links.Single(l => Read(l).Action == EndUserLinkAction.Block && Read(l).MessageId == virus);
        var signIn = links.Single(l => Read(l).Action == EndUserLinkAction.SignIn);
        Assert.Equal(first, Read(release).MessageId);

        // A mail scanner fetching the link changes nothing.
        var browser = host.Browser();
        await browser.GetAsync("/lang/ja?returnUrl=/my/login");
        var confirm = await browser.GetAsync(PathOf(release));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var confirmPage = await confirm.Content.ReadAsStringAsync();
        Assert.Contains("このメッセージを bob@example.co.jp に配信しますか?", confirmPage);
        Assert.Contains("格安セールのお知らせ", confirmPage);
        Assert.True(await InQuarantineAsync(host, first));
        Assert.Equal(2, mta.Messages.Count);

        var released = await ConsoleHost.PostFormAsync(browser, PathOf(release), "/my/link", new() { ["t"] = Token(release) });
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Contains("メッセージを配信しました。", await released.Content.ReadAsStringAsync());
        var delivered = (await mta.WaitForMessagesAsync(3)).Last();
        Assert.Equal(["bob@example.co.jp"], delivered.Recipients);
        Assert.Equal("alice@partner.example", delivered.MailFrom);
        Assert.False(await InQuarantineAsync(host, first));
        // A release link works once.
        var again = await ConsoleHost.PostFormAsync(browser, "/my/login", "/my/link", new() { ["t"] = Token(release) });
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);

        var approved = await ConsoleHost.PostFormAsync(browser, PathOf(approve), "/my/link", new() { ["t"] = Token(approve) });
        Assert.Contains("alice@partner.example を承認済み送信者に追加しました。", await approved.Content.ReadAsStringAsync());
        var blocked = await ConsoleHost.PostFormAsync(browser, PathOf(block), "/my/link", new() { ["t"] = Token(block) });
        Assert.Equal(HttpStatusCode.OK, blocked.StatusCode);
        var senders = await host.App.Services.GetRequiredService<EndUserService>().SendersAsync("bob@example.co.jp", default);
        Assert.Equal([new EndUserSender(SenderListKind.Approved, "alice@partner.example"), new EndUserSender(SenderListKind.Blocked, "mallory@evil.example")],
            senders.OrderBy(s => s.List));
        await using (var s = await host.Store.BeginReadAsync(host.Organization, "test"))
        {
            Assert.Equal("enduser-link:bob@example.co.jp", (await s.QueryAuditAsync(eventType: "quarantine.released")).Single().Actor);
            Assert.All(await s.QueryAuditAsync(eventType: "settings.updated"), a => Assert.Equal("enduser-link:bob@example.co.jp", a.Actor));
        }

        // The sign-in link opens the end-user console (no account needed: the link is bound to the address).
        var signedIn = await ConsoleHost.PostFormAsync(browser, PathOf(signIn), "/my/link", new() { ["t"] = Token(signIn) });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var home = await browser.GetStringAsync("/my");
        Assert.Contains("id=\"my-address\">bob@example.co.jp<", home);
        Assert.Contains(virus, home);

        // Nothing new: no digest. One new message: a digest with that one only.
        Assert.Empty((await digests.RunAsync(default)).Sent);
        time.Advance(TimeSpan.FromMinutes(5));
        await QuarantineAsync(host, "promo@shop.example", "bob@example.co.jp", "新着のお知らせ");
        var next = Assert.Single((await digests.RunAsync(default)).Sent);
        Assert.Equal(("bob@example.co.jp", 1), (next.Recipient, next.NewMessages));
        Assert.DoesNotContain("請求書", (await ParseAsync((await mta.WaitForMessagesAsync(4)).Last())).TextBody);
    }

    private static string Token(string link) => WebUtility.UrlDecode(link[(link.IndexOf("t=", StringComparison.Ordinal) + 2)..]);

    [Fact]
    public async Task Tampered_and_expired_links_are_refused_with_a_clear_page_and_change_nothing()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ConsoleHost.StartAsync(configure: o => o.PublicUrl = new Uri("http://localhost/"), time: time);
        await AddRulesAsync(host);
        var id = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "格安セールのお知らせ");
        var carol = await QuarantineAsync(host, "alice@partner.example", "carol@example.co.jp", "キャロル宛");
        var links = host.App.Services.GetRequiredService<EndUserLinks>();
        var token = links.Create(EndUserLinkAction.Release, "bob@example.co.jp", id, "alice@partner.example", TimeSpan.FromDays(7));
        var browser = host.Browser();
        await browser.GetAsync("/lang/en?returnUrl=/my/login");

        // Bound to bob: pointing it at carol's message or at carol breaks the signature.
        var (payload, signature) = (token[..token.IndexOf('.')], token[(token.IndexOf('.') + 1)..]);
        var fields = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload)).Split('\n');
        fields[2] = "carol@example.co.jp";
        fields[3] = carol;
        var forged = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', fields))) + "." + signature;
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        foreach (var bad in new[] { forged, flipped, "garbage", "" })
        {
            var get = await browser.GetAsync("/my/link?t=" + Uri.EscapeDataString(bad));
            Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
            Assert.Contains("This link is not valid", await get.Content.ReadAsStringAsync());
            var post = await ConsoleHost.PostFormAsync(browser, "/my/login", "/my/link", new() { ["t"] = bad });
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        }
        Assert.True(await InQuarantineAsync(host, id));
        Assert.True(await InQuarantineAsync(host, carol));

        time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var expired = await browser.GetAsync("/my/link?t=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        Assert.Contains("This link has expired.", await expired.Content.ReadAsStringAsync());
        var late = await ConsoleHost.PostFormAsync(browser, "/my/login", "/my/link", new() { ["t"] = token });
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.True(await InQuarantineAsync(host, id));
    }

    [Fact]
    public async Task Administrators_manage_end_user_accounts_and_run_digests_through_the_api()
    {
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ReleaseVia = $"127.0.0.1:{mta.Port}");
        await AddRulesAsync(host);
        var admin = host.Api(host.AdminToken);
        var viewer = host.Api(host.ViewerToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).GetAsync("/api/v1/endusers")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/endusers", new { address = "bob@example.co.jp" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/digests/run", null)).StatusCode);

        var created = await admin.PostAsJsonAsync("/api/v1/endusers", new { address = "Bob@Example.co.jp", password = Password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/endusers", new { address = "links@example.co.jp" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/v1/endusers", new { address = "bob@example.co.jp", password = Password })).StatusCode);
        var bad = await admin.PostAsJsonAsync("/api/v1/endusers", new { address = "not an address" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("enduser.address.invalid", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/endusers", new { address = "c@example.co.jp", password = "short" })).StatusCode);

        var list = await viewer.GetFromJsonAsync<JsonElement[]>("/api/v1/endusers");
        Assert.Equal([("bob@example.co.jp", true), ("links@example.co.jp", false)],
            list!.Select(u => (u.GetProperty("address").GetString(), u.GetProperty("hasPassword").GetBoolean())));
        Assert.DoesNotContain("pbkdf2", JsonSerializer.Serialize(list));

        await SignedInAsync(host, "bob@example.co.jp");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/endusers/links@example.co.jp")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/endusers/links@example.co.jp")).StatusCode);

        await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "格安セールのお知らせ");
        await using (var s0 = await host.Store.BeginAsync(host.Organization, "test"))
        {
            var settings = await s0.GetSettingsAsync();
            await s0.SaveSettingsAsync(settings with { EndUserQuarantine = settings.EndUserQuarantine with { DigestLanguage = "en" } });
            await s0.CommitAsync();
        }
        var run = await (await admin.PostAsync("/api/v1/digests/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bob@example.co.jp", run.GetProperty("sent")[0].GetProperty("recipient").GetString());
        Assert.Equal($"127.0.0.1:{mta.Port}", run.GetProperty("sent")[0].GetProperty("route").GetString());
        var english = await ParseAsync(Assert.Single(await mta.WaitForMessagesAsync(1)));
        Assert.Equal("[Sekisho] Quarantine digest: 1 new quarantined messages", english.Subject);
        Assert.Contains("Suspected spam", english.TextBody);
        Assert.Contains("Release: http://127.0.0.1:8025/my/link?t=", english.TextBody);
        await using var s = await host.Store.BeginReadAsync(host.Organization, "test");
        Assert.Equal("api:admin/tests", (await s.QueryAuditAsync(eventType: "enduser.created")).Last().Actor);
    }

    [Fact]
    public void Digests_are_due_daily_at_the_digest_hour_or_every_so_many_hours()
    {
        var settings = new EndUserQuarantineSettings();
        DateTimeOffset Local(int day, int hour, int minute = 0) => new DateTimeOffset(new DateTime(2026, 12, day, hour, minute, 0), TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 12, day, hour, minute, 0)));
        Assert.Equal(Local(7, 8), DigestScheduler.NextRun(Local(7, 7, 30), null, settings));
        Assert.Equal(Local(8, 8), DigestScheduler.NextRun(Local(7, 9), null, settings)); // a restart after 08:00 sends no extra digest
        Assert.Equal(Local(8, 8), DigestScheduler.NextRun(Local(7, 7), Local(7, 8), settings));
        Assert.Equal(Local(9, 8), DigestScheduler.NextRun(Local(7, 7), Local(7, 8), settings with { DigestIntervalHours = 48 }));
        Assert.Equal(Local(7, 14), DigestScheduler.NextRun(Local(7, 7), Local(7, 8), settings with { DigestIntervalHours = 6 }));
        Assert.Equal(Local(7, 18), DigestScheduler.NextRun(Local(7, 7), null, settings with { DigestHour = 18 }));
    }

    [Fact]
    public async Task The_schedule_sends_the_digest_at_the_digest_hour()
    {
        var start = new DateTime(2026, 12, 7, 7, 0, 0);
        var time = new ManualTimeProvider(new DateTimeOffset(start, TimeZoneInfo.Local.GetUtcOffset(start)));
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(configure: o => { o.ReleaseVia = $"127.0.0.1:{mta.Port}"; o.DigestSchedule = true; }, time: time);
        await AddRulesAsync(host);
        await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "格安セールのお知らせ");
        // Move the clock in steps until the scheduler has run; it must not run before 08:00.
        await ExternalProcess.WaitUntilAsync(() =>
        {
            if (mta.Messages.IsEmpty) time.Advance(TimeSpan.FromMinutes(5));
            return Task.FromResult(!mta.Messages.IsEmpty);
        }, TimeSpan.FromSeconds(60), "the scheduled digest");
        Assert.True(time.GetUtcNow().ToLocalTime().TimeOfDay >= TimeSpan.FromHours(8), time.GetUtcNow().ToString("o"));
        Assert.Equal(["bob@example.co.jp"], mta.Messages.Single().Recipients);
        // The digest is recorded once the server has taken it.
        IReadOnlyList<Model.Audit.AuditRecord> recorded = [];
        await ExternalProcess.WaitUntilAsync(async () =>
        {
            await using var s = await host.Store.BeginReadAsync(host.Organization, "test");
            recorded = await s.QueryAuditAsync(eventType: "enduser.digest-sent");
            return recorded.Count > 0;
        }, TimeSpan.FromSeconds(30), "the digest record");
        Assert.Equal("system:digest", recorded.Single().Actor);
    }
}
