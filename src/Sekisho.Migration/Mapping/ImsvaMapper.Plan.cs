using Sekisho.Model;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Validation;

namespace Sekisho.Migration.Mapping;

public sealed partial class ImsvaMapper
{
    /// <summary>Replaces an item with extra findings and/or changed targets, recomputing its status.</summary>
    private void AmendItem(string itemId, IEnumerable<MigrationFinding> extra, Func<AnalysisTarget, AnalysisTarget?>? target = null, bool? created = null)
    {
        if (!_itemIndex.TryGetValue(itemId, out var i)) return;
        var item = _items[i];
        var findings = item.Findings.ToList();
        foreach (var f in extra) AddOnce(findings, f);
        var targets = target is null ? item.Targets : item.Targets.Select(target).Where(t => t is not null).Select(t => t!).ToList();
        bool isCreated = created ?? item.Status != FindingStatus.NotSupported;
        _items[i] = item with { Findings = findings, Targets = targets, Status = Findings.StatusOf(findings, isCreated) };
        foreach (var t in targets)
            if (t.Id is not null) _objectItem[t.Id] = itemId;
    }

    private string? ItemOfObject(string objectId) => _objectItem.GetValueOrDefault(objectId);

    private MigrationPlan BuildPlan()
    {
        // Unknown XML inside a known object is reported on that object.
        foreach (var u in _export.UnknownXml.Where(u => u.OwnerId is not null))
        {
            var item = _items.FirstOrDefault(i => i.Id.EndsWith(":" + u.OwnerId, StringComparison.Ordinal) && i.Kind != "setting");
            if (item is not null) AmendItem(item.Id, [Findings.NotSupported("unknown-setting", u.Kind.ToString(), u.Name, u.At.ToString())]);
            else AddItem($"setting:unknown.{u.At.Entry}:{u.At.Line}:{u.Name}", "setting", u.Name, u.At.ToString(), [],
                [Findings.NotSupported("unknown-setting", u.Kind.ToString(), u.Name, u.At.ToString())], created: false);
        }

        var rules = _ruleDrafts.SelectMany(d => d.Targets).ToList();
        var groups = _groupObjects.ToList();
        var keywordLists = _keywordLists.Values.ToList();
        var notifications = _notifications.Values.ToList();
        var stamps = _stamps.Values.ToList();
        var identifiers = _dlpIdentifiers.Values.ToList();
        var templates = _dlpTemplates.Values.ToList();
        var domains = _proposedDomains.ToList();

        var existing = _ctx.Existing;
        if (_ctx.Mode == MigrationMode.Merge)
        {
            // Objects this file already created (same ids, or same provenance) are not created again.
            var existingIds = existing.AllObjects.Select(o => o.Id).Concat(existing.Rules.Select(r => r.Id)).Concat(existing.Domains.Select(d => d.Id)).ToHashSet(StringComparer.Ordinal);
            var existingProv = existing.AllObjects.Select(o => o.Provenance).Concat(existing.Rules.Select(r => r.Migration?.Source))
                .Where(p => p is not null).Select(p => (p!.SourceFileSha256, p.SourceId)).ToHashSet();
            bool Already(string id, Provenance? p) => existingIds.Contains(id) || (p is not null && existingProv.Contains((p.SourceFileSha256, p.SourceId)));
            void MarkAlready<T>(List<T> list, Func<T, string> id, Func<T, Provenance?> prov)
            {
                foreach (var o in list.Where(o => Already(id(o), prov(o))).ToList())
                {
                    list.Remove(o);
                    if (ItemOfObject(id(o)) is { } itemId) AmendItem(itemId, [Findings.Info("already-migrated")]);
                }
            }
            MarkAlready(groups, o => o.Id, o => o.Provenance);
            MarkAlready(keywordLists, o => o.Id, o => o.Provenance);
            MarkAlready(notifications, o => o.Id, o => o.Provenance);
            MarkAlready(stamps, o => o.Id, o => o.Provenance);
            MarkAlready(identifiers, o => o.Id, o => o.Provenance);
            MarkAlready(templates, o => o.Id, o => o.Provenance);
            MarkAlready(rules, r => r.Id, r => r.Migration?.Source);
            domains.RemoveAll(d => existing.Domains.Any(e => e.Name == d.Name));

            // Names taken by other objects: "<name> (2)", "(3)", …
            groups = Rename(groups, existing.AddressGroups.Select(x => x.Name), g => g.Name, (g, n) => g with { Name = n }, g => g.Id);
            keywordLists = Rename(keywordLists, existing.KeywordLists.Select(x => x.Name), k => k.Name, (k, n) => k with { Name = n }, k => k.Id);
            notifications = Rename(notifications, existing.Notifications.Select(x => x.Name), k => k.Name, (k, n) => k with { Name = n }, k => k.Id);
            stamps = Rename(stamps, existing.Stamps.Select(x => x.Name), k => k.Name, (k, n) => k with { Name = n }, k => k.Id);
            identifiers = Rename(identifiers, existing.DlpIdentifiers.Select(x => x.Name), k => k.Name, (k, n) => k with { Name = n }, k => k.Id);
            templates = Rename(templates, existing.DlpTemplates.Select(x => x.Name), k => k.Name, (k, n) => k with { Name = n }, k => k.Id);
            var renamedRules = new List<Rule>();
            foreach (var g in rules.GroupBy(r => (r.Direction, r.Type)))
                renamedRules.AddRange(Rename(g.ToList(), existing.RulesOf(g.Key.Direction, g.Key.Type).Select(r => r.Name), r => r.Name, (r, n) => r with { Name = n }, r => r.Id));
            var byId = renamedRules.ToDictionary(r => r.Id);
            rules = rules.Select(r => byId[r.Id]).ToList();
        }

        // Orders: within each type and direction, in source order, after the rules that stay.
        var ordered = new List<Rule>();
        foreach (var g in rules.GroupBy(r => (r.Direction, r.Type)))
        {
            int start = _ctx.Mode == MigrationMode.Merge ? existing.RulesOf(g.Key.Direction, g.Key.Type).Select(r => r.Order).DefaultIfEmpty(0).Max() : 0;
            ordered.AddRange(g.Select((r, i) => r with { Order = start + i + 1 }));
        }
        var orderedById = ordered.ToDictionary(r => r.Id);
        rules = rules.Select(r => orderedById[r.Id]).ToList();
        // Rule findings were copied into each rule before merge findings were added: refresh them from the items.
        rules = rules.Select(r => WithItemFindings(r)).ToList();

        return new MigrationPlan
        {
            Domains = domains, AddressGroups = groups, KeywordLists = keywordLists, Notifications = notifications, Stamps = stamps,
            DlpIdentifiers = identifiers, DlpTemplates = templates, Rules = rules,
            Settings = new MigratedSettings
            {
                ApprovedIps = _approvedIps.Select(e => e with { Provenance = Prov("approved:" + e.Cidr) }).ToList(),
                BlockedIps = _blockedIps.Select(e => e with { Provenance = Prov("blocked:" + e.Cidr) }).ToList(),
                IpReputationLevel = _ipReputationLevel, IpReputationEnabled = _ipReputationEnabled,
                SenderEntries = _senderEntries.ToList(),
                DkimEnforcedPeers = _dkimEnforced.Distinct().ToList(), DkimEnforcedAction = _dkimEnforcedAction,
                DkimIgnoredPeers = _dkimIgnored.Distinct().ToList(), Dmarc = _dmarc.ToList(), DkimSigning = _dkimKeys.ToList(),
                TlsPeers = _tlsPeers.ToList(), WebReputationApprovedList = _wrsApproved.ToList(), UrlKeywordExceptions = _urlKeywords.ToList(),
                MaxMessageSizeBytes = _maxMessageSize, MaxRecipients = _maxRecipients,
            },
        };
    }

    private Rule WithItemFindings(Rule r)
    {
        var itemId = ItemOfObject(r.Id);
        var item = itemId is null ? null : _items[_itemIndex[itemId]];
        if (item is null || r.Migration is null) return r;
        var status = item.Status switch { FindingStatus.Error => MigrationStatus.NeedsFix, FindingStatus.Warning => MigrationStatus.NeedsConfirmation, _ => MigrationStatus.Successful };
        return r with { Enabled = r.Enabled && status != MigrationStatus.NeedsFix, Migration = r.Migration with { Status = status, Findings = item.Findings } };
    }

    private List<T> Rename<T>(List<T> list, IEnumerable<string> taken, Func<T, string> name, Func<T, string, T> withName, Func<T, string> id)
    {
        var used = new HashSet<string>(taken, StringComparer.Ordinal);
        var result = new List<T>();
        foreach (var o in list)
        {
            var original = name(o);
            var n = original;
            for (int k = 2; used.Contains(n); k++) n = $"{original} ({k})";
            used.Add(n);
            if (n != original && ItemOfObject(id(o)) is { } itemId)
                AmendItem(itemId, [Findings.Warning("renamed-on-merge", original, n)], t => t.Id == id(o) ? t with { Name = n } : t);
            result.Add(n == original ? o : withName(o, n));
        }
        return result;
    }

    /// <summary>
    /// The plan must never make the organization's policy invalid: whatever the mapping let through that does not
    /// validate is left out, and its item says why (validation-problem).
    /// </summary>
    private MigrationPlan ValidatePlan(MigrationPlan plan)
    {
        // Offline (--domain), the managed domains exist only in the context: validate against them too.
        var existing = _ctx.Existing with
        {
            Domains = [.. _ctx.Existing.Domains, .. _ctx.Domains.Where(d => _ctx.Existing.Domains.All(e => e.Name != d.Name)).Select(d => new ManagedDomain
            {
                Id = NewId("context-domain", d.Name), Name = d.Name, VerificationToken = "-", Added = _ctx.Now,
                Status = d.Verified ? DomainStatus.Verified : DomainStatus.NeedsSetup,
            })],
            Settings = _ctx.DirectoryConfigured && !_ctx.Existing.Settings.Directory.IsConfigured
                ? _ctx.Existing.Settings with { Directory = new Model.Settings.DirectorySettings { Kind = Model.Settings.DirectoryKind.Imported } }
                : _ctx.Existing.Settings,
        };
        for (int round = 0; round < 5; round++)
        {
            var combined = Combine(existing, plan, _ctx.Mode);
            var problems = PolicyValidator.Validate(combined);
            var offending = new Dictionary<string, List<ValidationProblem>>(StringComparer.Ordinal);
            foreach (var p in problems)
            {
                var id = ObjectAt(combined, p.Path);
                if (id is null || !PlanIds(plan).Contains(id)) continue; // problems of what already exists are not the migration's
                (offending.TryGetValue(id, out var l) ? l : offending[id] = []).Add(p);
            }
            if (offending.Count == 0) return plan;
            foreach (var (id, list) in offending)
            {
                if (ItemOfObject(id) is { } itemId)
                    AmendItem(itemId, list.Select(p => Findings.Error("validation-problem", new LocalizedText(p.Message.Ja, p.Message.En))),
                        t => t.Id == id ? null : t);
            }
            plan = plan with
            {
                Rules = plan.Rules.Where(r => !offending.ContainsKey(r.Id)).ToList(),
                AddressGroups = plan.AddressGroups.Where(o => !offending.ContainsKey(o.Id)).ToList(),
                KeywordLists = plan.KeywordLists.Where(o => !offending.ContainsKey(o.Id)).ToList(),
                Notifications = plan.Notifications.Where(o => !offending.ContainsKey(o.Id)).ToList(),
                Stamps = plan.Stamps.Where(o => !offending.ContainsKey(o.Id)).ToList(),
                DlpIdentifiers = plan.DlpIdentifiers.Where(o => !offending.ContainsKey(o.Id)).ToList(),
                DlpTemplates = plan.DlpTemplates.Where(o => !offending.ContainsKey(o.Id)).ToList(),
                Domains = plan.Domains.Where(o => !offending.ContainsKey(o.Id)).ToList(),
            };
        }
        return plan;
    }

    private static HashSet<string> PlanIds(MigrationPlan plan) =>
        plan.AllObjects.Select(o => o.Id).Concat(plan.Rules.Select(r => r.Id)).Concat(plan.Domains.Select(d => d.Id)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The policy as it would be after the plan is applied (overwrite replaces the migrated classes).</summary>
    public static PolicySnapshot Combine(PolicySnapshot existing, MigrationPlan plan, MigrationMode mode = MigrationMode.Merge)
    {
        bool overwrite = mode == MigrationMode.Overwrite;
        var replacedTypes = plan.Rules.Select(r => (r.Direction, r.Type)).ToHashSet();
        var keptRules = existing.Rules.Where(r => !overwrite || !replacedTypes.Contains((r.Direction, r.Type))).ToList();
        // Overwrite replaces the policy objects, except those still used by rules of types the export does not hold.
        var stillUsed = overwrite ? StillUsed(existing, keptRules) : [];
        IEnumerable<T> Keep<T>(IEnumerable<T> objects) where T : IPolicyObject => overwrite ? objects.Where(o => stillUsed.Contains(o.Id)) : objects;
        return existing with
        {
            Domains = [.. existing.Domains, .. plan.Domains.Where(d => existing.Domains.All(e => e.Name != d.Name))],
            AddressGroups = [.. Keep(existing.AddressGroups), .. plan.AddressGroups],
            KeywordLists = [.. Keep(existing.KeywordLists), .. plan.KeywordLists],
            Notifications = [.. Keep(existing.Notifications), .. plan.Notifications],
            Stamps = [.. Keep(existing.Stamps), .. plan.Stamps],
            DlpIdentifiers = [.. Keep(existing.DlpIdentifiers), .. plan.DlpIdentifiers],
            DlpTemplates = [.. Keep(existing.DlpTemplates), .. plan.DlpTemplates],
            Rules = [.. keptRules, .. plan.Rules],
            Settings = MigratedSettingsApplier.Apply(existing.Settings, plan.Settings, mode),
        };
    }

    /// <summary>Objects the given rules use, directly or through other objects (a DLP template's identifiers).</summary>
    private static HashSet<string> StillUsed(PolicySnapshot existing, IReadOnlyList<Rule> rules)
    {
        var objects = existing.AllObjects.ToList();
        var texts = rules.Select(r => Model.Serialization.ModelJson.Serialize(r)).ToList();
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int added = -1; added != 0;)
        {
            added = 0;
            foreach (var o in objects.Where(o => !used.Contains(o.Id) && texts.Any(t => t.Contains($"\"{o.Id}\"", StringComparison.Ordinal))))
            {
                used.Add(o.Id);
                texts.Add(Store.StoreSession.SerializeObject(o));
                added++;
            }
        }
        return used;
    }

    /// <summary>The id of the rule, object or domain a validation path points into.</summary>
    private static string? ObjectAt(PolicySnapshot p, string path)
    {
        int open = path.IndexOf('['), close = path.IndexOf(']');
        if (open <= 0 || close < open || !int.TryParse(path.AsSpan(open + 1, close - open - 1), out var i)) return null;
        return path[..open] switch
        {
            "rules" when i < p.Rules.Count => p.Rules[i].Id,
            "domains" when i < p.Domains.Count => p.Domains[i].Id,
            "addressGroups" when i < p.AddressGroups.Count => p.AddressGroups[i].Id,
            "keywordLists" when i < p.KeywordLists.Count => p.KeywordLists[i].Id,
            "notifications" when i < p.Notifications.Count => p.Notifications[i].Id,
            "stamps" when i < p.Stamps.Count => p.Stamps[i].Id,
            "dlpIdentifiers" when i < p.DlpIdentifiers.Count => p.DlpIdentifiers[i].Id,
            "dlpTemplates" when i < p.DlpTemplates.Count => p.DlpTemplates[i].Id,
            _ => null,
        };
    }
}
