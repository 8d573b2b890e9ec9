using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.Dmarc;

/// <summary>A published DMARC record (RFC 7489 §6.3), with the domain it was found at.</summary>
public sealed record DmarcRecord(string FoundAt, DmarcDisposition Policy, DmarcDisposition? SubdomainPolicy, int Percent, bool StrictDkim, bool StrictSpf);

/// <summary>What DMARC needs from SPF: the result and the domain it authenticated.</summary>
public sealed record SpfIdentity(SpfResult Result, string Domain);

/// <summary>The DMARC evaluation with the record and the alignment found.</summary>
public sealed record DmarcEvaluation(DmarcResult Result, DmarcRecord? Record, bool SpfAligned, bool DkimAligned);

/// <summary>
/// RFC 7489 DMARC: record discovery at the From domain then its organizational domain (Public Suffix List),
/// relaxed/strict alignment of SPF and DKIM identifiers, p/sp/pct.
/// </summary>
public sealed class DmarcEvaluator(IDnsLookup dns, PublicSuffixList? suffixes = null, Func<int>? percentRoll = null)
{
    private readonly PublicSuffixList _psl = suffixes ?? PublicSuffixList.Default;
    private readonly Func<int> _roll = percentRoll ?? (() => Random.Shared.Next(100));

    public async Task<DmarcEvaluation> EvaluateAsync(string? headerFromDomain, SpfIdentity spf, IReadOnlyList<DkimSignatureResult> dkim, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(headerFromDomain) || !DnsNames.IsQueryable(headerFromDomain))
            return new(new DmarcResult("permerror", DmarcDisposition.NoRecord, headerFromDomain, Reason: "the message has no single valid From domain"), null, false, false);
        var from = headerFromDomain.TrimEnd('.').ToLowerInvariant();

        var (record, error) = await DiscoverAsync(from, ct).ConfigureAwait(false);
        if (error is not null)
            return new(new DmarcResult("temperror", DmarcDisposition.NoRecord, from, Reason: error), null, false, false);
        if (record is null)
            return new(new DmarcResult("none", DmarcDisposition.NoRecord, from, Reason: $"no DMARC record for {from}"), null, false, false);

        bool spfAligned = spf.Result == SpfResult.Pass && Aligned(spf.Domain, from, record.StrictSpf);
        var dkimAligned = dkim.FirstOrDefault(d => d.Result == "pass" && Aligned(d.Domain, from, record.StrictDkim));
        var disposition = record.SubdomainPolicy is { } sp && !record.FoundAt.Equals(from, StringComparison.OrdinalIgnoreCase)
            ? sp : record.Policy;
        if (spfAligned || dkimAligned is not null)
        {
            var why = spfAligned ? $"SPF aligned ({spf.Domain})" : $"DKIM aligned (d={dkimAligned!.Domain})";
            return new(new DmarcResult("pass", disposition, from, Reason: why), record, spfAligned, dkimAligned is not null);
        }
        bool sampled = record.Percent >= 100 || _roll() < record.Percent;
        var reason = $"neither SPF ({spf.Result.ToString().ToLowerInvariant()}, {spf.Domain}) nor DKIM ({Describe(dkim)}) aligned with {from}";
        return new(new DmarcResult("fail", disposition, from, sampled, reason), record, false, false);
    }

    private static string Describe(IReadOnlyList<DkimSignatureResult> dkim) =>
        dkim.Count == 0 ? "no signature" : string.Join(", ", dkim.Select(d => $"{d.Result} d={d.Domain}"));

    /// <summary>Identifier alignment (RFC 7489 §3.1): strict = same name; relaxed = same organizational domain.</summary>
    public bool Aligned(string identifier, string fromDomain, bool strict)
    {
        identifier = identifier.TrimEnd('.');
        if (identifier.Length == 0) return false;
        return strict
            ? identifier.Equals(fromDomain, StringComparison.OrdinalIgnoreCase)
            : _psl.SameOrganization(identifier, fromDomain);
    }

    /// <summary>The DMARC record for <paramref name="from"/>: at <c>_dmarc.from</c>, else at the organizational domain.</summary>
    public async Task<(DmarcRecord? Record, string? Error)> DiscoverAsync(string from, CancellationToken ct)
    {
        var (record, error) = await LookupAsync(from, ct).ConfigureAwait(false);
        if (record is not null || error is not null) return (record, error);
        var org = _psl.OrganizationalDomain(from);
        if (org.Equals(from, StringComparison.OrdinalIgnoreCase)) return (null, null);
        return await LookupAsync(org, ct).ConfigureAwait(false);
    }

    private async Task<(DmarcRecord?, string?)> LookupAsync(string domain, CancellationToken ct)
    {
        var answer = await dns.TxtAsync("_dmarc." + domain, ct).ConfigureAwait(false);
        if (answer.Status == DnsStatus.Error) return (null, $"DNS error looking up _dmarc.{domain}: {answer.Error}");
        var records = answer.Records.Where(r => r.TrimStart().StartsWith("v=DMARC1", StringComparison.Ordinal)).ToList();
        if (records.Count != 1) return (null, null); // none, or several: RFC 7489 §6.6.3 says ignore them all
        return (Parse(domain, records[0]), null);
    }

    /// <summary>Parses a record; an invalid or missing <c>p</c> counts as <c>none</c> when <c>rua</c> is given, else the record is ignored.</summary>
    public static DmarcRecord? Parse(string foundAt, string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';'))
        {
            int eq = part.IndexOf('=');
            if (eq > 0) tags.TryAdd(part[..eq].Trim(), part[(eq + 1)..].Trim());
        }
        if (!tags.TryGetValue("v", out var v) || v != "DMARC1") return null;
        DmarcDisposition? p = tags.TryGetValue("p", out var pv) ? Disposition(pv) : null;
        if (p is null)
        {
            if (!tags.ContainsKey("rua")) return null;
            p = DmarcDisposition.None;
        }
        var sp = tags.TryGetValue("sp", out var spv) ? Disposition(spv) : null;
        int pct = tags.TryGetValue("pct", out var pctv) && int.TryParse(pctv, out var n) && n is >= 0 and <= 100 ? n : 100;
        return new(foundAt, p.Value, sp, pct,
            tags.TryGetValue("adkim", out var ad) && ad.Equals("s", StringComparison.OrdinalIgnoreCase),
            tags.TryGetValue("aspf", out var asf) && asf.Equals("s", StringComparison.OrdinalIgnoreCase));
    }

    private static DmarcDisposition? Disposition(string value) => value.ToLowerInvariant() switch
    {
        "none" => DmarcDisposition.None,
        "quarantine" => DmarcDisposition.Quarantine,
        "reject" => DmarcDisposition.Reject,
        _ => null,
    };
}
