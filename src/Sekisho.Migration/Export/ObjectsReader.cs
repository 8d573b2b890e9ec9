using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>Reads <c>policy/objects.xml</c> (Policy → Policy Objects and approved lists).</summary>
internal static class ObjectsReader
{
    private static readonly IReadOnlyDictionary<string, KeywordMatch> KeywordMatches = Vocabulary.Of(
        ("any", KeywordMatch.Any), ("all", KeywordMatch.All), ("not", KeywordMatch.Not), ("score", KeywordMatch.Score));

    private static readonly IReadOnlyDictionary<string, StampPosition> Positions = Vocabulary.Of(
        ("beginning", StampPosition.Beginning), ("end", StampPosition.End));

    private static readonly IReadOnlyDictionary<string, StampFormat> Formats = Vocabulary.Of(
        ("text", StampFormat.Text), ("html", StampFormat.Html));

    public static PolicyObjects Read(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "PolicyObjects");
        var groups = x.Single(root, "AddressGroups") is { } g
            ? Unique(x, x.Children(g, "AddressGroup").Select(e => (e, new AddressGroup(x.Required(e, "id"), x.Required(e, "name"), x.Texts(e, "Address"), x.At(e)))), a => a.Id)
            : [];
        var keywords = x.Single(root, "KeywordExpressions") is { } k
            ? Unique(x, x.Children(k, "List").Select(e => (e, ReadKeywordList(x, e))), l => l.Id)
            : [];
        var notifications = x.Single(root, "Notifications") is { } n
            ? Unique(x, x.Children(n, "Notification").Select(e => (e, ReadNotification(x, e))), o => o.Id)
            : [];
        var stamps = x.Single(root, "Stamps") is { } s
            ? Unique(x, x.Children(s, "Stamp").Select(e => (e, ReadStamp(x, e))), o => o.Id)
            : [];
        var dkim = x.Texts(x.Single(root, "DkimApprovedList"), "Domain");
        var wrsNode = x.Single(root, "WebReputationApprovedList");
        var wrs = new WebReputationApprovedList(x.Texts(wrsNode, "Domain"), x.Texts(wrsNode, "Url"));
        var urlKeywords = x.Texts(x.Single(root, "UrlKeywordList"), "Keyword");
        var identifiers = x.Single(root, "DlpDataIdentifiers") is { } d ? Unique(x, ReadIdentifiers(x, d), i => i.Id) : [];
        var templates = x.Single(root, "DlpTemplates") is { } t
            ? Unique(x, x.Children(t, "Template").Select(e => (e, ReadTemplate(x, e))), o => o.Id)
            : [];
        return new PolicyObjects(groups, keywords, notifications, stamps, dkim, wrs, urlKeywords, identifiers, templates);
    }

    private static KeywordList ReadKeywordList(XmlContext x, XmlNode e)
    {
        var match = x.Enum(e, "match", KeywordMatches, KeywordMatch.Unknown);
        var threshold = x.Int(e, "threshold");
        if (match == KeywordMatch.Score && threshold is null) throw x.Malformed(e, "match 'score' needs attribute 'threshold'");
        var expressions = x.Children(e, "Expression")
            .Select(ex => new KeywordExpression(x.Text(ex), x.Bool(ex, "caseSensitive"), x.Int(ex, "score") ?? 0, x.At(ex)))
            .ToArray();
        return new KeywordList(x.Required(e, "id"), x.Required(e, "name"), match, threshold, expressions, x.At(e));
    }

    private static Notification ReadNotification(XmlContext x, XmlNode e)
    {
        var from = x.ChildText(e, "From")?.Trim() ?? "";
        var to = x.ChildText(e, "To")?.Trim() ?? "";
        var subject = x.ChildText(e, "Subject") ?? "";
        var body = x.ChildText(e, "Body") ?? "";
        var attachText = x.ChildText(e, "AttachOriginal")?.Trim();
        var attach = string.IsNullOrEmpty(attachText) ? false
            : XmlContext.ParseBool(attachText) ?? throw x.Malformed(e, $"<AttachOriginal> must be true or false, not '{attachText}'");
        return new Notification(x.Required(e, "id"), x.Required(e, "name"), x.Attr(e, "type"), x.Attr(e, "charset"),
            from, to, subject, body, attach, InterScanVariables.Find(from, to, subject, body), x.At(e));
    }

    private static Stamp ReadStamp(XmlContext x, XmlNode e)
    {
        var text = x.Text(e);
        return new Stamp(x.Required(e, "id"), x.Required(e, "name"), x.Enum(e, "position", Positions, StampPosition.Unknown),
            x.Bool(e, "skipSigned"), x.Enum(e, "format", Formats, StampFormat.Unknown, StampFormat.Text), text,
            InterScanVariables.Find(text), x.At(e));
    }

    private static IEnumerable<(XmlNode, DlpDataIdentifier)> ReadIdentifiers(XmlContext x, XmlNode d)
    {
        foreach (var e in d.Children)
        {
            DlpDataIdentifier? identifier = e.Name switch
            {
                "Expression" => new DlpExpressionIdentifier(x.Required(e, "id"), x.Required(e, "name"), x.Bool(e, "predefined"), x.Attr(e, "pattern"), x.At(e)),
                "FileAttribute" => new DlpFileAttributeIdentifier(x.Required(e, "id"), x.Required(e, "name"), x.Bool(e, "predefined"), x.Bool(e, "except"),
                    XmlContext.Split(x.Attr(e, "types"), ',', ';'), XmlContext.Split(x.Attr(e, "extensions"), ';', ','),
                    x.Long(e, "minBytes"), x.Long(e, "maxBytes"), x.At(e)),
                "KeywordList" => new DlpKeywordListIdentifier(x.Required(e, "id"), x.Required(e, "name"), x.Bool(e, "predefined"), x.Texts(e, "Keyword"), x.At(e)),
                _ => null,
            };
            if (identifier is null) continue;
            e.Used = true;
            yield return (e, identifier);
        }
    }

    private static DlpTemplate ReadTemplate(XmlContext x, XmlNode e)
    {
        var text = x.Required(e, "condition");
        DlpTemplateCondition.TryParse(text, out var condition, out var error);
        return new DlpTemplate(x.Required(e, "id"), x.Required(e, "name"), x.Bool(e, "predefined"), text, condition, error, x.At(e));
    }

    private static T[] Unique<T>(XmlContext x, IEnumerable<(XmlNode Node, T Item)> items, Func<T, string> id)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<T>();
        foreach (var (node, item) in items)
        {
            if (!seen.Add(id(item))) throw x.Malformed(node, $"id '{id(item)}' is used twice");
            list.Add(item);
        }
        return list.ToArray();
    }
}
