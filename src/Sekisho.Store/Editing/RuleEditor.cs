using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Localization;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;

namespace Sekisho.Store.Editing;

/// <summary>Why a rule change was refused.</summary>
public enum RuleEditFailure
{
    /// <summary>No rule with that id.</summary>
    NotFound,
    /// <summary>The rule would be invalid; <see cref="RuleEditException.Problems"/> says where and why.</summary>
    Invalid,
    /// <summary>The rule's state does not allow the change (for example its migration status).</summary>
    Conflict,
}

/// <summary>A refused rule change: nothing was written. Carries the validator's problems when the rule was invalid.</summary>
public sealed class RuleEditException(RuleEditFailure failure, string code, LocalizedText text, IReadOnlyList<ValidationProblem>? problems = null) : Exception(text.En)
{
    public RuleEditFailure Failure { get; } = failure;
    public string Code { get; } = code;
    public LocalizedText Text { get; } = text;
    public IReadOnlyList<ValidationProblem> Problems { get; } = problems ?? [];
}

/// <summary>
/// The one place where people change rules (command line, console, REST API): enable, disable, mark fixed, confirm,
/// add, edit, copy, delete and move. Works inside the caller's <see cref="StoreSession"/>, so every change is audited
/// with the session's actor and becomes visible only when the caller commits; a refused change throws
/// <see cref="RuleEditException"/> before anything is written. Orders stay 1..n within a direction and rule type.
/// </summary>
public sealed class RuleEditor(StoreSession session)
{
    /// <summary>Path prefix of the validator's problems (<c>rule.name</c>, <c>rule.scope.recipients…</c>).</summary>
    public const string ProblemPath = "rule";

    public async Task<Rule> GetAsync(string id, CancellationToken ct = default) =>
        await session.GetRuleAsync(id, ct) ?? throw NotFound(id);

    /// <summary>Turns a rule on or off. A needs-fix rule may be enabled, but it stays inactive until it is marked fixed.</summary>
    public async Task<Rule> SetEnabledAsync(string id, bool enabled, CancellationToken ct = default)
    {
        var r = await GetAsync(id, ct);
        if (r.Enabled == enabled) return r;
        var updated = r with { Enabled = enabled, Modified = session.Now };
        await session.UpdateRuleAsync(updated, enabled ? AuditEvents.RuleEnabled : AuditEvents.RuleDisabled, ct);
        return updated;
    }

    /// <summary>Marks a needs-fix rule fixed, or confirms a needs-confirmation rule (完了).</summary>
    public async Task<Rule> TransitionAsync(string id, MigrationStatusTransition transition, CancellationToken ct = default)
    {
        var r = await GetAsync(id, ct);
        if (r.Migration is null || RuleMigration.Next(r.Migration.Status, transition) is not MigrationStatus next)
        {
            var from = r.Migration is null ? "-" : ModelJson.EnumName(r.Migration.Status);
            throw new RuleEditException(RuleEditFailure.Conflict, "rule.transition", new LocalizedText(
                $"ルール「{r.Name}」の移行ステータス ({from}) はこの操作で変更できません。",
                $"The migration status of the rule '{r.Name}' ({from}) does not allow this action."));
        }
        var updated = r with { Migration = r.Migration with { Status = next }, Modified = session.Now };
        await session.UpdateRuleAsync(updated, AuditEvents.MigrationStatusChanged, ct);
        return updated;
    }

    /// <summary>
    /// Adds a rule written by a person (no migration status). Its <see cref="Rule.Order"/> is the position among the
    /// rules of its direction and type: the rules from there on move down one (one statement); a position past the end appends.
    /// </summary>
    public async Task<Rule> AddAsync(Rule draft, CancellationToken ct = default)
    {
        var now = session.Now;
        var rule = draft with { Id = string.IsNullOrEmpty(draft.Id) ? Ids.New() : draft.Id, Created = now, Modified = now, LastUsed = null, Migration = null };
        if (await session.GetRuleAsync(rule.Id, ct) is not null)
            throw new RuleEditException(RuleEditFailure.Conflict, "rule.id.duplicate", new LocalizedText($"ID「{rule.Id}」のルールは既にあります。", $"A rule with the id '{rule.Id}' already exists."));
        await ThrowIfInvalidAsync(rule, ct);
        var peers = await PeersAsync(rule.Direction, rule.Type, ct);
        int position = Math.Min(rule.Order, peers.Count + 1);
        rule = rule with { Order = position };
        await session.ShiftRuleOrdersAsync(rule.Direction, rule.Type, position, peers.Count, +1, ct);
        await session.AddRuleAsync(rule, ct);
        return rule;
    }

    /// <summary>
    /// Replaces a rule's settings (basic information, scope, criteria, actions). Direction, type, creation time, last use
    /// and migration status stay as they are; a new order moves the rule to that position (audited as <c>rule.moved</c>).
    /// </summary>
    public async Task<Rule> UpdateAsync(Rule edited, CancellationToken ct = default)
    {
        var current = await GetAsync(edited.Id, ct);
        var rule = edited with
        {
            Direction = current.Direction, Type = current.Type, Created = current.Created, LastUsed = current.LastUsed,
            Migration = current.Migration, Modified = session.Now,
        };
        await ThrowIfInvalidAsync(rule, ct);
        var peers = await PeersAsync(rule.Direction, rule.Type, ct);
        int from = PositionOf(peers, rule.Id), target = Math.Clamp(rule.Order, 1, peers.Count);
        rule = rule with { Order = target };
        // The others make room and the move is audited on its own; the update below writes the rule with its new order.
        if (target != from) await MoveWithinAsync(rule, from, writeRule: false, ct);
        await session.UpdateRuleAsync(rule, AuditEvents.RuleUpdated, ct);
        return rule;
    }

    /// <summary>
    /// Copies a rule: "&lt;name&gt; のコピー" (Japanese) or "Copy of &lt;name&gt;", disabled, last in its list, without the
    /// migration status of the original (it is a new rule, written by a person).
    /// </summary>
    public async Task<Rule> CopyAsync(string id, string language, CancellationToken ct = default)
    {
        var source = await GetAsync(id, ct);
        var peers = await session.ListRulePlacesAsync(source.Direction, source.Type, ct);
        var taken = peers.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var name = CopyName(source.Name, language, taken);
        var now = session.Now;
        var copy = source with
        {
            Id = Ids.New(), Name = name, Enabled = false, Order = peers.Count + 1,
            Created = now, Modified = now, LastUsed = null, Migration = null,
        };
        await session.AddRuleAsync(copy, ct);
        return copy;
    }

    /// <summary>Deletes a rule; the rules after it move up one (one statement) so orders stay 1..n.</summary>
    public async Task<Rule> DeleteAsync(string id, CancellationToken ct = default)
    {
        var r = await GetAsync(id, ct);
        var peers = await PeersAsync(r.Direction, r.Type, ct);
        r = r with { Order = PositionOf(peers, id) };
        await session.DeleteRuleAsync(r, ct);
        await session.ShiftRuleOrdersAsync(r.Direction, r.Type, r.Order + 1, peers.Count, -1, ct);
        return r;
    }

    /// <summary>
    /// Moves a rule to a position (1 first; clamped to the list) within its direction and type. The rules in between shift
    /// by one in a single statement and the move is audited once (<c>rule.moved</c>: the rule, its old and new order and
    /// how many rules shifted).
    /// </summary>
    public async Task<Rule> MoveAsync(string id, int position, CancellationToken ct = default)
    {
        var r = await GetAsync(id, ct);
        var peers = await PeersAsync(r.Direction, r.Type, ct);
        int from = PositionOf(peers, id), target = Math.Clamp(position, 1, peers.Count);
        if (target == from) return r with { Order = from };
        var moved = r with { Order = target, Modified = session.Now };
        await MoveWithinAsync(moved, from, writeRule: true, ct);
        return moved;
    }

    /// <summary>Moves a rule up (negative) or down (positive) by <paramref name="steps"/> places.</summary>
    public async Task<Rule> MoveByAsync(string id, int steps, CancellationToken ct = default)
    {
        var r = await GetAsync(id, ct);
        return await MoveAsync(id, PositionOf(await PeersAsync(r.Direction, r.Type, ct), id) + steps, ct);
    }

    /// <summary>The problems of a rule as it would be stored: the validator's (with the policy's objects and domains) and name clashes.</summary>
    public Task<IReadOnlyList<ValidationProblem>> ValidateAsync(Rule rule, CancellationToken ct = default) => ValidateCoreAsync(rule, ct);

    private async Task ThrowIfInvalidAsync(Rule rule, CancellationToken ct)
    {
        var problems = await ValidateCoreAsync(rule, ct);
        if (problems.Count > 0)
            throw new RuleEditException(RuleEditFailure.Invalid, problems[0].Code, problems[0].Message, problems);
    }

    // Large policies (5,000+ rules, 100,000 addresses): only the objects the rule references, the domains and the settings
    // are read, and the name is checked with one query; the results are those of validating against the whole policy.
    private async Task<IReadOnlyList<ValidationProblem>> ValidateCoreAsync(Rule rule, CancellationToken ct)
    {
        var problems = PolicyValidator.ValidateRule(rule, await session.LoadRuleValidationSnapshotAsync(rule, ct), ProblemPath).ToList();
        if (!string.IsNullOrWhiteSpace(rule.Name) && await session.RuleNameTakenAsync(rule, ct))
        {
            var d = ModelText.Get("direction." + ModelJson.EnumName(rule.Direction));
            var t = ModelText.Get("type." + ModelJson.EnumName(rule.Type));
            problems.Add(new($"{ProblemPath}.name", "rule.name.duplicate",
                ModelText.Get("rule.name.duplicate", new LocalizedText(d.Ja + t.Ja, d.En + " " + t.En), rule.Name)));
        }
        return problems;
    }

    // The rule goes from `from` to its Order: the rules in between shift by one in one statement, then one rule.moved
    // audit record (and, for a plain move, the rule's row with its new order).
    private async Task MoveWithinAsync(Rule rule, int from, bool writeRule, CancellationToken ct)
    {
        int target = rule.Order;
        int shifted = target < from
            ? await session.ShiftRuleOrdersAsync(rule.Direction, rule.Type, target, from - 1, +1, ct)
            : await session.ShiftRuleOrdersAsync(rule.Direction, rule.Type, from + 1, target, -1, ct);
        await session.RecordRuleMovedAsync(rule, from, shifted, writeRule, ct);
    }

    // The rule's list in running order. Orders are 1..n; a list that is not (an older store, a hand-edited database) is
    // renumbered first, writing only the rows whose order is wrong, so that range shifts stay exact.
    private async Task<List<RulePlace>> PeersAsync(Direction direction, RuleType type, CancellationToken ct)
    {
        var peers = await session.ListRulePlacesAsync(direction, type, ct);
        for (int i = 0; i < peers.Count; i++)
        {
            if (peers[i].Order == i + 1) continue;
            await session.SetRuleOrderAsync(peers[i].Id, i + 1, ct);
            peers[i] = peers[i] with { Order = i + 1 };
        }
        return peers;
    }

    private static int PositionOf(List<RulePlace> peers, string id) => peers.FindIndex(p => p.Id == id) + 1;

    private static string CopyName(string name, string language, HashSet<string> taken)
    {
        for (int n = 1; ; n++)
        {
            var suffix = n == 1 ? "" : $" ({n})";
            var room = PolicyValidator.MaxRuleNameLength - suffix.Length - (language == "ja" ? " のコピー".Length : "Copy of ".Length);
            var baseName = name.Length > room ? name[..room] : name;
            var candidate = (language == "ja" ? $"{baseName} のコピー" : $"Copy of {baseName}") + suffix;
            if (!taken.Contains(candidate)) return candidate;
        }
    }

    private static RuleEditException NotFound(string id) =>
        new(RuleEditFailure.NotFound, "rule.not-found", new LocalizedText($"ルール「{id}」が見つかりません。", $"The rule '{id}' does not exist."));
}
