using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Validation;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>スタンプの追加 / 編集 with token help and a preview of the text and HTML versions for a sample message.</summary>
public sealed class StampModel(PolicyObjectService objects, ConsoleContext console) : ObjectEditPage<Stamp>(objects)
{
    [BindProperty] public string? Position { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? Html { get; set; }
    [BindProperty] public bool SkipSignedAndTnef { get; set; } = true;
    [BindProperty] public string? TimeZone { get; set; }

    public TokenPreviewResult? Preview { get; private set; }

    protected override string ListPath => "/objects/stamps";

    public Task<IActionResult> OnPostPreviewAsync() => ChangeAsync(() =>
    {
        var s = FromForm();
        PolicyObjectService.ThrowIfInvalid(PolicyValidator.ValidateStamp(s with { Name = "preview" }));
        Preview = ObjectTesting.Preview(s, System.Net.Dns.GetHostName(), console.Time.GetUtcNow());
        return Task.FromResult<IActionResult>(Page());
    }, () => Task.FromResult<IActionResult>(Page()));

    protected override Stamp FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Position = Position == "beginning" ? StampPosition.Beginning : StampPosition.End,
        Text = Text ?? "", Html = string.IsNullOrWhiteSpace(Html) ? null : Html, SkipSignedAndTnef = SkipSignedAndTnef,
        TimeZone = string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim(),
    };

    protected override void Show(Stamp s)
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
