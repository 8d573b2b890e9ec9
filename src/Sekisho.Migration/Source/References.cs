namespace Sekisho.Migration.Source;

/// <summary>What a reference points at.</summary>
public enum ReferenceKind
{
    /// <summary>An address group (route entries).</summary>
    AddressGroup,
    /// <summary>A keyword list (keyword conditions).</summary>
    KeywordList,
    /// <summary>A DLP template (DLP condition).</summary>
    DlpTemplate,
    /// <summary>A DLP data identifier (template condition terms).</summary>
    DlpDataIdentifier,
    /// <summary>A notification (Notify).</summary>
    Notification,
    /// <summary>A stamp (InsertStamp, SafeStamp).</summary>
    Stamp,
    /// <summary>A quarantine area (Intercept quarantine).</summary>
    QuarantineArea,
    /// <summary>An archive area (Archive).</summary>
    ArchiveArea,
}

/// <summary>A reference whose target does not exist in the export. Not fatal: the mapping reports it.</summary>
/// <param name="Kind">What was referenced.</param>
/// <param name="Id">The missing id.</param>
/// <param name="ReferencedBy">The item holding the reference, e.g. <c>rule:R12</c>, <c>dlp-template:DT1</c>.</param>
/// <param name="At">Where the reference is written.</param>
public sealed record DanglingReference(ReferenceKind Kind, string Id, string ReferencedBy, SourceLocation At);

/// <summary>Finds references (kept as ids in the source model) whose targets are missing.</summary>
public static class ReferenceValidator
{
    /// <summary>Lists every dangling reference of the rules, objects and scanning exceptions, in document order.</summary>
    public static IReadOnlyList<DanglingReference> FindDangling(
        IReadOnlyList<PolicyRule> rules, PolicyObjects objects, Areas? areas, ScanningExceptions? scanningExceptions)
    {
        var groups = Ids(objects.AddressGroups.Select(g => g.Id));
        var keywordLists = Ids(objects.KeywordLists.Select(k => k.Id));
        var templates = Ids(objects.DlpTemplates.Select(t => t.Id));
        var identifiers = Ids(objects.DlpDataIdentifiers.Select(i => i.Id));
        var notifications = Ids(objects.Notifications.Select(n => n.Id));
        var stamps = Ids(objects.Stamps.Select(s => s.Id));
        var quarantine = Ids(areas?.Quarantine.Select(a => a.Id) ?? []);
        var archive = Ids(areas?.Archive.Select(a => a.Id) ?? []);

        var found = new List<DanglingReference>();
        void Check(HashSet<string> known, ReferenceKind kind, string id, string by, SourceLocation at)
        {
            if (!known.Contains(id)) found.Add(new DanglingReference(kind, id, by, at));
        }

        void CheckActions(RuleActions actions, string by)
        {
            if (actions.Intercept is QuarantineTo { AreaId: { } area } q) Check(quarantine, ReferenceKind.QuarantineArea, area, by, q.At);
            foreach (var m in actions.Modify)
                if (m is InsertStamp s) Check(stamps, ReferenceKind.Stamp, s.StampId, by, s.At);
            foreach (var m in actions.Monitor)
            {
                if (m is Notify n) Check(notifications, ReferenceKind.Notification, n.NotificationId, by, n.At);
                else if (m is ArchiveTo a) Check(archive, ReferenceKind.ArchiveArea, a.AreaId, by, a.At);
            }
            if (actions.SafeStamp is { } safe) Check(stamps, ReferenceKind.Stamp, safe.StampId, by, safe.At);
        }

        foreach (var rule in rules)
        {
            var by = "rule:" + rule.Id;
            foreach (var entry in rule.Route.Senders.Concat(rule.Route.Recipients))
                if (entry is AddressGroupEntry g) Check(groups, ReferenceKind.AddressGroup, g.GroupId, by, g.At);
            foreach (var condition in rule.Conditions?.Items ?? [])
            {
                if (condition is ContentKeywords k)
                    foreach (var id in k.ListIds) Check(keywordLists, ReferenceKind.KeywordList, id, by, k.At);
                else if (condition is Dlp d)
                    foreach (var id in d.TemplateIds) Check(templates, ReferenceKind.DlpTemplate, id, by, d.At);
            }
            CheckActions(rule.Actions, by);
            foreach (var special in rule.SpecialActions) CheckActions(special.Actions, by);
        }
        foreach (var template in objects.DlpTemplates)
            foreach (var term in template.Condition?.Terms ?? [])
                Check(identifiers, ReferenceKind.DlpDataIdentifier, term.IdentifierId, "dlp-template:" + template.Id, template.At);
        foreach (var exception in scanningExceptions?.Items ?? [])
            CheckActions(exception.Actions, "scanning-exception:" + exception.Kind);
        return found;
    }

    private static HashSet<string> Ids(IEnumerable<string> ids) => new(ids, StringComparer.Ordinal);
}
