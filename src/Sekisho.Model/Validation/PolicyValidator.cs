using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model.Localization;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;

namespace Sekisho.Model.Validation;

/// <summary>A problem found by validation: where (a JSON-style path), a code, and what to do, in both languages.</summary>
public sealed record ValidationProblem(string Path, string Code, LocalizedText Message)
{
    public override string ToString() => $"{Path}: {Message.En}";
}

/// <summary>
/// Checks model objects against the rules administrators rely on (field ranges, references, internal groups,
/// managed-domain scopes, reserved names). Pure: takes the objects and the policy they live in, returns problems.
/// </summary>
public static class PolicyValidator
{
    public const int MaxInboundServers = 100;
    public const int MaxOutboundServers = 100;
    public const int MaxRuleNameLength = 256;
    public const int MaxDlpTemplatesPerRule = 255;
    public const int MaxUrlKeywords = 100;
    public const string ReservedHeaderPrefix = "X-Sekisho";
    private static readonly TimeSpan RegexCheckTimeout = TimeSpan.FromSeconds(1);

    // Notifications may use the legacy Japanese charsets (ISO-2022-JP, Shift_JIS, EUC-JP).
    static PolicyValidator() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    private static readonly Regex HeaderName = new(@"^[!-9;-~]{1,76}$", RegexOptions.CultureInvariant, RegexCheckTimeout);
    private static readonly Regex XHeaderName = new(@"^X-[A-Za-z0-9-]{1,74}$", RegexOptions.CultureInvariant, RegexCheckTimeout);
    private static readonly Regex UrlKeyword = new(@"^[A-Za-z0-9_]{3,256}$", RegexOptions.CultureInvariant, RegexCheckTimeout);
    private static readonly Regex Selector = new(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant, RegexCheckTimeout);

    /// <summary>Validates a whole policy: every domain, object, setting and rule, and name uniqueness.</summary>
    public static IReadOnlyList<ValidationProblem> Validate(PolicySnapshot policy)
    {
        var problems = new List<ValidationProblem>();
        Unique(problems, policy.Domains.Select((d, i) => (d.Name, $"domains[{i}].name")), n => ModelText.Get("domain.name.duplicate", n), "domain.name.duplicate");
        for (int i = 0; i < policy.Domains.Count; i++) problems.AddRange(ValidateDomain(policy.Domains[i], $"domains[{i}]"));
        UniqueIds(problems, policy);
        var managedSet = new PolicyIndex(policy);
        for (int i = 0; i < policy.AddressGroups.Count; i++) problems.AddRange(ValidateAddressGroup(policy.AddressGroups[i], managedSet, $"addressGroups[{i}]"));
        UniqueNames(problems, policy.AddressGroups, "addressGroups", "kind.address-group");
        for (int i = 0; i < policy.KeywordLists.Count; i++) problems.AddRange(ValidateKeywordList(policy.KeywordLists[i], $"keywordLists[{i}]"));
        UniqueNames(problems, policy.KeywordLists, "keywordLists", "kind.keyword-list");
        for (int i = 0; i < policy.Notifications.Count; i++) problems.AddRange(ValidateNotification(policy.Notifications[i], $"notifications[{i}]"));
        UniqueNames(problems, policy.Notifications, "notifications", "kind.notification");
        for (int i = 0; i < policy.Stamps.Count; i++) problems.AddRange(ValidateStamp(policy.Stamps[i], $"stamps[{i}]"));
        UniqueNames(problems, policy.Stamps, "stamps", "kind.stamp");
        for (int i = 0; i < policy.DlpIdentifiers.Count; i++) problems.AddRange(ValidateDlpIdentifier(policy.DlpIdentifiers[i], $"dlpIdentifiers[{i}]"));
        UniqueNames(problems, policy.DlpIdentifiers, "dlpIdentifiers", "kind.dlp-identifier");
        for (int i = 0; i < policy.DlpTemplates.Count; i++) problems.AddRange(ValidateDlpTemplate(policy.DlpTemplates[i], managedSet, $"dlpTemplates[{i}]"));
        UniqueNames(problems, policy.DlpTemplates, "dlpTemplates", "kind.dlp-template");
        problems.AddRange(ValidateSettings(policy.Settings, "settings"));
        var index = new PolicyIndex(policy);
        for (int i = 0; i < policy.Rules.Count; i++) problems.AddRange(ValidateRule(policy.Rules[i], index, $"rules[{i}]"));
        var byName = policy.Rules.Select((r, i) => (r, i)).GroupBy(x => (x.r.Direction, x.r.Type, x.r.Name));
        foreach (var g in byName.Where(g => g.Count() > 1))
            foreach (var (r, i) in g.Skip(1))
                problems.Add(new($"rules[{i}].name", "rule.name.duplicate", ModelText.Get("rule.name.duplicate", TypeLabel(r.Direction, r.Type), r.Name)));
        return problems;
    }

    /// <summary>Validates one managed domain.</summary>
    public static IReadOnlyList<ValidationProblem> ValidateDomain(ManagedDomain domain, string path = "domain")
    {
        var p = new List<ValidationProblem>();
        if (!DomainNames.TryNormalize(domain.Name, out var n) || n != domain.Name)
            p.Add(new($"{path}.name", "domain.name.invalid", ModelText.Get("domain.name.invalid", domain.Name)));
        if (domain.InboundServers.Count > MaxInboundServers)
            p.Add(new($"{path}.inboundServers", "domain.inbound.too-many", ModelText.Get("domain.inbound.too-many", MaxInboundServers)));
        for (int i = 0; i < domain.InboundServers.Count; i++)
        {
            var s = domain.InboundServers[i];
            var sp = $"{path}.inboundServers[{i}]";
            if (s.Recipient != InboundServer.AnyRecipient && (s.Recipient.Length is 0 or > 64 || s.Recipient.Contains('@') || s.Recipient.Contains('*') || s.Recipient.Any(char.IsWhiteSpace)))
                p.Add(new($"{sp}.recipient", "domain.inbound.recipient.invalid", ModelText.Get("domain.inbound.recipient.invalid", s.Recipient)));
            if (!IsHost(s.Host))
                p.Add(new($"{sp}.host", "domain.inbound.host.invalid", ModelText.Get("domain.inbound.host.invalid", s.Host)));
            if (s.Port is < 1 or > 65535)
                p.Add(new($"{sp}.port", "domain.inbound.port.range", ModelText.Get("domain.inbound.port.range", s.Port)));
            if (s.Preference is < 1 or > 100)
                p.Add(new($"{sp}.preference", "domain.inbound.preference.range", ModelText.Get("domain.inbound.preference.range", s.Preference)));
        }
        if (domain.Outbound.AllowedIps.Count > MaxOutboundServers)
            p.Add(new($"{path}.outbound.allowedIps", "domain.outbound.too-many", ModelText.Get("domain.outbound.too-many", MaxOutboundServers)));
        for (int i = 0; i < domain.Outbound.AllowedIps.Count; i++)
            if (!IsIpOrCidr(domain.Outbound.AllowedIps[i]))
                p.Add(new($"{path}.outbound.allowedIps[{i}]", "ip.invalid", ModelText.Get("ip.invalid", domain.Outbound.AllowedIps[i])));
        return p;
    }

    /// <summary>Validates a rule in the context of its policy (managed domains, objects, directory).</summary>
    public static IReadOnlyList<ValidationProblem> ValidateRule(Rule rule, PolicySnapshot policy, string path = "rule") =>
        ValidateRule(rule, new PolicyIndex(policy), path);

    /// <summary>
    /// The ids of the policy objects <see cref="ValidateRule(Rule, PolicySnapshot, string)"/> looks up for this rule (address
    /// groups of its scope, keyword lists and DLP templates of its criteria, stamps and notifications of its actions): a
    /// snapshot holding just these objects, the managed domains and the settings validates the rule exactly as the whole policy does.
    /// </summary>
    public static IReadOnlySet<string> ReferencedObjectIds(Rule rule)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        Side(rule.Scope.Recipients);
        Side(rule.Scope.Senders);
        foreach (var e in rule.Scope.Exceptions) { Side(e.Sender); Side(e.Recipient); }
        foreach (var c in rule.Criteria.Items)
        {
            switch (c)
            {
                case HeaderMatches h: ids.UnionWith(h.KeywordListIds); break;
                case SubjectMatches s: ids.UnionWith(s.KeywordListIds); break;
                case BodyMatches b: ids.UnionWith(b.KeywordListIds); break;
                case AttachmentContentMatches a: ids.UnionWith(a.KeywordListIds); break;
                case DlpMatch d: ids.UnionWith(d.TemplateIds); break;
            }
        }
        Actions(rule.Actions);
        foreach (var o in rule.DetectionOverrides) Actions(o.Actions);
        return ids;

        void Side(Participants side)
        {
            foreach (var e in side.Entries)
                if (e is AddressGroupParticipant g) ids.Add(g.GroupId);
        }

        void Actions(RuleActions actions)
        {
            foreach (var m in actions.Modify)
            {
                switch (m)
                {
                    case InsertStamp s: ids.Add(s.StampId); break;
                    case InsertSafeStamp s: ids.Add(s.StampId); break;
                }
            }
            foreach (var m in actions.Monitor)
                if (m is Notify n) ids.Add(n.NotificationId);
        }
    }

    private static IReadOnlyList<ValidationProblem> ValidateRule(Rule rule, PolicyIndex policy, string path)
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(rule.Name)) p.Add(new($"{path}.name", "rule.name.empty", ModelText.Get("rule.name.empty")));
        else if (rule.Name.Length > MaxRuleNameLength) p.Add(new($"{path}.name", "rule.name.too-long", ModelText.Get("rule.name.too-long", MaxRuleNameLength)));
        if (rule.Order < 1) p.Add(new($"{path}.order", "rule.order.invalid", ModelText.Get("rule.order.invalid")));
        ValidateScope(p, rule, policy, $"{path}.scope");
        ValidateCriteria(p, rule, policy, $"{path}.criteria");
        ValidateActions(p, rule, rule.Actions, policy, $"{path}.actions");
        for (int i = 0; i < rule.DetectionOverrides.Count; i++)
        {
            if (rule.Type != RuleType.Virus)
                p.Add(new($"{path}.detectionOverrides[{i}]", "rule.action.clean.virus-only", ModelText.Get("rule.action.clean.virus-only")));
            ValidateActions(p, rule, rule.DetectionOverrides[i].Actions, policy, $"{path}.detectionOverrides[{i}].actions");
        }
        return p;
    }

    private static void ValidateScope(List<ValidationProblem> p, Rule rule, PolicyIndex policy, string path)
    {
        var managed = policy.Managed;
        bool inbound = rule.Direction == Direction.Inbound;
        var directionLabel = ModelText.Get(inbound ? "direction.inbound" : "direction.outbound");
        // The protected side: inbound recipients / outbound senders must be the organization's own.
        CheckSide(rule.Scope.Recipients, $"{path}.recipients", ModelText.Get("field.recipients"), mustBeInternal: inbound);
        CheckSide(rule.Scope.Senders, $"{path}.senders", ModelText.Get("field.senders"), mustBeInternal: !inbound);
        for (int i = 0; i < rule.Scope.Exceptions.Count; i++)
        {
            var e = rule.Scope.Exceptions[i];
            CheckSide(e.Sender, $"{path}.exceptions[{i}].sender", ModelText.Get("field.exception-senders"), mustBeInternal: !inbound);
            CheckSide(e.Recipient, $"{path}.exceptions[{i}].recipient", ModelText.Get("field.exception-recipients"), mustBeInternal: inbound);
        }

        void CheckSide(Participants side, string sidePath, LocalizedText label, bool mustBeInternal)
        {
            // A migrated rule may have lost every entry of a side (unmanaged domains, unresolved LDAP groups): it then
            // matches nothing, which is safe, and its migration findings say what to fix.
            if (side.Mode == ParticipantsMode.Specified && side.Entries.Count == 0 && rule.Migration is null)
                p.Add(new(sidePath, "rule.scope.empty", ModelText.Get("rule.scope.empty", label)));
            if (side.Mode != ParticipantsMode.Specified) return;
            for (int i = 0; i < side.Entries.Count; i++)
            {
                var ep = $"{sidePath}.entries[{i}]";
                switch (side.Entries[i])
                {
                    case AddressParticipant a when mustBeInternal && !managed.Contains(a.Pattern):
                        p.Add(new(ep, "rule.scope.address.outside-managed", ModelText.Get("rule.scope.address.outside-managed", label, a.Pattern, directionLabel)));
                        break;
                    case DomainParticipant d when !managed.ContainsDomain(d.Domain):
                        p.Add(new(ep, "rule.scope.domain.unmanaged", ModelText.Get("rule.scope.domain.unmanaged", d.Domain)));
                        break;
                    case AddressGroupParticipant g:
                        var group = policy.FindAddressGroup(g.GroupId);
                        if (group is null) p.Add(new(ep, "rule.scope.group.missing", ModelText.Get("rule.scope.group.missing", g.GroupId)));
                        else if (mustBeInternal && !group.Internal)
                            p.Add(new(ep, "rule.scope.group.not-internal", ModelText.Get("rule.scope.group.not-internal", group.Name, label)));
                        break;
                    case DirectoryGroupParticipant dg when !policy.Settings.Directory.IsConfigured:
                        p.Add(new(ep, "rule.scope.directory-group.no-directory", ModelText.Get("rule.scope.directory-group.no-directory", dg.Name)));
                        break;
                }
            }
        }
    }

    private static void ValidateCriteria(List<ValidationProblem> p, Rule rule, PolicyIndex policy, string path)
    {
        var items = rule.Criteria.Items;
        if (items.Count == 0 && rule.Type is RuleType.Spam or RuleType.Dlp or RuleType.Virus)
            p.Add(new($"{path}.items", "rule.criteria.required", ModelText.Get("rule.criteria.required", TypeLabel(rule.Type))));
        for (int i = 0; i < items.Count; i++)
        {
            var c = items[i];
            var cp = $"{path}.items[{i}]";
            if (c.Family != rule.Type)
                p.Add(new(cp, "rule.criteria.wrong-type", ModelText.Get("rule.criteria.wrong-type", Serialization.CriterionNames.Of(c), TypeLabel(rule.Type))));
            switch (c)
            {
                case HeaderMatches h:
                    Lists(h.KeywordListIds, cp);
                    if (h.Headers.Count == 0) p.Add(new($"{cp}.headers", "rule.criteria.list.empty", ModelText.Get("rule.criteria.list.empty", "headers")));
                    for (int j = 0; j < h.Headers.Count; j++)
                        if (!HeaderName.IsMatch(h.Headers[j]))
                            p.Add(new($"{cp}.headers[{j}]", "rule.criteria.header-name.invalid", ModelText.Get("rule.criteria.header-name.invalid", h.Headers[j])));
                    break;
                case SubjectMatches s: Lists(s.KeywordListIds, cp); break;
                case BodyMatches b: Lists(b.KeywordListIds, cp); break;
                case AttachmentContentMatches a: Lists(a.KeywordListIds, cp); break;
                case AttachmentName n when n.Patterns.Count == 0:
                    p.Add(new($"{cp}.patterns", "rule.criteria.list.empty", ModelText.Get("rule.criteria.list.empty", "patterns"))); break;
                case AttachmentMimeType m when m.Types.Count == 0:
                    p.Add(new($"{cp}.types", "rule.criteria.list.empty", ModelText.Get("rule.criteria.list.empty", "types"))); break;
                case AttachmentTrueType t:
                    if (t.Types.Count == 0) p.Add(new($"{cp}.types", "rule.criteria.list.empty", ModelText.Get("rule.criteria.list.empty", "types")));
                    for (int j = 0; j < t.Types.Count; j++)
                        if (!TrueFileTypes.IsKnown(t.Types[j]))
                            p.Add(new($"{cp}.types[{j}]", "rule.criteria.true-type.unknown", ModelText.Get("rule.criteria.true-type.unknown", t.Types[j])));
                    break;
                case AttachmentSize s: Size(s.Bytes, $"{cp}.bytes"); break;
                case MessageSize s: Size(s.Bytes, $"{cp}.bytes"); break;
                case AttachmentCount a when a.Count < 0: p.Add(new($"{cp}.count", "rule.criteria.count.range", ModelText.Get("rule.criteria.count.range"))); break;
                case RecipientCount r when r.Count < 0: p.Add(new($"{cp}.count", "rule.criteria.count.range", ModelText.Get("rule.criteria.count.range"))); break;
                case ReceivedTimeWindow w:
                    if (w.Days.Count == 0) p.Add(new($"{cp}.days", "rule.criteria.list.empty", ModelText.Get("rule.criteria.list.empty", "days")));
                    if (w.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(w.TimeZone, out _))
                        p.Add(new($"{cp}.timeZone", "rule.criteria.time-zone.unknown", ModelText.Get("rule.criteria.time-zone.unknown", w.TimeZone)));
                    break;
                case SpoofedInternal s:
                    for (int j = 0; j < s.TrustedIps.Count; j++)
                        if (!IsIpOrCidr(s.TrustedIps[j])) p.Add(new($"{cp}.trustedIps[{j}]", "rule.criteria.ip.invalid", ModelText.Get("rule.criteria.ip.invalid", s.TrustedIps[j])));
                    break;
                case Graymail g:
                    for (int j = 0; j < g.ExceptionIps.Count; j++)
                        if (!IsIpOrCidr(g.ExceptionIps[j])) p.Add(new($"{cp}.exceptionIps[{j}]", "rule.criteria.ip.invalid", ModelText.Get("rule.criteria.ip.invalid", g.ExceptionIps[j])));
                    break;
                case DlpMatch d:
                    if (d.TemplateIds.Count == 0) p.Add(new($"{cp}.templateIds", "rule.criteria.list.empty", ModelText.Get("rule.criteria.list.empty", "templateIds")));
                    if (d.TemplateIds.Count > MaxDlpTemplatesPerRule) p.Add(new($"{cp}.templateIds", "rule.criteria.dlp-template.too-many", ModelText.Get("rule.criteria.dlp-template.too-many", MaxDlpTemplatesPerRule)));
                    for (int j = 0; j < d.TemplateIds.Count; j++)
                        if (policy.FindDlpTemplate(d.TemplateIds[j]) is null)
                            p.Add(new($"{cp}.templateIds[{j}]", "rule.criteria.dlp-template.missing", ModelText.Get("rule.criteria.dlp-template.missing", d.TemplateIds[j])));
                    break;
            }
        }

        void Lists(IReadOnlyList<string> ids, string cp)
        {
            if (ids.Count == 0) p.Add(new($"{cp}.keywordListIds", "rule.criteria.keyword-list.empty", ModelText.Get("rule.criteria.keyword-list.empty")));
            for (int j = 0; j < ids.Count; j++)
                if (policy.FindKeywordList(ids[j]) is null)
                    p.Add(new($"{cp}.keywordListIds[{j}]", "rule.criteria.keyword-list.missing", ModelText.Get("rule.criteria.keyword-list.missing", ids[j])));
        }

        void Size(long bytes, string sp)
        {
            if (bytes < 1 || bytes > GatewayLimits.MaxAllowedMessageSize)
                p.Add(new(sp, "rule.criteria.size.range", ModelText.Get("rule.criteria.size.range", GatewayLimits.MaxAllowedMessageSize / GatewayLimits.MegaByte)));
        }
    }

    private static void ValidateActions(List<ValidationProblem> p, Rule rule, RuleActions actions, PolicyIndex policy, string path)
    {
        var managed = policy.Managed;
        switch (actions.Intercept)
        {
            case ChangeRecipient c:
                Addresses(c.Recipients, $"{path}.intercept.recipients", ModelText.Get("field.change-recipient"));
                break;
            case DeliverNow d when d.Host is not null:
                if (!IsHost(d.Host)) p.Add(new($"{path}.intercept.host", "rule.action.host.invalid", ModelText.Get("rule.action.host.invalid", d.Host)));
                if (d.Port is < 1 or > 65535) p.Add(new($"{path}.intercept.port", "rule.action.port.range", ModelText.Get("rule.action.port.range", d.Port)));
                break;
        }
        var headers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < actions.Modify.Count; i++)
        {
            var mp = $"{path}.modify[{i}]";
            switch (actions.Modify[i])
            {
                case InsertXHeader h:
                    if (h.Name.StartsWith(ReservedHeaderPrefix, StringComparison.OrdinalIgnoreCase))
                        p.Add(new($"{mp}.name", "rule.action.x-header.reserved", ModelText.Get("rule.action.x-header.reserved", h.Name)));
                    else if (!XHeaderName.IsMatch(h.Name))
                        p.Add(new($"{mp}.name", "rule.action.x-header.invalid", ModelText.Get("rule.action.x-header.invalid", h.Name)));
                    else if (!headers.Add(h.Name))
                        p.Add(new($"{mp}.name", "rule.action.duplicate-x-header", ModelText.Get("rule.action.duplicate-x-header", h.Name)));
                    if (h.Value.Length > 998 || h.Value.Contains('\r') || h.Value.Contains('\n'))
                        p.Add(new($"{mp}.value", "rule.action.x-header.value", ModelText.Get("rule.action.x-header.value")));
                    break;
                case InsertStamp s when policy.FindStamp(s.StampId) is null:
                    p.Add(new($"{mp}.stampId", "rule.action.stamp.missing", ModelText.Get("rule.action.stamp.missing", s.StampId))); break;
                case InsertSafeStamp s when policy.FindStamp(s.StampId) is null:
                    p.Add(new($"{mp}.stampId", "rule.action.stamp.missing", ModelText.Get("rule.action.stamp.missing", s.StampId))); break;
                case TagSubject t when string.IsNullOrWhiteSpace(t.Tag):
                    p.Add(new($"{mp}.tag", "rule.action.tag.empty", ModelText.Get("rule.action.tag.empty"))); break;
                case CleanMalware when rule.Type != RuleType.Virus:
                    p.Add(new(mp, "rule.action.clean.virus-only", ModelText.Get("rule.action.clean.virus-only"))); break;
                case DeliverAt d when d.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(d.TimeZone, out _):
                    p.Add(new($"{mp}.timeZone", "rule.criteria.time-zone.unknown", ModelText.Get("rule.criteria.time-zone.unknown", d.TimeZone))); break;
            }
        }
        for (int i = 0; i < actions.Monitor.Count; i++)
        {
            var mp = $"{path}.monitor[{i}]";
            switch (actions.Monitor[i])
            {
                case Notify n when policy.FindNotification(n.NotificationId) is null:
                    p.Add(new($"{mp}.notificationId", "rule.action.notification.missing", ModelText.Get("rule.action.notification.missing", n.NotificationId))); break;
                case Bcc b:
                    Addresses(b.Recipients, $"{mp}.recipients", ModelText.Get("field.bcc")); break;
            }
        }

        void Addresses(IReadOnlyList<string> list, string ap, LocalizedText label)
        {
            if (list.Count == 0) p.Add(new(ap, "rule.action.recipients.empty", ModelText.Get("rule.action.recipients.empty", label)));
            for (int i = 0; i < list.Count; i++)
            {
                if (!AddressPattern.TryParse(list[i], out var a, out _) || !a!.IsSingleAddress)
                    p.Add(new($"{ap}[{i}]", "rule.action.address.invalid", ModelText.Get("rule.action.address.invalid", list[i])));
                else if (!managed.Contains(a))
                    p.Add(new($"{ap}[{i}]", "rule.action.address.outside-managed", ModelText.Get("rule.action.address.outside-managed", label, list[i])));
            }
        }
    }

    /// <summary>Validates an address group; internal groups may hold only exact addresses and domains that are managed.</summary>
    public static IReadOnlyList<ValidationProblem> ValidateAddressGroup(AddressGroup group, PolicySnapshot policy, string path = "addressGroup") =>
        ValidateAddressGroup(group, new PolicyIndex(policy), path);

    private static IReadOnlyList<ValidationProblem> ValidateAddressGroup(AddressGroup group, PolicyIndex policy, string path)
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(group.Name)) p.Add(new($"{path}.name", "group.name.empty", ModelText.Get("group.name.empty")));
        var managed = policy.Managed;
        for (int i = 0; i < group.Entries.Count; i++)
        {
            var e = group.Entries[i];
            if (e.Description.Length > 1024)
                p.Add(new($"{path}.entries[{i}].description", "group.entry.description.too-long", ModelText.Get("group.entry.description.too-long", e.Address)));
            if (!group.Internal) continue;
            if (e.Address.HasWildcardDomain)
                p.Add(new($"{path}.entries[{i}]", "group.internal.wildcard", ModelText.Get("group.internal.wildcard", group.Name, e.Address)));
            else if (!managed.Contains(e.Address))
                p.Add(new($"{path}.entries[{i}]", "group.internal.unmanaged", ModelText.Get("group.internal.unmanaged", group.Name, e.Address)));
        }
        return p;
    }

    /// <summary>Validates a keyword list: every expression compiles as a .NET regular expression.</summary>
    public static IReadOnlyList<ValidationProblem> ValidateKeywordList(KeywordList list, string path = "keywordList")
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(list.Name)) p.Add(new($"{path}.name", "keyword.name.empty", ModelText.Get("keyword.name.empty")));
        // A migrated list whose expressions could not be translated stays, empty (it matches nothing), with its finding.
        if (list.Expressions.Count == 0 && list.Provenance is null) p.Add(new($"{path}.expressions", "keyword.expressions.empty", ModelText.Get("keyword.expressions.empty", list.Name)));
        if (list.Threshold < 0) p.Add(new($"{path}.threshold", "keyword.threshold.invalid", ModelText.Get("keyword.threshold.invalid")));
        for (int i = 0; i < list.Expressions.Count; i++)
        {
            var error = RegexError(list.Expressions[i].Pattern);
            if (error is not null)
                p.Add(new($"{path}.expressions[{i}].pattern", "keyword.pattern.invalid", ModelText.Get("keyword.pattern.invalid", list.Expressions[i].Pattern, error)));
        }
        return p;
    }

    public static IReadOnlyList<ValidationProblem> ValidateNotification(Notification n, string path = "notification")
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(n.Name)) p.Add(new($"{path}.name", "object.name.empty", ModelText.Get("object.name.empty", ModelText.Get("kind.notification"))));
        Address(n.From, $"{path}.from", "field.from");
        foreach (var (to, i) in n.To.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select((t, i) => (t, i)))
            Address(to, $"{path}.to", "field.to");
        try { Encoding.GetEncoding(n.Charset); }
        catch (ArgumentException) { p.Add(new($"{path}.charset", "notification.charset.unknown", ModelText.Get("notification.charset.unknown", n.Charset))); }
        return p;

        void Address(string value, string ap, string label)
        {
            if (Regex.IsMatch(value, "^%[A-Z_&]+%$", RegexOptions.None, RegexCheckTimeout)) return;
            if (!AddressPattern.TryParse(value, out var a, out _) || !a!.IsSingleAddress)
                p.Add(new(ap, "notification.address.invalid", ModelText.Get("notification.address.invalid", ModelText.Get(label), value)));
        }
    }

    public static IReadOnlyList<ValidationProblem> ValidateStamp(Stamp s, string path = "stamp")
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(s.Name)) p.Add(new($"{path}.name", "object.name.empty", ModelText.Get("object.name.empty", ModelText.Get("kind.stamp"))));
        if (string.IsNullOrWhiteSpace(s.Text) && string.IsNullOrWhiteSpace(s.Html)) p.Add(new($"{path}.text", "stamp.text.empty", ModelText.Get("stamp.text.empty", s.Name)));
        return p;
    }

    public static IReadOnlyList<ValidationProblem> ValidateDlpIdentifier(DlpIdentifier identifier, string path = "dlpIdentifier")
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(identifier.Name)) p.Add(new($"{path}.name", "object.name.empty", ModelText.Get("object.name.empty", ModelText.Get("kind.dlp-identifier"))));
        switch (identifier)
        {
            case DlpExpression e when RegexError(e.Pattern) is { } error:
                p.Add(new($"{path}.pattern", "dlp.expression.invalid", ModelText.Get("dlp.expression.invalid", e.Pattern, error))); break;
            case DlpFileAttribute f:
                if (f.MinBytes > f.MaxBytes) p.Add(new($"{path}.minBytes", "dlp.file-attribute.size", ModelText.Get("dlp.file-attribute.size")));
                for (int i = 0; i < f.TrueTypes.Count; i++)
                    if (!TrueFileTypes.IsKnown(f.TrueTypes[i])) p.Add(new($"{path}.trueTypes[{i}]", "rule.criteria.true-type.unknown", ModelText.Get("rule.criteria.true-type.unknown", f.TrueTypes[i])));
                break;
        }
        return p;
    }

    public static IReadOnlyList<ValidationProblem> ValidateDlpTemplate(DlpTemplate t, PolicySnapshot policy, string path = "dlpTemplate") =>
        ValidateDlpTemplate(t, new PolicyIndex(policy), path);

    private static IReadOnlyList<ValidationProblem> ValidateDlpTemplate(DlpTemplate t, PolicyIndex policy, string path)
    {
        var p = new List<ValidationProblem>();
        if (string.IsNullOrWhiteSpace(t.Name)) p.Add(new($"{path}.name", "object.name.empty", ModelText.Get("object.name.empty", ModelText.Get("kind.dlp-template"))));
        if (t.Terms.Count == 0) p.Add(new($"{path}.terms", "dlp.template.terms.empty", ModelText.Get("dlp.template.terms.empty", t.Name)));
        for (int i = 0; i < t.Terms.Count; i++)
        {
            if ((i == 0) != (t.Terms[i].Operator == DlpOperator.First))
                p.Add(new($"{path}.terms[{i}].operator", "dlp.template.first-operator", ModelText.Get("dlp.template.first-operator")));
            if (policy.FindDlpIdentifier(t.Terms[i].IdentifierId) is null)
                p.Add(new($"{path}.terms[{i}].identifierId", "dlp.template.identifier.missing", ModelText.Get("dlp.template.identifier.missing", t.Terms[i].IdentifierId)));
        }
        return p;
    }

    public static IReadOnlyList<ValidationProblem> ValidateSettings(GatewaySettings s, string path = "settings")
    {
        var p = new List<ValidationProblem>();
        if (s.Limits.MaxMessageSizeBytes < GatewayLimits.MegaByte || s.Limits.MaxMessageSizeBytes > GatewayLimits.MaxAllowedMessageSize)
            p.Add(new($"{path}.limits.maxMessageSizeBytes", "settings.size.range", ModelText.Get("settings.size.range")));
        if (s.Limits.MaxRecipients is < 1 or > 100000)
            p.Add(new($"{path}.limits.maxRecipients", "settings.recipients.range", ModelText.Get("settings.recipients.range")));
        Ips(s.ConnectionFiltering.ApprovedIps.Select(e => e.Cidr).ToList(), $"{path}.connectionFiltering.approvedIps", ".cidr");
        Ips(s.ConnectionFiltering.BlockedIps.Select(e => e.Cidr).ToList(), $"{path}.connectionFiltering.blockedIps", ".cidr");
        if (s.ConnectionFiltering.IpReputationLevel is < 0 or > 4)
            p.Add(new($"{path}.connectionFiltering.ipReputationLevel", "settings.ip-reputation.level", ModelText.Get("settings.ip-reputation.level")));
        if (s.EndUserQuarantine is { } eu && (eu.DigestHour is < 0 or > 23 || eu.DigestIntervalHours is < 1 or > 168 || eu.DigestMaxMessages is < 1 or > 1000
                || eu.LinkValidityDays is < 1 or > 30 || eu.DigestLanguage is not ("ja" or "en")))
            p.Add(new($"{path}.endUserQuarantine", "settings.end-user-quarantine.range", ModelText.Get("settings.end-user-quarantine.range")));
        if (s.UrlKeywordExceptions.Count > MaxUrlKeywords)
            p.Add(new($"{path}.urlKeywordExceptions", "settings.url-keyword.too-many", ModelText.Get("settings.url-keyword.too-many", MaxUrlKeywords)));
        for (int i = 0; i < s.UrlKeywordExceptions.Count; i++)
            if (!UrlKeyword.IsMatch(s.UrlKeywordExceptions[i]))
                p.Add(new($"{path}.urlKeywordExceptions[{i}]", "settings.url-keyword.invalid", ModelText.Get("settings.url-keyword.invalid", s.UrlKeywordExceptions[i])));
        for (int i = 0; i < s.Authentication.DkimSigning.Count; i++)
        {
            var k = s.Authentication.DkimSigning[i];
            var kp = $"{path}.authentication.dkimSigning[{i}]";
            if (!Selector.IsMatch(k.Selector)) p.Add(new($"{kp}.selector", "settings.dkim.selector.invalid", ModelText.Get("settings.dkim.selector.invalid", k.Selector)));
            if (!k.PrivateKeyPem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal) || !k.PrivateKeyPem.Contains("-----END PRIVATE KEY-----", StringComparison.Ordinal))
                p.Add(new($"{kp}.privateKeyPem", "settings.dkim.key.invalid", ModelText.Get("settings.dkim.key.invalid", k.Domain, k.Selector)));
        }
        for (int i = 0; i < s.TlsPeers.Count; i++)
        {
            var peer = s.TlsPeers[i].Peer;
            if (peer != "*" && !IsIpOrCidr(peer) && !DomainNames.TryNormalize(peer.TrimStart('*', '.'), out _))
                p.Add(new($"{path}.tlsPeers[{i}].peer", "settings.tls-peer.invalid", ModelText.Get("settings.tls-peer.invalid", peer)));
        }
        foreach (var (days, name) in new[] { (s.Retention.QuarantineDays, "quarantineDays"), (s.Retention.MailTrackingDays, "mailTrackingDays"), (s.Retention.AuditDays, "auditDays") })
            if (days is < 1 or > 3650) p.Add(new($"{path}.retention.{name}", "settings.retention.range", ModelText.Get("settings.retention.range")));
        return p;

        void Ips(IReadOnlyList<string> list, string lp, string suffix)
        {
            for (int i = 0; i < list.Count; i++)
                if (!IsIpOrCidr(list[i])) p.Add(new($"{lp}[{i}]{suffix}", "ip.invalid", ModelText.Get("ip.invalid", list[i])));
        }
    }

    /// <summary>True for an IPv4/IPv6 address or CIDR range.</summary>
    public static bool IsIpOrCidr(string text) =>
        IPAddress.TryParse(text, out _) || (text.Contains('/') && IPNetwork.TryParse(text, out _));

    /// <summary>True for an IP address or a host name.</summary>
    public static bool IsHost(string text) => IPAddress.TryParse(text, out _) || DomainNames.TryNormalize(text, out _);

    /// <summary>Why a pattern does not compile as a .NET regular expression, or null when it does.</summary>
    public static string? RegexError(string pattern)
    {
        try { _ = new Regex(pattern, RegexOptions.CultureInvariant, RegexCheckTimeout); return null; }
        catch (ArgumentException e) { return e.Message; }
    }

    private static LocalizedText TypeLabel(RuleType type) => ModelText.Get("type." + Serialization.ModelJson.EnumName(type));

    private static LocalizedText TypeLabel(Direction direction, RuleType type)
    {
        var d = ModelText.Get("direction." + Serialization.ModelJson.EnumName(direction));
        var t = TypeLabel(type);
        return new($"{d.Ja}{t.Ja}", $"{d.En} {t.En}");
    }

    private static void Unique(List<ValidationProblem> p, IEnumerable<(string Name, string Path)> items, Func<string, LocalizedText> message, string code)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, path) in items)
            if (!seen.Add(name)) p.Add(new(path, code, message(name)));
    }

    private static void UniqueNames<T>(List<ValidationProblem> p, IReadOnlyList<T> items, string path, string kindKey) where T : IPolicyObject
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
            if (!seen.Add(items[i].Name))
                p.Add(new($"{path}[{i}].name", "object.name.duplicate", ModelText.Get("object.name.duplicate", ModelText.Get(kindKey), items[i].Name)));
    }

    private static void UniqueIds(List<ValidationProblem> p, PolicySnapshot policy)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in policy.AllObjects.Select(o => o.Id).Concat(policy.Rules.Select(r => r.Id)).Concat(policy.Domains.Select(d => d.Id)))
            if (!seen.Add(o)) p.Add(new("id", "object.id.duplicate", ModelText.Get("object.id.duplicate", o)));
    }
}

/// <summary>Lookups of one policy, built once per validation so that large policies validate in linear time.</summary>
internal sealed class PolicyIndex(PolicySnapshot policy)
{
    private readonly Dictionary<string, AddressGroup> _groups = policy.AddressGroups.GroupBy(g => g.Id).ToDictionary(g => g.Key, g => g.First());
    private readonly Dictionary<string, KeywordList> _keywords = policy.KeywordLists.GroupBy(g => g.Id).ToDictionary(g => g.Key, g => g.First());
    private readonly HashSet<string> _notifications = policy.Notifications.Select(n => n.Id).ToHashSet();
    private readonly HashSet<string> _stamps = policy.Stamps.Select(n => n.Id).ToHashSet();
    private readonly HashSet<string> _identifiers = policy.DlpIdentifiers.Select(n => n.Id).ToHashSet();
    private readonly HashSet<string> _templates = policy.DlpTemplates.Select(n => n.Id).ToHashSet();

    public ManagedSet Managed { get; } = new(policy.Domains.Select(d => d.Name));
    public Settings.GatewaySettings Settings => policy.Settings;

    public AddressGroup? FindAddressGroup(string id) => _groups.GetValueOrDefault(id);
    public KeywordList? FindKeywordList(string id) => _keywords.GetValueOrDefault(id);
    public object? FindNotification(string id) => _notifications.Contains(id) ? id : null;
    public object? FindStamp(string id) => _stamps.Contains(id) ? id : null;
    public object? FindDlpIdentifier(string id) => _identifiers.Contains(id) || PredefinedDlp.FindIdentifier(id) is not null ? id : null;
    public object? FindDlpTemplate(string id) => _templates.Contains(id) || PredefinedDlp.FindTemplate(id) is not null ? id : null;
}

/// <summary>The managed domains as a set: an address pattern lies within them when its domain is exactly one of them.</summary>
internal sealed class ManagedSet(IEnumerable<string> domains)
{
    private readonly HashSet<string> _set = domains.Select(DomainNames.NormalizeOrSelf).ToHashSet(StringComparer.Ordinal);

    public bool Contains(AddressPattern p) => p.DomainMatch == DomainMatch.Exact && _set.Contains(p.Domain);

    public bool ContainsDomain(string domain) => _set.Contains(DomainNames.NormalizeOrSelf(domain));
}
