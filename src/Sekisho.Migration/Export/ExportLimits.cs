namespace Sekisho.Migration.Export;

/// <summary>
/// The bounds the export reader enforces (format spec §1 plus the parser limits). Exceeding one is the
/// fatal error <c>limit-exceeded</c> naming the limit; nothing of the file is used.
/// </summary>
public sealed record ExportLimits
{
    private const long MiB = 1024 * 1024;

    /// <summary>The limits of the format specification: 256 entries, 64 MiB in all, 16 MiB per entry, ratio 200.</summary>
    public static ExportLimits Default { get; } = new();

    /// <summary>At most this many tar entries (directories and pax headers included).</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>At most this many bytes of entry content in all, uncompressed.</summary>
    public long MaxTotalUncompressedBytes { get; init; } = 64 * MiB;

    /// <summary>At most this many bytes in one entry.</summary>
    public long MaxEntryBytes { get; init; } = 16 * MiB;

    /// <summary>Uncompressed size divided by compressed size may not exceed this.</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>
    /// Below this uncompressed size the ratio is not checked: a tar's zero padding alone compresses
    /// beyond 200:1, and a "bomb" that expands to less than this is harmless.
    /// </summary>
    public long RatioCheckFloorBytes { get; init; } = 1 * MiB;

    /// <summary>The compressed file itself may not be larger than this.</summary>
    public long MaxFileBytes { get; init; } = 64 * MiB;

    /// <summary>Tar headers, pax records and padding allowed on top of the content limit per entry.</summary>
    public int TarOverheadBytesPerEntry { get; init; } = 4096;

    /// <summary>Deepest XML element nesting.</summary>
    public int MaxXmlDepth { get; init; } = 32;

    /// <summary>Most XML elements in one entry.</summary>
    public int MaxXmlElements { get; init; } = 2_000_000;

    /// <summary>Most attributes on one XML element.</summary>
    public int MaxXmlAttributes { get; init; } = 64;

    /// <summary>Longest attribute value or element text, in characters.</summary>
    public int MaxXmlTextLength { get; init; } = 1024 * 1024;

    /// <summary>Most lines in an INI entry or records in a CSV entry.</summary>
    public int MaxLines { get; init; } = 200_000;

    /// <summary>Longest INI line or CSV field, in characters.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    internal long MaxDecompressedStreamBytes => MaxTotalUncompressedBytes + (long)MaxEntries * TarOverheadBytesPerEntry + 64 * 1024;
}

/// <summary>Which limit a <c>limit-exceeded</c> error concerns.</summary>
public enum ExportLimitKind
{
    /// <summary>Number of tar entries.</summary>
    EntryCount,
    /// <summary>Total uncompressed size.</summary>
    TotalUncompressedSize,
    /// <summary>Size of one entry.</summary>
    EntrySize,
    /// <summary>Compression ratio.</summary>
    CompressionRatio,
    /// <summary>Size of the compressed file.</summary>
    FileSize,
    /// <summary>XML nesting depth.</summary>
    XmlDepth,
    /// <summary>Number of XML elements in one entry.</summary>
    XmlElementCount,
    /// <summary>Number of attributes on one XML element.</summary>
    XmlAttributeCount,
    /// <summary>Length of one XML attribute value or text.</summary>
    XmlTextLength,
    /// <summary>Number of lines or records in an INI or CSV entry.</summary>
    LineCount,
    /// <summary>Length of one INI line or CSV field.</summary>
    LineLength,
}
