using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>アドレスグループの追加 / 編集: name, internal flag, the addresses (CSV lines), CSV import and export, delete.</summary>
public sealed class AddressGroupModel(PolicyObjectService objects) : ObjectEditPage<AddressGroup>(objects)
{
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public bool Internal { get; set; }
    [BindProperty] public string? Entries { get; set; }

    public IReadOnlyList<CsvRowError> ImportErrors { get; private set; } = [];
    /// <summary>True when the errors are about the form's address lines rather than an imported file.</summary>
    public bool FormErrors { get; private set; }
    protected override string ListPath => "/objects/address-groups";

    public async Task<IActionResult> OnGetExportAsync(string id)
    {
        try
        {
            var g = await Objects.GetAsync<AddressGroup>(id, Actor, HttpContext.RequestAborted);
            return File(AddressGroupCsv.Export(g), "text/csv; charset=utf-8", AddressGroupCsv.FileName(g));
        }
        catch (ConsoleProblem) { return NotFound(); }
    }

    protected override AddressGroup FromForm()
    {
        var parsed = AddressGroupCsv.ParseText(Entries ?? "");
        if (!parsed.Ok)
        {
            ImportErrors = parsed.Errors;
            FormErrors = true;
            throw new ConsoleProblem("group.entries.invalid", new LocalizedText(
                $"{parsed.Errors.Count} 行が無効なため、保存していません。", $"Nothing was saved: {parsed.Errors.Count} lines are invalid."));
        }
        return new AddressGroup { Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "", Internal = Internal, Entries = parsed.Entries };
    }

    public Task<IActionResult> OnPostImportAsync(IFormFile? file, string? encoding, string? mode) => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        Show(await Objects.GetAsync<AddressGroup>(Id ?? "", Actor, ct));
        var (bytes, csvEncoding) = await CsvUpload.ReadAsync(file, encoding, ct);
        var (group, result) = await Objects.ImportCsvAsync(Id!, bytes, csvEncoding, mode == "replace", Actor, ct);
        if (!result.Ok)
        {
            ImportErrors = result.Errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Notice(ConsoleText.T("objects.csv.imported", result.Entries.Count, group.Name, result.Encoding));
        return Redirect("/objects/address-groups/edit?id=" + Uri.EscapeDataString(group.Id));
    }, () => Task.FromResult<IActionResult>(Page()));

    protected override void Show(AddressGroup g)
    {
        Id = g.Id;
        Name = g.Name;
        Description = g.Description;
        Internal = g.Internal;
        var sb = new StringBuilder();
        foreach (var e in g.Entries) sb.Append(e.Address).Append(e.Description.Length > 0 ? "," + Quote(e.Description) : "").Append('\n');
        Entries = sb.ToString();
    }

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
