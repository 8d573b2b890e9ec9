using Microsoft.Playwright;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>
/// The console in Debian's headless Chromium, driven by Playwright, through the migration guide's path (seed 000):
/// log on → add a domain → verify it against DNS → migrate seed-example.dat → the inbound content filter list shows the
/// four rules with their statuses → open the "!" of the first, mark it done, enable it → the audit log shows each step.
/// Screenshots of every step go to artifacts/screenshots/{language}/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserFlowTests
{
    private static readonly Dictionary<string, Dictionary<string, string>> Texts = new()
    {
        ["ja"] = new()
        {
            ["needs-setup"] = "設定が必要", ["verified"] = "完了", ["needs-fix"] = "修正が必要です", ["successful"] = "成功", ["fixed"] = "修正済み",
            ["enabled"] = "有効", ["signed-in"] = "ログオン", ["domain-added"] = "ドメインの追加", ["domain-verified"] = "ドメインの確認",
            ["analysis-started"] = "InterScan MSS/IMSVAの設定の解析を開始", ["import-completed"] = "InterScan MSS/IMSVAの設定のインポートを完了",
            ["status-changed"] = "移行ステータスの変更", ["rule-enabled"] = "ルールの有効化", ["file-name"] = "ファイル名", ["merge"] = "統合",
            ["last"] = "前回の移行", ["expiry"] = "レポートの有効期限",
        },
        ["en"] = new()
        {
            ["needs-setup"] = "Configuration required", ["verified"] = "Completed", ["needs-fix"] = "Needs fix", ["successful"] = "Successful", ["fixed"] = "Fixed",
            ["enabled"] = "Enabled", ["signed-in"] = "Logged on", ["domain-added"] = "Domain added", ["domain-verified"] = "Domain verified",
            ["analysis-started"] = "Started analysing the InterScan MSS/IMSVA settings", ["import-completed"] = "Finished importing the InterScan MSS/IMSVA settings",
            ["status-changed"] = "Migration status changed", ["rule-enabled"] = "Rule enabled", ["file-name"] = "File name", ["merge"] = "Merge",
            ["last"] = "Last migration", ["expiry"] = "Report available until",
        },
    };

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public async Task An_administrator_migrates_from_InterScan_in_the_browser(string language)
    {
        var text = Texts[language];
        await using var host = await ConsoleHost.StartAsync(kestrel: true);
        await using var chromium = await ConsoleBrowser.OpenAsync(host, language, locale: language == "ja" ? "en-US" : "ja-JP");
        var page = chromium.Page;
        Task Shot(string name) => chromium.ShotAsync(name);

        // The language switch beats the browser's own language (the locale above is deliberately the other one).
        await page.GotoAsync($"/lang/{language}?returnUrl=/login");
        Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
        await page.FillAsync("#user", "admin");
        await page.FillAsync("#password", ConsoleHost.AdminPassword);
        await Shot("login");
        await page.ClickAsync("#login");
        await page.WaitForURLAsync("**/domains");

        // Add the domain: it needs setup until its TXT record is verified.
        await page.ClickAsync("#add-domain");
        await page.FillAsync("#domain-name", "example.co.jp");
        await page.FillAsync("#inbound-servers", "mx.example.co.jp:25,10");
        await Shot("domain-add");
        await page.ClickAsync("#save-domain");
        var row = page.Locator("tr[data-domain='example.co.jp']");
        await Assertions.Expect(row.Locator(".status")).ToContainTextAsync(text["needs-setup"]);
        await Assertions.Expect(row.Locator(".bang")).ToBeVisibleAsync();
        await row.Locator("details.how summary").ClickAsync();
        var txt = (await row.Locator("pre.txt").InnerTextAsync()).Trim();
        Assert.Matches("^example\\.co\\.jp\\. IN TXT \"sekisho-verification=[0-9a-f]+\"$", txt);
        await Shot("domain-needs-setup");
        host.Dns.Txt("example.co.jp", txt.Split('"')[1]);
        await row.Locator("button.verify").ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-domain='example.co.jp'] .status")).ToHaveTextAsync(text["verified"]);
        await Assertions.Expect(page.Locator("tr[data-domain='example.co.jp'] .bang")).ToHaveCountAsync(0);
        await Shot("domain-verified");

        // The migration tool: prerequisites → start → file and mode → analysis → next → results → done.
        await page.ClickAsync("#nav-migration");
        await Shot("migration-start");
        await page.ClickAsync("#start");
        Assert.True(await page.IsCheckedAsync("#mode-merge"));
        await page.SetInputFilesAsync("#export-file", RepoPaths.Fixture("imsva", "seed-example.dat"));
        await Shot("migration-upload");
        await page.ClickAsync("#analyze");
        await page.WaitForSelectorAsync("#step-analysis");
        await Assertions.Expect(page.Locator("#summary td[data-status='error']")).ToHaveTextAsync("1");
        await Shot("migration-analysis");
        // Show filter: errors only.
        foreach (var s in new[] { "not-supported", "warning", "successful" }) await page.UncheckAsync("#show-" + s);
        await page.ClickAsync("#show-filter button");
        await Assertions.Expect(page.Locator("#items tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#items tbody tr")).ToHaveAttributeAsync("data-item", "rule:R1");
        await page.Locator("#items tbody tr details summary").ClickAsync();
        await Assertions.Expect(page.Locator("#items tbody tr details")).ToContainTextAsync("bcc-unmanaged-domain");
        await Shot("migration-analysis-errors");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#report-analysis"));
        Assert.EndsWith(".html", download.SuggestedFilename);
        await page.ClickAsync("#next");
        await page.WaitForSelectorAsync("#step-results");
        await Shot("migration-results");
        await page.ClickAsync("#finish");
        await Assertions.Expect(page.Locator("#last-migration")).ToContainTextAsync(text["last"]);
        await Assertions.Expect(page.Locator("#last-migration .expires")).ToContainTextAsync(text["expiry"]);
        await Shot("migration-done");

        // The inbound content filter list shows the seed's four rules with their statuses.
        await page.ClickAsync("#nav-inbound");
        await page.ClickAsync("#tab-content");
        var rows = page.Locator("#rules tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        Assert.Equal(["DDEIにBCCでメール送信", "TMEMS Migration Test Policy", "パスワードで保護された添付ファイルの初期設定ルール", "パスワードで保護された添付ファイルの検索ルール (例外処理)"],
            (await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.rule)")));
        await Assertions.Expect(rows.Nth(0).Locator("td.migration")).ToContainTextAsync(text["needs-fix"]);
        await Assertions.Expect(rows.Nth(0).Locator(".bang")).ToBeVisibleAsync();
        for (int i = 1; i < 4; i++) await Assertions.Expect(rows.Nth(i).Locator("td.migration")).ToHaveTextAsync(text["successful"]);
        await Assertions.Expect(rows.Nth(0).Locator("button.toggle")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("off"));
        await Shot("inbound-content-rules");

        // The rule in full, with the finding and how to fix it.
        await rows.Nth(0).Locator("td:nth-child(3) a").ClickAsync();
        await Assertions.Expect(page.Locator("#rule-name")).ToHaveTextAsync("DDEIにBCCでメール送信");
        await Assertions.Expect(page.Locator("#rule-detail")).ToContainTextAsync("bcc-unmanaged-domain");
        await Shot("rule-detail");
        await page.ClickAsync("#back");
        rows = page.Locator("#rules tbody tr");

        // "!" → instructions → 完了, then enable the rule.
        await rows.Nth(0).Locator("details.fix summary").ClickAsync();
        await Assertions.Expect(rows.Nth(0).Locator(".fix-body")).ToContainTextAsync("bcc-unmanaged-domain");
        await Shot("rule-fix-instructions");
        await rows.Nth(0).Locator("button.complete").ClickAsync();
        await Assertions.Expect(page.Locator("#rules tbody tr").Nth(0).Locator("td.migration")).ToHaveTextAsync(text["fixed"]);
        await page.Locator("#rules tbody tr").Nth(0).Locator("button.toggle").ClickAsync();
        await Assertions.Expect(page.Locator("#rules tbody tr").Nth(0).Locator("button.toggle")).ToContainTextAsync(text["enabled"]);
        await Assertions.Expect(page.Locator("#rules tbody tr").Nth(0).Locator("button.toggle")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("on"));
        await Shot("rule-fixed-and-enabled");

        // The audit log shows every step, with details.
        await page.ClickAsync("#nav-logs");
        var audit = page.Locator("#audit > tbody");
        foreach (var key in new[] { "signed-in", "domain-added", "domain-verified", "analysis-started", "import-completed", "status-changed", "rule-enabled" })
            await Assertions.Expect(audit).ToContainTextAsync(text[key]);
        var started = page.Locator("#audit tr[data-event='migration.analysis-started']");
        await started.Locator("details summary").ClickAsync();
        await Assertions.Expect(started.Locator("table.changes")).ToContainTextAsync(text["file-name"]);
        await Assertions.Expect(started.Locator("table.changes")).ToContainTextAsync("seed-example.dat");
        await Assertions.Expect(started.Locator("table.changes")).ToContainTextAsync(text["merge"]);
        await Shot("audit-log");
        Assert.All(await page.Locator("#audit > tbody > tr > td:nth-child(2)").AllInnerTextsAsync(), actor => Assert.Contains(actor, new[] { "web:admin", "test" }));
    }
}
