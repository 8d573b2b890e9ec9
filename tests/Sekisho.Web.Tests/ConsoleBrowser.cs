using Microsoft.Playwright;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>
/// Debian's headless Chromium driven by Playwright against a console on Kestrel: one page with the waits a loaded CI
/// machine needs, numbered screenshots under <c>artifacts/screenshots</c>, and the administrator's log-on.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;
    private readonly string _shots;
    private int _step;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page, string shots)
    {
        (_playwright, _browser, _context, Page, _shots) = (playwright, browser, context, page, shots);
    }

    public IPage Page { get; }

    /// <param name="shots">The screenshot folder below <c>artifacts/screenshots</c>.</param>
    /// <param name="locale">The browser's own language, when a test needs one.</param>
    public static async Task<ConsoleBrowser> OpenAsync(ConsoleHost host, string shots, string? locale = null, int width = 1400, int height = 900)
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium package is needed: " + Chromium);
        var folder = Path.Combine(RepoPaths.Root, "artifacts", "screenshots", shots);
        Directory.CreateDirectory(folder);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = host.BaseAddress.ToString().TrimEnd('/'), Locale = locale, ViewportSize = new() { Width = width, Height = height },
        });
        context.SetDefaultTimeout(60_000);
        Assertions.SetDefaultExpectTimeout(30_000); // a loaded CI machine: wait for the page, never sleep
        return new ConsoleBrowser(playwright, browser, context, await context.NewPageAsync(), folder);
    }

    /// <summary>A full-page screenshot named <c>NN-name.png</c> (numbered in order), or <c>prefix-name.png</c> with <paramref name="numbered"/> off.</summary>
    public Task ShotAsync(string name, bool numbered = true) =>
        Page.ScreenshotAsync(new() { Path = Path.Combine(_shots, numbered ? $"{++_step:00}-{name}.png" : name + ".png"), FullPage = true });

    /// <summary>Chooses the language and logs on as the test host's administrator; waits for the domains page.</summary>
    public async Task SignInAsAdministratorAsync(string language)
    {
        await Page.GotoAsync($"/lang/{language}?returnUrl=/login");
        await Page.FillAsync("#user", "admin");
        await Page.FillAsync("#password", ConsoleHost.AdminPassword);
        await Page.ClickAsync("#login");
        await Page.WaitForURLAsync("**/domains");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
