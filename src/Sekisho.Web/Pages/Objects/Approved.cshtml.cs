using Microsoft.AspNetCore.Mvc;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>承認済みリスト: the web reputation approved list and the URL keyword exception list, one item per line.</summary>
public sealed class ApprovedModel(ApprovedListService approved) : ConsolePage
{
    [BindProperty] public string? WebReputation { get; set; }
    [BindProperty] public string? UrlKeywords { get; set; }

    public bool Writable => CanWrite;

    public async Task OnGetAsync()
    {
        WebReputation = await WebReputationTextAsync();
        UrlKeywords = await UrlKeywordsTextAsync();
    }

    public Task<IActionResult> OnPostWebReputationAsync() => ChangeAsync(async () =>
    {
        var saved = await approved.SaveWebReputationAsync(ApprovedListService.ParseLines(WebReputation), Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("objects.approved.saved", ConsoleText.T("objects.approved.wrs"), saved.Count));
        return RedirectToPage();
    }, async () => { UrlKeywords = await UrlKeywordsTextAsync(); return Page(); });

    public Task<IActionResult> OnPostUrlKeywordsAsync() => ChangeAsync(async () =>
    {
        var saved = await approved.SaveUrlKeywordsAsync((UrlKeywords ?? "").Split('\n'), Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("objects.approved.saved", ConsoleText.T("objects.approved.url-keywords"), saved.Count));
        return RedirectToPage();
    }, async () => { WebReputation = await WebReputationTextAsync(); return Page(); });

    // After a refused save, the list being edited keeps what was typed and the other one is read again.
    private async Task<string> WebReputationTextAsync() => ApprovedListService.ToLines(await approved.WebReputationAsync(Actor, HttpContext.RequestAborted));

    private async Task<string> UrlKeywordsTextAsync() => string.Join('\n', await approved.UrlKeywordsAsync(Actor, HttpContext.RequestAborted));
}
