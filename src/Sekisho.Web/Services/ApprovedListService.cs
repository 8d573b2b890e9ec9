using System.Net;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Validation;

namespace Sekisho.Web.Services;

/// <summary>
/// The approved lists of the policy objects (Webレピュテーション承認済みリスト, URLキーワード例外リスト). They live in the gateway
/// settings; each save replaces one list, is validated and audited, and leaves every other setting as it was.
/// </summary>
public sealed class ApprovedListService(ConsoleContext console)
{
    public const int MaxApprovedItems = 10_000;

    public async Task<IReadOnlyList<WebReputationApprovedItem>> WebReputationAsync(string actor, CancellationToken ct) =>
        (await console.ReadSettingsAsync(actor, ct)).WebReputationApprovedList;

    public async Task<IReadOnlyList<string>> UrlKeywordsAsync(string actor, CancellationToken ct) =>
        (await console.ReadSettingsAsync(actor, ct)).UrlKeywordExceptions;

    /// <summary>Replaces the web reputation approved list (each item: a domain or <c>*.domain</c>, an IP address, or an http(s) URL).</summary>
    public async Task<IReadOnlyList<WebReputationApprovedItem>> SaveWebReputationAsync(IReadOnlyList<WebReputationApprovedItem> items, string actor, CancellationToken ct)
    {
        if (items.Count > MaxApprovedItems)
            throw new ConsoleProblem("approved.too-many", new LocalizedText($"項目が多すぎます (上限 {MaxApprovedItems:N0} 件)。", $"Too many items (at most {MaxApprovedItems:N0})."));
        var normalized = items.Select(Normalize).ToList();
        var duplicate = normalized.GroupBy(i => (i.Type, i.Value.ToLowerInvariant())).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ConsoleProblem("approved.duplicate", new LocalizedText($"「{duplicate.First().Value}」が重複しています。", $"'{duplicate.First().Value}' is listed twice."));
        await console.UpdateSettingsAsync(actor, settings => settings with { WebReputationApprovedList = normalized }, ct);
        return normalized;
    }

    /// <summary>Replaces the URL keyword exception list (3–256 characters <c>[A-Za-z0-9_]</c>, at most 100).</summary>
    public async Task<IReadOnlyList<string>> SaveUrlKeywordsAsync(IReadOnlyList<string> keywords, string actor, CancellationToken ct)
    {
        var list = keywords.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        await console.UpdateSettingsAsync(actor, current =>
        {
            var settings = current with { UrlKeywordExceptions = list };
            PolicyObjectService.ThrowIfInvalid(PolicyValidator.ValidateSettings(settings).Where(p => p.Path.Contains("urlKeyword", StringComparison.Ordinal)).ToList());
            return settings;
        }, ct);
        return list;
    }

    /// <summary>Imports a web reputation approved list CSV file (merged into the list or replacing it): every row or nothing.</summary>
    public async Task<(int Total, ApprovedCsvResult<WebReputationApprovedItem> Result)> ImportWebReputationCsvAsync(ReadOnlyMemory<byte> csv, CsvEncoding encoding,
        bool replace, string actor, CancellationToken ct)
    {
        var existing = await WebReputationAsync(actor, ct);
        var parsed = ApprovedListCsv.ParseWebReputation(csv.Span, encoding, replace ? null : existing);
        if (!parsed.Ok) return (existing.Count, parsed);
        var saved = await SaveWebReputationAsync(replace ? parsed.Items : [.. existing, .. parsed.Items], actor, ct);
        return (saved.Count, parsed);
    }

    /// <summary>Imports a URL keyword exception list CSV file (merged into the list or replacing it): every row or nothing.</summary>
    public async Task<(int Total, ApprovedCsvResult<string> Result)> ImportUrlKeywordsCsvAsync(ReadOnlyMemory<byte> csv, CsvEncoding encoding,
        bool replace, string actor, CancellationToken ct)
    {
        var existing = await UrlKeywordsAsync(actor, ct);
        var parsed = ApprovedListCsv.ParseUrlKeywords(csv.Span, encoding, replace ? null : existing);
        if (!parsed.Ok) return (existing.Count, parsed);
        var saved = await SaveUrlKeywordsAsync(replace ? parsed.Items : [.. existing, .. parsed.Items], actor, ct);
        return (saved.Count, parsed);
    }

    /// <summary>Reads the text area: one item per line, <c>VALUE[,DESCRIPTION[,no]]</c> (<c>no</c>: do not bypass web reputation); the type is recognised.</summary>
    public static IReadOnlyList<WebReputationApprovedItem> ParseLines(string? text)
    {
        var items = new List<WebReputationApprovedItem>();
        foreach (var line in (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var cells = line.Split(',', 3, StringSplitOptions.TrimEntries);
            var bypass = cells.Length < 3 || !cells[2].Equals("no", StringComparison.OrdinalIgnoreCase);
            items.Add(new WebReputationApprovedItem(TypeOf(cells[0]), cells[0], cells.Length > 1 ? cells[1] : "", bypass));
        }
        return items;
    }

    public static string ToLines(IEnumerable<WebReputationApprovedItem> items) =>
        string.Join('\n', items.Select(i => i.Value + (i.Description.Length > 0 || !i.BypassWebReputation ? "," + i.Description : "") + (i.BypassWebReputation ? "" : ",no")));

    internal static ApprovedUrlKind TypeOf(string value) =>
        IPAddress.TryParse(value, out _) ? ApprovedUrlKind.Ip : value.Contains("://", StringComparison.Ordinal) || value.Contains('/') ? ApprovedUrlKind.Url : ApprovedUrlKind.Domain;

    internal static WebReputationApprovedItem Normalize(WebReputationApprovedItem item)
    {
        var value = item.Value.Trim();
        if (item.Description.Length > 1024)
            throw Invalid(value, "説明が長すぎます (上限 1024 文字)", "the description is too long (at most 1024 characters)");
        switch (item.Type)
        {
            case ApprovedUrlKind.Ip when IPAddress.TryParse(value, out var ip):
                return item with { Value = ip.ToString() };
            case ApprovedUrlKind.Domain:
                var wildcard = value.StartsWith("*.", StringComparison.Ordinal);
                if (DomainNames.TryNormalize(wildcard ? value[2..] : value, out var domain)) return item with { Value = (wildcard ? "*." : "") + domain };
                throw Invalid(value, "ドメイン名 (example.com、*.example.com) ではありません", "it is not a domain (example.com, *.example.com)");
            case ApprovedUrlKind.Url:
                var url = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
                if (Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.Host.Length > 0) return item with { Value = value };
                throw Invalid(value, "URL ではありません", "it is not a URL");
            default:
                throw Invalid(value, "IP アドレスではありません", "it is not an IP address");
        }
    }

    private static ConsoleProblem Invalid(string value, string ja, string en) =>
        new("approved.invalid", new LocalizedText($"承認済みリストの項目「{value}」: {ja}。", $"Approved list item '{value}': {en}."));
}
