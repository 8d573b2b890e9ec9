using System.Net;
using System.Net.Sockets;
using Sekisho.Model.Objects;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Authentication;
using Sekisho.Scanning.Dmarc;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.WebReputation;

/// <summary>
/// A URI blocklist queried SURBL-style: <c>registered-domain.zone</c> (or the reversed IP) as an A query; the answer's
/// last octet is a bit mask mapped to categories (SURBL multi: 8 phishing, 16 malware, 64 spam, 128 cracked).
/// </summary>
public sealed record UriBlocklist(string Zone, IReadOnlyDictionary<int, string>? Categories = null, string DefaultCategory = "spam")
{
    public static readonly IReadOnlyDictionary<int, string> SurblMulti = new Dictionary<int, string>
    {
        [8] = "phishing", [16] = "malware", [64] = "spam", [128] = "cracked",
    };
}

/// <summary>
/// Web reputation of URLs (cegp-target-model web reputation): configurable URI blocklists, the approved list (domain,
/// IP or URL prefix) and URL keyword exceptions; a lookup failure leaves the URL untested rather than clean.
/// </summary>
public sealed class UrlReputationChecker(IDnsLookup dns, IReadOnlyList<UriBlocklist> lists, IReadOnlyList<WebReputationApprovedItem> approved,
    IReadOnlyList<string> keywordExceptions, PublicSuffixList? suffixes = null) : IUrlReputation
{
    private readonly PublicSuffixList _psl = suffixes ?? PublicSuffixList.Default;

    /// <summary>At most this many URLs of one message are looked up; the rest are reported untested.</summary>
    public int MaxUrlsPerMessage { get; init; } = 50;

    public async ValueTask<IReadOnlyList<UrlReputation>> CheckAsync(IReadOnlyList<string> urls, CancellationToken ct)
    {
        var results = new List<UrlReputation>(urls.Count);
        foreach (var url in urls.Distinct(StringComparer.Ordinal))
        {
            if (results.Count >= MaxUrlsPerMessage) { results.Add(new(url, false, null, Untested: true)); continue; }
            results.Add(await CheckOneAsync(url, ct).ConfigureAwait(false));
        }
        return results;
    }

    /// <summary>True when the URL is exempt: on the approved list or carrying an exception keyword.</summary>
    public bool IsExempt(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        foreach (var item in approved.Where(a => a.BypassWebReputation))
        {
            bool hit = item.Type switch
            {
                ApprovedUrlKind.Domain => DomainPattern.Matches(item.Value, host) || host.EndsWith("." + item.Value.TrimStart('*', '.'), StringComparison.OrdinalIgnoreCase),
                ApprovedUrlKind.Ip => Cidr.TryParse(item.Value, out var n) && IPAddress.TryParse(host.Trim('[', ']'), out var ip) && n.ContainsAddress(ip),
                ApprovedUrlKind.Url => url.StartsWith(item.Value, StringComparison.OrdinalIgnoreCase),
                _ => false,
            };
            if (hit) return true;
        }
        var tail = uri.PathAndQuery;
        return keywordExceptions.Any(k => k.Length > 0 && tail.Contains(k, StringComparison.OrdinalIgnoreCase));
    }

    private async Task<UrlReputation> CheckOneAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IdnHost.Length == 0) return new(url, false, null, Untested: true);
        if (IsExempt(url)) return new(url, false, null);
        var host = uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        string? prefix = IPAddress.TryParse(host, out var ip)
            ? DnsNames.ReverseName(ip, "x")[..^2]
            : _psl.OrganizationalDomain(host);
        bool untested = false;
        foreach (var list in lists)
        {
            var answer = await dns.AddressesAsync(prefix + "." + list.Zone.Trim().TrimEnd('.'), AddressFamily.InterNetwork, ct).ConfigureAwait(false);
            if (answer.Status == DnsStatus.Error) { untested = true; continue; }
            foreach (var a in answer.Records)
            {
                var b = a.GetAddressBytes();
                if (b[0] != 127 || a.Equals(IPAddress.Loopback)) continue; // 127.0.0.1 is a list's "refused/error" answer
                return new(url, true, Category(list, b[3]), ListedBy: list.Zone);
            }
        }
        return new(url, false, null, Untested: untested);
    }

    private static string Category(UriBlocklist list, byte code)
    {
        if (list.Categories is null) return list.DefaultCategory;
        foreach (var (bit, name) in list.Categories.OrderBy(kv => kv.Key == 8 ? 0 : kv.Key == 16 ? 1 : 2))
            if ((code & bit) != 0) return name;
        return list.DefaultCategory;
    }
}
