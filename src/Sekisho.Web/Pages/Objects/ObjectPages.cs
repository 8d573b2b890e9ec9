using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>A list of policy objects: the organization's policy, and which rules (templates, settings) use each object.</summary>
public abstract class ObjectListPage(PolicyObjectService objects) : ConsolePage
{
    private IReadOnlyDictionary<string, IReadOnlyList<LocalizedText>> _users = new Dictionary<string, IReadOnlyList<LocalizedText>>();

    public PolicySnapshot Policy { get; private set; } = PolicySnapshot.Empty;
    public bool Writable => CanWrite;

    public string UsedBy(string id) => string.Join(", ", _users.GetValueOrDefault(id, []).Select(ConsoleText.For));

    public async Task OnGetAsync()
    {
        Policy = await objects.SnapshotAsync(Actor, HttpContext.RequestAborted);
        _users = PolicyObjectService.UsersIndex(Policy);
    }
}

/// <summary>
/// The add / edit form of one kind of policy object: load by <c>?id=</c> (404 when unknown), save (add or replace, then back to the
/// list with a notice), delete (refused with the users while in use). A refused change shows the form again with what was typed.
/// </summary>
public abstract class ObjectEditPage<T>(PolicyObjectService objects) : ConsolePage where T : class, IPolicyObject
{
    [BindProperty(Name = "id")] public string? Id { get; set; }
    [BindProperty] public string? Name { get; set; }

    protected PolicyObjectService Objects => objects;

    public bool IsNew => string.IsNullOrEmpty(Id);
    public bool Writable => CanWrite;

    /// <summary>Where the list of this kind is.</summary>
    protected abstract string ListPath { get; }

    /// <summary>Fills the form from a stored object.</summary>
    protected abstract void Show(T obj);

    /// <summary>The object the form describes (a <see cref="ConsoleProblem"/> for input that cannot even be read).</summary>
    protected abstract T FromForm();

    /// <summary>The page again (after loading or a refused change): pickers, blank rows.</summary>
    protected virtual Task<IActionResult> AgainAsync() => Task.FromResult<IActionResult>(Page());

    /// <summary>The form: empty, an object (<c>?id=</c>), or a new copy of one (<c>?copy=</c>, predefined DLP objects included).</summary>
    public async Task<IActionResult> OnGetAsync(string? id, string? copy)
    {
        if (!string.IsNullOrEmpty(id) || !string.IsNullOrEmpty(copy))
        {
            try { Show(await objects.GetAsync<T>(string.IsNullOrEmpty(copy) ? id! : copy, Actor, HttpContext.RequestAborted)); }
            catch (ConsoleProblem) { return NotFound(); }
            if (!string.IsNullOrEmpty(copy))
            {
                Id = null;
                Name = ConsoleText.T("objects.copy-of", Name);
            }
        }
        return await AgainAsync();
    }

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var obj = FromForm();
        var saved = IsNew ? await objects.AddAsync(obj, Actor, HttpContext.RequestAborted) : await objects.UpdateAsync(Id!, obj, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(IsNew ? "objects.added" : "objects.saved", saved.Name));
        return Redirect(ListPath);
    }, AgainAsync);

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        var current = await objects.GetAsync<T>(Id ?? "", Actor, ct);
        await objects.DeleteAsync<T>(current.Id, Actor, ct);
        Notice(ConsoleText.T("objects.deleted", current.Name));
        return Redirect(ListPath);
    }, async () =>
    {
        try { Show(await objects.GetAsync<T>(Id ?? "", Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { }
        return await AgainAsync();
    });
}

/// <summary>A CSV file uploaded on a policy object screen (address groups, approved lists): required, bounded, with the chosen encoding.</summary>
internal static class CsvUpload
{
    public static async Task<(byte[] Bytes, CsvEncoding Encoding)> ReadAsync(IFormFile? file, string? encoding, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
            throw new ConsoleProblem("csv.no-file", new LocalizedText("CSV ファイルを選択してください。", "Choose a CSV file."));
        if (file.Length > AddressGroupCsv.MaxBytes) throw AddressGroupCsv.TooLarge(file.Length);
        using var ms = new MemoryStream();
        await file.CopyToAsync(ms, ct);
        return (ms.ToArray(), encoding switch { "utf-8" => CsvEncoding.Utf8, "shift_jis" => CsvEncoding.ShiftJis, _ => CsvEncoding.Auto });
    }
}
