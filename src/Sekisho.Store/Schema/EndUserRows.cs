using Microsoft.EntityFrameworkCore;

namespace Sekisho.Store.Schema;

/// <summary>A local end-user account (table <c>end_users</c>, migration 0005).</summary>
internal sealed class EndUserRow
{
    public required string Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Address { get; set; }
    public string? PasswordHash { get; set; }
    public int FailedLogins { get; set; }
    public DateTime? LockedUntilUtc { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? LastLoginUtc { get; set; }
}

/// <summary>A single-use digest link that has been used (table <c>end_user_used_links</c>); kept until it would have expired anyway.</summary>
internal sealed class EndUserUsedLinkRow
{
    public required string Nonce { get; set; }
    public required string OrganizationId { get; set; }
    public DateTime UsedUtc { get; set; }
    public DateTime ExpiresUtc { get; set; }
}

/// <summary>When a recipient last got a digest (table <c>end_user_digests</c>).</summary>
internal sealed class EndUserDigestRow
{
    public required string OrganizationId { get; set; }
    public required string Recipient { get; set; }
    public DateTime LastSentUtc { get; set; }
}

internal static class EndUserRows
{
    internal static void Configure(ModelBuilder b)
    {
        b.Entity<EndUserRow>(e =>
        {
            e.ToTable("end_users");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.Address).HasColumnName("address");
            e.Property(x => x.PasswordHash).HasColumnName("password_hash");
            e.Property(x => x.FailedLogins).HasColumnName("failed_logins");
            e.Property(x => x.LockedUntilUtc).HasColumnName("locked_until_utc");
            e.Property(x => x.CreatedUtc).HasColumnName("created_utc");
            e.Property(x => x.LastLoginUtc).HasColumnName("last_login_utc");
            e.HasIndex(x => new { x.OrganizationId, x.Address }).IsUnique().HasDatabaseName("ux_end_users_org_address");
        });
        b.Entity<EndUserUsedLinkRow>(e =>
        {
            e.ToTable("end_user_used_links");
            e.HasKey(x => x.Nonce);
            e.Property(x => x.Nonce).HasColumnName("nonce");
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.UsedUtc).HasColumnName("used_utc");
            e.Property(x => x.ExpiresUtc).HasColumnName("expires_utc");
        });
        b.Entity<EndUserDigestRow>(e =>
        {
            e.ToTable("end_user_digests");
            e.HasKey(x => new { x.OrganizationId, x.Recipient });
            e.Property(x => x.OrganizationId).HasColumnName("organization_id");
            e.Property(x => x.Recipient).HasColumnName("recipient");
            e.Property(x => x.LastSentUtc).HasColumnName("last_sent_utc");
        });
    }
}
