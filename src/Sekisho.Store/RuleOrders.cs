using Microsoft.EntityFrameworkCore;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>A rule's place in its list (direction and type), read without its document.</summary>
public sealed record RulePlace(string Id, string Name, int Order);

// The narrow reads and writes of RuleEditor on large policies: a rule's list without the rule documents, the objects one
// rule references, and renumbering a range of a list in one statement. The order column is the truth: a rule's document
// may keep the order it had when it was last written, so every read takes the order from the column.
public sealed partial class StoreSession
{
    private static Rule FromRow(RuleRow row) => ModelJson.Deserialize<Rule>(row.Document) with { Order = row.Order };

    /// <summary>The rules of one direction and type in running order (then by creation), without their documents.</summary>
    public async Task<List<RulePlace>> ListRulePlacesAsync(Direction direction, RuleType type, CancellationToken ct = default)
    {
        var d = ModelJson.EnumName(direction);
        var t = ModelJson.EnumName(type);
        return await _db.Rules.AsNoTracking().Where(r => r.OrganizationId == Org && r.Direction == d && r.Type == t)
            .OrderBy(r => r.Order).ThenBy(r => r.CreatedUtc).Select(r => new RulePlace(r.Id, r.Name, r.Order)).ToListAsync(ct);
    }

    /// <summary>Whether another rule of the same direction and type already has this rule's name.</summary>
    public async Task<bool> RuleNameTakenAsync(Rule rule, CancellationToken ct = default)
    {
        var d = ModelJson.EnumName(rule.Direction);
        var t = ModelJson.EnumName(rule.Type);
        return await _db.Rules.AnyAsync(r => r.OrganizationId == Org && r.Direction == d && r.Type == t && r.Name == rule.Name && r.Id != rule.Id, ct);
    }

    /// <summary>
    /// What <see cref="PolicyValidator.ValidateRule(Rule, PolicySnapshot, string)"/> needs to check one rule: the managed
    /// domains, the settings and the policy objects the rule references (loaded by id), but no rules and no other objects.
    /// </summary>
    public async Task<PolicySnapshot> LoadRuleValidationSnapshotAsync(Rule rule, CancellationToken ct = default)
    {
        var ids = PolicyValidator.ReferencedObjectIds(rule).ToList();
        var objects = new List<IPolicyObject>();
        foreach (var chunk in ids.Chunk(500))
        {
            var rows = await _db.PolicyObjects.AsNoTracking().Where(o => o.OrganizationId == Org && chunk.Contains(o.Id)).ToListAsync(ct);
            objects.AddRange(rows.Select(FromRow));
        }
        return new PolicySnapshot
        {
            Domains = await ListDomainsAsync(ct),
            AddressGroups = objects.OfType<AddressGroup>().ToList(),
            KeywordLists = objects.OfType<KeywordList>().ToList(),
            Notifications = objects.OfType<Notification>().ToList(),
            Stamps = objects.OfType<Stamp>().ToList(),
            DlpIdentifiers = objects.OfType<DlpIdentifier>().ToList(),
            DlpTemplates = objects.OfType<DlpTemplate>().ToList(),
            Settings = await GetSettingsAsync(ct),
        };
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to the order of the rules of one direction and type whose order lies in
    /// [<paramref name="from"/>, <paramref name="to"/>], in one UPDATE statement; returns how many rules moved. Not audited:
    /// the caller records the change that made room (a move, an addition, a deletion).
    /// </summary>
    internal async Task<int> ShiftRuleOrdersAsync(Direction direction, RuleType type, int from, int to, int delta, CancellationToken ct)
    {
        if (from > to || delta == 0) return 0;
        var d = ModelJson.EnumName(direction);
        var t = ModelJson.EnumName(type);
        return await _db.Rules.Where(r => r.OrganizationId == Org && r.Direction == d && r.Type == t && r.Order >= from && r.Order <= to)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Order, r => r.Order + delta), ct);
    }

    /// <summary>Sets the order of one rule (column only, not audited): repairs a list whose orders are not 1..n.</summary>
    internal async Task SetRuleOrderAsync(string id, int order, CancellationToken ct) =>
        await _db.Rules.Where(r => r.OrganizationId == Org && r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Order, order), ct);

    /// <summary>
    /// Records one <c>rule.moved</c> audit record for a rule that moved from <paramref name="from"/> to its
    /// <see cref="Rule.Order"/> (the others of its list already shifted): the rule, its old and new order and how many rules
    /// shifted. With <paramref name="writeRule"/>, also writes the rule (a plain move; an edit writes it itself, audited).
    /// </summary>
    internal async Task RecordRuleMovedAsync(Rule rule, int from, int shifted, bool writeRule, CancellationToken ct)
    {
        if (writeRule)
        {
            var row = await _db.Rules.FirstOrDefaultAsync(r => r.OrganizationId == Org && r.Id == rule.Id, ct) ?? throw NotFound("rule", rule.Name);
            _db.Entry(row).CurrentValues.SetValues(ToRow(rule));
        }
        await AuditAsync(AuditEvents.RuleMoved, rule.Name,
            [new("order", rule.Order.ToString(System.Globalization.CultureInfo.InvariantCulture), from.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             new("shifted", shifted.ToString(System.Globalization.CultureInfo.InvariantCulture), null)],
            await AffectedDomainsAsync(rule, ct), ct);
    }
}
