using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>Reads <c>policy/rules.xml</c> (Policy → Policy List) into <see cref="PolicyRule"/> records.</summary>
internal static class RulesReader
{
    private static readonly IReadOnlyDictionary<string, RuleType> RuleTypes = Vocabulary.Of(
        ("antivirus", RuleType.Antivirus), ("other", RuleType.Other), ("dkim_enforcement", RuleType.DkimEnforcement));

    private static readonly IReadOnlyDictionary<string, BuiltinRule> Builtins = Vocabulary.Of(
        ("global_antivirus", BuiltinRule.GlobalAntivirus), ("default_spam", BuiltinRule.DefaultSpam));

    private static readonly IReadOnlyDictionary<string, RouteDirection> Directions = Vocabulary.Of(
        ("incoming", RouteDirection.Incoming), ("outgoing", RouteDirection.Outgoing), ("both", RouteDirection.Both),
        ("pop3", RouteDirection.Pop3), ("all", RouteDirection.All));

    private static readonly IReadOnlyDictionary<string, ConditionMatch> Matches = Vocabulary.Of(
        ("any", ConditionMatch.Any), ("all", ConditionMatch.All));

    private static readonly IReadOnlyDictionary<string, FilesToScanMode> ScanModes = Vocabulary.Of(
        ("all", FilesToScanMode.All), ("intelliscan", FilesToScanMode.IntelliScan), ("specific", FilesToScanMode.Specific));

    private static readonly IReadOnlyDictionary<string, SecurityLevel> Levels = Vocabulary.Of(
        ("low", SecurityLevel.Low), ("medium", SecurityLevel.Medium), ("high", SecurityLevel.High));

    private static readonly IReadOnlyDictionary<string, SpamCatchRate> CatchRates = Vocabulary.Of(
        ("high", SpamCatchRate.High), ("medium", SpamCatchRate.Medium), ("low", SpamCatchRate.Low), ("threshold", SpamCatchRate.Threshold));

    private static readonly IReadOnlyDictionary<string, TextScanArea> ScanAreas = Vocabulary.Of(
        ("subject", TextScanArea.Subject), ("from", TextScanArea.From), ("to", TextScanArea.To),
        ("reply_to", TextScanArea.ReplyTo), ("all_headers", TextScanArea.AllHeaders));

    private static readonly IReadOnlyDictionary<string, UntestedUrlAction> Untested = Vocabulary.Of(
        ("bypass", UntestedUrlAction.Bypass), ("apply_action", UntestedUrlAction.ApplyAction), ("submit_va", UntestedUrlAction.SubmitToVirtualAnalyzer));

    private static readonly IReadOnlyDictionary<string, TimeOfClick> TimesOfClick = Vocabulary.Of(
        ("off", TimeOfClick.Off), ("untested", TimeOfClick.Untested), ("smart_flags", TimeOfClick.SmartFlags), ("all", TimeOfClick.All));

    private static readonly IReadOnlyDictionary<string, AttachmentSelection> Selections = Vocabulary.Of(
        ("selected", AttachmentSelection.Selected), ("not_selected", AttachmentSelection.NotSelected));

    private static readonly IReadOnlyDictionary<string, ComparisonOperator> Comparisons = Vocabulary.Of(
        ("gt", ComparisonOperator.GreaterThan), ("lt", ComparisonOperator.LessThan), ("eq", ComparisonOperator.EqualTo));

    private static readonly IReadOnlyDictionary<string, DayOfWeek> Days = Vocabulary.Of(
        ("mon", DayOfWeek.Monday), ("tue", DayOfWeek.Tuesday), ("wed", DayOfWeek.Wednesday), ("thu", DayOfWeek.Thursday),
        ("fri", DayOfWeek.Friday), ("sat", DayOfWeek.Saturday), ("sun", DayOfWeek.Sunday));

    private static readonly IReadOnlyDictionary<string, SpecialVirusKind> SpecialKinds = Vocabulary.Of(
        ("mass_mailing", SpecialVirusKind.MassMailing), ("spyware", SpecialVirusKind.Spyware), ("intellitrap", SpecialVirusKind.IntelliTrap));

    public static IReadOnlyList<PolicyRule> Read(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "PolicyList");
        var rules = new List<PolicyRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in x.Children(root, "Rule"))
        {
            var rule = ReadRule(x, e);
            if (!ids.Add(rule.Id)) throw x.Malformed(e, $"rule id '{rule.Id}' is used twice");
            rules.Add(rule);
        }
        return rules;
    }

    private static PolicyRule ReadRule(XmlContext x, XmlNode e)
    {
        var id = x.Required(e, "id");
        var type = x.Enum(e, "type", RuleTypes, RuleType.Unknown);
        var builtin = x.OptionalEnum(e, "builtin", Builtins, BuiltinRule.Unknown);
        var order = x.RequiredInt(e, "order");
        var enabled = x.RequiredBool(e, "enabled");
        var name = x.ChildText(e, "Name")?.Trim() ?? throw x.Malformed(e, "element <Name> is required");
        var notes = x.ChildText(e, "Notes") ?? "";
        var route = ReadRoute(x, x.RequiredSingle(e, "Route"));
        var conditions = x.Single(e, "Conditions") is { } c ? ReadConditions(x, c) : null;
        var dkim = x.Single(e, "DkimEnforcement") is { } d ? new DkimEnforcement(x.Texts(d, "Domain"), x.At(d)) : null;
        var actions = x.Single(e, "Actions") is { } a ? ActionsReader.Read(x, a) : ActionsReader.Empty(x.At(e));
        var special = x.Children(e, "SpecialActions")
            .Select(s => new SpecialActions(x.Enum(s, "kind", SpecialKinds, SpecialVirusKind.Unknown), ActionsReader.Read(x, s), x.At(s)))
            .ToArray();
        return new PolicyRule(id, type, builtin, order, enabled, name, notes, route, conditions, dkim, actions, special, x.At(e));
    }

    private static Route ReadRoute(XmlContext x, XmlNode e)
    {
        var direction = x.Enum(e, "applyTo", Directions, RouteDirection.Unknown);
        var senders = x.Single(e, "Senders") is { } s ? ReadRouteEntries(x, s) : [];
        var recipients = x.Single(e, "Recipients") is { } r ? ReadRouteEntries(x, r) : [];
        var exceptions = x.Single(e, "Exceptions") is { } ex
            ? x.Children(ex, "Pair").Select(p => new ExceptionPair(x.Required(p, "sender"), x.Required(p, "recipient"), x.At(p))).ToArray()
            : [];
        return new Route(direction, senders, recipients, exceptions, x.At(e));
    }

    internal static IReadOnlyList<RouteEntry> ReadRouteEntries(XmlContext x, XmlNode list)
    {
        var entries = new List<RouteEntry>();
        foreach (var e in list.Children)
        {
            RouteEntry? entry = e.Name switch
            {
                "Anyone" => new AnyoneEntry(x.At(e)),
                "Address" => new AddressEntry(NonEmptyText(x, e), x.At(e)),
                "AddressGroup" => new AddressGroupEntry(x.Required(e, "ref"), x.At(e)),
                "LdapUser" => new LdapUserEntry(x.Required(e, "dn"), x.Attr(e, "mail")?.Trim(), x.At(e)),
                "LdapGroup" => new LdapGroupEntry(x.Required(e, "dn"), x.Attr(e, "name")?.Trim(), x.At(e)),
                _ => null,
            };
            if (entry is null)
            {
                entries.Add(new UnknownRouteEntry(x.Raw(e), x.At(e)));
                continue;
            }
            e.Used = true;
            entries.Add(entry);
        }
        return entries;
    }

    private static string NonEmptyText(XmlContext x, XmlNode e)
    {
        var value = x.Text(e).Trim();
        return value.Length > 0 ? value : throw x.Malformed(e, "an empty address");
    }

    private static ScanningConditions ReadConditions(XmlContext x, XmlNode e)
    {
        var match = x.OptionalEnum(e, "match", Matches, ConditionMatch.Unknown);
        var items = new List<ScanningCondition>();
        foreach (var c in e.Children)
        {
            var condition = ReadCondition(x, c);
            if (condition is null)
            {
                items.Add(new UnknownCondition(x.Raw(c), x.At(c)));
                continue;
            }
            c.Used = true;
            items.Add(condition);
        }
        return new ScanningConditions(match, items, x.At(e));
    }

    private static ScanningCondition? ReadCondition(XmlContext x, XmlNode e)
    {
        var at = x.At(e);
        switch (e.Name)
        {
            case "FilesToScan":
            {
                var mode = x.Enum(e, "mode", ScanModes, FilesToScanMode.Unknown);
                var types = x.Single(e, "FileTypes");
                var categories = types is null ? [] : x.Children(types, "Category").Select(c => x.Required(c, "name")).ToArray();
                var extensions = types is null ? [] : x.Texts(types, "Extensions").SelectMany(t => XmlContext.Split(t, ';', ',')).ToArray();
                return new FilesToScan(mode, categories, extensions, at);
            }
            case "IntelliTrap":
                return new IntelliTrap(x.RequiredBool(e, "enabled"), x.Bool(e, "sendSamples"), at);
            case "SpywareGrayware":
                return new SpywareGrayware(XmlContext.Split(x.Attr(e, "categories"), ','), at);
            case "AdvancedThreats":
                return new AdvancedThreats(x.Bool(e, "atse"), x.Bool(e, "virtualAnalyzer"), x.OptionalEnum(e, "securityLevel", Levels, SecurityLevel.Unknown), at);
            case "Spam":
            {
                var rate = x.Enum(e, "catchRate", CatchRates, SpamCatchRate.Unknown);
                var threshold = x.Decimal(e, "threshold");
                if (rate == SpamCatchRate.Threshold && threshold is null) throw x.Malformed(e, "catchRate 'threshold' needs attribute 'threshold'");
                var exemptions = x.Children(e, "TextExemption").Select(t => new TextExemption(
                    x.Required(t, "name"), x.Enum(t, "scanArea", ScanAreas, TextScanArea.Unknown), x.Bool(t, "caseSensitive"),
                    x.Attr(t, "lineBeginning"), x.Attr(t, "lineEnd"), NullIfBlank(x.Text(t)), x.At(t))).ToArray();
                return new Spam(rate, threshold, x.Texts(x.Single(e, "ApprovedSenders"), "Address"), x.Texts(x.Single(e, "BlockedSenders"), "Address"), exemptions, at);
            }
            case "Phishing":
                return new Phishing(at);
            case "SocialEngineering":
                return new SocialEngineering(at);
            case "Graymail":
                return new Graymail(XmlContext.Split(x.Attr(e, "categories"), ','), x.Texts(x.Single(e, "ExceptionIps"), "Ip"), at);
            case "WebReputation":
                return new WebReputation(
                    x.Enum(e, "level", Levels, SecurityLevel.Unknown),
                    x.Enum(e, "untested", Untested, UntestedUrlAction.Unknown, UntestedUrlAction.Bypass),
                    x.Enum(e, "timeOfClick", TimesOfClick, TimeOfClick.Unknown, TimeOfClick.Off),
                    x.Bool(e, "signedMessages"), x.Bool(e, "useApprovedList"), at);
            case "AttachmentTrueFileType":
            {
                var types = x.Texts(e, "Type");
                foreach (var t in types)
                    if (!TrueFileTypes.Known.Contains(t)) x.UnknownListValue(e, "Type", t);
                return new AttachmentTrueFileType(Selection(x, e), types, at);
            }
            case "AttachmentName":
                return new AttachmentName(Selection(x, e), x.Texts(e, "Pattern"), at);
            case "AttachmentMimeType":
                return new AttachmentMimeType(Selection(x, e), x.Texts(e, "Type"), at);
            case "AttachmentSize":
                return new AttachmentSize(x.Enum(e, "op", Comparisons, ComparisonOperator.Unknown), x.RequiredLong(e, "bytes"), at);
            case "AttachmentCount":
                return new AttachmentCount(x.Enum(e, "op", Comparisons, ComparisonOperator.Unknown), x.RequiredInt(e, "value"), at);
            case "SubjectKeywords":
                return Keywords(x, e, KeywordArea.Subject);
            case "BodyKeywords":
                return Keywords(x, e, KeywordArea.Body);
            case "HeaderKeywords":
                return Keywords(x, e, KeywordArea.Header);
            case "AttachmentContentKeywords":
                return Keywords(x, e, KeywordArea.AttachmentContent);
            case "MessageSize":
                return new MessageSize(x.Enum(e, "op", Comparisons, ComparisonOperator.Unknown), x.RequiredLong(e, "bytes"), at);
            case "RecipientCount":
                return new RecipientCount(x.Enum(e, "op", Comparisons, ComparisonOperator.Unknown), x.RequiredInt(e, "value"), at);
            case "ReceivedTimeRange":
            {
                var days = new List<DayOfWeek>();
                foreach (var d in XmlContext.Split(x.Required(e, "days"), ','))
                {
                    if (Days.TryGetValue(d, out var day)) days.Add(day);
                    else x.UnknownListValue(e, "days", d);
                }
                return new ReceivedTimeRange(days, x.RequiredTime(e, "from"), x.RequiredTime(e, "to"), at);
            }
            case "PasswordProtectedZip":
                return new PasswordProtectedZip(at);
            case "SpoofedInternal":
                return new SpoofedInternal(x.Texts(e, "TrustedIp"), at);
            case "UnableToDecrypt":
                return new UnableToDecrypt(at);
            case "CnCEmail":
                return new CnCEmail(at);
            case "Dlp":
                return new Dlp(XmlContext.Split(x.Required(e, "templates"), ' ', '\t', ','), at);
            default:
                return null;
        }
    }

    private static AttachmentSelection Selection(XmlContext x, XmlNode e) =>
        x.Enum(e, "select", Selections, AttachmentSelection.Unknown, AttachmentSelection.Selected);

    private static ContentKeywords Keywords(XmlContext x, XmlNode e, KeywordArea area) => new(
        area,
        XmlContext.Split(x.Required(e, "refs"), ' ', '\t', ','),
        area == KeywordArea.Header ? XmlContext.Split(x.Attr(e, "headers"), ';', ',') : [],
        x.At(e));

    private static string? NullIfBlank(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Reads the §4.3 action elements (Intercept, Modify, Monitor, VirusHandling, SafeStamp) of an element.</summary>
internal static class ActionsReader
{
    private static readonly IReadOnlyDictionary<string, AttachmentDeletionScope> Scopes = Vocabulary.Of(
        ("matching", AttachmentDeletionScope.Matching), ("all", AttachmentDeletionScope.All));

    private static readonly IReadOnlyDictionary<string, VirusHandlingMode> VirusModes = Vocabulary.Of(
        ("active_action", VirusHandlingMode.ActiveAction), ("clean_then_delete_matching", VirusHandlingMode.CleanThenDeleteMatching),
        ("clean_then_delete_all", VirusHandlingMode.CleanThenDeleteAll), ("delete_matching", VirusHandlingMode.DeleteMatching),
        ("delete_all", VirusHandlingMode.DeleteAll));

    private static readonly string[] ActionElements = ["Intercept", "Modify", "Monitor", "VirusHandling", "SafeStamp"];

    public static RuleActions Empty(SourceLocation at) => new(null, [], [], null, null, [], at);

    public static RuleActions Read(XmlContext x, XmlNode e, params string[] otherKnownChildren)
    {
        var intercept = x.Single(e, "Intercept") is { } i ? ReadIntercept(x, i) : null;
        var modify = x.Children(e, "Modify").SelectMany(m => ReadModify(x, m)).ToArray();
        var monitor = x.Children(e, "Monitor").SelectMany(m => ReadMonitor(x, m)).ToArray();
        var virus = x.Single(e, "VirusHandling") is { } v ? new VirusHandling(x.Enum(v, "mode", VirusModes, VirusHandlingMode.Unknown), x.At(v)) : null;
        var safe = x.Single(e, "SafeStamp") is { } s ? new SafeStamp(x.Required(s, "ref"), x.At(s)) : null;
        var unknown = e.Children
            .Where(c => !ActionElements.Contains(c.Name) && !otherKnownChildren.Contains(c.Name) && !c.Used)
            .Select(x.Raw).ToArray();
        return new RuleActions(intercept, modify, monitor, virus, safe, unknown, x.At(e));
    }

    private static Intercept ReadIntercept(XmlContext x, XmlNode e)
    {
        var at = x.At(e);
        var type = x.Required(e, "type");
        switch (type.ToLowerInvariant())
        {
            case "none":
                return new DoNotIntercept(at);
            case "delete":
                return new DeleteEntireMessage(at);
            case "quarantine":
                return new QuarantineTo(NullIfBlank(x.Attr(e, "area")), at);
            case "change_recipient":
            {
                var to = XmlContext.Split(x.Required(e, "to"), ';', ',');
                return to.Count > 0 ? new ChangeRecipientTo(to, at) : throw x.Malformed(e, "change_recipient needs at least one address");
            }
            case "handoff":
                return new Handoff(x.Required(e, "host"), x.Int(e, "port") ?? 25, at);
            default:
                x.UnknownAttributeValue(e, "type", type);
                return new UnknownIntercept(x.Raw(e), at);
        }
    }

    private static IEnumerable<ModifyAction> ReadModify(XmlContext x, XmlNode m)
    {
        foreach (var e in m.Children)
        {
            var at = x.At(e);
            ModifyAction? action = e.Name switch
            {
                "InsertXHeader" => new InsertXHeader(x.Required(e, "name"), x.Attr(e, "value") ?? "", at),
                "DeleteAttachments" => new DeleteAttachments(x.Enum(e, "scope", Scopes, AttachmentDeletionScope.Unknown), at),
                "InsertStamp" => new InsertStamp(x.Required(e, "ref"), at),
                "TagSubject" => new TagSubject(x.Attr(e, "text") ?? throw x.Malformed(e, "attribute 'text' is required"), at),
                "PostponeDelivery" => new PostponeDelivery(x.RequiredTime(e, "at"), at),
                _ => null,
            };
            if (action is null)
            {
                yield return new UnknownModifyAction(x.Raw(e), at);
                continue;
            }
            e.Used = true;
            yield return action;
        }
    }

    private static IEnumerable<MonitorAction> ReadMonitor(XmlContext x, XmlNode m)
    {
        foreach (var e in m.Children)
        {
            var at = x.At(e);
            MonitorAction? action = e.Name switch
            {
                "Notify" => new Notify(x.Required(e, "ref"), at),
                "Archive" => new ArchiveTo(x.Required(e, "area"), at),
                "Bcc" => new Bcc(XmlContext.Split(x.Required(e, "to"), ';', ','), at),
                _ => null,
            };
            if (action is null)
            {
                yield return new UnknownMonitorAction(x.Raw(e), at);
                continue;
            }
            e.Used = true;
            yield return action;
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
