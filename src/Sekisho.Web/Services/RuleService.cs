using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>Filters of the policy list (受信保護 / 送信保護).</summary>
/// <param name="MigrationStatus">"error" (needs fix), "warning" (needs confirmation), "done" (successful, fixed, confirmed) or one status name.</param>
public sealed record RuleFilter(Direction? Direction = null, RuleType? Type = null, bool? Enabled = null, string? MigrationStatus = null, string? Name = null);

/// <summary>The policy lists and API: list, enable/disable, mark fixed (完了) and confirm. Every change is audited.</summary>
public sealed class RuleService(ConsoleContext console)
{
    public async Task<IReadOnlyList<Rule>> ListAsync(RuleFilter filter, string actor, CancellationToken ct)
    {
        var statuses = filter.MigrationStatus is { Length: > 0 } m ? StatusGroup(m) : null;
        await using var s = await console.ReadAsync(actor, ct);
        return (await s.ListRulesAsync(ct))
            .Where(r => filter.Direction is null || r.Direction == filter.Direction)
            .Where(r => filter.Type is null || r.Type == filter.Type)
            .Where(r => filter.Enabled is null || r.Enabled == filter.Enabled)
            .Where(r => statuses is null || (r.Migration is not null && statuses.Contains(r.Migration.Status)))
            .Where(r => string.IsNullOrEmpty(filter.Name) || r.Name.Contains(filter.Name, StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    public async Task<Rule> GetAsync(string id, string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return await s.GetRuleAsync(id, ct) ?? throw NotFound(id);
    }

    /// <summary>A rule with the names of the address groups it refers to (for the detail screen).</summary>
    public async Task<(Rule Rule, IReadOnlyDictionary<string, string> GroupNames)> GetWithNamesAsync(string id, string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        var rule = await s.GetRuleAsync(id, ct) ?? throw NotFound(id);
        var groups = await s.ListObjectsAsync<Model.Objects.AddressGroup>(ct);
        return (rule, groups.ToDictionary(g => g.Id, g => g.Name));
    }

    /// <summary>Turns a rule on or off. A needs-fix rule may be enabled, but it stays inactive until it is marked fixed.</summary>
    public async Task<Rule> SetEnabledAsync(string id, bool enabled, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var r = await s.GetRuleAsync(id, ct) ?? throw NotFound(id);
        if (r.Enabled == enabled) return r;
        var updated = r with { Enabled = enabled, Modified = console.Time.GetUtcNow() };
        await s.UpdateRuleAsync(updated, enabled ? AuditEvents.RuleEnabled : AuditEvents.RuleDisabled, ct);
        await s.CommitAsync(ct);
        return updated;
    }

    /// <summary>Marks a needs-fix rule fixed, or confirms a needs-confirmation rule (完了).</summary>
    public async Task<Rule> TransitionAsync(string id, MigrationStatusTransition transition, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var r = await s.GetRuleAsync(id, ct) ?? throw NotFound(id);
        if (r.Migration is null || RuleMigration.Next(r.Migration.Status, transition) is not MigrationStatus next)
        {
            var from = r.Migration is null ? "-" : ModelJson.EnumName(r.Migration.Status);
            throw new ConsoleProblem("rule.transition", new LocalizedText(
                $"ルール「{r.Name}」の移行ステータス ({from}) はこの操作で変更できません。",
                $"The migration status of the rule '{r.Name}' ({from}) does not allow this action."), 409);
        }
        var updated = r with { Migration = r.Migration with { Status = next }, Modified = console.Time.GetUtcNow() };
        await s.UpdateRuleAsync(updated, AuditEvents.MigrationStatusChanged, ct);
        await s.CommitAsync(ct);
        return updated;
    }

    /// <summary>完了 on the "!" of a rule: mark fixed when it needs a fix, confirm when it needs confirmation.</summary>
    public static MigrationStatusTransition? CompletionFor(Rule r) => r.Migration?.Status switch
    {
        MigrationStatus.NeedsFix => MigrationStatusTransition.MarkFixed,
        MigrationStatus.NeedsConfirmation => MigrationStatusTransition.Confirm,
        _ => null,
    };

    private static HashSet<MigrationStatus> StatusGroup(string value) => value switch
    {
        "error" => [MigrationStatus.NeedsFix],
        "warning" => [MigrationStatus.NeedsConfirmation],
        "done" => [MigrationStatus.Fixed, MigrationStatus.Confirmed, MigrationStatus.Successful],
        _ when ModelJson.TryParseEnum<MigrationStatus>(value, out var s) => [s],
        _ => throw new ConsoleProblem("rule.filter", new LocalizedText($"移行ステータス「{value}」は使えません (error, warning, done)。", $"Unknown migration status '{value}' (error, warning, done).")),
    };

    private static ConsoleProblem NotFound(string id) =>
        new("rule.not-found", new LocalizedText($"ルール「{id}」が見つかりません。", $"The rule '{id}' does not exist."), 404);
}
