using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Migration.Apply;
using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Model;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>Where the console's run of the migration tool stands.</summary>
public enum WizardStage
{
    /// <summary>No run since the console started (the store may still hold an earlier task: 前回の移行).</summary>
    Idle,
    Analysing,
    /// <summary>Analysis done; waiting for 次へ (migrate) or cancel.</summary>
    Analysed,
    Importing,
    Completed,
    Cancelled,
    /// <summary>The file could not be used, another migration was running, or the import failed (nothing changed).</summary>
    Failed,
}

/// <summary>A snapshot of the wizard for the screen and the API.</summary>
public sealed record WizardState(WizardStage Stage, string? FileName, MigrationMode Mode, int? Percent, LocalizedText? Error, MigrationCounts? Counts, string? TaskId);

/// <summary>A report ready to download.</summary>
public sealed record ReportFile(string FileName, string ContentType, byte[] Content);

/// <summary>
/// The InterScan MSS/IMSVA migration tool as the console drives it: upload and mode → analysis in the background →
/// 次へ imports (or cancel) → results. It runs <see cref="MigrationRunner"/> (the same flow as <c>sekisho migrate run</c>),
/// whose confirmation step waits here for the administrator.
/// </summary>
public sealed class MigrationWizard(ConsoleContext console, IHostApplicationLifetime lifetime, ReportPdfPrinter printer, ILogger<MigrationWizard> log)
{
    private readonly Lock _lock = new();
    private Run? _run;

    private sealed class Run
    {
        public required string FileName { get; init; }
        public required MigrationMode Mode { get; init; }
        public required string Directory { get; init; }
        public WizardStage Stage { get; set; } = WizardStage.Analysing;
        public int? Percent { get; set; }
        public LocalizedText? Error { get; set; }
        public MigrationCounts? Counts { get; set; }
        public string? TaskId { get; set; }
        public TaskCompletionSource<bool> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task? Work { get; set; }
    }

    public WizardState State
    {
        get
        {
            lock (_lock)
            {
                var r = _run;
                return r is null ? new(WizardStage.Idle, null, MigrationMode.Merge, null, null, null, null)
                    : new(r.Stage, r.FileName, r.Mode, r.Percent, r.Error, r.Counts, r.TaskId);
            }
        }
    }

    /// <summary>Saves the uploaded export and starts the analysis; refused while another run is not finished.</summary>
    public async Task<WizardState> StartAsync(Stream upload, string fileName, MigrationMode mode, string actor, CancellationToken ct)
    {
        var safeName = SafeFileName(fileName);
        var dir = Path.Combine(console.Store.Options.DataDirectory, "uploads", Ids.New());
        var run = new Run { FileName = safeName, Mode = mode, Directory = dir };
        lock (_lock)
        {
            if (_run is { Stage: WizardStage.Analysing or WizardStage.Analysed or WizardStage.Importing }) throw Busy();
            _run = run;
        }
        try
        {
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, safeName);
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                var buffer = new byte[81920];
                long total = 0;
                int n;
                while ((n = await upload.ReadAsync(buffer, ct)) > 0)
                {
                    total += n;
                    if (total > console.Options.MaxUploadBytes)
                        throw new ConsoleProblem("migration.upload.too-large", new LocalizedText(
                            $"ファイルが大きすぎます (上限 {console.Options.MaxUploadBytes / (1024 * 1024)} MB)。", $"The file is too large (limit {console.Options.MaxUploadBytes / (1024 * 1024)} MB)."), 413);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                if (total == 0) throw new ConsoleProblem("migration.upload.empty", new LocalizedText("ファイルが空です。エクスポートした .dat ファイルを選択してください。", "The file is empty; choose the exported .dat file."));
            }
            run.Work = Task.Run(() => ExecuteAsync(run, path, actor));
        }
        catch
        {
            lock (_lock) if (_run == run) _run = null;
            TryDelete(dir);
            throw;
        }
        return State;
    }

    /// <summary>次へ: import what was analysed.</summary>
    public WizardState Confirm() => Decide(true);

    /// <summary>Stop after the analysis; nothing is imported. Returns once the task is recorded as cancelled.</summary>
    public async Task<WizardState> CancelAsync(CancellationToken ct)
    {
        Decide(false);
        Task? work;
        lock (_lock) work = _run?.Work;
        if (work is not null) await work.WaitAsync(ct);
        return State;
    }

    /// <summary>完了: back to the tool's first screen (前回の移行) once the run has ended; a run in progress is kept.</summary>
    public void Dismiss()
    {
        lock (_lock)
            if (_run is { Stage: WizardStage.Completed or WizardStage.Cancelled or WizardStage.Failed }) _run = null;
    }

    /// <summary>Waits until the current run stops moving (tests and the API's wait option).</summary>
    public async Task<WizardState> WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            var s = State;
            if (s.Stage is not (WizardStage.Analysing or WizardStage.Importing)) return s;
            await Task.Delay(50, ct);
        }
    }

    /// <summary>The latest migration task in the store (前回の移行), whoever ran it.</summary>
    public async Task<MigrationTask?> LatestTaskAsync(CancellationToken ct) => await console.Store.LatestTaskAsync(console.Organization, ct);

    /// <summary>The analysis of the latest task as kept in the store, or null.</summary>
    public async Task<(MigrationAnalysis Analysis, ReportKind Kind)?> LatestReportAsync(bool migrationReport, CancellationToken ct)
    {
        var task = await LatestTaskAsync(ct);
        var json = migrationReport ? task?.MigrationReport : task?.AnalysisReport;
        if (task is null || json is null || console.Time.GetUtcNow() > MigrationRunner.ReportsExpire(task)) return null;
        var doc = ReportDocument.FromJson(json);
        return (doc.ToAnalysis(), doc.Kind);
    }

    /// <summary>
    /// The latest task's analysis or migration report as HTML, JSON or PDF; a ConsoleProblem when there is none (404), it has expired (410)
    /// or Chromium cannot print it (503).
    /// </summary>
    public async Task<ReportFile> ReportAsync(bool migrationReport, string format, string language, CancellationToken ct)
    {
        if (format is not ("html" or "json" or "pdf"))
            throw new ConsoleProblem("migration.report.format", new LocalizedText($"形式「{format}」は使えません (html, json, pdf)。", $"Unknown format '{format}' (html, json, pdf)."));
        var task = await LatestTaskAsync(ct) ?? throw NoReport();
        if (console.Time.GetUtcNow() > MigrationRunner.ReportsExpire(task))
            throw new ConsoleProblem("migration.report.expired", new LocalizedText("レポートの有効期限が切れています。", "The report has expired."), 410);
        var json = migrationReport ? task.MigrationReport : task.AnalysisReport;
        if (json is null) throw NoReport();
        var doc = ReportDocument.FromJson(json);
        var a = doc.ToAnalysis();
        var stem = (migrationReport ? "migration-report-" : "analysis-report-") + task.Created.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        if (format == "json") return new(stem + ".json", "application/json; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(AnalysisJson.Write(a, language)));
        var html = AnalysisReport.RenderHtml(a, doc.Kind, language, doc.Organization);
        return format == "pdf"
            ? new(stem + ".pdf", "application/pdf", await printer.PrintAsync(html, ct))
            : new(stem + ".html", "text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(html));
    }

    private WizardState Decide(bool go)
    {
        lock (_lock)
        {
            if (_run is not { Stage: WizardStage.Analysed } r)
                throw new ConsoleProblem("migration.not-analysed", new LocalizedText("解析が終わった移行がありません。先にファイルを解析してください。", "There is no analysed migration waiting; analyse a file first."), 409);
            r.Stage = go ? WizardStage.Importing : WizardStage.Cancelled;
            r.Decision.TrySetResult(go);
        }
        return State;
    }

    private async Task ExecuteAsync(Run run, string path, string actor)
    {
        var runner = new MigrationRunner(console.Store, console.Organization, actor, console.Time);
        var progress = new PercentProgress(p => { lock (_lock) run.Percent = p; });
        try
        {
            var result = await runner.RunAsync(path, run.Mode, [], async analysis =>
            {
                var s = analysis.Summary;
                lock (_lock)
                {
                    run.Counts = new MigrationCounts(s.NotSupported, s.Error, s.Warning, s.Successful);
                    run.Stage = WizardStage.Analysed;
                    run.Percent = 100;
                }
                return await run.Decision.Task.WaitAsync(lifetime.ApplicationStopping);
            }, null, progress, lifetime.ApplicationStopping);
            lock (_lock)
            {
                run.TaskId = result.Task?.Id;
                switch (result.Outcome)
                {
                    case MigrationOutcome.Completed: run.Stage = WizardStage.Completed; break;
                    case MigrationOutcome.Cancelled: run.Stage = WizardStage.Cancelled; break;
                    case MigrationOutcome.Busy:
                        run.Stage = WizardStage.Failed;
                        run.Error = Busy().Text;
                        break;
                    case MigrationOutcome.Unusable:
                        run.Stage = WizardStage.Failed;
                        run.Error = new LocalizedText(result.Fatal!.GetMessage(CultureInfo.GetCultureInfo("ja")) + $" ({result.Fatal.CodeName})",
                            result.Fatal.GetMessage(CultureInfo.InvariantCulture) + $" ({result.Fatal.CodeName})");
                        break;
                    default:
                        log.LogError("The migration of {File} failed: {Error}", run.FileName, result.Error);
                        run.Stage = WizardStage.Failed;
                        run.Error = new LocalizedText("移行に失敗しました。何も変更されていません: " + result.Error, "The migration failed; nothing was changed: " + result.Error);
                        break;
                }
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "The migration of {File} stopped", run.FileName);
            lock (_lock)
            {
                run.Stage = WizardStage.Failed;
                run.Error = new LocalizedText("移行が中断されました: " + e.Message, "The migration stopped: " + e.Message);
            }
        }
        finally
        {
            TryDelete(run.Directory);
        }
    }

    private static ConsoleProblem Busy() => new("migration.busy", new LocalizedText(
        "この組織では別の移行を実行中です。終わってから再度実行してください。", "Another migration of this organization is running; try again when it has finished."), 409);

    private static ConsoleProblem NoReport() => new("migration.report.missing", new LocalizedText("ダウンロードできるレポートがありません。", "There is no report to download."), 404);

    private static string SafeFileName(string name)
    {
        var n = Path.GetFileName(name.Replace('\\', '/'));
        n = string.Concat(n.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
        if (n.Length == 0 || n.Trim('.').Length == 0) n = "export.dat";
        return n.Length > 120 ? n[^120..] : n;
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed class PercentProgress(Action<int?> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value.BytesTotal is > 0 ? (int)(100 * value.BytesDone / value.BytesTotal.Value) : null);
    }
}
