using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sekisho.Testing;
using Sekisho.Web.EndUsers;
using static Sekisho.Web.Tests.EndUserTestSupport;

namespace Sekisho.Web.Tests;

/// <summary>
/// The end-user quarantine in Debian's headless Chromium: a digest's sign-in link → confirm → the list → a message →
/// approve its sender → the senders page → release. Screenshots go to artifacts/screenshots/enduser/{language}/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EndUserBrowserTests
{
    [Theory]
    [InlineData("ja", "迷惑メールの疑い", "承認済み送信者", "メッセージを配信しました。")]
    [InlineData("en", "Suspected spam", "Approved senders", "The message was released")]
    public async Task An_end_user_follows_the_digest_link_and_looks_after_their_quarantine(string language, string spam, string approved, string released)
    {
        await using var mta = new FakeMta().Start();
        await using var host = await ConsoleHost.StartAsync(kestrel: true, configure: o => o.ReleaseVia = $"127.0.0.1:{mta.Port}");
        await AddRulesAsync(host);
        var id = await QuarantineAsync(host, "alice@partner.example", "bob@example.co.jp", "格安セールのお知らせ");
        await QuarantineAsync(host, "mallory@evil.example", "bob@example.co.jp", "請求書", VirusRule);
        var token = host.App.Services.GetRequiredService<EndUserLinks>().Create(EndUserLinkAction.SignIn, "bob@example.co.jp", "", "", TimeSpan.FromDays(7));

        await using var chromium = await ConsoleBrowser.OpenAsync(host, Path.Combine("enduser", language), width: 1200, height: 800);
        var page = chromium.Page;
        Task Shot(string name) => chromium.ShotAsync(name);

        await page.GotoAsync($"/lang/{language}?returnUrl=" + Uri.EscapeDataString("/my/link?t=" + token));
        await Assertions.Expect(page.Locator("#my-link-question")).ToContainTextAsync("bob@example.co.jp");
        await Shot("link-confirm");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator("#my-address")).ToHaveTextAsync("bob@example.co.jp");
        await Assertions.Expect(page.Locator("#my-messages tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"tr[data-id='{id}']")).ToContainTextAsync(spam);
        await Shot("list");

        await page.ClickAsync($"tr[data-id='{id}'] a");
        await Assertions.Expect(page.Locator("#my-reason")).ToHaveTextAsync(spam);
        await Shot("message");
        await page.ClickAsync("#approve");
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("alice@partner.example");
        await page.ClickAsync("#nav-my-senders");
        await Assertions.Expect(page.Locator("h2").First).ToHaveTextAsync(approved);
        await Assertions.Expect(page.Locator("#my-approved tr[data-sender='alice@partner.example']")).ToHaveCountAsync(1);
        await Shot("senders");

        await page.ClickAsync("#nav-my-quarantine");
        await page.ClickAsync($"tr[data-id='{id}'] a");
        await page.ClickAsync("#release");
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync(released);
        await Assertions.Expect(page.Locator("#my-messages tbody tr")).ToHaveCountAsync(1);
        await Shot("released");
        Assert.Equal(["bob@example.co.jp"], Assert.Single(await mta.WaitForMessagesAsync(1)).Recipients);
    }
}
