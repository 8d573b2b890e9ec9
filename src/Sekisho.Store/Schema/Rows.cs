namespace Sekisho.Store.Schema;

// Rows keep the columns the store queries and sorts on, plus the model object as a JSON document
// (ModelJson), so that every field round-trips without a column per nested type.

internal sealed class OrganizationRow
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedUtc { get; set; }
}

internal sealed class DomainRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Status { get; set; }
    public DateTime AddedUtc { get; set; }
    public required string Document { get; set; }
}

internal sealed class RuleRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Direction { get; set; }
    public required string Type { get; set; }
    public required string Name { get; set; }
    public int Order { get; set; }
    public bool Enabled { get; set; }
    public string? MigrationStatus { get; set; }
    public required string Level { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime ModifiedUtc { get; set; }
    public DateTime? LastUsedUtc { get; set; }
    public string? SourceSha256 { get; set; }
    public string? SourceId { get; set; }
    public required string Document { get; set; }
}

internal sealed class PolicyObjectRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Kind { get; set; }
    public required string Name { get; set; }
    public string? SourceSha256 { get; set; }
    public string? SourceId { get; set; }
    public DateTime ModifiedUtc { get; set; }
    public required string Document { get; set; }
}

internal sealed class SettingsRow
{
    public required string OrganizationId { get; set; }
    public DateTime ModifiedUtc { get; set; }
    public required string Document { get; set; }
}

internal sealed class AuditRow
{
    public long Id { get; set; }
    public required string OrganizationId { get; set; }
    public DateTime TimeUtc { get; set; }
    public required string Actor { get; set; }
    public required string EventType { get; set; }
    public string? Subject { get; set; }
    public required string AffectedDomains { get; set; }
    public required string Changes { get; set; }
}

internal sealed class MigrationTaskRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string FileName { get; set; }
    public required string Sha256 { get; set; }
    public required string Mode { get; set; }
    public required string State { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? CompletedUtc { get; set; }
    public required string Counts { get; set; }
    public string? Error { get; set; }
    public string? AnalysisReport { get; set; }
    public string? MigrationReport { get; set; }
}

internal sealed class ConsoleUserRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    public required string PasswordHash { get; set; }
    public string? TotpSecret { get; set; }
    public int FailedLogins { get; set; }
    public DateTime? LockedUntilUtc { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? LastLoginUtc { get; set; }
}

internal sealed class ApiTokenRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public required string TokenSha256 { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? LastUsedUtc { get; set; }
}
