using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>
/// The persistence of the model: opens SQLite (default) or PostgreSQL, applies schema migrations, and hands out
/// sessions. Every change happens in a <see cref="StoreSession"/>: one transaction per user action, with its audit
/// records written in the same transaction.
/// </summary>
public sealed class SekishoStore
{
    private readonly DbContextOptions<SekishoDbContext> _options;

    private SekishoStore(StoreOptions options, DbContextOptions<SekishoDbContext> contextOptions, TimeProvider time)
    {
        Options = options;
        _options = contextOptions;
        Time = time;
    }

    public StoreOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>"sqlite" or "postgresql".</summary>
    public string Provider => Options.UsesPostgres ? "postgresql" : "sqlite";

    /// <summary>Opens the store and brings its schema up to date.</summary>
    public static async Task<SekishoStore> OpenAsync(StoreOptions options, TimeProvider? time = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var builder = new DbContextOptionsBuilder<SekishoDbContext>();
        if (options.UsesPostgres)
        {
            builder.UseNpgsql(options.PostgresConnectionString, o => o.MigrationsHistoryTable("schema_migrations"));
        }
        else
        {
            var cs = new SqliteConnectionStringBuilder { DataSource = options.SqlitePath, DefaultTimeout = 30, Pooling = true, ForeignKeys = true }.ToString();
            builder.UseSqlite(cs, o => o.MigrationsHistoryTable("schema_migrations"));
        }
        // Migrations are hand-written without a model snapshot (see Migrations/); the snapshot check does not apply.
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        var store = new SekishoStore(options, builder.Options, time ?? TimeProvider.System);
        await using (var db = store.CreateContext())
        {
            if (!options.UsesPostgres)
            {
                await db.Database.OpenConnectionAsync(ct);
                // WAL lets the gateway read while the command line writes; FULL keeps committed changes across power loss.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", ct);
            }
            await db.Database.MigrateAsync(ct);
        }
        return store;
    }

    internal SekishoDbContext CreateContext() => new(_options);

    /// <summary>The organization with this name, created (and audited) when it does not exist yet.</summary>
    public async Task<Organization> EnsureOrganizationAsync(string name, string actor, CancellationToken ct = default)
    {
        await using var db = CreateContext();
        var row = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Name == name, ct);
        if (row is not null) return ToModel(row);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        row = await db.Organizations.FirstOrDefaultAsync(o => o.Name == name, ct);
        if (row is null)
        {
            var now = Time.GetUtcNow();
            row = new OrganizationRow { Id = Ids.New(), Name = name, CreatedUtc = now.UtcDateTime };
            db.Organizations.Add(row);
            db.Audit.Add(new AuditRow
            {
                OrganizationId = row.Id, TimeUtc = now.UtcDateTime, Actor = actor, EventType = AuditEvents.OrganizationCreated,
                Subject = name, AffectedDomains = "[]", Changes = Model.Serialization.ModelJson.Serialize(new[] { new AuditChange("name", name, null) }),
            });
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return ToModel(row);
    }

    /// <summary>The organization with this name, or null.</summary>
    public async Task<Organization?> FindOrganizationAsync(string name, CancellationToken ct = default)
    {
        await using var db = CreateContext();
        var row = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Name == name, ct);
        return row is null ? null : ToModel(row);
    }

    /// <summary>All organizations.</summary>
    public async Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken ct = default)
    {
        await using var db = CreateContext();
        return (await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(ct)).Select(ToModel).ToList();
    }

    /// <summary>Starts a unit of work for one user action in an organization; changes land on <see cref="StoreSession.CommitAsync"/>.</summary>
    public async Task<StoreSession> BeginAsync(Organization organization, string actor, CancellationToken ct = default)
    {
        var db = CreateContext();
        try
        {
            var tx = await db.Database.BeginTransactionAsync(ct);
            return new StoreSession(this, db, tx, organization, actor);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a session for reading (console pages, API GETs). On SQLite it is a deferred transaction, so it reads a
    /// snapshot instead of waiting for the write lock — a long import does not block the screens. Do not write in it.
    /// </summary>
    public async Task<StoreSession> BeginReadAsync(Organization organization, string actor, CancellationToken ct = default)
    {
        if (Options.UsesPostgres) return await BeginAsync(organization, actor, ct);
        var db = CreateContext();
        try
        {
            await db.Database.OpenConnectionAsync(ct);
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            var tx = await db.Database.UseTransactionAsync(connection.BeginTransaction(deferred: true), ct)
                     ?? throw new InvalidOperationException("the read transaction was not accepted");
            return new StoreSession(this, db, tx, organization, actor);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static Organization ToModel(OrganizationRow row) => new(row.Id, row.Name, new DateTimeOffset(row.CreatedUtc, TimeSpan.Zero));
}
