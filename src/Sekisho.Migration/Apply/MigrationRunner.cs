using System.Globalization;
using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Domains;
using Sekisho.Model.Serialization;
using Sekisho.Store;

namespace Sekisho.Migration.Apply;

/// <summary>How a run of the migration tool ended.</summary>
public enum MigrationOutcome
{
    Completed,
    Cancelled,
    /// <summary>The file could not be used (a fatal analysis code).</summary>
    Unusable,
    Failed,
    /// <summary>Another migration of the organization is running.</summary>
    Busy,
}

public sealed record MigrationRunResult(MigrationOutcome Outcome, MigrationTask? Task, MigrationAnalysis? Analysis, ExportFatalError? Fatal, string? Error);

/// <summary>
/// The migration tool's flow (spec/migration-mapping.md §1, §4, §5.3): one migration per organization at a time;
/// a task that is analysed, confirmed, then imported in one transaction; reports kept with the task; each step audited.
/// </summary>
public sealed class MigrationRunner(SekishoStore store, Organization organization, string actor, TimeProvider time)
{
    /// <summary>Reports are available this long after the migration.</summary>
    public static readonly TimeSpan ReportLifetime = TimeSpan.FromDays(90);

    private string LockName => "migration-" + organization.Id;

    /// <param name="confirm">Shown the analysis; false cancels (nothing is imported).</param>
    public async Task<MigrationRunResult> RunAsync(string path, MigrationMode mode, IReadOnlyList<string> extraDomains,
        Func<MigrationAnalysis, Task<bool>> confirm, ImportFaults? faults = null, IProgress<LoadProgress>? progress = null, CancellationToken ct = default)
    {
        await using var held = await store.TryAcquireAsync(LockName, ct);
        if (held is null) return new(MigrationOutcome.Busy, await store.LatestTaskAsync(organization, ct), null, null, null);
        await MarkInterruptedAsync(ct);

        var created = time.GetUtcNow();
        var task = new MigrationTask
        {
            Id = Ids.New(), OrganizationId = organization.Id, FileName = Path.GetFileName(path), Sha256 = "", Mode = ModelJson.EnumName(mode),
            State = MigrationTaskState.Analysing, Created = created,
        };
        await store.SaveAsync(task, ct);
        await AuditAsync(AuditEvents.MigrationAnalysisStarted, task, [], ct);

        var load = await ImsvaExportLoader.LoadFileAsync(path, null, progress, ct);
        if (!load.Succeeded)
        {
            task = task with { State = MigrationTaskState.Failed, Completed = time.GetUtcNow(), Error = load.Fatal.CodeName };
            await store.SaveAsync(task, ct);
            await AuditAsync(AuditEvents.MigrationAnalysisCompleted, task, [new("result", load.Fatal.CodeName, null)], ct);
            return new(MigrationOutcome.Unusable, task, null, load.Fatal, null);
        }

        var analysis = await AnalyseAsync(load.Export, mode, extraDomains, task.Id, ct);
        var s = analysis.Summary;
        task = task with
        {
            Sha256 = load.Export.File.Sha256, State = MigrationTaskState.Analysed, Counts = new(s.NotSupported, s.Error, s.Warning, s.Successful),
            AnalysisReport = ReportDocument.From(analysis, ReportKind.Analysis, organization.Name, analysis.GeneratedAt).ToJson(),
        };
        await store.SaveAsync(task, ct);
        await AuditAsync(AuditEvents.MigrationAnalysisCompleted, task, Counts(task.Counts), ct);

        if (!await confirm(analysis))
        {
            task = task with { State = MigrationTaskState.Cancelled, Completed = time.GetUtcNow() };
            await store.SaveAsync(task, ct);
            await AuditAsync(AuditEvents.MigrationCancelled, task, [], ct);
            return new(MigrationOutcome.Cancelled, task, analysis, null, null);
        }

        task = task with { State = MigrationTaskState.Importing };
        await store.SaveAsync(task, ct);
        await AuditAsync(AuditEvents.MigrationImportStarted, task, [], ct);
        try
        {
            await using var session = await store.BeginAsync(organization, actor, ct);
            foreach (var name in extraDomains.Select(Model.Addresses.DomainNames.NormalizeOrSelf).Distinct())
                if (await session.FindDomainAsync(name, ct) is null)
                    await session.AddDomainAsync(new ManagedDomain { Id = Ids.New(), Name = name, VerificationToken = Ids.New()[..24], Added = time.GetUtcNow() }, ct);
            int written = await MigrationImporter.ImportAsync(session, analysis.Plan, mode, faults, ct);
            var completed = time.GetUtcNow();
            task = task with
            {
                State = MigrationTaskState.Completed, Completed = completed,
                MigrationReport = ReportDocument.From(analysis, ReportKind.Migration, organization.Name, completed).ToJson(),
            };
            await session.AuditAsync(AuditEvents.MigrationImportCompleted, task.FileName,
                [.. Fields(task), .. Counts(task.Counts), new("objects", written.ToString(CultureInfo.InvariantCulture), null)], [], ct);
            await session.CommitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            task = task with { State = MigrationTaskState.Failed, Completed = time.GetUtcNow(), Error = e.Message };
            await store.SaveAsync(task, CancellationToken.None);
            await AuditAsync(AuditEvents.MigrationImportFailed, task, [new("error", e.Message, null)], CancellationToken.None);
            return new(MigrationOutcome.Failed, task, analysis, null, e.Message);
        }
        await store.SaveAsync(task, ct);
        return new(MigrationOutcome.Completed, task, analysis, null, null);
    }

    /// <summary>The analysis against the organization as it is now (the domains of <paramref name="extraDomains"/> count as registered, unverified).</summary>
    public async Task<MigrationAnalysis> AnalyseAsync(Source.ImsvaExport export, MigrationMode mode, IReadOnlyList<string> extraDomains, string? taskId, CancellationToken ct)
    {
        await using var read = await store.BeginAsync(organization, actor, ct);
        var snapshot = await read.LoadSnapshotAsync(ct);
        var domains = snapshot.Domains.Select(d => new ManagedDomainInfo(d.Name, d.IsVerified)).ToList();
        foreach (var d in extraDomains.Select(Model.Addresses.DomainNames.NormalizeOrSelf).Distinct())
            if (domains.All(x => x.Name != d)) domains.Add(new ManagedDomainInfo(d, Verified: false));
        return ImsvaMapper.Analyze(export, new MappingContext
        {
            OrganizationId = organization.Id, Domains = domains, DirectoryConfigured = snapshot.Settings.Directory.IsConfigured,
            Mode = mode, Existing = snapshot, Now = time.GetUtcNow(), TaskId = taskId,
        });
    }

    /// <summary>The latest task, after marking it failed if it was left analysing or importing by a process that died.</summary>
    public async Task<MigrationTask?> StatusAsync(CancellationToken ct = default)
    {
        await using var held = await store.TryAcquireAsync(LockName, ct);
        if (held is not null) await MarkInterruptedAsync(ct);
        return await store.LatestTaskAsync(organization, ct);
    }

    /// <summary>When the latest task's reports stop being available.</summary>
    public static DateTimeOffset ReportsExpire(MigrationTask task) => (task.Completed ?? task.Created) + ReportLifetime;

    // Must be called with the lock held: a task still "running" then belongs to a process that is gone.
    private async Task MarkInterruptedAsync(CancellationToken ct)
    {
        var latest = await store.LatestTaskAsync(organization, ct);
        if (latest is null || latest.State is not (MigrationTaskState.Analysing or MigrationTaskState.Importing)) return;
        var failed = latest with { State = MigrationTaskState.Failed, Completed = time.GetUtcNow(), Error = "interrupted" };
        await store.SaveAsync(failed, ct);
        await AuditAsync(AuditEvents.MigrationImportFailed, failed, [new("error", "interrupted", null)], ct);
    }

    private static IReadOnlyList<AuditChange> Fields(MigrationTask t) =>
    [
        new("file-name", t.FileName, null),
        new("mode", t.Mode, null),
        new("created", t.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), null),
    ];

    private static IReadOnlyList<AuditChange> Counts(MigrationCounts c) =>
    [
        new("not-supported", c.NotSupported.ToString(CultureInfo.InvariantCulture), null),
        new("error", c.Error.ToString(CultureInfo.InvariantCulture), null),
        new("warning", c.Warning.ToString(CultureInfo.InvariantCulture), null),
        new("successful", c.Successful.ToString(CultureInfo.InvariantCulture), null),
    ];

    private async Task AuditAsync(string eventType, MigrationTask task, IReadOnlyList<AuditChange> extra, CancellationToken ct)
    {
        await using var s = await store.BeginAsync(organization, actor, ct);
        await s.AuditAsync(eventType, task.FileName, [.. Fields(task), .. extra], [], ct);
        await s.CommitAsync(ct);
    }
}
