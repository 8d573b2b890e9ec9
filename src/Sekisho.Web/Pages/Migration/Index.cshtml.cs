using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Migration.Apply;
using Sekisho.Migration.Mapping;
using Sekisho.Model.Serialization;
using Sekisho.Store;
using Sekisho.Web.Api;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Migration;

/// <summary>InterScan MSS/IMSVA 移行ツール: prerequisites → 開始する → file and mode → analysis → 次へ → results → 完了.</summary>
[RequestSizeLimit(ConsoleApi.MaxUploadRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = ConsoleApi.MaxUploadRequestBytes)]
public sealed class MigrationModel(MigrationWizard wizard, TimeProvider? time = null) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Step { get; set; }
    [BindProperty(SupportsGet = true)] public string[]? Show { get; set; }

    public WizardState State { get; private set; } = null!;
    public MigrationTask? Latest { get; private set; }
    public MigrationAnalysis? Report { get; private set; }
    public DateTimeOffset ReportsExpire => Latest is null ? default : MigrationRunner.ReportsExpire(Latest);
    public bool ReportsExpired => Latest is not null && (time ?? TimeProvider.System).GetUtcNow() > ReportsExpire;
    public bool Writable => CanWrite;

    /// <summary>The Show filter: every status until the filter form is sent.</summary>
    public bool Shows(string status) => Show is null || Show.Length == 0 || Show.Contains(status);

    public async Task<IActionResult> OnGetAsync()
    {
        State = wizard.State;
        Latest = await wizard.LatestTaskAsync(HttpContext.RequestAborted);
        if (State.Stage is WizardStage.Analysed or WizardStage.Completed)
            Report = (await wizard.LatestReportAsync(State.Stage == WizardStage.Completed, HttpContext.RequestAborted))?.Analysis;
        return Page();
    }

    public Task<IActionResult> OnPostAnalyzeAsync(IFormFile? file, string? mode) => ChangeAsync(async () =>
    {
        if (file is null || file.Length == 0)
            throw new ConsoleProblem("migration.upload.empty", new Model.LocalizedText("ファイルを選択してください。", "Choose the exported .dat file."));
        var m = ModelJson.TryParseEnum<MigrationMode>(mode ?? "merge", out var parsed) ? parsed : MigrationMode.Merge;
        await using var stream = file.OpenReadStream();
        await wizard.StartAsync(stream, file.FileName, m, Actor, HttpContext.RequestAborted);
        return Redirect("/migration");
    }, async () => { Step = "upload"; return await OnGetAsync(); });

    public Task<IActionResult> OnPostNextAsync() => ChangeAsync(() =>
    {
        wizard.Confirm();
        return Task.FromResult<IActionResult>(Redirect("/migration"));
    }, OnGetAsync);

    public Task<IActionResult> OnPostCancelAsync() => ChangeAsync(async () =>
    {
        await wizard.CancelAsync(HttpContext.RequestAborted);
        return Redirect("/migration");
    }, OnGetAsync);

    public IActionResult OnPostFinish()
    {
        wizard.Dismiss();
        return Redirect("/migration");
    }

    public async Task<IActionResult> OnGetReportAsync(string? kind, string? format)
    {
        try
        {
            var r = await wizard.ReportAsync(kind == "migration", format ?? "html", ConsoleText.Language, HttpContext.RequestAborted);
            return File(r.Content, r.ContentType, r.FileName);
        }
        catch (ConsoleProblem p)
        {
            return StatusCode(p.Status, ConsoleText.For(p.Text));
        }
    }
}
