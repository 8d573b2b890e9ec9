using System.Globalization;
using System.Text;
using System.Xml;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>An attribute of the read tree, marked when a reader consumes it.</summary>
internal sealed class XmlAttr(string name, string value)
{
    public string Name { get; } = name;
    public string Value { get; } = value;
    public bool Used { get; set; }
}

/// <summary>
/// An element of the read tree. Readers mark what they consume; whatever stays unmarked is reported as unknown,
/// so that nothing in an export is silently dropped.
/// </summary>
internal sealed class XmlNode(string name, int line, int column, XmlNode? parent)
{
    private static readonly List<XmlNode> NoChildren = [];
    private List<XmlNode>? children;
    private string? firstText;
    private StringBuilder? moreText;

    public string Name { get; } = name;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public XmlNode? Parent { get; } = parent;
    public XmlAttr[] Attributes { get; set; } = [];
    public IReadOnlyList<XmlNode> Children => children ?? NoChildren;
    public string? Text { get; private set; }
    public bool Used { get; set; }
    public bool TextUsed { get; set; }

    public void AddChild(XmlNode child) => (children ??= []).Add(child);

    /// <summary>Adds a text piece; most elements have one, so a builder is made only for the second.</summary>
    public int AppendText(string value)
    {
        if (firstText is null)
        {
            firstText = value;
            return value.Length;
        }
        moreText ??= new StringBuilder(firstText);
        moreText.Append(value);
        return moreText.Length;
    }

    /// <summary>Keeps text only where it means something: not the whitespace between child elements.</summary>
    public void Close()
    {
        var value = moreText?.ToString() ?? firstText;
        firstText = null;
        moreText = null;
        if (value is null) return;
        Text = children is { Count: > 0 } && string.IsNullOrWhiteSpace(value) ? null : value;
    }

    public string? Id => Attributes.FirstOrDefault(a => a.Name == "id")?.Value;
}

/// <summary>
/// Parses an XML entry into a small tree with line numbers: no DTD (any DOCTYPE or entity declaration is
/// <c>malformed-entry</c>), no resolver, bounded depth, element count, attribute count and text length.
/// </summary>
internal static class SafeXml
{
    public static XmlNode Parse(string fileName, string entry, byte[] data, ExportLimits limits)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            // Indentation between elements is not content; whitespace inside text is kept.
            IgnoreWhitespace = true,
            MaxCharactersInDocument = Math.Max(1, data.Length),
            CloseInput = true,
        };
        var stack = new Stack<XmlNode>();
        XmlNode? root = null;
        var elements = 0;
        using var reader = XmlReader.Create(TextEntries.OpenReader(fileName, entry, data), settings);
        var info = (IXmlLineInfo)reader;
        try
        {
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                    {
                        if (stack.Count + 1 > limits.MaxXmlDepth)
                            throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.XmlDepth, limits.MaxXmlDepth, stack.Count + 1, entry, []);
                        if (++elements > limits.MaxXmlElements)
                            throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.XmlElementCount, limits.MaxXmlElements, elements, entry, []);
                        var parent = stack.Count > 0 ? stack.Peek() : null;
                        var node = new XmlNode(reader.Name, info.LineNumber, info.LinePosition, parent);
                        if (reader.HasAttributes) node.Attributes = ReadAttributes(reader, fileName, entry, limits);
                        if (parent is null) root = node;
                        else parent.AddChild(node);
                        if (!reader.IsEmptyElement) stack.Push(node);
                        else node.Close();
                        break;
                    }
                    case XmlNodeType.EndElement:
                        stack.Pop().Close();
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                        if (stack.Count > 0 && stack.Peek().AppendText(reader.Value) > limits.MaxXmlTextLength)
                            throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.XmlTextLength, limits.MaxXmlTextLength, reader.Value.Length, entry, []);
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            // The prohibited-DTD error carries no position; point at the DOCTYPE itself.
            var line = ex.LineNumber > 0 ? ex.LineNumber : info.LineNumber;
            var doctype = data.AsSpan().IndexOf("<!DOCTYPE"u8);
            if (line == 0 && doctype >= 0) line = data.AsSpan(0, doctype).Count((byte)'\n') + 1;
            throw TextEntries.Malformed(fileName, entry, line, ex.Message);
        }
        return root ?? throw TextEntries.Malformed(fileName, entry, null, "no root element");
    }

    private static XmlAttr[] ReadAttributes(XmlReader reader, string fileName, string entry, ExportLimits limits)
    {
        if (reader.AttributeCount > limits.MaxXmlAttributes)
            throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.XmlAttributeCount, limits.MaxXmlAttributes, reader.AttributeCount, entry, []);
        var attributes = new XmlAttr[reader.AttributeCount];
        var count = 0;
        while (reader.MoveToNextAttribute())
        {
            if (reader.Name == "xmlns" || reader.Prefix == "xmlns") continue;
            var value = reader.Value;
            if (value.Length > limits.MaxXmlTextLength)
                throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.XmlTextLength, limits.MaxXmlTextLength, value.Length, entry, []);
            attributes[count++] = new XmlAttr(reader.Name, value);
        }
        reader.MoveToElement();
        return count == attributes.Length ? attributes : attributes[..count];
    }
}

/// <summary>
/// What every element reader uses: typed attribute access that marks what it consumes, <c>malformed-entry</c> errors
/// with entry and line, and the collection of everything left unconsumed as <see cref="UnknownXmlNode"/>.
/// </summary>
internal sealed class XmlContext(string fileName, string entry, List<UnknownXmlNode> unknowns)
{
    private static readonly string[] SecretNames = ["password", "passwd", "pwd", "secret", "privatekey"];

    public string FileName { get; } = fileName;
    public string Entry { get; } = entry;

    public SourceLocation At(XmlNode e) => new(Entry, e.Line, e.Column);

    public ExportFatalException Malformed(XmlNode e, string detail) =>
        TextEntries.Malformed(FileName, Entry, e.Line, $"<{e.Name}>: {detail}");

    public void ExpectRoot(XmlNode root, string name)
    {
        if (root.Name != name) throw Malformed(root, $"the root element must be <{name}>");
        root.Used = true;
    }

    public string? Attr(XmlNode e, string name)
    {
        foreach (var a in e.Attributes)
        {
            if (a.Name != name) continue;
            a.Used = true;
            return a.Value;
        }
        return null;
    }

    public string Required(XmlNode e, string name)
    {
        var value = Attr(e, name);
        if (string.IsNullOrWhiteSpace(value)) throw Malformed(e, $"attribute '{name}' is required");
        return value.Trim();
    }

    public bool Bool(XmlNode e, string name, bool absent = false) => OptionalBool(e, name) ?? absent;

    public bool RequiredBool(XmlNode e, string name) =>
        OptionalBool(e, name) ?? throw Malformed(e, $"attribute '{name}' is required");

    public bool? OptionalBool(XmlNode e, string name)
    {
        var value = Attr(e, name)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        return ParseBool(value) ?? throw Malformed(e, $"attribute '{name}' must be true or false, not '{value}'");
    }

    public static bool? ParseBool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };

    public int? Int(XmlNode e, string name) => (int?)Number(e, name, int.MinValue, int.MaxValue);

    public int RequiredInt(XmlNode e, string name) => Int(e, name) ?? throw Malformed(e, $"attribute '{name}' is required");

    public long? Long(XmlNode e, string name) => Number(e, name, long.MinValue, long.MaxValue);

    public long RequiredLong(XmlNode e, string name) => Long(e, name) ?? throw Malformed(e, $"attribute '{name}' is required");

    private long? Number(XmlNode e, string name, long min, long max)
    {
        var value = Attr(e, name)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw Malformed(e, $"attribute '{name}' must be an integer, not '{value}'");
        return n;
    }

    public decimal? Decimal(XmlNode e, string name)
    {
        var value = Attr(e, name)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (!decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
            throw Malformed(e, $"attribute '{name}' must be a number, not '{value}'");
        return d;
    }

    public TimeOnly RequiredTime(XmlNode e, string name)
    {
        var value = Required(e, name);
        if (!TimeOnly.TryParseExact(value, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            throw Malformed(e, $"attribute '{name}' must be a time HH:MM, not '{value}'");
        return t;
    }

    /// <summary>
    /// An enumerated attribute. A value outside the vocabulary is not fatal: it becomes <paramref name="unknown"/>
    /// and is reported as an unknown attribute value.
    /// </summary>
    public T Enum<T>(XmlNode e, string name, IReadOnlyDictionary<string, T> vocabulary, T unknown, T? absent = null) where T : struct
    {
        var value = Attr(e, name)?.Trim();
        if (string.IsNullOrEmpty(value))
            return absent ?? throw Malformed(e, $"attribute '{name}' is required (one of {string.Join(", ", vocabulary.Keys)})");
        if (vocabulary.TryGetValue(value, out var known)) return known;
        unknowns.Add(new UnknownXmlNode(UnknownXmlKind.AttributeValue, name, value, PathOf(e), OwnerOf(e), null, At(e)));
        return unknown;
    }

    public T? OptionalEnum<T>(XmlNode e, string name, IReadOnlyDictionary<string, T> vocabulary, T unknown) where T : struct
    {
        var value = Attr(e, name);
        return string.IsNullOrWhiteSpace(value) ? null : Enum(e, name, vocabulary, unknown);
    }

    /// <summary>Reports the value of an attribute that selects a variant the reader does not know.</summary>
    public void UnknownAttributeValue(XmlNode e, string name, string value) =>
        unknowns.Add(new UnknownXmlNode(UnknownXmlKind.AttributeValue, name, value, PathOf(e), OwnerOf(e), null, At(e)));

    /// <summary>Reports one value of a list attribute or child text that is outside its vocabulary.</summary>
    public void UnknownListValue(XmlNode e, string name, string value) =>
        unknowns.Add(new UnknownXmlNode(UnknownXmlKind.ListValue, name, value, PathOf(e), OwnerOf(e), null, At(e)));

    public IEnumerable<XmlNode> Children(XmlNode e, string name)
    {
        foreach (var child in e.Children)
        {
            if (child.Name != name) continue;
            child.Used = true;
            yield return child;
        }
    }

    public XmlNode? Single(XmlNode e, string name)
    {
        XmlNode? found = null;
        foreach (var child in e.Children)
        {
            if (child.Name != name) continue;
            if (found is not null) throw Malformed(child, $"<{name}> may appear only once in <{e.Name}>");
            found = child;
        }
        if (found is not null) found.Used = true;
        return found;
    }

    public XmlNode RequiredSingle(XmlNode e, string name) => Single(e, name) ?? throw Malformed(e, $"element <{name}> is required");

    public string Text(XmlNode e)
    {
        e.TextUsed = true;
        return e.Text ?? "";
    }

    /// <summary>The trimmed texts of the children with this name, blanks dropped.</summary>
    public IReadOnlyList<string> Texts(XmlNode? e, string childName)
    {
        if (e is null) return [];
        var list = new List<string>();
        foreach (var child in Children(e, childName))
        {
            var value = Text(child).Trim();
            if (value.Length > 0) list.Add(value);
        }
        return list;
    }

    /// <summary>The text of a single child, or null when the child is absent.</summary>
    public string? ChildText(XmlNode e, string childName) => Single(e, childName) is { } c ? Text(c) : null;

    public static IReadOnlyList<string> Split(string? value, params char[] separators) =>
        value is null ? [] : value.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public RawXmlElement Raw(XmlNode e) => new(
        e.Name,
        e.Attributes.Select(a => new RawXmlAttribute(a.Name, IsSecret(a.Name) ? "[redacted]" : a.Value)).ToArray(),
        e.Text is null ? null : IsSecret(e.Name) ? "[redacted]" : e.Text,
        e.Children.Select(Raw).ToArray(),
        At(e));

    /// <summary>Marks a whole subtree as consumed (for content kept raw, such as admin screens).</summary>
    public static void MarkAll(XmlNode e)
    {
        e.Used = true;
        e.TextUsed = true;
        foreach (var a in e.Attributes) a.Used = true;
        foreach (var c in e.Children) MarkAll(c);
    }

    /// <summary>Reports every unconsumed element (once, with its content), attribute and text below a consumed root.</summary>
    public void CollectUnknowns(XmlNode e)
    {
        if (!e.Used)
        {
            unknowns.Add(new UnknownXmlNode(UnknownXmlKind.Element, e.Name, null, PathOf(e), OwnerOf(e), Raw(e), At(e)));
            return;
        }
        foreach (var a in e.Attributes)
            if (!a.Used)
                unknowns.Add(new UnknownXmlNode(UnknownXmlKind.Attribute, a.Name, IsSecret(a.Name) ? "[redacted]" : a.Value, PathOf(e), OwnerOf(e), null, At(e)));
        if (!e.TextUsed && !string.IsNullOrWhiteSpace(e.Text))
            unknowns.Add(new UnknownXmlNode(UnknownXmlKind.Text, e.Name, IsSecret(e.Name) ? "[redacted]" : e.Text.Trim(), PathOf(e), OwnerOf(e), null, At(e)));
        foreach (var c in e.Children) CollectUnknowns(c);
    }

    private static bool IsSecret(string name)
    {
        foreach (var s in SecretNames)
            if (name.Contains(s, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string PathOf(XmlNode e)
    {
        var parts = new List<string>();
        for (var n = e; n is not null; n = n.Parent) parts.Add(n.Id is { } id ? $"{n.Name}[{id}]" : n.Name);
        parts.Reverse();
        return string.Join('/', parts);
    }

    private static string? OwnerOf(XmlNode e)
    {
        for (var n = e.Parent; n is not null; n = n.Parent)
            if (n.Id is { } id) return id;
        return e.Id;
    }
}

/// <summary>Vocabulary maps from XML tokens to enum values (case-insensitive).</summary>
internal static class Vocabulary
{
    public static IReadOnlyDictionary<string, T> Of<T>(params (string Token, T Value)[] pairs) =>
        pairs.ToDictionary(p => p.Token, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
