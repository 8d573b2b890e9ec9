using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;

namespace Sekisho.Store.PolicyFiles;

/// <summary>How an import combines the file with what the store holds.</summary>
public enum ImportMode
{
    /// <summary>Add the file's objects and update those with the same id; keep everything else.</summary>
    Merge,
    /// <summary>Replace rules, policy objects and settings with the file's; domains are added or updated, never deleted.</summary>
    Overwrite,
}

/// <summary>One change an import makes (or would make, in a dry run).</summary>
public sealed record ImportChange(string Kind, string Action, string Name);

/// <summary>What an import did or would do.</summary>
public sealed record ImportResult(IReadOnlyList<ImportChange> Changes, bool DryRun)
{
    public int Count(string action) => Changes.Count(c => c.Action == action);
}

/// <summary>
/// Applies a policy file to an organization in one session: computes the resulting policy, validates all of it
/// (problems are reported with the file's path and line, and nothing changes), then writes the differences, each
/// audited, plus one <c>policy.imported</c> record.
/// </summary>
public static class PolicyImporter
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";

    public static async Task<ImportResult> ImportAsync(StoreSession session, ParsedPolicyFile file, ImportMode mode, bool dryRun, string fileName, CancellationToken ct = default)
    {
        var doc = file.Document;
        var current = await session.LoadSnapshotAsync(ct);

        // Domains: matched by name; the store's id is kept so references stay valid.
        var domains = Combine(current.Domains, doc.Domains, d => d.Name, keepUnmatched: true,
            (existing, incoming) => incoming with { Id = existing.Id });
        var result = new PolicySnapshot
        {
            Domains = domains.Items,
            AddressGroups = Objects(current.AddressGroups, doc.AddressGroups, mode, out var agOrigin),
            KeywordLists = Objects(current.KeywordLists, doc.KeywordLists, mode, out var kwOrigin),
            Notifications = Objects(current.Notifications, doc.Notifications, mode, out var ntOrigin),
            Stamps = Objects(current.Stamps, doc.Stamps, mode, out var stOrigin),
            DlpIdentifiers = Objects(current.DlpIdentifiers, doc.DlpIdentifiers, mode, out var diOrigin),
            DlpTemplates = Objects(current.DlpTemplates, doc.DlpTemplates, mode, out var dtOrigin),
            Settings = doc.Settings,
            Rules = Objects(current.Rules.Select(r => new RuleItem(r)).ToList(), doc.Rules.Select(r => new RuleItem(r)).ToList(), mode, out var ruleOrigin).Select(r => r.Rule).ToList(),
        };
        var origins = new Dictionary<string, int?[]>
        {
            ["domains"] = domains.Origin, ["addressGroups"] = agOrigin, ["keywordLists"] = kwOrigin, ["notifications"] = ntOrigin,
            ["stamps"] = stOrigin, ["dlpIdentifiers"] = diOrigin, ["dlpTemplates"] = dtOrigin, ["rules"] = ruleOrigin,
        };

        var problems = PolicyValidator.Validate(result);
        if (problems.Count > 0)
            throw new PolicyFileException(problems.Select(p => Locate(p, origins, file)).ToList());

        var changes = new List<ImportChange>();
        changes.AddRange(Diff("domain", current.Domains, result.Domains, d => d.Id, d => d.Name, deletes: false));
        foreach (var (kind, before, after) in new (string, IEnumerable<IPolicyObject>, IEnumerable<IPolicyObject>)[]
                 {
                     ("address-group", current.AddressGroups, result.AddressGroups), ("keyword-list", current.KeywordLists, result.KeywordLists),
                     ("notification", current.Notifications, result.Notifications), ("stamp", current.Stamps, result.Stamps),
                     ("dlp-identifier", current.DlpIdentifiers, result.DlpIdentifiers), ("dlp-template", current.DlpTemplates, result.DlpTemplates),
                 })
            changes.AddRange(Diff(kind, before.ToList(), after.ToList(), o => o.Id, o => o.Name, deletes: true, Json: StoreSession.SerializeObject));
        changes.AddRange(Diff("rule", current.Rules, result.Rules, r => r.Id, r => r.Name, deletes: true));
        if (ModelJson.Serialize(current.Settings) != ModelJson.Serialize(result.Settings)) changes.Add(new("settings", Update, "settings"));

        if (dryRun) return new ImportResult(changes, true);

        await ApplyAsync(session, current, result, ct);
        await session.AuditAsync(AuditEvents.PolicyImported, fileName,
        [
            new("file", fileName, null), new("mode", ModelJson.EnumName(mode), null),
            new("created", changes.Count(c => c.Action == Create).ToString(System.Globalization.CultureInfo.InvariantCulture), null),
            new("updated", changes.Count(c => c.Action == Update).ToString(System.Globalization.CultureInfo.InvariantCulture), null),
            new("deleted", changes.Count(c => c.Action == Delete).ToString(System.Globalization.CultureInfo.InvariantCulture), null),
        ], result.Domains.Select(d => d.Name).ToList(), ct);
        return new ImportResult(changes, false);
    }

    private static async Task ApplyAsync(StoreSession s, PolicySnapshot before, PolicySnapshot after, CancellationToken ct)
    {
        // Rules go first on delete (they reference objects) and last on create.
        var afterRuleIds = after.Rules.Select(r => r.Id).ToHashSet();
        foreach (var r in before.Rules.Where(r => !afterRuleIds.Contains(r.Id))) await s.DeleteRuleAsync(r, ct);
        var afterObjectIds = after.AllObjects.Select(o => o.Id).ToHashSet();
        foreach (var o in before.AllObjects.Where(o => !afterObjectIds.Contains(o.Id))) await s.DeleteObjectAsync(o, ct);
        await s.FlushAsync(ct);

        var beforeDomains = before.Domains.ToDictionary(d => d.Id);
        foreach (var d in after.Domains)
        {
            if (!beforeDomains.TryGetValue(d.Id, out var old)) await s.AddDomainAsync(d, ct);
            else if (ModelJson.Serialize(old) != ModelJson.Serialize(d)) await s.UpdateDomainAsync(d, AuditEvents.DomainUpdated, ct);
        }
        var beforeObjects = before.AllObjects.ToDictionary(o => o.Id);
        foreach (var o in after.AllObjects)
        {
            if (!beforeObjects.TryGetValue(o.Id, out var old)) await s.AddObjectAsync(o, ct);
            else if (StoreSession.SerializeObject(old) != StoreSession.SerializeObject(o)) await s.UpdateObjectAsync(o, ct);
        }
        if (ModelJson.Serialize(before.Settings) != ModelJson.Serialize(after.Settings)) await s.SaveSettingsAsync(after.Settings, ct);
        var beforeRules = before.Rules.ToDictionary(r => r.Id);
        // Renames could collide with rules updated later in the loop; park updated rules under temporary names first.
        var updated = after.Rules.Where(r => beforeRules.TryGetValue(r.Id, out var old) && ModelJson.Serialize(old) != ModelJson.Serialize(r)).ToList();
        foreach (var r in updated.Where(r => beforeRules[r.Id].Name != r.Name))
            await s.ParkRuleNameAsync(r.Id, ct);
        await s.FlushAsync(ct);
        foreach (var r in updated) await s.UpdateRuleAsync(r, AuditEvents.RuleUpdated, ct);
        foreach (var r in after.Rules.Where(r => !beforeRules.ContainsKey(r.Id))) await s.AddRuleAsync(r, ct);
    }

    private sealed record RuleItem(Rule Rule) : IPolicyObject
    {
        public string Id => Rule.Id;
        public string Name => Rule.Name;
        public Provenance? Provenance => Rule.Migration?.Source;
        public PolicyObjectKind Kind => PolicyObjectKind.AddressGroup;
    }

    private static IReadOnlyList<T> Objects<T>(IReadOnlyList<T> current, IReadOnlyList<T> incoming, ImportMode mode, out int?[] origin) where T : IPolicyObject
    {
        var combined = Combine(current, incoming, o => o.Id, keepUnmatched: mode == ImportMode.Merge, (_, i) => i);
        origin = combined.Origin;
        return combined.Items;
    }

    private static (IReadOnlyList<T> Items, int?[] Origin) Combine<T>(IReadOnlyList<T> current, IReadOnlyList<T> incoming, Func<T, string> key, bool keepUnmatched, Func<T, T, T> merge)
    {
        var items = new List<T>();
        var origin = new List<int?>();
        var incomingByKey = new Dictionary<string, int>();
        for (int i = 0; i < incoming.Count; i++) incomingByKey.TryAdd(key(incoming[i]), i);
        var used = new HashSet<int>();
        foreach (var c in current)
        {
            if (incomingByKey.TryGetValue(key(c), out var i)) { items.Add(merge(c, incoming[i])); origin.Add(i); used.Add(i); }
            else if (keepUnmatched) { items.Add(c); origin.Add(null); }
        }
        for (int i = 0; i < incoming.Count; i++)
            if (!used.Contains(i)) { items.Add(incoming[i]); origin.Add(i); }
        return (items, origin.ToArray());
    }

    private static IEnumerable<ImportChange> Diff<T>(string kind, IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> id, Func<T, string> name, bool deletes, Func<T, string>? Json = null)
    {
        Json ??= x => ModelJson.Serialize(x);
        var b = before.ToDictionary(id);
        var a = after.ToDictionary(id);
        foreach (var x in after)
        {
            if (!b.TryGetValue(id(x), out var old)) yield return new(kind, Create, name(x));
            else if (Json(old) != Json(x)) yield return new(kind, Update, name(x));
        }
        if (deletes)
            foreach (var x in before.Where(x => !a.ContainsKey(id(x))))
                yield return new(kind, Delete, name(x));
    }

    // Maps a problem in the combined policy back to the file (path and line), or names the stored object it concerns.
    private static PolicyFileProblem Locate(ValidationProblem p, Dictionary<string, int?[]> origins, ParsedPolicyFile file)
    {
        int bracket = p.Path.IndexOf('[');
        int close = p.Path.IndexOf(']');
        if (bracket > 0 && close > bracket && origins.TryGetValue(p.Path[..bracket], out var origin)
            && int.TryParse(p.Path.AsSpan(bracket + 1, close - bracket - 1), out var index) && index < origin.Length)
        {
            if (origin[index] is int fileIndex)
            {
                var path = $"{p.Path[..bracket]}[{fileIndex}]{p.Path[(close + 1)..]}";
                return new PolicyFileProblem(path, file.LineOf(path), p.Message);
            }
            return new PolicyFileProblem("(store) " + p.Path, null, p.Message);
        }
        return new PolicyFileProblem(p.Path, file.LineOf(p.Path), p.Message);
    }
}
