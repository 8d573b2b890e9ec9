using Sekisho.Model.Audit;

namespace Sekisho.Web.Services;

/// <summary>The audit log screen and API (ログ → 監査ログ).</summary>
public sealed class AuditService(ConsoleContext console)
{
    public const int MaxLimit = 1000;

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(DateTimeOffset? since, string? eventType, int limit, string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return await s.QueryAuditAsync(since, string.IsNullOrWhiteSpace(eventType) ? null : eventType, Math.Clamp(limit, 1, MaxLimit), ct);
    }
}
