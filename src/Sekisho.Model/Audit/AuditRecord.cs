namespace Sekisho.Model.Audit;

/// <summary>One changed field of an audited event (フィールド / 新しい値 / 以前の値).</summary>
public sealed record AuditChange(string Field, string? NewValue, string? PreviousValue);

/// <summary>An entry of the audit log (監査ログ): who did what, when, to which domains, with the changed fields.</summary>
public sealed record AuditRecord
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Actor { get; init; }
    /// <summary>An <see cref="AuditEvents"/> name.</summary>
    public required string EventType { get; init; }
    public required DateTimeOffset Time { get; init; }
    public IReadOnlyList<string> AffectedDomains { get; init; } = [];
    /// <summary>The object the event is about (rule id, domain name, …), when there is one.</summary>
    public string? Subject { get; init; }
    public IReadOnlyList<AuditChange> Changes { get; init; } = [];
}

/// <summary>Audit event type names. Each has a Japanese and English label in the resources.</summary>
public static class AuditEvents
{
    public const string OrganizationCreated = "organization.created";
    public const string DomainAdded = "domain.added";
    public const string DomainUpdated = "domain.updated";
    public const string DomainRemoved = "domain.removed";
    public const string DomainVerified = "domain.verified";
    public const string DomainVerificationFailed = "domain.verification-failed";
    public const string RuleCreated = "rule.created";
    public const string RuleUpdated = "rule.updated";
    public const string RuleEnabled = "rule.enabled";
    public const string RuleDisabled = "rule.disabled";
    public const string RuleMoved = "rule.moved";
    public const string RuleDeleted = "rule.deleted";
    public const string MigrationStatusChanged = "policy.migration-status-changed";
    public const string PolicyImported = "policy.imported";
    public const string ObjectCreated = "object.created";
    public const string ObjectUpdated = "object.updated";
    public const string ObjectDeleted = "object.deleted";
    public const string SettingsUpdated = "settings.updated";
    public const string MigrationAnalysisStarted = "migration.analysis-started";
    public const string MigrationAnalysisCompleted = "migration.analysis-completed";
    public const string MigrationImportStarted = "migration.import-started";
    public const string MigrationImportCompleted = "migration.import-completed";
    public const string MigrationImportFailed = "migration.import-failed";
    public const string MigrationCancelled = "migration.cancelled";
}
