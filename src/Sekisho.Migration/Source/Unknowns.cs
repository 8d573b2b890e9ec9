namespace Sekisho.Migration.Source;

/// <summary>
/// An entry of the archive that the format does not describe (reported as "not supported: unknown export entry NAME"),
/// kept with its content so that a later reader of a richer layout loses nothing.
/// </summary>
/// <param name="Name">Entry name.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Content">The bytes as read.</param>
public sealed record UnknownEntry(string Name, long Size, ReadOnlyMemory<byte> Content);

/// <summary>What part of an XML document was not understood.</summary>
public enum UnknownXmlKind
{
    /// <summary>An element the reader does not know (kept with its whole content).</summary>
    Element,
    /// <summary>An attribute the reader does not know.</summary>
    Attribute,
    /// <summary>A known attribute with a value outside its vocabulary.</summary>
    AttributeValue,
    /// <summary>Text in an element that holds none.</summary>
    Text,
    /// <summary>A value inside a known list that is outside its vocabulary (e.g. a true file type).</summary>
    ListValue,
}

/// <summary>
/// A piece of XML the reader did not understand, kept with its place so the mapping can report it as not
/// supported. Never silently dropped.
/// </summary>
/// <param name="Kind">Element, attribute, attribute value, text or list value.</param>
/// <param name="Name">Element or attribute name.</param>
/// <param name="Value">Attribute value, text or list value (password-like attributes are redacted).</param>
/// <param name="Path">Element path, e.g. <c>PolicyList/Rule[R12]/Conditions/Foo</c>.</param>
/// <param name="OwnerId">Id of the nearest enclosing element with an <c>id</c> (e.g. the rule), or null.</param>
/// <param name="Element">The element itself, for <see cref="UnknownXmlKind.Element"/>.</param>
/// <param name="At">Where.</param>
public sealed record UnknownXmlNode(UnknownXmlKind Kind, string Name, string? Value, string Path, string? OwnerId, RawXmlElement? Element, SourceLocation At);

/// <summary>A key of <c>export.ini</c> that the reader does not know.</summary>
public sealed record UnknownSetting(string Section, string Name, string Value, SourceLocation At);
