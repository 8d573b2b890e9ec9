using Microsoft.Playwright;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>
/// Rule editing in Debian's headless Chromium: add a rule on the form (a refused value first, shown next to its field),
/// move it up, copy it, delete the copy after confirming. Screenshots go to artifacts/screenshots/rules/{language}/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RuleEditBrowserTests
{
    [Theory]
    [InlineData("ja", "管理対象ドメイン外", "のコピー")]
    [InlineData("en", "outside the managed domains", "Copy of ")]
    public async Task An_administrator_adds_moves_copies_and_deletes_a_rule_in_the_browser(string language, string scopeError, string copyMark)
    {
        await using var host = await ConsoleHost.StartAsync(kestrel: true);
        await RuleSeeds.SeedAsync(host);
        await using var chromium = await ConsoleBrowser.OpenAsync(host, Path.Combine("rules", language));
        var page = chromium.Page;
        Task Shot(string name) => chromium.ShotAsync(name);

        await chromium.SignInAsAdministratorAsync(language);

        await page.GotoAsync("/policy/inbound?type=content");
        await page.ClickAsync("#add-rule");
        await page.FillAsync("#rule-name", "macro");
        await page.UncheckAsync("#rule-enabled");
        await page.SelectOptionAsync("#recipients-mode", "specified");
        await page.FillAsync("#recipients", "someone@elsewhere.example");
        await page.FillAsync("#attachment-names", "*.docm, *.xlsm");
        await page.SelectOptionAsync("#intercept", "quarantine");
        await Shot("add-form");
        await page.ClickAsync("#save-rule");
        await Assertions.Expect(page.Locator(".field-error[data-field='recipients']")).ToContainTextAsync(scopeError);
        await Shot("add-refused");
        Assert.Equal(3, (await RuleSeeds.InboundContentAsync(host)).Count);

        await page.FillAsync("#recipients", "*@example.co.jp");
        await page.ClickAsync("#save-rule");
        await page.WaitForURLAsync("**/policy/inbound?type=content");
        var row = page.Locator("tr[data-rule='macro']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Shot("added");
        var stored = (await RuleSeeds.InboundContentAsync(host)).Single(r => r.Name == "macro");
        Assert.False(stored.Enabled); // the unchecked box
        Assert.Equal(4, stored.Order);

        await row.Locator("button.move.up").ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr").Nth(2)).ToHaveAttributeAsync("data-rule", "macro");
        await Shot("moved-up");

        await page.GotoAsync("/policy/edit?id=" + stored.Id);
        await page.ClickAsync("#copy-rule");
        await Assertions.Expect(page.Locator("#rule-name")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(copyMark)));
        await Shot("copied");
        await page.ClickAsync("#delete-dialog summary");
        await Shot("delete-confirm");
        await page.ClickAsync("#delete-rule");
        await page.WaitForURLAsync("**/policy/inbound?type=content");
        await Shot("deleted");
        var names = (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Name).ToList();
        Assert.Equal(["first", "second", "macro", "third"], names);
        var events = (await RuleSeeds.AuditAsync(host, "rule.*")).Select(a => a.EventType).Where(e => e != "rule.moved").Reverse().ToList();
        Assert.Equal(["rule.created", "rule.created", "rule.deleted"], events);
    }
}
