using System.Text;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;

namespace Sekisho.Web.Services;

/// <summary>How the bytes of an uploaded CSV file are decoded.</summary>
public enum CsvEncoding
{
    /// <summary>UTF-8 when it has a BOM or decodes cleanly, otherwise Shift_JIS (what Excel writes on Japanese Windows).</summary>
    Auto,
    Utf8,
    ShiftJis,
}

/// <summary>A row of a CSV file that cannot be imported, by its line number (1-based).</summary>
public sealed record CsvRowError(int Line, LocalizedText Message);

/// <summary>The rows of an address group CSV file: the entries when every row is valid, else every invalid row.</summary>
/// <param name="Lines">The line number of each entry.</param>
public sealed record CsvParseResult(IReadOnlyList<AddressGroupEntry> Entries, IReadOnlyList<int> Lines, IReadOnlyList<CsvRowError> Errors, string Encoding)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Address group entries as CSV: one address or pattern per row, an optional description in the second column, an optional
/// header row. Import is bounded (<see cref="MaxBytes"/>, <see cref="MaxRows"/>) and all-or-nothing; export is UTF-8 with a BOM
/// and CRLF so that Excel opens it as it is.
/// </summary>
public static class AddressGroupCsv
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxRows = 10_000;
    public const int MaxDescription = 1024;
    internal const int MaxErrorsReported = 100;
    private static readonly string[] HeaderWords = ["address", "addresses", "email", "e-mail", "email address", "アドレス", "メールアドレス"];

    static AddressGroupCsv() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Decodes the bytes (see <see cref="CsvEncoding"/>); the name of the encoding used is returned.</summary>
    public static (string Text, string Encoding) Decode(ReadOnlySpan<byte> bytes, CsvEncoding encoding)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        bool hasBom = bytes.StartsWith(bom);
        if (hasBom) bytes = bytes[3..];
        if (encoding == CsvEncoding.ShiftJis && !hasBom) return (System.Text.Encoding.GetEncoding("shift_jis").GetString(bytes), "Shift_JIS");
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        try
        {
            return (strict.GetString(bytes), "UTF-8");
        }
        catch (DecoderFallbackException) when (encoding == CsvEncoding.Auto)
        {
            return (System.Text.Encoding.GetEncoding("shift_jis").GetString(bytes), "Shift_JIS");
        }
        catch (DecoderFallbackException)
        {
            throw new ConsoleProblem("csv.encoding", new LocalizedText(
                "ファイルは UTF-8 として読み取れません。文字コードに Shift_JIS または自動判定を選んでください。",
                "The file is not valid UTF-8; choose Shift_JIS or automatic detection as its encoding."));
        }
    }

    /// <summary>Reads the file: every row is checked; duplicates (in the file, or with <paramref name="existing"/> when merging) are errors.</summary>
    public static CsvParseResult Parse(ReadOnlySpan<byte> bytes, CsvEncoding encoding, IReadOnlyList<AddressGroupEntry>? existing = null)
    {
        if (bytes.Length > MaxBytes) throw TooLarge(bytes.Length);
        var (text, used) = Decode(bytes, encoding);
        return ParseText(text, used, existing);
    }

    /// <summary>The refusal of a file over <see cref="MaxBytes"/>.</summary>
    public static ConsoleProblem TooLarge(long bytes) => new("csv.too-large", new LocalizedText(
        $"CSV ファイルが大きすぎます ({bytes:N0} バイト)。上限は {MaxBytes:N0} バイトです。",
        $"The CSV file is too large ({bytes:N0} bytes); the limit is {MaxBytes:N0} bytes."), 413);

    /// <summary>Reads CSV text (the form's text area uses the same format).</summary>
    public static CsvParseResult ParseText(string text, string encoding = "UTF-8", IReadOnlyList<AddressGroupEntry>? existing = null)
    {
        var entries = new List<AddressGroupEntry>();
        var lines = new List<int>();
        var errors = new List<CsvRowError>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in existing ?? []) seen.TryAdd(e.Address.ToString(), 0);
        int rows = 0;
        foreach (var (line, cells) in Rows(text, errors))
        {
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            var first = cells[0].Trim();
            if (rows == 0 && entries.Count == 0 && errors.Count == 0 && HeaderWords.Contains(first.ToLowerInvariant())) continue;
            if (++rows > MaxRows)
            {
                errors.Add(new(line, TooManyRows(MaxRows)));
                break;
            }
            var description = cells.Count > 1 ? Unescape(cells[1].Trim()) : "";
            if (cells.Skip(2).Any(c => c.Trim().Length > 0))
                errors.Add(new(line, new("列が多すぎます。1 列目にアドレス、2 列目に説明 (省略可) を入れてください。",
                    "Too many columns: put the address in the first column and an optional description in the second.")));
            else if (!AddressPattern.TryParse(first, out var pattern, out var why))
                errors.Add(new(line, Invalid(first, why)));
            else if (description.Length > MaxDescription)
                errors.Add(new(line, new($"説明が長すぎます ({description.Length} 文字、上限 {MaxDescription} 文字)。",
                    $"The description is too long ({description.Length} characters; at most {MaxDescription}).")));
            else if (seen.TryGetValue(pattern!.ToString(), out var at))
                errors.Add(new(line, at == 0
                    ? new($"「{pattern}」は既にグループにあります。", $"'{pattern}' is already in the group.")
                    : new($"「{pattern}」は {at} 行目と重複しています。", $"'{pattern}' repeats line {at}.")));
            else
            {
                seen[pattern.ToString()] = line;
                entries.Add(new AddressGroupEntry(pattern, description));
                lines.Add(line);
            }
            if (errors.Count >= MaxErrorsReported) break;
        }
        return new CsvParseResult(errors.Count == 0 ? entries : [], errors.Count == 0 ? lines : [], errors, encoding);
    }

    internal static LocalizedText TooManyRows(int max) => new($"行数が上限 ({max:N0} 行) を超えています。", $"More than {max:N0} rows.");

    /// <summary>CSV text as UTF-8 with a BOM (Excel opens it as it is).</summary>
    internal static byte[] Utf8WithBom(StringBuilder csv) => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];

    /// <summary>The group's entries as CSV: UTF-8 with BOM, CRLF, a header row, RFC 4180 quoting.</summary>
    public static byte[] Export(AddressGroup group)
    {
        var sb = new StringBuilder("address,description\r\n");
        foreach (var e in group.Entries)
            sb.Append(Quote(e.Address.ToString())).Append(',').Append(Quote(Escape(e.Description))).Append("\r\n");
        return Utf8WithBom(sb);
    }

    /// <summary>A safe file name for the export (ASCII; the group name goes in the UTF-8 filename* parameter).</summary>
    public static string FileName(AddressGroup group) => "address-group-" + group.Name + ".csv";

    private static LocalizedText Invalid(string text, AddressPatternError why)
    {
        var (ja, en) = why switch
        {
            AddressPatternError.Empty => ("アドレスが空です", "the address is empty"),
            AddressPatternError.TooLong => ("長すぎます", "it is too long"),
            AddressPatternError.MissingAt => ("@ の前後が必要です", "it needs a local part, @ and a domain"),
            AddressPatternError.InvalidLocalPart => ("@ の前の部分が正しくありません", "the part before @ is not valid"),
            _ => ("ドメインが正しくありません", "the domain is not valid"),
        };
        return new($"「{text}」はメールアドレスまたはパターン (name@example.com、*@example.com、*@*.example.com) ではありません: {ja}。",
            $"'{text}' is not an address or pattern (name@example.com, *@example.com, *@*.example.com): {en}.");
    }

    /// <summary>Splits RFC 4180 CSV into rows with their starting line numbers; quoted fields may hold commas, quotes and line breaks.</summary>
    internal static IEnumerable<(int Line, List<string> Cells)> Rows(string text, List<CsvRowError> errors)
    {
        int line = 1, i = 0;
        while (i < text.Length)
        {
            int start = line;
            var cells = new List<string>();
            var cell = new StringBuilder();
            bool quoted = false, endOfRow = false;
            while (i < text.Length && !endOfRow)
            {
                char c = text[i++];
                if (quoted)
                {
                    if (c == '"' && i < text.Length && text[i] == '"') { cell.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else { if (c == '\n') line++; cell.Append(c); }
                }
                else if (c == '"' && cell.Length == 0) quoted = true;
                else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
                else if (c == '\r') { if (i < text.Length && text[i] == '\n') i++; endOfRow = true; }
                else if (c == '\n') endOfRow = true;
                else cell.Append(c);
            }
            cells.Add(cell.ToString());
            line++;
            if (quoted)
            {
                errors.Add(new(start, new("引用符 (\") が閉じられていません。", "A quotation mark (\") is not closed.")));
                yield break;
            }
            yield return (start, cells);
        }
    }

    internal static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>Spreadsheets run cells that start with = + - @ as formulas: such descriptions are exported with a leading apostrophe.</summary>
    internal static string Escape(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;

    internal static string Unescape(string value) => value.Length > 1 && value[0] == '\'' && value[1] is '=' or '+' or '-' or '@' ? value[1..] : value;
}
