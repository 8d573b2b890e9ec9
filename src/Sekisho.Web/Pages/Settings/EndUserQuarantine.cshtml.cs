using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Settings;

/// <summary>エンドユーザー隔離: the digest schedule, language and size, the digest links' validity and which holds end users may release.</summary>
public sealed class EndUserQuarantineSettingsModel(EndUserQuarantineSettingsService settings) : ConsolePage
{
    [BindProperty] public bool DigestEnabled { get; set; }
    [BindProperty] public string? DigestHour { get; set; }
    [BindProperty] public string? DigestIntervalHours { get; set; }
    [BindProperty] public string? DigestLanguage { get; set; }
    [BindProperty] public string? DigestMaxMessages { get; set; }
    [BindProperty] public string? LinkValidityDays { get; set; }
    [BindProperty] public List<string> Releasable { get; set; } = [];

    public bool Writable => CanWrite;

    public async Task OnGetAsync()
    {
        var d = EndUserQuarantineSettingsDto.From(await settings.GetAsync(Actor, HttpContext.RequestAborted));
        static string? N(int? n) => n?.ToString(CultureInfo.InvariantCulture);
        DigestEnabled = d.DigestEnabled == true;
        DigestHour = N(d.DigestHour);
        DigestIntervalHours = N(d.DigestIntervalHours);
        DigestLanguage = d.DigestLanguage;
        DigestMaxMessages = N(d.DigestMaxMessages);
        LinkValidityDays = N(d.LinkValidityDays);
        Releasable = [.. d.ReleasableRuleTypes ?? []];
    }

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var problems = new List<LocalizedText>();
        var change = new EndUserQuarantineSettingsDto
        {
            DigestEnabled = DigestEnabled,
            DigestHour = Number(DigestHour, ConsoleText.T("settings.euq.hour"), problems),
            DigestIntervalHours = Number(DigestIntervalHours, ConsoleText.T("settings.euq.interval"), problems),
            DigestLanguage = DigestLanguage,
            DigestMaxMessages = Number(DigestMaxMessages, ConsoleText.T("settings.euq.max"), problems),
            LinkValidityDays = Number(LinkValidityDays, ConsoleText.T("settings.euq.link-days"), problems),
            ReleasableRuleTypes = Releasable,
        };
        if (problems.Count > 0)
            throw new ConsoleProblem("settings.end-user-quarantine.invalid", new LocalizedText(string.Join(" ", problems.Select(p => p.Ja)), string.Join(" ", problems.Select(p => p.En))));
        await settings.SaveAsync(change, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("settings.saved"));
        return Redirect("/settings/end-user-quarantine");
    }, () => Task.FromResult<IActionResult>(Page()));

    private static int? Number(string? text, string label, List<LocalizedText> problems)
    {
        if (int.TryParse((text ?? "").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        problems.Add(new($"{label}:「{text}」は数字ではありません。", $"{label}: '{text}' is not a number."));
        return null;
    }
}
