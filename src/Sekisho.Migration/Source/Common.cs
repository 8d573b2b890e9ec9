namespace Sekisho.Migration.Source;

/// <summary>Where an item was read: export entry and 1-based line and column (0 when unknown).</summary>
/// <param name="Entry">Entry name inside the export, e.g. <c>policy/rules.xml</c>.</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
public sealed record SourceLocation(string Entry, int Line, int Column = 0)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{Entry}:{Line}" : Entry;
}

/// <summary>
/// A secret kept as given (a DKIM private key): never printed by <see cref="ToString"/>, so that logging a
/// record that holds it cannot leak it. Read it with <see cref="Reveal"/> where it is really needed.
/// </summary>
public sealed class SensitiveText : IEquatable<SensitiveText>
{
    private readonly string value;

    /// <summary>Wraps a secret.</summary>
    public SensitiveText(string value) => this.value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>Length in characters (for diagnostics without revealing the value).</summary>
    public int Length => value.Length;

    /// <summary>True when the text is empty.</summary>
    public bool IsEmpty => value.Length == 0;

    /// <summary>The secret itself.</summary>
    public string Reveal() => value;

    /// <inheritdoc />
    public override string ToString() => "[redacted]";

    /// <inheritdoc />
    public bool Equals(SensitiveText? other) => other is not null && string.Equals(value, other.value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SensitiveText);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(value);
}

/// <summary>An XML attribute kept as read.</summary>
public sealed record RawXmlAttribute(string Name, string Value);

/// <summary>
/// An XML element kept as read, with its attributes, text and children: how elements that the reader does not
/// know travel to the mapping, which reports them as not supported.
/// </summary>
/// <param name="Name">Element name.</param>
/// <param name="Attributes">Attributes in document order (values of password-like attributes are redacted).</param>
/// <param name="Text">Concatenated text content, or null.</param>
/// <param name="Children">Child elements.</param>
/// <param name="At">Where the element starts.</param>
public sealed record RawXmlElement(string Name, IReadOnlyList<RawXmlAttribute> Attributes, string? Text, IReadOnlyList<RawXmlElement> Children, SourceLocation At)
{
    /// <summary>The value of an attribute, or null.</summary>
    public string? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Value;
}
