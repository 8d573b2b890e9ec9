using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Sekisho.Migration.Export;

/// <summary>Decodes text entries: strict UTF-8, a leading BOM tolerated; anything else is <c>malformed-entry</c>.</summary>
internal static class TextEntries
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(string fileName, string entry, ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) data = data[3..];
        if (!IsValid(data, out var bad))
            throw Malformed(fileName, entry, LineAt(data, bad), $"the content is not valid UTF-8 (byte {bad + 1})");
        return Strict.GetString(data);
    }

    /// <summary>A reader over a validated UTF-8 entry, without copying it into one large string.</summary>
    public static TextReader OpenReader(string fileName, string entry, byte[] data)
    {
        var offset = data.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (!IsValid(data.AsSpan(offset), out var bad))
            throw Malformed(fileName, entry, LineAt(data.AsSpan(offset), bad), $"the content is not valid UTF-8 (byte {bad + 1})");
        return new StreamReader(new MemoryStream(data, offset, data.Length - offset, writable: false), Strict, detectEncodingFromByteOrderMarks: false);
    }

    private static bool IsValid(ReadOnlySpan<byte> data, out int firstInvalid)
    {
        var buffer = ArrayPool<char>.Shared.Rent(8192);
        try
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var status = Utf8.ToUtf16(data[offset..], buffer, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
                offset += read;
                if (status == OperationStatus.InvalidData)
                {
                    firstInvalid = offset;
                    return false;
                }
                if (status == OperationStatus.Done) break;
            }
            firstInvalid = -1;
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static int LineAt(ReadOnlySpan<byte> data, int offset) =>
        offset < 0 ? 0 : data[..Math.Min(offset, data.Length)].Count((byte)'\n') + 1;

    /// <summary>Splits text into lines (CRLF, LF or CR), bounded in count and length.</summary>
    public static List<string> Lines(string fileName, string entry, string text, ExportLimits limits)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '\n' && text[i] != '\r') continue;
            if (i - start > limits.MaxLineLength)
                throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.LineLength, limits.MaxLineLength, i - start, entry, []);
            lines.Add(text[start..i]);
            if (lines.Count > limits.MaxLines)
                throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.LineCount, limits.MaxLines, lines.Count, entry, []);
            if (i < text.Length - 1 && text[i] == '\r' && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    public static ExportFatalException Malformed(string fileName, string entry, int? line, string detail) =>
        new(new ExportFatalError
        {
            Code = FatalErrorCode.MalformedEntry,
            FileName = fileName,
            Entry = entry,
            Line = line is > 0 ? line : null,
            Detail = detail,
        });
}

/// <summary>One key of an INI file.</summary>
internal sealed record IniKey(string Section, string Name, string Value, int Line);

/// <summary>An INI file: <c>[section]</c> headers, <c>name=value</c> keys, <c>;</c> and <c>#</c> comment lines.</summary>
internal sealed record IniDocument(IReadOnlyList<(string Name, int Line)> Sections, IReadOnlyList<IniKey> Keys)
{
    /// <summary>
    /// Parses an INI text. A <c>;</c> after whitespace starts a comment (as in <c>product = IMSVA ; IMSVA | IMSS</c>),
    /// so a value may still hold <c>;</c> when it is not preceded by a space. A key outside a section, a line that is
    /// neither header, key nor comment, or an unterminated header is <c>malformed-entry</c> with its line.
    /// </summary>
    public static IniDocument Parse(string fileName, string entry, string text, ExportLimits limits)
    {
        var sections = new List<(string, int)>();
        var keys = new List<IniKey>();
        string? section = null;
        var lineNumber = 0;
        foreach (var raw in TextEntries.Lines(fileName, entry, text, limits))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == ';' || line[0] == '#') continue;
            if (line[0] == '[')
            {
                line = StripComment(line);
                if (!line.EndsWith(']'))
                    throw TextEntries.Malformed(fileName, entry, lineNumber, "section header without closing ']'");
                section = line[1..^1].Trim();
                if (section.Length == 0)
                    throw TextEntries.Malformed(fileName, entry, lineNumber, "empty section name");
                sections.Add((section, lineNumber));
                continue;
            }
            var eq = line.IndexOf('=');
            if (eq < 0)
                throw TextEntries.Malformed(fileName, entry, lineNumber, "expected [section], name=value or a ; comment");
            var name = line[..eq].Trim();
            if (name.Length == 0)
                throw TextEntries.Malformed(fileName, entry, lineNumber, "a key without a name");
            if (section is null)
                throw TextEntries.Malformed(fileName, entry, lineNumber, $"key '{name}' before any [section]");
            keys.Add(new IniKey(section, name, StripComment(line[(eq + 1)..]).Trim(), lineNumber));
        }
        return new IniDocument(sections, keys);
    }

    private static string StripComment(string value)
    {
        for (var i = 1; i < value.Length; i++)
            if (value[i] == ';' && char.IsWhiteSpace(value[i - 1])) return value[..i].TrimEnd();
        return value;
    }
}

/// <summary>RFC 4180 CSV: comma-separated, optional double quotes with <c>""</c> escapes, CRLF or LF records.</summary>
internal static class Csv
{
    /// <summary>Parses every record with the line it starts on; blank lines are skipped.</summary>
    public static List<(string[] Fields, int Line)> Parse(string fileName, string entry, string text, ExportLimits limits)
    {
        var records = new List<(string[], int)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        var fieldStarted = false;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
        }

        void EndRecord()
        {
            EndField();
            if (!(fields.Count == 1 && fields[0].Length == 0))
            {
                records.Add((fields.ToArray(), recordLine));
                if (records.Count > limits.MaxLines)
                    throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.LineCount, limits.MaxLines, records.Count, entry, []);
            }
            fields.Clear();
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' && !fieldStarted)
            {
                var openLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw TextEntries.Malformed(fileName, entry, openLine, "a quoted field is not closed");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\n') line++;
                    field.Append(text[i]);
                    i++;
                    CheckLength(fileName, entry, field, limits);
                }
                fieldStarted = true;
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    throw TextEntries.Malformed(fileName, entry, line, "text after a closing quote");
                continue;
            }
            switch (c)
            {
                case ',':
                    EndField();
                    i++;
                    break;
                case '\r' or '\n':
                    EndRecord();
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    line++;
                    recordLine = line;
                    break;
                case '"':
                    throw TextEntries.Malformed(fileName, entry, line, "a double quote inside an unquoted field");
                default:
                    field.Append(c);
                    fieldStarted = true;
                    i++;
                    CheckLength(fileName, entry, field, limits);
                    break;
            }
        }
        if (fieldStarted || fields.Count > 0) EndRecord();
        return records;
    }

    private static void CheckLength(string fileName, string entry, StringBuilder field, ExportLimits limits)
    {
        if (field.Length > limits.MaxLineLength)
            throw ArchiveReader.LimitExceeded(fileName, ExportLimitKind.LineLength, limits.MaxLineLength, field.Length, entry, []);
    }
}
