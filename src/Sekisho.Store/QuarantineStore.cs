using Microsoft.EntityFrameworkCore;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>Audit event names of the quarantine.</summary>
public static class QuarantineEvents
{
    public const string Released = "quarantine.released";
    public const string Deleted = "quarantine.deleted";
    public const string Purged = "quarantine.purged";
}

/// <summary>A message to put in quarantine for one recipient.</summary>
public sealed record NewQuarantinedMessage(
    string Recipient, string Sender, Direction Direction, string Subject, ReadOnlyMemory<byte> Content,
    string RuleId, string RuleName, string Reason, string? Area, string Trace, DateTimeOffset Received, string? QueueId);

/// <summary>A quarantined message as listed (without its content).</summary>
public sealed record QuarantinedMessage
{
    public required string Id { get; init; }
    public required string Recipient { get; init; }
    public required string Sender { get; init; }
    public required Direction Direction { get; init; }
    public required string Subject { get; init; }
    public required string RuleId { get; init; }
    public required string RuleName { get; init; }
    public required string Reason { get; init; }
    public string? Area { get; init; }
    public string? QueueId { get; init; }
    public required DateTimeOffset Received { get; init; }
    public required DateTimeOffset Quarantined { get; init; }
    public required DateTimeOffset Expires { get; init; }
    public required long Size { get; init; }
    /// <summary>The policy trace (JSON of the recipient's plan) that explains why.</summary>
    public required string Trace { get; init; }
}

/// <summary>Filters of <see cref="QuarantineStore.QueryAsync"/>; every one optional.</summary>
public sealed record QuarantineQuery
{
    public string? Recipient { get; init; }
    public string? Sender { get; init; }
    public string? Rule { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public int Limit { get; init; } = 500;
}

/// <summary>
/// The quarantine of one organization: messages kept per recipient with the rule, the reason and the trace;
/// query, read, delete, mark released, purge after the retention period (30 days by default).
/// </summary>
public sealed class QuarantineStore(SekishoStore store, Organization organization)
{
    public Organization Organization { get; } = organization;

    /// <summary>
    /// Keeps a message; returns its id. Idempotent per queued message: when the same queue id, recipient and rule are
    /// already kept (the gateway crashed after quarantining and before recording the outcome, and evaluated the
    /// message again), the existing entry's id is returned and nothing is added.
    /// </summary>
    public async Task<string> AddAsync(NewQuarantinedMessage m, int retentionDays, CancellationToken ct = default)
    {
        var now = store.Time.GetUtcNow();
        await using var db = store.CreateContext();
        var recipient = m.Recipient.ToLowerInvariant();
        if (m.QueueId is { } queueId)
        {
            var existing = await db.Quarantine.AsNoTracking()
                .Where(r => r.OrganizationId == Organization.Id && r.Recipient == recipient && r.QueueId == queueId && r.RuleId == m.RuleId)
                .Select(r => r.Id).FirstOrDefaultAsync(ct);
            if (existing is not null) return existing;
        }
        var id = Ids.New();
        db.Quarantine.Add(new QuarantineRow
        {
            Id = id, OrganizationId = Organization.Id, Recipient = recipient, Sender = m.Sender, Direction = ModelJson.EnumName(m.Direction),
            Subject = m.Subject, RuleId = m.RuleId, RuleName = m.RuleName, Reason = m.Reason, Area = m.Area, QueueId = m.QueueId,
            ReceivedUtc = m.Received.UtcDateTime, QuarantinedUtc = now.UtcDateTime, ExpiresUtc = now.AddDays(retentionDays).UtcDateTime,
            Size = m.Content.Length, Trace = m.Trace, Content = m.Content.ToArray(),
        });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>Messages matching the query, newest first.</summary>
    public async Task<IReadOnlyList<QuarantinedMessage>> QueryAsync(QuarantineQuery? query = null, CancellationToken ct = default)
    {
        query ??= new QuarantineQuery();
        await using var db = store.CreateContext();
        var q = db.Quarantine.AsNoTracking().Where(x => x.OrganizationId == Organization.Id);
        if (query.Recipient is { } r) q = q.Where(x => x.Recipient == r.ToLowerInvariant());
        if (query.Sender is { } s) q = q.Where(x => x.Sender == s);
        if (query.Rule is { } rule) q = q.Where(x => x.RuleId == rule || x.RuleName == rule);
        if (query.Since is { } since) q = q.Where(x => x.QuarantinedUtc >= since.UtcDateTime);
        if (query.Until is { } until) q = q.Where(x => x.QuarantinedUtc < until.UtcDateTime);
        var rows = await q.OrderByDescending(x => x.QuarantinedUtc).ThenBy(x => x.Id)
            .Select(x => new { x.Id, x.Recipient, x.Sender, x.Direction, x.Subject, x.RuleId, x.RuleName, x.Reason, x.Area, x.QueueId, x.ReceivedUtc, x.QuarantinedUtc, x.ExpiresUtc, x.Size, x.Trace })
            .Take(Math.Clamp(query.Limit, 1, 10_000)).ToListAsync(ct);
        var list = rows.Select(x => ToModel(x.Id, x.Recipient, x.Sender, x.Direction, x.Subject, x.RuleId, x.RuleName, x.Reason, x.Area, x.QueueId, x.ReceivedUtc, x.QuarantinedUtc, x.ExpiresUtc, x.Size, x.Trace));
        // Subject search runs here: SQLite and PostgreSQL compare non-ASCII text differently.
        if (query.Subject is { } subject) list = list.Where(x => x.Subject.Contains(subject, StringComparison.OrdinalIgnoreCase));
        return list.ToList();
    }

    /// <summary>The message with this id (or the unique one whose id starts with it), or null.</summary>
    public async Task<QuarantinedMessage?> FindAsync(string idOrPrefix, CancellationToken ct = default)
    {
        var id = await ResolveAsync(idOrPrefix, ct);
        if (id is null) return null;
        await using var db = store.CreateContext();
        var x = await db.Quarantine.AsNoTracking().Where(r => r.OrganizationId == Organization.Id && r.Id == id)
            .Select(r => new { r.Id, r.Recipient, r.Sender, r.Direction, r.Subject, r.RuleId, r.RuleName, r.Reason, r.Area, r.QueueId, r.ReceivedUtc, r.QuarantinedUtc, r.ExpiresUtc, r.Size, r.Trace })
            .FirstOrDefaultAsync(ct);
        return x is null ? null : ToModel(x.Id, x.Recipient, x.Sender, x.Direction, x.Subject, x.RuleId, x.RuleName, x.Reason, x.Area, x.QueueId, x.ReceivedUtc, x.QuarantinedUtc, x.ExpiresUtc, x.Size, x.Trace);
    }

    /// <summary>The raw message, or null.</summary>
    public async Task<byte[]?> ReadContentAsync(string id, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        return await db.Quarantine.AsNoTracking().Where(x => x.OrganizationId == Organization.Id && x.Id == id).Select(x => x.Content).FirstOrDefaultAsync(ct);
    }

    /// <summary>Removes a message after release (audited as released) or deletion (audited as deleted). False when it was not there.</summary>
    public async Task<bool> RemoveAsync(string id, bool released, string actor, CancellationToken ct = default)
    {
        await using var session = await store.BeginAsync(Organization, actor, ct);
        var db = session.Db;
        var row = await db.Quarantine.FirstOrDefaultAsync(x => x.OrganizationId == Organization.Id && x.Id == id, ct);
        if (row is null) return false;
        db.Quarantine.Remove(row);
        await db.SaveChangesAsync(ct);
        var domain = Model.Addresses.DomainNames.DomainOf(row.Recipient);
        await session.AuditAsync(released ? QuarantineEvents.Released : QuarantineEvents.Deleted, row.Id,
            [new AuditChange("recipient", null, row.Recipient), new AuditChange("sender", null, row.Sender), new AuditChange("subject", null, row.Subject), new AuditChange("rule", null, row.RuleName)],
            domain is null ? [] : [domain], ct);
        await session.CommitAsync(ct);
        return true;
    }

    /// <summary>Deletes every message past its expiry; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var now = store.Time.GetUtcNow().UtcDateTime;
        await using var db = store.CreateContext();
        return await db.Quarantine.Where(x => x.OrganizationId == Organization.Id && x.ExpiresUtc <= now).ExecuteDeleteAsync(ct);
    }

    private async Task<string?> ResolveAsync(string idOrPrefix, CancellationToken ct)
    {
        var p = idOrPrefix.Trim();
        if (p.Length == 0) return null;
        await using var db = store.CreateContext();
        var ids = await db.Quarantine.AsNoTracking().Where(x => x.OrganizationId == Organization.Id && x.Id.StartsWith(p)).Select(x => x.Id).Take(2).ToListAsync(ct);
        return ids.Count == 1 ? ids[0] : ids.FirstOrDefault(i => i == p);
    }

    private static QuarantinedMessage ToModel(string id, string recipient, string sender, string direction, string subject, string ruleId, string ruleName, string reason,
        string? area, string? queueId, DateTime received, DateTime quarantined, DateTime expires, long size, string trace) => new()
    {
        Id = id, Recipient = recipient, Sender = sender,
        Direction = ModelJson.TryParseEnum<Direction>(direction, out var d) ? d : Direction.Inbound,
        Subject = subject, RuleId = ruleId, RuleName = ruleName, Reason = reason, Area = area, QueueId = queueId,
        Received = new DateTimeOffset(received, TimeSpan.Zero), Quarantined = new DateTimeOffset(quarantined, TimeSpan.Zero),
        Expires = new DateTimeOffset(expires, TimeSpan.Zero), Size = size, Trace = trace,
    };
}
