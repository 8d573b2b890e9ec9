using System.Text;
using Microsoft.Playwright;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>
/// The ポリシーオブジェクト screens in Debian's headless Chromium: an address group filled from an Excel (Shift_JIS) CSV file,
/// a keyword list tried in its test box, a notification previewed. Screenshots go to artifacts/screenshots/objects-{language}/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ObjectsBrowserTests
{
    [Theory]
    [InlineData("ja", "インポートしました", "このリストに一致します。", "2 行目 4 文字目")]
    [InlineData("en", "imported into", "The list matches.", "line 2, column 4")]
    public async Task An_administrator_builds_policy_objects_in_the_browser(string language, string imported, string matches, string where)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        using var dir = new TempDir("sekisho-objects-browser");
        var csv = dir.File("取引先.csv");
        File.WriteAllBytes(csv, Encoding.GetEncoding("shift_jis").GetBytes("メールアドレス,説明\r\n*@partner.example,本社\r\nsales@*,営業窓口\r\n"));
        await using var host = await ConsoleHost.StartAsync(kestrel: true);
        await using var chromium = await ConsoleBrowser.OpenAsync(host, "objects-" + language);
        var page = chromium.Page;
        Task Shot(string name) => chromium.ShotAsync(name);

        await chromium.SignInAsAdministratorAsync(language);

        await page.ClickAsync("#nav-objects");
        await page.ClickAsync("#tab-address-groups");
        await page.ClickAsync("#add-group");
        await page.FillAsync("#group-name", "取引先");
        await page.FillAsync("#group-description", "社外の取引先");
        await Shot("group-add");
        await page.ClickAsync("#save-group");
        await page.ClickAsync("tr[data-group='取引先'] a");
        await page.SetInputFilesAsync("#csv-file", csv);
        await Shot("group-import");
        await page.ClickAsync("#import-csv");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync(imported);
        await Assertions.Expect(page.Locator("#group-entries")).ToHaveValueAsync("*@partner.example,本社\nsales@*,営業窓口\n");
        await Shot("group-imported");

        await page.ClickAsync("#tab-keywords");
        await page.ClickAsync("#add-keywords");
        await page.FillAsync("#kw-name", "機密");
        await page.Locator("input.kw-pattern").Nth(0).FillAsync("社外秘");
        await page.Locator("input.kw-pattern").Nth(1).FillAsync("[0-9]{4}-[0-9]{4}");
        await page.FillAsync("#kw-test-text", "ご確認ください。\n本件は社外秘です。");
        await page.ClickAsync("#run-test");
        await Assertions.Expect(page.Locator("#test-verdict")).ToContainTextAsync(matches);
        await Assertions.Expect(page.Locator("#test-expressions")).ToContainTextAsync(where);
        await Shot("keyword-test");
        await page.ClickAsync("#save-keywords");
        await Assertions.Expect(page.Locator("tr[data-list='機密']")).ToBeVisibleAsync();

        await page.ClickAsync("#tab-notifications");
        await page.ClickAsync("#add-notification");
        await page.FillAsync("#n-name", "隔離通知");
        await page.FillAsync("#n-from", "gateway@example.co.jp");
        await page.FillAsync("#n-to", "%SENDER%");
        await page.FillAsync("#n-subject", "[隔離] %SUBJECT%");
        await page.FillAsync("#n-body", "%SENDER% のメール (%FILENAME%) はルール「%RULENAME%」で隔離されました。\n%DATE&TIME%");
        await page.FillAsync("#n-timezone", "Asia/Tokyo");
        await page.ClickAsync("#token-help summary");
        await page.ClickAsync("#run-preview");
        await Assertions.Expect(page.Locator("#preview-text")).ToContainTextAsync("taro.yamada@example.net のメール (見積書.txt)");
        await Shot("notification-preview");
        await page.ClickAsync("#save-notification");
        await Assertions.Expect(page.Locator("tr[data-notification='隔離通知']")).ToBeVisibleAsync();

        await page.ClickAsync("#tab-dlp");
        await page.SelectOptionAsync("#dlp-target", "predefined:payment-card-number");
        await page.FillAsync("#dlp-test-text", "カード番号 4111 1111 1111 1111");
        await page.ClickAsync("#run-dlp-test");
        await Assertions.Expect(page.Locator("#dlp-hits")).ToContainTextAsync("1111");
        await Shot("dlp-test");
    }
}
