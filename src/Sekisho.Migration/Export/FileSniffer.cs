using System.Text;

namespace Sekisho.Migration.Export;

/// <summary>Describes the first bytes of a file that is not a gzip-compressed tar, for the diagnostic.</summary>
internal static class FileSniffer
{
    public const int PrefixLength = 16;

    /// <summary>Hex and printable ASCII of the first bytes, e.g. <c>25 50 44 46 |%PDF|</c>.</summary>
    public static string FirstBytes(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(PrefixLength, data.Length)];
        if (head.IsEmpty) return "(empty)";
        var hex = string.Join(' ', head.ToArray().Select(b => b.ToString("x2")));
        var text = new StringBuilder(head.Length);
        foreach (var b in head) text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        return $"{hex} |{text}|";
    }

    /// <summary>What the content looks like, or null when not recognised.</summary>
    public static string? LooksLike(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("%PDF"u8)) return "PDF";
        if (data.StartsWith("PK\x03\x04"u8) || data.StartsWith("PK\x05\x06"u8)) return "ZIP";
        if (data.Length >= 262 && data.Slice(257, 5).SequenceEqual("ustar"u8)) return "tar (uncompressed)";
        if (data.StartsWith("PGDMP"u8)) return "PostgreSQL dump (PGDMP)";
        if (data.StartsWith("BZh"u8)) return "bzip2";
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00])) return "xz";
        if (data.StartsWith((ReadOnlySpan<byte>)[(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C])) return "7-Zip";
        if (data.StartsWith("Rar!"u8)) return "RAR";
        if (data.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0])) return "OLE (Microsoft Office)";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return "gzip";
        var head = data[..Math.Min(512, data.Length)];
        if (head.IsEmpty || head.IndexOf((byte)0) >= 0) return null;
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.StartsWith('<')) return "XML/HTML";
        var upper = text.ToUpperInvariant();
        if (upper.StartsWith("--") || upper.StartsWith("INSERT ") || upper.StartsWith("CREATE ") || upper.StartsWith("SET ") || upper.StartsWith("COPY ")) return "SQL";
        if (upper.StartsWith('[') || upper.StartsWith(';')) return "INI";
        return "text";
    }
}
