using Microsoft.EntityFrameworkCore;
using Sekisho.Model;
using Sekisho.Model.Serialization;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>The life of a migration task.</summary>
public enum MigrationTaskState
{
    Analysing,
    Analysed,
    Importing,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>Counts per analysis status.</summary>
public sealed record MigrationCounts(int NotSupported, int Error, int Warning, int Successful);

/// <summary>A run of the migration tool (移行タスク): what file, which mode, where it stands, and its reports (JSON documents).</summary>
public sealed record MigrationTask
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string FileName { get; init; }
    public required string Sha256 { get; init; }
    public required string Mode { get; init; }
    public required MigrationTaskState State { get; init; }
    public required DateTimeOffset Created { get; init; }
    public DateTimeOffset? Completed { get; init; }
    public MigrationCounts Counts { get; init; } = new(0, 0, 0, 0);
    public string? Error { get; init; }
    /// <summary>The data analysis report as a JSON document (only kept for the latest task).</summary>
    public string? AnalysisReport { get; init; }
    /// <summary>The data migration report as a JSON document (only kept for the latest task).</summary>
    public string? MigrationReport { get; init; }
}

/// <summary>Persistence of migration tasks. Each call is its own short transaction: task state must survive a failed import.</summary>
public static class MigrationTaskStore
{
    public static async Task SaveAsync(this SekishoStore store, MigrationTask task, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var row = await db.MigrationTasks.FirstOrDefaultAsync(t => t.Id == task.Id, ct);
        if (row is null)
        {
            row = new MigrationTaskRow { Id = task.Id, OrganizationId = task.OrganizationId, FileName = task.FileName, Sha256 = task.Sha256, Mode = task.Mode, State = "", Counts = "" };
            db.MigrationTasks.Add(row);
            // Only the latest migration's reports are kept.
            await db.MigrationTasks.Where(t => t.OrganizationId == task.OrganizationId && t.Id != task.Id && (t.AnalysisReport != null || t.MigrationReport != null))
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.AnalysisReport, (string?)null).SetProperty(t => t.MigrationReport, (string?)null), ct);
        }
        row.State = ModelJson.EnumName(task.State);
        row.CreatedUtc = task.Created.UtcDateTime;
        row.CompletedUtc = task.Completed?.UtcDateTime;
        row.Counts = ModelJson.Serialize(task.Counts);
        row.Error = task.Error;
        row.AnalysisReport = task.AnalysisReport;
        row.MigrationReport = task.MigrationReport;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The organization's latest task, or null.</summary>
    public static async Task<MigrationTask?> LatestTaskAsync(this SekishoStore store, Organization org, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var row = await db.MigrationTasks.AsNoTracking().Where(t => t.OrganizationId == org.Id).OrderByDescending(t => t.CreatedUtc).FirstOrDefaultAsync(ct);
        return row is null ? null : ToModel(row);
    }

    public static async Task<IReadOnlyList<MigrationTask>> ListTasksAsync(this SekishoStore store, Organization org, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var rows = await db.MigrationTasks.AsNoTracking().Where(t => t.OrganizationId == org.Id).OrderByDescending(t => t.CreatedUtc).ToListAsync(ct);
        return rows.Select(ToModel).ToList();
    }

    private static MigrationTask ToModel(MigrationTaskRow r) => new()
    {
        Id = r.Id, OrganizationId = r.OrganizationId, FileName = r.FileName, Sha256 = r.Sha256, Mode = r.Mode,
        State = ModelJson.TryParseEnum<MigrationTaskState>(r.State, out var s) ? s : MigrationTaskState.Failed,
        Created = new DateTimeOffset(r.CreatedUtc, TimeSpan.Zero), Completed = r.CompletedUtc is null ? null : new DateTimeOffset(r.CompletedUtc.Value, TimeSpan.Zero),
        Counts = ModelJson.Deserialize<MigrationCounts>(r.Counts), Error = r.Error, AnalysisReport = r.AnalysisReport, MigrationReport = r.MigrationReport,
    };
}
