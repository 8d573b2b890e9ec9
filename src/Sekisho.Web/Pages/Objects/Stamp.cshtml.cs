using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Validation;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>スタンプの追加 / 編集 with token help and a preview of the text and HTML versions for a sample message.</summary>
public sealed class StampModel(PolicyObjectService objects, ConsoleContext console) : ConsolePage
{
    [BindProperty(Name = "id")] public string? Id { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Position { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? Html { get; set; }
    [BindProperty] public bool SkipSignedAndTnef { get; set; } = true;
    [BindProperty] public string? TimeZone { get; set; }

    public TokenPreviewResult? Preview { get; private set; }
    public bool IsNew => string.IsNullOrEmpty(Id);
    public bool Writable => CanWrite;

    public async Task<IActionResult> OnGetAsync(string? id)
    {
        if (string.IsNullOrEmpty(id)) return Page();
        try { Show(await objects.GetAsync<Stamp>(id, Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { return NotFound(); }
        return Page();
    }

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var s = FromForm();
        var saved = IsNew ? await objects.AddAsync(s, Actor, HttpContext.RequestAborted) : await objects.UpdateAsync(Id!, s, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(IsNew ? "objects.added" : "objects.saved", saved.Name));
        return Redirect("/objects/stamps");
    }, () => Task.FromResult<IActionResult>(Page()));

    public Task<IActionResult> OnPostPreviewAsync() => ChangeAsync(() =>
    {
        var s = FromForm();
        PolicyObjectService.ThrowIfInvalid(PolicyValidator.ValidateStamp(s with { Name = "preview" }));
        Preview = ObjectTesting.Preview(s, System.Net.Dns.GetHostName(), console.Time.GetUtcNow());
        return Task.FromResult<IActionResult>(Page());
    }, () => Task.FromResult<IActionResult>(Page()));

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        var s = await objects.GetAsync<Stamp>(Id ?? "", Actor, ct);
        await objects.DeleteAsync<Stamp>(s.Id, Actor, ct);
        Notice(ConsoleText.T("objects.deleted", s.Name));
        return Redirect("/objects/stamps");
    }, async () =>
    {
        try { Show(await objects.GetAsync<Stamp>(Id ?? "", Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { }
        return Page();
    });

    private Stamp FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Position = Position == "beginning" ? StampPosition.Beginning : StampPosition.End,
        Text = Text ?? "", Html = string.IsNullOrWhiteSpace(Html) ? null : Html, SkipSignedAndTnef = SkipSignedAndTnef,
        TimeZone = string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim(),
    };

    private void Show(Stamp s)
    {
        Id = s.Id;
        Name = s.Name;
        Position = s.Position == StampPosition.Beginning ? "beginning" : "end";
        Text = s.Text;
        Html = s.Html;
        SkipSignedAndTnef = s.SkipSignedAndTnef;
        TimeZone = s.TimeZone;
    }
}
