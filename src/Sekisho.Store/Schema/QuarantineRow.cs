using Microsoft.EntityFrameworkCore;

namespace Sekisho.Store.Schema;

/// <summary>One quarantined message for one recipient (table <c>quarantine</c>, migration 0003).</summary>
internal sealed class QuarantineRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Recipient { get; set; }
    public required string Sender { get; set; }
    public required string Direction { get; set; }
    public required string Subject { get; set; }
    public required string RuleId { get; set; }
    public required string RuleName { get; set; }
    public required string Reason { get; set; }
    public string? Area { get; set; }
    public string? QueueId { get; set; }
    public DateTime ReceivedUtc { get; set; }
    public DateTime QuarantinedUtc { get; set; }
    public DateTime ExpiresUtc { get; set; }
    public long Size { get; set; }
    public required string Trace { get; set; }
    public required byte[] Content { get; set; }

    internal static void Configure(ModelBuilder b) => b.Entity<QuarantineRow>(e =>
    {
        e.ToTable("quarantine");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.OrganizationId).HasColumnName("organization_id");
        e.Property(x => x.Recipient).HasColumnName("recipient");
        e.Property(x => x.Sender).HasColumnName("sender");
        e.Property(x => x.Direction).HasColumnName("direction");
        e.Property(x => x.Subject).HasColumnName("subject");
        e.Property(x => x.RuleId).HasColumnName("rule_id");
        e.Property(x => x.RuleName).HasColumnName("rule_name");
        e.Property(x => x.Reason).HasColumnName("reason");
        e.Property(x => x.Area).HasColumnName("area");
        e.Property(x => x.QueueId).HasColumnName("queue_id");
        e.Property(x => x.ReceivedUtc).HasColumnName("received_utc");
        e.Property(x => x.QuarantinedUtc).HasColumnName("quarantined_utc");
        e.Property(x => x.ExpiresUtc).HasColumnName("expires_utc");
        e.Property(x => x.Size).HasColumnName("size");
        e.Property(x => x.Trace).HasColumnName("trace");
        e.Property(x => x.Content).HasColumnName("content");
        e.HasIndex(x => new { x.OrganizationId, x.QuarantinedUtc }).HasDatabaseName("ix_quarantine_org_time");
        e.HasIndex(x => new { x.OrganizationId, x.Recipient }).HasDatabaseName("ix_quarantine_org_recipient");
        e.HasIndex(x => x.ExpiresUtc).HasDatabaseName("ix_quarantine_expires");
    });
}
