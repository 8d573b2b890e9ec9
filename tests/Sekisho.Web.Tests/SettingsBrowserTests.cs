using Microsoft.Playwright;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>
/// 設定 and ログ in Debian's headless Chromium: block an address and a sender on 接続フィルタ, generate a DKIM key on
/// ドメインベースの認証 and read its TXT record, then look at mail tracking, one record's details and the policy events.
/// Screenshots go to artifacts/screenshots/ja/settings-*.png.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SettingsBrowserTests
{
    [Fact]
    public async Task An_administrator_changes_settings_and_reads_the_logs_in_the_browser()
    {
        await using var host = await ConsoleHost.StartAsync(kestrel: true);
        await SettingsApiTests.AddDomainAsync(host, "example.co.jp");
        await LogsApiTests.SeedAsync(host);
        await using var chromium = await ConsoleBrowser.OpenAsync(host, "ja", locale: "ja-JP");
        var page = chromium.Page;
        Task Shot(string name) => chromium.ShotAsync("settings-" + name, numbered: false);

        await chromium.SignInAsAdministratorAsync("ja");

        await page.ClickAsync("#nav-settings");
        await Assertions.Expect(page.Locator("#tab-connection")).ToHaveClassAsync("active");
        await page.FillAsync("#blocked-ips", "203.0.113.7 spam source\n198.51.100.0/24");
        await page.FillAsync("#blocked-senders", "*@bulk.example");
        await page.SelectOptionAsync("#ip-reputation-level", "3");
        await page.ClickAsync("#save-connection");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync("設定を保存しました。");
        await Assertions.Expect(page.Locator("#blocked-ips")).ToHaveValueAsync("203.0.113.7 spam source\n198.51.100.0/24");
        await Shot("connection");
        await page.FillAsync("#blocked-ips", "203.0.113.300");
        await page.ClickAsync("#save-connection");
        await Assertions.Expect(page.Locator("p.error")).ToContainTextAsync("「203.0.113.300」は IP アドレスでも CIDR でもありません。");
        await Shot("connection-error");

        await page.ClickAsync("#tab-authentication");
        await page.FillAsync("#key-selector", "s2026");
        await page.SelectOptionAsync("#key-bits", "1024");
        await page.ClickAsync("#generate-key");
        var key = page.Locator("tr[data-key='example.co.jp/s2026']");
        await Assertions.Expect(key.Locator("pre.txt")).ToContainTextAsync("s2026._domainkey.example.co.jp. IN TXT ( \"v=DKIM1; k=rsa; p=");
        await page.SelectOptionAsync("#spf-soft-fail", "quarantine");
        await page.ClickAsync("#save-authentication");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync("設定を保存しました。");
        await Assertions.Expect(page.Locator("#spf-soft-fail")).ToHaveValueAsync("quarantine");
        await Shot("authentication");

        await page.ClickAsync("#nav-logs");
        await page.ClickAsync("#tab-mail");
        await Assertions.Expect(page.Locator("tr[data-key]")).ToHaveCountAsync(3);
        await Shot("mail-tracking");
        await page.Locator("tr[data-key='Q2:0'] a").ClickAsync();
        await Assertions.Expect(page.Locator("#mail-detail")).ToContainTextAsync("250 2.0.0 Ok");
        await Shot("mail-detail");
        await page.ClickAsync("#tab-policy-events");
        await Assertions.Expect(page.Locator("tr[data-rule]")).ToHaveCountAsync(4);
        await Shot("policy-events");
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        var settings = await s.GetSettingsAsync();
        Assert.Equal(["203.0.113.7", "198.51.100.0/24"], settings.ConnectionFiltering.BlockedIps.Select(e => e.Cidr));
        Assert.Equal("s2026", settings.Authentication.DkimSigning.Single().Selector);
    }
}
