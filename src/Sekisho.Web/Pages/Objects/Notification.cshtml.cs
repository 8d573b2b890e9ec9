using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Validation;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>通知の追加 / 編集 with token help and a preview expanded by the engine's token code for a sample message.</summary>
public sealed class NotificationModel(PolicyObjectService objects, ConsoleContext console) : ConsolePage
{
    [BindProperty(Name = "id")] public string? Id { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string? From { get; set; }
    [BindProperty] public string? To { get; set; }
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? Body { get; set; }
    [BindProperty] public string? Format { get; set; }
    [BindProperty] public string? Charset { get; set; } = "UTF-8";
    [BindProperty] public bool AttachOriginal { get; set; }
    [BindProperty] public string? TimeZone { get; set; }

    public TokenPreviewResult? Preview { get; private set; }
    public bool IsNew => string.IsNullOrEmpty(Id);
    public bool Writable => CanWrite;

    public async Task<IActionResult> OnGetAsync(string? id)
    {
        if (string.IsNullOrEmpty(id)) return Page();
        try { Show(await objects.GetAsync<Notification>(id, Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { return NotFound(); }
        return Page();
    }

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var n = FromForm();
        var saved = IsNew ? await objects.AddAsync(n, Actor, HttpContext.RequestAborted) : await objects.UpdateAsync(Id!, n, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(IsNew ? "objects.added" : "objects.saved", saved.Name));
        return Redirect("/objects/notifications");
    }, () => Task.FromResult<IActionResult>(Page()));

    public Task<IActionResult> OnPostPreviewAsync() => ChangeAsync(() =>
    {
        var n = FromForm();
        PolicyObjectService.ThrowIfInvalid(PolicyValidator.ValidateNotification(n with { Name = "preview" }));
        Preview = ObjectTesting.Preview(n, System.Net.Dns.GetHostName(), console.Time.GetUtcNow());
        return Task.FromResult<IActionResult>(Page());
    }, () => Task.FromResult<IActionResult>(Page()));

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        var n = await objects.GetAsync<Notification>(Id ?? "", Actor, ct);
        await objects.DeleteAsync<Notification>(n.Id, Actor, ct);
        Notice(ConsoleText.T("objects.deleted", n.Name));
        return Redirect("/objects/notifications");
    }, async () =>
    {
        try { Show(await objects.GetAsync<Notification>(Id ?? "", Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { }
        return Page();
    });

    private Notification FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "", From = (From ?? "").Trim(), To = (To ?? "").Trim(),
        Subject = Subject ?? "", Body = Body ?? "", Format = Format == "html" ? TextFormat.Html : TextFormat.Text,
        Charset = string.IsNullOrWhiteSpace(Charset) ? "UTF-8" : Charset.Trim(), AttachOriginal = AttachOriginal,
        TimeZone = string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim(),
    };

    private void Show(Notification n)
    {
        Id = n.Id;
        Name = n.Name;
        Description = n.Description;
        From = n.From;
        To = n.To;
        Subject = n.Subject;
        Body = n.Body;
        Format = n.Format == TextFormat.Html ? "html" : "text";
        Charset = n.Charset;
        AttachOriginal = n.AttachOriginal;
        TimeZone = n.TimeZone;
    }
}
