using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;

namespace Sekisho.Web.Services;

/// <summary>The rows of an approved list CSV file: the items when every row is valid, else every invalid row.</summary>
public sealed record ApprovedCsvResult<T>(IReadOnlyList<T> Items, IReadOnlyList<CsvRowError> Errors, string Encoding)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// The approved lists as CSV, read and written like address group files (<see cref="AddressGroupCsv"/>: same encoding detection,
/// size limit, quoting and all-or-nothing import with line-numbered errors). Web reputation approved list:
/// <c>value,description,bypass</c> (bypass <c>yes</c>/<c>no</c>, empty = yes); URL keyword exception list: one keyword per row.
/// A header row is optional.
/// </summary>
public static class ApprovedListCsv
{
    private static readonly string[] WebReputationHeaders = ["value", "item", "url", "domain", "項目", "値"];
    private static readonly string[] KeywordHeaders = ["keyword", "keywords", "キーワード"];
    private static readonly Regex Keyword = new(@"^[A-Za-z0-9_]{3,256}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Reads a web reputation approved list file; repeats (in the file, or with <paramref name="existing"/> when merging) are errors.</summary>
    public static ApprovedCsvResult<WebReputationApprovedItem> ParseWebReputation(ReadOnlySpan<byte> bytes, CsvEncoding encoding,
        IReadOnlyList<WebReputationApprovedItem>? existing = null)
    {
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in existing ?? []) seen.TryAdd(Key(e), 0);
        return Parse(bytes, encoding, WebReputationHeaders, ApprovedListService.MaxApprovedItems, (line, cells) =>
        {
            if (cells.Skip(3).Any(c => c.Trim().Length > 0))
                return Fail<WebReputationApprovedItem>(new("列が多すぎます。1 列目に項目、2 列目に説明、3 列目に Web レピュテーションの省略 (yes/no) を入れてください。",
                    "Too many columns: the item, then an optional description and whether it skips web reputation (yes/no)."));
            var value = cells[0].Trim();
            var bypass = cells.Count > 2 ? cells[2].Trim().ToLowerInvariant() : "";
            if (bypass is not ("" or "yes" or "no" or "true" or "false" or "はい" or "いいえ"))
                return Fail<WebReputationApprovedItem>(new($"3 列目「{cells[2].Trim()}」は yes または no にしてください。", $"The third column '{cells[2].Trim()}' must be yes or no."));
            WebReputationApprovedItem item;
            try
            {
                item = ApprovedListService.Normalize(new(ApprovedListService.TypeOf(value), value,
                    cells.Count > 1 ? AddressGroupCsv.Unescape(cells[1].Trim()) : "", bypass is not ("no" or "false" or "いいえ")));
            }
            catch (ConsoleProblem p) { return Fail<WebReputationApprovedItem>(p.Text); }
            return Once(item, Key(item), item.Value, line, seen);
        });
    }

    /// <summary>Reads a URL keyword exception list file (3–256 characters <c>[A-Za-z0-9_]</c> each).</summary>
    public static ApprovedCsvResult<string> ParseUrlKeywords(ReadOnlySpan<byte> bytes, CsvEncoding encoding, IReadOnlyList<string>? existing = null)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var k in existing ?? []) seen.TryAdd(k, 0);
        return Parse(bytes, encoding, KeywordHeaders, PolicyValidator.MaxUrlKeywords, (line, cells) =>
        {
            if (cells.Skip(1).Any(c => c.Trim().Length > 0))
                return Fail<string>(new("列が多すぎます。1 行に 1 キーワードを入れてください。", "Too many columns: put one keyword per row."));
            var keyword = cells[0].Trim();
            if (!Keyword.IsMatch(keyword))
                return Fail<string>(new($"「{keyword}」はキーワード (A–Z a–z 0–9 _ の 3～256 文字) ではありません。",
                    $"'{keyword}' is not a keyword (3–256 characters A–Z a–z 0–9 _)."));
            return Once(keyword, keyword, keyword, line, seen);
        });
    }

    /// <summary>The web reputation approved list as CSV: UTF-8 with BOM, CRLF, a header row.</summary>
    public static byte[] ExportWebReputation(IEnumerable<WebReputationApprovedItem> items)
    {
        var sb = new StringBuilder("value,description,bypass\r\n");
        foreach (var i in items)
            sb.Append(AddressGroupCsv.Quote(i.Value)).Append(',').Append(AddressGroupCsv.Quote(AddressGroupCsv.Escape(i.Description)))
                .Append(',').Append(i.BypassWebReputation ? "yes" : "no").Append("\r\n");
        return AddressGroupCsv.Utf8WithBom(sb);
    }

    /// <summary>The URL keyword exception list as CSV: UTF-8 with BOM, CRLF, a header row.</summary>
    public static byte[] ExportUrlKeywords(IEnumerable<string> keywords)
    {
        var sb = new StringBuilder("keyword\r\n");
        foreach (var k in keywords) sb.Append(AddressGroupCsv.Quote(k)).Append("\r\n");
        return AddressGroupCsv.Utf8WithBom(sb);
    }

    private static string Key(WebReputationApprovedItem i) => ModelJson.EnumName(i.Type) + ":" + i.Value;

    private static (T? Item, LocalizedText? Error) Fail<T>(LocalizedText error) => (default, error);

    private static (T? Item, LocalizedText? Error) Once<T>(T item, string key, string shown, int line, Dictionary<string, int> seen)
    {
        if (seen.TryGetValue(key, out var at))
            return (default, at == 0 ? new($"「{shown}」は既にリストにあります。", $"'{shown}' is already in the list.")
                : new($"「{shown}」は {at} 行目と重複しています。", $"'{shown}' repeats line {at}."));
        seen[key] = line;
        return (item, null);
    }

    private static ApprovedCsvResult<T> Parse<T>(ReadOnlySpan<byte> bytes, CsvEncoding encoding, string[] headers, int maxRows,
        Func<int, List<string>, (T? Item, LocalizedText? Error)> row)
    {
        if (bytes.Length > AddressGroupCsv.MaxBytes) throw AddressGroupCsv.TooLarge(bytes.Length);
        var (text, used) = AddressGroupCsv.Decode(bytes, encoding);
        var items = new List<T>();
        var errors = new List<CsvRowError>();
        int rows = 0;
        foreach (var (line, cells) in AddressGroupCsv.Rows(text, errors))
        {
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            if (rows == 0 && errors.Count == 0 && headers.Contains(cells[0].Trim().ToLowerInvariant())) continue;
            if (++rows > maxRows)
            {
                errors.Add(new(line, AddressGroupCsv.TooManyRows(maxRows)));
                break;
            }
            var (item, error) = row(line, cells);
            if (error is not null) errors.Add(new(line, error));
            else items.Add(item!);
            if (errors.Count >= AddressGroupCsv.MaxErrorsReported) break;
        }
        return new(errors.Count == 0 ? items : [], errors, used);
    }
}
