using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Validation;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>通知の追加 / 編集 with token help and a preview expanded by the engine's token code for a sample message.</summary>
public sealed class NotificationModel(PolicyObjectService objects, ConsoleContext console) : ObjectEditPage<Notification>(objects)
{
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

    protected override string ListPath => "/objects/notifications";

    public Task<IActionResult> OnPostPreviewAsync() => ChangeAsync(() =>
    {
        var n = FromForm();
        PolicyObjectService.ThrowIfInvalid(PolicyValidator.ValidateNotification(n with { Name = "preview" }));
        Preview = ObjectTesting.Preview(n, System.Net.Dns.GetHostName(), console.Time.GetUtcNow());
        return Task.FromResult<IActionResult>(Page());
    }, () => Task.FromResult<IActionResult>(Page()));

    protected override Notification FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "", From = (From ?? "").Trim(), To = (To ?? "").Trim(),
        Subject = Subject ?? "", Body = Body ?? "", Format = Format == "html" ? TextFormat.Html : TextFormat.Text,
        Charset = string.IsNullOrWhiteSpace(Charset) ? "UTF-8" : Charset.Trim(), AttachOriginal = AttachOriginal,
        TimeZone = string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim(),
    };

    protected override void Show(Notification n)
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
