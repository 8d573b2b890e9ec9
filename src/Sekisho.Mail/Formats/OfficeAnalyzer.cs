using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Sekisho.Mail.Formats;

/// <summary>
/// Office facts: OOXML subfile limits, macros and text; ODF text; OLE2 (doc/xls/ppt) encryption flags and VBA storages.
/// </summary>
internal static class OfficeAnalyzer
{
    private static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = 64L * 1024 * 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    public static DocumentFacts AnalyzeOoxml(ReadOnlyMemory<byte> data, TrueFileType type, InspectionOptions options, bool extractText, CancellationToken ct)
    {
        var exceptions = new List<(ScanExceptionKind, string)>();
        var active = type is TrueFileType.Docm or TrueFileType.Xlsm or TrueFileType.Pptm ? ActiveContent.OfficeMacros : ActiveContent.None;
        var text = new StringBuilder();
        try
        {
            using var zip = new ZipArchive(MemoryStreams.Open(data), ZipArchiveMode.Read);
            var entries = zip.Entries;
            if (entries.Count > options.MaxOfficeSubfiles)
            {
                exceptions.Add((ScanExceptionKind.OfficeTooManySubfiles, $"{entries.Count} subfiles, limit {options.MaxOfficeSubfiles}"));
                return new DocumentFacts(false, active, null, [], exceptions);
            }
            foreach (var e in entries)
            {
                if (e.FullName.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)) active |= ActiveContent.OfficeMacros;
                if (RatioExceeded(e.Length, e.CompressedLength, options.MaxOfficeSubfileRatio, options.CompressionRatioMinimumBytes))
                {
                    exceptions.Add((ScanExceptionKind.OfficeSubfileRatio,
                        $"{e.FullName}: {e.Length} bytes from {e.CompressedLength}, limit ratio {options.MaxOfficeSubfileRatio}"));
                    return new DocumentFacts(false, active, null, [], exceptions);
                }
            }
            if (extractText)
            {
                foreach (var e in entries.Where(e => IsTextPart(type, e.FullName)).OrderBy(e => e.FullName, NaturalOrder.Instance))
                {
                    ct.ThrowIfCancellationRequested();
                    if (text.Length >= options.MaxTextCharsPerPart || e.IsEncrypted) break;
                    if (e.Length > options.MaxDecompressedFileBytes) continue;
                    using var s = e.Open();
                    ReadXmlText(s, text, options.MaxTextCharsPerPart, IsSpreadsheet(type));
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or XmlException or NotSupportedException)
        {
            exceptions.Add((ScanExceptionKind.UnreadableContent, e.Message));
        }
        return new DocumentFacts(false, active, Trim(text, options.MaxTextCharsPerPart), [], exceptions);
    }

    public static DocumentFacts AnalyzeOdf(ReadOnlyMemory<byte> data, InspectionOptions options, bool extractText)
    {
        var text = new StringBuilder();
        var exceptions = new List<(ScanExceptionKind, string)>();
        var active = ActiveContent.None;
        try
        {
            using var zip = new ZipArchive(MemoryStreams.Open(data), ZipArchiveMode.Read);
            if (zip.Entries.Count > options.MaxOfficeSubfiles)
            {
                exceptions.Add((ScanExceptionKind.OfficeTooManySubfiles, $"{zip.Entries.Count} subfiles, limit {options.MaxOfficeSubfiles}"));
                return new DocumentFacts(false, active, null, [], exceptions);
            }
            // ODF keeps Basic macros under Basic/ and scripts under Scripts/.
            if (zip.Entries.Any(e => e.FullName.StartsWith("Basic/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal) && !e.FullName.EndsWith("script-lc.xml", StringComparison.Ordinal) && !e.FullName.EndsWith("script-lb.xml", StringComparison.Ordinal)))
                active |= ActiveContent.OfficeMacros;
            var content = zip.GetEntry("content.xml");
            bool encrypted = zip.GetEntry("META-INF/manifest.xml") is { } manifest && ManifestHasEncryption(manifest, options);
            if (extractText && content is not null && !encrypted && content.Length <= options.MaxDecompressedFileBytes)
            {
                using var s = content.Open();
                ReadXmlText(s, text, options.MaxTextCharsPerPart, spreadsheet: false);
            }
            return new DocumentFacts(encrypted, active, Trim(text, options.MaxTextCharsPerPart), [], exceptions);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or XmlException or NotSupportedException)
        {
            exceptions.Add((ScanExceptionKind.UnreadableContent, e.Message));
            return new DocumentFacts(false, active, null, [], exceptions);
        }
    }

    private static bool ManifestHasEncryption(ZipArchiveEntry manifest, InspectionOptions options)
    {
        if (manifest.Length > options.MaxDecompressedFileBytes) return false;
        using var reader = new StreamReader(manifest.Open(), Encoding.UTF8);
        var buffer = new char[1 << 20];
        int n = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, n).Contains("encryption-data", StringComparison.Ordinal);
    }

    /// <summary>Legacy binary Office: encryption flags and VBA storages from the compound file.</summary>
    public static DocumentFacts AnalyzeOle(ReadOnlyMemory<byte> data, TrueFileType type)
    {
        var cf = CompoundFile.TryOpen(data);
        if (cf is null) return DocumentFacts.Empty;
        bool protectedFile = cf.Contains("EncryptedPackage") || cf.Contains("EncryptionInfo") && cf.Contains("EncryptedPackage");
        var active = ActiveContent.None;
        if (cf.Entries.Any(e => e.IsStorage && (e.Name.Equals("VBA", StringComparison.OrdinalIgnoreCase)
                || e.Name.Equals("Macros", StringComparison.OrdinalIgnoreCase) || e.Name.Equals("_VBA_PROJECT_CUR", StringComparison.OrdinalIgnoreCase)))
            || cf.Contains("_VBA_PROJECT"))
            active |= ActiveContent.OfficeMacros;

        if (type == TrueFileType.Doc && cf.Find("WordDocument") is { } word)
        {
            // FibBase flags at offset 10: fEncrypted (0x0100) is set for both RC4 and XOR obfuscation.
            var fib = cf.ReadStream(word, 32);
            if (fib.Length >= 12 && BinaryPrimitives.ReadUInt16LittleEndian(fib) == 0xA5EC
                && (BinaryPrimitives.ReadUInt16LittleEndian(fib.AsSpan(10)) & 0x0100) != 0)
                protectedFile = true;
        }
        else if (type == TrueFileType.Xls && (cf.Find("Workbook") ?? cf.Find("Book")) is { } book)
        {
            // A FILEPASS record (0x002F) in the workbook globals means the workbook is encrypted.
            var head = cf.ReadStream(book, 1 << 16);
            int pos = 0;
            for (int records = 0; pos + 4 <= head.Length && records < 200; records++)
            {
                int kind = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(pos));
                int len = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(pos + 2));
                if (kind == 0x002F) { protectedFile = true; break; }
                if (kind == 0x000A && records > 0) break;
                pos += 4 + len;
            }
        }
        else if (type == TrueFileType.Ppt && cf.Contains("EncryptedSummary"))
        {
            protectedFile = true;
        }
        return new DocumentFacts(protectedFile, active, null, [], []);
    }

    public static bool RatioExceeded(long size, long compressed, double maxRatio, long minimumBytes) =>
        size >= minimumBytes && size > 0 && (compressed <= 0 ? size > minimumBytes : (double)size / compressed > maxRatio);

    private static bool IsSpreadsheet(TrueFileType t) => t is TrueFileType.Xlsx or TrueFileType.Xlsm;

    private static bool IsTextPart(TrueFileType type, string name) => type switch
    {
        TrueFileType.Docx or TrueFileType.Docm => name.StartsWith("word/", StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)
            && (name == "word/document.xml" || name.StartsWith("word/header", StringComparison.Ordinal) || name.StartsWith("word/footer", StringComparison.Ordinal)
                || name is "word/footnotes.xml" or "word/endnotes.xml" or "word/comments.xml"),
        TrueFileType.Xlsx or TrueFileType.Xlsm => name == "xl/sharedStrings.xml"
            || (name.StartsWith("xl/worksheets/sheet", StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)),
        TrueFileType.Pptx or TrueFileType.Pptm => (name.StartsWith("ppt/slides/slide", StringComparison.Ordinal) || name.StartsWith("ppt/notesSlides/", StringComparison.Ordinal))
            && name.EndsWith(".xml", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>
    /// Appends the text of WordprocessingML, SpreadsheetML, DrawingML and ODF parts: text elements
    /// (w:t, a:t, t, and cell values v outside shared strings), with paragraph, row and tab breaks.
    /// </summary>
    private static void ReadXmlText(Stream s, StringBuilder sb, int maxChars, bool spreadsheet)
    {
        using var reader = XmlReader.Create(s, XmlSettings);
        bool inText = false, sharedStringCell = false;
        int odfBody = 0;
        while (reader.Read() && sb.Length < maxChars)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var name = reader.LocalName;
                    if (name == "body" && reader.NamespaceURI.Contains("opendocument", StringComparison.Ordinal)) odfBody++;
                    if (name is "t" || (name == "v" && spreadsheet && !sharedStringCell)) inText = !reader.IsEmptyElement;
                    else if (name == "c" && spreadsheet) { sharedStringCell = reader.GetAttribute("t") == "s"; if (sb.Length > 0 && sb[^1] != '\n') sb.Append('\t'); }
                    else if (name is "tab") sb.Append('\t');
                    else if (name is "br" or "line-break" or "cr") sb.Append('\n');
                    else if (name == "s" && odfBody > 0) sb.Append(' ');
                    break;
                case XmlNodeType.EndElement:
                    var end = reader.LocalName;
                    if (end is "t" or "v") inText = false;
                    if (end is "p" or "h" or "si" or "row" or "tr") sb.Append('\n');
                    if (end == "body" && odfBody > 0) odfBody--;
                    break;
                case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA:
                    if (inText || odfBody > 0) sb.Append(reader.Value);
                    break;
            }
        }
    }

    private static string? Trim(StringBuilder sb, int max)
    {
        if (sb.Length == 0) return "";
        var s = sb.ToString().Trim();
        return s.Length > max ? s[..max] : s;
    }

    /// <summary>Orders "slide2.xml" before "slide10.xml".</summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null) return string.CompareOrdinal(x, y);
            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                    while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                    var a = x[si..i].TrimStart('0'); var b = y[sj..j].TrimStart('0');
                    int c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                    if (c != 0) return c;
                }
                else
                {
                    if (x[i] != y[j]) return x[i].CompareTo(y[j]);
                    i++; j++;
                }
            }
            return (x.Length - i).CompareTo(y.Length - j);
        }
    }
}
