using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store;
using Sekisho.Store.Editing;

namespace Sekisho.Web.Services;

/// <summary>Filters of the policy list (受信保護 / 送信保護).</summary>
/// <param name="MigrationStatus">"error" (needs fix), "warning" (needs confirmation), "done" (successful, fixed, confirmed) or one status name.</param>
public sealed record RuleFilter(Direction? Direction = null, RuleType? Type = null, bool? Enabled = null, string? MigrationStatus = null, string? Name = null);

/// <summary>The policy lists and API: list, enable/disable, mark fixed (完了), confirm, add, edit, copy, delete and move, through the store's <see cref="RuleEditor"/> (as the command line). Every change is audited.</summary>
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
    public Task<Rule> SetEnabledAsync(string id, bool enabled, string actor, CancellationToken ct) =>
        EditAsync(actor, e => e.SetEnabledAsync(id, enabled, ct), ct);

    /// <summary>Marks a needs-fix rule fixed, or confirms a needs-confirmation rule (完了).</summary>
    public Task<Rule> TransitionAsync(string id, MigrationStatusTransition transition, string actor, CancellationToken ct) =>
        EditAsync(actor, e => e.TransitionAsync(id, transition, ct), ct);

    /// <summary>Adds a rule at its order (past the end appends). Throws <see cref="RuleEditException"/> with the validator's problems when it is invalid.</summary>
    public Task<Rule> AddAsync(Rule draft, string actor, CancellationToken ct) => EditAsync(actor, e => e.AddAsync(draft, ct), ct);

    /// <summary>Saves an edited rule (direction, type and migration status stay). Throws <see cref="RuleEditException"/> when it is invalid.</summary>
    public Task<Rule> UpdateAsync(Rule edited, string actor, CancellationToken ct) => EditAsync(actor, e => e.UpdateAsync(edited, ct), ct);

    /// <summary>Copies a rule: "&lt;name&gt; のコピー" or "Copy of &lt;name&gt;" in the user's language, disabled, last in its list.</summary>
    public Task<Rule> CopyAsync(string id, string language, string actor, CancellationToken ct) => EditAsync(actor, e => e.CopyAsync(id, language, ct), ct);

    /// <summary>Deletes a rule; the rules after it move up.</summary>
    public Task<Rule> DeleteAsync(string id, string actor, CancellationToken ct) => EditAsync(actor, e => e.DeleteAsync(id, ct), ct);

    /// <summary>Moves a rule to a position, or by a number of places (negative = up), within its direction and type.</summary>
    public Task<Rule> MoveAsync(string id, int? to, int steps, string actor, CancellationToken ct) =>
        EditAsync(actor, e => to is int n ? e.MoveAsync(id, n, ct) : e.MoveByAsync(id, steps, ct), ct);

    /// <summary>The policy objects a rule form refers to (address groups, keyword lists, notifications).</summary>
    public async Task<RuleFormObjects> FormObjectsAsync(string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return new(await s.ListObjectsAsync<Model.Objects.AddressGroup>(ct), await s.ListObjectsAsync<Model.Objects.KeywordList>(ct),
            await s.ListObjectsAsync<Model.Objects.Notification>(ct));
    }

    // One change in one transaction through the store's rule editor; refused changes become problems the console shows.
    private async Task<T> EditAsync<T>(string actor, Func<RuleEditor, Task<T>> change, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        T result;
        try { result = await change(new RuleEditor(s)); }
        catch (RuleEditException e) when (e.Failure != RuleEditFailure.Invalid)
        {
            throw new ConsoleProblem(e.Code, e.Text, e.Failure == RuleEditFailure.NotFound ? 404 : 409);
        }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
        return result;
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

/// <summary>The policy objects a rule form chooses from.</summary>
public sealed record RuleFormObjects(IReadOnlyList<Model.Objects.AddressGroup> AddressGroups, IReadOnlyList<Model.Objects.KeywordList> KeywordLists,
    IReadOnlyList<Model.Objects.Notification> Notifications);
