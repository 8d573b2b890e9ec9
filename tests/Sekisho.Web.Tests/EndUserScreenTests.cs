using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Sekisho.Mail;
using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Testing;
using static Sekisho.Web.Tests.EndUserTestSupport;

namespace Sekisho.Web.Tests;

/// <summary>The end-user quarantine (/my): sign-in and lock-out, isolation between users, release and delete, approved and blocked senders.</summary>
public sealed class EndUserScreenTests
{
    private static IEnumerable<string> Rows(string page) => Regex.Matches(page, "<tr data-id=\"([^\"]+)\"").Select(m => m.Groups[1].Value);

    [Fact]
    public async Task End_users_sign_in_with_their_own_session_and_are_locked_out_after_repeated_failures()
    {
        await using var host = await ConsoleHost.StartAsync();
        await CreateAsync(host, "bob@example.co.jp");
        await CreateAsync(host, "carol@example.co.jp");
        await CreateAsync(host, "links@example.co.jp", password: null);

        var anonymous = host.Browser();
        var redirect = await anonymous.GetAsync("/my");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/my/login", redirect.Headers.Location!.OriginalString);
        await anonymous.GetAsync("/lang/ja?returnUrl=/my/login");
        Assert.Contains("エンドユーザーコンソールにログオン", await anonymous.GetStringAsync("/my/login"));

        // Wrong password and unknown address get the same answer; a link-only account has no password to guess.
        foreach (var (address, password) in new[] { ("bob@example.co.jp", "wrong password!!"), ("nobody@example.co.jp", Password), ("links@example.co.jp", Password) })
        {
            var r = await ConsoleHost.PostFormAsync(anonymous, "/my/login", "/my/login", new() { ["address"] = address, ["password"] = password });
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Contains("メールアドレスまたはパスワードが正しくありません。", await r.Content.ReadAsStringAsync());
        }
        for (int i = 0; i < 5; i++)
            await ConsoleHost.PostFormAsync(anonymous, "/my/login", "/my/login", new() { ["address"] = "carol@example.co.jp", ["password"] = "not her password" });
        // Locked now: even the right password is refused until the lock ends.
        var locked = await ConsoleHost.PostFormAsync(anonymous, "/my/login", "/my/login", new() { ["address"] = "carol@example.co.jp", ["password"] = Password });
        Assert.Equal((HttpStatusCode)429, locked.StatusCode);

        var bob = await SignedInAsync(host, "bob@example.co.jp");
        var home = await bob.GetStringAsync("/my");
        Assert.Contains("id=\"my-address\">bob@example.co.jp<", home);
        // The end user's cookie is no console session, and an administrator's console session is no end-user session.
        Assert.Equal(HttpStatusCode.Redirect, (await bob.GetAsync("/domains")).StatusCode);
        var admin = await host.SignedInAsync();
        var adminAtMy = await admin.GetAsync("/my");
        Assert.Equal(HttpStatusCode.Redirect, adminAtMy.StatusCode);
        Assert.StartsWith("/my/login", adminAtMy.Headers.Location!.OriginalString);

        var loggedOut = await ConsoleHost.PostFormAsync(bob, "/my", "/my/logout", []);
        Assert.Equal(HttpStatusCode.Redirect, loggedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await bob.GetAsync("/my")).StatusCode);

        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Contains(await s.QueryAuditAsync(eventType: "enduser.locked"), a => a.Subject == "carol@example.co.jp");
        Assert.Contains(await s.QueryAuditAsync(eventType: "enduser.signed-in"), a => a.Actor == "enduser:bob@example.co.jp");
    }

    [Fact]
    public async Task An_end_user_sees_releases_and_deletes_only_their_own_inbound_mail()
    {
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ReleaseVia = $"127.0.0.1:{mta.Port}");
        await AddRulesAsync(host);
        await CreateAsync(host, "bob@example.co.jp");
        var bobSpam = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "格安セールのお知らせ");
        var bobVirus = await QuarantineAsync(host, "mallory@evil.example", "bob@example.co.jp", "請求書", VirusRule);
        var bobOut = await QuarantineAsync(host, "bob@example.co.jp", "x@partner.example", "送信メール", direction: Direction.Outbound);
        var carol = await QuarantineAsync(host, "alice@partner.example", "carol@example.co.jp", "キャロル宛");
        var bob = await SignedInAsync(host, "bob@example.co.jp");
        await bob.GetAsync("/lang/ja?returnUrl=/my");

        var list = await bob.GetStringAsync("/my");
        Assert.Equal(new[] { bobSpam, bobVirus }.Order(), Rows(list).Order());
        Assert.DoesNotContain(bobOut, list);
        Assert.DoesNotContain(carol, list);
        Assert.Contains("迷惑メールの疑い", list);

        var detail = await bob.GetStringAsync($"/my/message?id={bobSpam}");
        Assert.Contains("格安セールのお知らせ", detail);
        Assert.Contains("id=\"release\"", detail);
        Assert.DoesNotContain("trace-detail-xyz", detail); // no internal trace for end users
        Assert.DoesNotContain("spam score 12", detail);

        // Another user's message, an outbound message and an id prefix all look like a missing message, by GET and by POST.
        foreach (var id in new[] { carol, bobOut, bobSpam[..10] })
            Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/my/message?id={id}")).StatusCode);
        foreach (var handler in new[] { "Release", "Delete", "Approve", "Block" })
        {
            var r = await ConsoleHost.PostFormAsync(bob, $"/my/message?id={bobSpam}", $"/my/message?handler={handler}", new() { ["id"] = carol });
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        Assert.True(await InQuarantineAsync(host, carol));
        Assert.Empty(await host.App.Services.GetRequiredService<EndUsers.EndUserService>().SendersAsync("bob@example.co.jp", default));

        // Without the anti-forgery token nothing happens.
        Assert.Equal(HttpStatusCode.BadRequest, (await bob.PostAsync("/my/message?handler=Release",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = bobSpam }))).StatusCode);

        // Malware is only for administrators to release; the user may still delete it.
        var virusPage = await bob.GetStringAsync($"/my/message?id={bobVirus}");
        Assert.Contains("不正プログラムを検出", virusPage);
        Assert.Contains("id=\"my-not-releasable\"", virusPage);
        var refused = await ConsoleHost.PostFormAsync(bob, $"/my/message?id={bobVirus}", "/my/message?handler=Release", new() { ["id"] = bobVirus });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.True(await InQuarantineAsync(host, bobVirus));

        var released = await ConsoleHost.PostFormAsync(bob, $"/my/message?id={bobSpam}", "/my/message?handler=Release", new() { ["id"] = bobSpam });
        Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);
        var delivered = Assert.Single(await mta.WaitForMessagesAsync(1));
        Assert.Equal(["bob@example.co.jp"], delivered.Recipients);
        Assert.Contains("Subject: =?UTF-8?B?", delivered.Text);
        Assert.False(await InQuarantineAsync(host, bobSpam));
        Assert.Contains("メッセージを配信しました。", await bob.GetStringAsync("/my"));

        var deleted = await ConsoleHost.PostFormAsync(bob, $"/my/message?id={bobVirus}", "/my/message?handler=Delete", new() { ["id"] = bobVirus });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Empty(Rows(await bob.GetStringAsync("/my")));
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Equal("enduser:bob@example.co.jp", (await s.QueryAuditAsync(eventType: "quarantine.released")).Single().Actor);
        Assert.Equal("enduser:bob@example.co.jp", (await s.QueryAuditAsync(eventType: "quarantine.deleted")).Single().Actor);
    }

    [Fact]
    public async Task Approved_and_blocked_senders_of_an_end_user_take_effect_in_the_policy_engine()
    {
        await using var host = await ConsoleHost.StartAsync();
        await AddRulesAsync(host);
        await CreateAsync(host, "bob@example.co.jp");
        var bob = await SignedInAsync(host, "bob@example.co.jp");
        await bob.GetAsync("/lang/en?returnUrl=/my/senders");

        var approved = await ConsoleHost.PostFormAsync(bob, "/my/senders", "/my/senders?handler=Add", new() { ["list"] = "approved", ["sender"] = "alice@partner.example" });
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        await ConsoleHost.PostFormAsync(bob, "/my/senders", "/my/senders?handler=Add", new() { ["list"] = "blocked", ["sender"] = "*@spam.example" });
        var bad = await ConsoleHost.PostFormAsync(bob, "/my/senders", "/my/senders?handler=Add", new() { ["list"] = "blocked", ["sender"] = "*@*" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("cannot be used as a sender", await bad.Content.ReadAsStringAsync());
        var page = await bob.GetStringAsync("/my/senders");
        Assert.Contains("data-sender=\"alice@partner.example\"", page);
        Assert.Contains("data-sender=\"*@spam.example\"", page);

        Model.PolicySnapshot snapshot;
        await using (var s = await host.Store.BeginReadAsync(host.Organization, "test")) snapshot = await s.LoadSnapshotAsync();
        Assert.Equal(2, snapshot.Settings.SenderFilter.Entries.Count);
        var engine = new PolicyEngine(snapshot);
        var raw = System.Text.Encoding.ASCII.GetBytes("From: alice@partner.example\r\nTo: bob@example.co.jp, carol@example.co.jp\r\nSubject: offer\r\nMessage-ID: <1@partner.example>\r\n\r\nviagra\r\n");
        var plan = await engine.EvaluateAsync(new MessageInspector().Inspect(raw),
            new MessageEnvelope(IPAddress.Parse("203.0.113.9"), "mx.partner.example", "alice@partner.example", ["bob@example.co.jp", "carol@example.co.jp"], TrafficDirection.Inbound), raw);
        Assert.Equal(RuleDisposition.ApprovedSender, plan.Recipients[0].Rules.Single(r => r.RuleId == SpamRule).Disposition);
        Assert.NotEqual(RuleDisposition.ApprovedSender, plan.Recipients[1].Rules.Single(r => r.RuleId == SpamRule).Disposition);

        var spam = System.Text.Encoding.ASCII.GetBytes("From: promo@spam.example\r\nTo: bob@example.co.jp\r\nSubject: offer\r\nMessage-ID: <2@spam.example>\r\n\r\nhello\r\n");
        var blocked = await engine.EvaluateAsync(new MessageInspector().Inspect(spam),
            new MessageEnvelope(IPAddress.Parse("203.0.113.9"), "mx.spam.example", "promo@spam.example", ["bob@example.co.jp", "carol@example.co.jp"], TrafficDirection.Inbound), spam);
        Assert.Equal((FinalAction.Delete, FinalAction.Deliver), (blocked.Recipients[0].Outcome, blocked.Recipients[1].Outcome));

        // Removing takes it out of the engine's lists again; every change is audited as the end user.
        var removed = await ConsoleHost.PostFormAsync(bob, "/my/senders", "/my/senders?handler=Remove", new() { ["list"] = "blocked", ["sender"] = "*@spam.example" });
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        await using var s2 = await host.Store.BeginReadAsync(host.Organization, "test");
        Assert.Equal("alice@partner.example", (await s2.GetSettingsAsync()).SenderFilter.Entries.Single().Sender.ToString());
        Assert.All(await s2.QueryAuditAsync(eventType: "settings.updated"), a => Assert.Equal("enduser:bob@example.co.jp", a.Actor));
    }

    [Fact]
    public async Task Administrators_add_and_remove_end_users_on_the_console_and_read_only_users_only_look()
    {
        await using var host = await ConsoleHost.StartAsync();
        var admin = await host.SignedInAsync();
        await admin.GetAsync("/lang/ja?returnUrl=/endusers");
        var page = await admin.GetStringAsync("/endusers");
        Assert.Contains("id=\"nav-endusers\"", page);
        Assert.Contains("エンドユーザアカウントはありません。", page);

        var added = await ConsoleHost.PostFormAsync(admin, "/endusers", "/endusers?handler=Add", new() { ["address"] = "Bob@example.co.jp", ["password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        await ConsoleHost.PostFormAsync(admin, "/endusers", "/endusers?handler=Add", new() { ["address"] = "links@example.co.jp", ["password"] = "" });
        var bad = await ConsoleHost.PostFormAsync(admin, "/endusers", "/endusers?handler=Add", new() { ["address"] = "bob at example", ["password"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("メールアドレス「bob at example」は使えません。", await bad.Content.ReadAsStringAsync());
        var list = await admin.GetStringAsync("/endusers");
        Assert.Contains("data-address=\"bob@example.co.jp\"", list);
        Assert.Contains("隔離通知のリンクのみ", list);
        await SignedInAsync(host, "bob@example.co.jp");

        var viewer = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        var seen = await viewer.GetStringAsync("/endusers");
        Assert.Contains("data-address=\"links@example.co.jp\"", seen);
        Assert.DoesNotContain("id=\"add-enduser\"", seen);
        var token = Regex.Match(await viewer.GetStringAsync("/account"), "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var refused = await viewer.PostAsync("/endusers?handler=Remove", new FormUrlEncodedContent(new Dictionary<string, string> { ["address"] = "links@example.co.jp", ["__csrf"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var removed = await ConsoleHost.PostFormAsync(admin, "/endusers", "/endusers?handler=Remove", new() { ["address"] = "links@example.co.jp" });
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.DoesNotContain("data-address=\"links@example.co.jp\"", await admin.GetStringAsync("/endusers"));
        var digests = await ConsoleHost.PostFormAsync(admin, "/endusers", "/endusers?handler=Digest", []);
        Assert.Equal(HttpStatusCode.Redirect, digests.StatusCode);
        Assert.Contains("隔離通知を送信しました: 0 件", await admin.GetStringAsync("/endusers"));
        await using var s = await host.Store.BeginReadAsync(host.Organization, "test");
        Assert.Equal("web:admin", (await s.QueryAuditAsync(eventType: "enduser.removed")).Single().Actor);
    }
}
