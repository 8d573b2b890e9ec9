using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Sekisho.Store.Schema;

/// <summary>The EF Core context. Table and column names are snake_case so that SQL written by hand reads naturally on both databases.</summary>
internal sealed class SekishoDbContext(DbContextOptions<SekishoDbContext> options) : DbContext(options)
{
    public DbSet<OrganizationRow> Organizations => Set<OrganizationRow>();
    public DbSet<DomainRow> Domains => Set<DomainRow>();
    public DbSet<RuleRow> Rules => Set<RuleRow>();
    public DbSet<PolicyObjectRow> PolicyObjects => Set<PolicyObjectRow>();
    public DbSet<SettingsRow> Settings => Set<SettingsRow>();
    public DbSet<AuditRow> Audit => Set<AuditRow>();
    public DbSet<MigrationTaskRow> MigrationTasks => Set<MigrationTaskRow>();
    public DbSet<QuarantineRow> Quarantine => Set<QuarantineRow>();
    public DbSet<ConsoleUserRow> ConsoleUsers => Set<ConsoleUserRow>();
    public DbSet<ApiTokenRow> ApiTokens => Set<ApiTokenRow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // SQLite hands DateTime back unspecified; the store only ever writes UTC.
        builder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<OrganizationRow>(e =>
        {
            e.ToTable("organizations");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.CreatedUtc).HasColumnName("created_utc");
            e.HasIndex(x => x.Name).IsUnique().HasDatabaseName("ux_organizations_name");
        });
        b.Entity<DomainRow>(e =>
        {
            e.ToTable("domains");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.AddedUtc).HasColumnName("added_utc");
            e.Property(x => x.Document).HasColumnName("document");
            e.HasIndex(x => new { x.OrganizationId, x.Name }).IsUnique().HasDatabaseName("ux_domains_org_name");
        });
        b.Entity<RuleRow>(e =>
        {
            e.ToTable("rules");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.Direction).HasColumnName("direction");
            e.Property(x => x.Type).HasColumnName("type");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Order).HasColumnName("order_number");
            e.Property(x => x.Enabled).HasColumnName("enabled");
            e.Property(x => x.MigrationStatus).HasColumnName("migration_status");
            e.Property(x => x.Level).HasColumnName("level");
            e.Property(x => x.CreatedUtc).HasColumnName("created_utc");
            e.Property(x => x.ModifiedUtc).HasColumnName("modified_utc");
            e.Property(x => x.LastUsedUtc).HasColumnName("last_used_utc");
            e.Property(x => x.SourceSha256).HasColumnName("source_sha256");
            e.Property(x => x.SourceId).HasColumnName("source_id");
            e.Property(x => x.Document).HasColumnName("document");
            e.HasIndex(x => new { x.OrganizationId, x.Direction, x.Type, x.Order }).HasDatabaseName("ix_rules_org_order");
            e.HasIndex(x => new { x.OrganizationId, x.Direction, x.Type, x.Name }).IsUnique().HasDatabaseName("ux_rules_org_name");
        });
        b.Entity<PolicyObjectRow>(e =>
        {
            e.ToTable("policy_objects");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.Kind).HasColumnName("kind");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.SourceSha256).HasColumnName("source_sha256");
            e.Property(x => x.SourceId).HasColumnName("source_id");
            e.Property(x => x.ModifiedUtc).HasColumnName("modified_utc");
            e.Property(x => x.Document).HasColumnName("document");
            e.HasIndex(x => new { x.OrganizationId, x.Kind, x.Name }).IsUnique().HasDatabaseName("ux_policy_objects_org_kind_name");
        });
        b.Entity<SettingsRow>(e =>
        {
            e.ToTable("settings");
            e.HasKey(x => x.OrganizationId);
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.ModifiedUtc).HasColumnName("modified_utc");
            e.Property(x => x.Document).HasColumnName("document");
        });
        b.Entity<AuditRow>(e =>
        {
            e.ToTable("audit_log");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.TimeUtc).HasColumnName("time_utc");
            e.Property(x => x.Actor).HasColumnName("actor");
            e.Property(x => x.EventType).HasColumnName("event_type");
            e.Property(x => x.Subject).HasColumnName("subject");
            e.Property(x => x.AffectedDomains).HasColumnName("affected_domains");
            e.Property(x => x.Changes).HasColumnName("changes");
            e.HasIndex(x => new { x.OrganizationId, x.TimeUtc }).HasDatabaseName("ix_audit_org_time");
        });
        b.Entity<MigrationTaskRow>(e =>
        {
            e.ToTable("migration_tasks");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.FileName).HasColumnName("file_name");
            e.Property(x => x.Sha256).HasColumnName("sha256");
            e.Property(x => x.Mode).HasColumnName("mode");
            e.Property(x => x.State).HasColumnName("state");
            e.Property(x => x.CreatedUtc).HasColumnName("created_utc");
            e.Property(x => x.CompletedUtc).HasColumnName("completed_utc");
            e.Property(x => x.Counts).HasColumnName("counts");
            e.Property(x => x.Error).HasColumnName("error");
            e.Property(x => x.AnalysisReport).HasColumnName("analysis_report");
            e.Property(x => x.MigrationReport).HasColumnName("migration_report");
            e.HasIndex(x => new { x.OrganizationId, x.CreatedUtc }).HasDatabaseName("ix_migration_tasks_org_created");
        });
        QuarantineRow.Configure(b);
        EndUserRows.Configure(b);
        b.Entity<ConsoleUserRow>(e =>
        {
            e.ToTable("console_users");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Role).HasColumnName("role");
            e.Property(x => x.PasswordHash).HasColumnName("password_hash");
            e.Property(x => x.TotpSecret).HasColumnName("totp_secret");
            e.Property(x => x.FailedLogins).HasColumnName("failed_logins");
            e.Property(x => x.LockedUntilUtc).HasColumnName("locked_until_utc");
            e.Property(x => x.CreatedUtc).HasColumnName("created_utc");
            e.Property(x => x.LastLoginUtc).HasColumnName("last_login_utc");
            e.HasIndex(x => new { x.OrganizationId, x.Name }).IsUnique().HasDatabaseName("ux_console_users_org_name");
        });
        b.Entity<ApiTokenRow>(e =>
        {
            e.ToTable("api_tokens");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.UserId).HasColumnName("user_id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.TokenSha256).HasColumnName("token_sha256");
            e.Property(x => x.CreatedUtc).HasColumnName("created_utc");
            e.Property(x => x.LastUsedUtc).HasColumnName("last_used_utc");
            e.HasIndex(x => x.TokenSha256).IsUnique().HasDatabaseName("ux_api_tokens_sha256");
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
