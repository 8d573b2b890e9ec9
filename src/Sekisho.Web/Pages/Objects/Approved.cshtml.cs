using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>承認済みリスト: the web reputation approved list and the URL keyword exception list, one item per line; CSV import and export of each.</summary>
public sealed class ApprovedModel(ApprovedListService approved) : ConsolePage
{
    [BindProperty] public string? WebReputation { get; set; }
    [BindProperty] public string? UrlKeywords { get; set; }

    public bool Writable => CanWrite;
    /// <summary>The invalid rows of a refused CSV import, and which list it was for (<c>wrs</c> or <c>url-keywords</c>).</summary>
    public IReadOnlyList<CsvRowError> ImportErrors { get; private set; } = [];
    public string? ImportList { get; private set; }

    public async Task<IActionResult> OnGetExportAsync(string? list)
    {
        var ct = HttpContext.RequestAborted;
        return list == "url-keywords"
            ? File(ApprovedListCsv.ExportUrlKeywords(await approved.UrlKeywordsAsync(Actor, ct)), "text/csv; charset=utf-8", "url-keyword-exceptions.csv")
            : File(ApprovedListCsv.ExportWebReputation(await approved.WebReputationAsync(Actor, ct)), "text/csv; charset=utf-8", "web-reputation-approved-list.csv");
    }

    public Task<IActionResult> OnPostImportAsync(IFormFile? file, string? list, string? encoding, string? mode) => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        var (bytes, csvEncoding) = await CsvUpload.ReadAsync(file, encoding, ct);
        var keywords = list == "url-keywords";
        ImportList = keywords ? "url-keywords" : "wrs";
        var (added, errors, used) = keywords
            ? Summary((await approved.ImportUrlKeywordsCsvAsync(bytes, csvEncoding, mode == "replace", Actor, ct)).Result)
            : Summary((await approved.ImportWebReputationCsvAsync(bytes, csvEncoding, mode == "replace", Actor, ct)).Result);
        if (errors.Count > 0)
        {
            ImportErrors = errors;
            await OnGetAsync();
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Notice(ConsoleText.T("objects.approved.imported", added, ConsoleText.T(keywords ? "objects.approved.url-keywords" : "objects.approved.wrs"), used));
        return RedirectToPage();
    }, OnGetPageAsync);

    private static (int Added, IReadOnlyList<CsvRowError> Errors, string Encoding) Summary<T>(ApprovedCsvResult<T> r) => (r.Items.Count, r.Errors, r.Encoding);

    private async Task<IActionResult> OnGetPageAsync()
    {
        await OnGetAsync();
        return Page();
    }

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
