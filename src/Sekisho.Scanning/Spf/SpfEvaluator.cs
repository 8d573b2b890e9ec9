using System.Net;
using System.Net.Sockets;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.Spf;

/// <summary>The outcome of one SPF check.</summary>
/// <param name="Result">The RFC 7208 result.</param>
/// <param name="Domain">The domain checked (MAIL FROM domain, or the HELO name for the null sender).</param>
/// <param name="Reason">Why: the mechanism that matched, or the error.</param>
/// <param name="Explanation">For fail: the domain's explanation (exp=) or the default explanation.</param>
public sealed record SpfCheck(SpfResult Result, string Domain, string Reason, string? Explanation = null)
{
    /// <summary>The identity checked: <c>mailfrom</c> or <c>helo</c>.</summary>
    public string Identity { get; init; } = "mailfrom";
}

/// <summary>Limits and fixed texts of the evaluator.</summary>
public sealed record SpfOptions
{
    /// <summary>Mechanisms and modifiers that cause DNS lookups (RFC 7208 §4.6.4: 10).</summary>
    public int MaxDnsMechanisms { get; init; } = 10;
    /// <summary>Lookups answering NXDOMAIN or nothing (RFC 7208 §4.6.4: 2).</summary>
    public int MaxVoidLookups { get; init; } = 2;
    /// <summary>The explanation for fail when the domain gives none.</summary>
    public string DefaultExplanation { get; init; } = "SPF fail: the sending host is not authorized by the domain";
    /// <summary>The receiving host name (%{r}).</summary>
    public string ReceiverName { get; init; } = "unknown";
}

/// <summary>
/// The RFC 7208 <c>check_host()</c> function: record selection, the full term syntax, macros, include and redirect,
/// the 10-mechanism and 2-void-lookup limits, exp explanations. DNS goes through <see cref="IDnsLookup"/>.
/// </summary>
public sealed class SpfEvaluator(IDnsLookup dns, SpfOptions? options = null, TimeProvider? time = null)
{
    private readonly SpfOptions _options = options ?? new SpfOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private sealed class State(SpfMacroContext macros)
    {
        public SpfMacroContext Macros { get; } = macros;
        public int Lookups;
        public int Voids;
    }

    private sealed class PermErrorException(string message) : Exception(message);

    private sealed record Outcome(SpfResult Result, string Reason, string? Explanation = null);

    /// <summary>Checks the MAIL FROM identity (or the HELO identity when MAIL FROM is empty) for <paramref name="client"/>.</summary>
    public async Task<SpfCheck> CheckAsync(IPAddress client, string mailFrom, string? helo, CancellationToken ct = default)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        helo ??= "";
        string domain, sender, identity = "mailfrom";
        if (string.IsNullOrEmpty(mailFrom))
        {
            domain = helo;
            sender = "postmaster@" + helo;
            identity = "helo";
        }
        else
        {
            int at = mailFrom.LastIndexOf('@');
            domain = at < 0 ? mailFrom : mailFrom[(at + 1)..];
            sender = at <= 0 ? "postmaster@" + domain : mailFrom;
        }
        domain = domain.TrimEnd('.');
        if (!IsFqdn(domain))
            return new(SpfResult.None, domain, $"'{domain}' is not a fully qualified domain name") { Identity = identity };

        var state = new State(new SpfMacroContext(client, sender, helo, _options.ReceiverName, _time.GetUtcNow(),
            (target, token) => ValidatedNameAsync(client, target, token)));
        try
        {
            var outcome = await CheckHostAsync(state, domain, ct).ConfigureAwait(false);
            return new(outcome.Result, domain, outcome.Reason, outcome.Explanation) { Identity = identity };
        }
        catch (PermErrorException e)
        {
            return new(SpfResult.PermError, domain, e.Message) { Identity = identity };
        }
    }

    private static bool IsFqdn(string domain) =>
        domain.Contains('.') && !domain.StartsWith('[') && DnsNames.IsQueryable(domain);

    private async Task<Outcome> CheckHostAsync(State state, string domain, CancellationToken ct)
    {
        var txt = await dns.TxtAsync(domain, ct).ConfigureAwait(false);
        if (txt.Status == DnsStatus.Error) return new(SpfResult.TempError, $"DNS error looking up {domain}: {txt.Error}");
        if (txt.Status == DnsStatus.NxDomain) return new(SpfResult.None, $"{domain} does not exist");
        var spf = txt.Records.Where(SpfRecord.IsSpf1).ToList();
        if (spf.Count == 0) return new(SpfResult.None, $"{domain} publishes no SPF record");
        if (spf.Count > 1) return new(SpfResult.PermError, $"{domain} publishes {spf.Count} SPF records");
        if (spf[0].Any(c => c > 0x7e)) return new(SpfResult.PermError, $"{domain}: SPF record contains non-ASCII characters");

        SpfRecord record;
        try { record = SpfRecord.Parse(spf[0]); }
        catch (SpfSyntaxException e) { return new(SpfResult.PermError, $"{domain}: {e.Message}"); }

        foreach (var d in record.Directives)
        {
            var match = await MatchAsync(state, d, domain, ct).ConfigureAwait(false);
            if (match is Outcome error) return error;
            if (match is true)
            {
                var result = d.Qualifier switch
                {
                    '-' => SpfResult.Fail,
                    '~' => SpfResult.SoftFail,
                    '?' => SpfResult.Neutral,
                    _ => SpfResult.Pass,
                };
                var reason = $"{domain}: matched '{d.Text}'";
                if (result != SpfResult.Fail) return new(result, reason);
                return new(result, reason, await ExplainAsync(state, record, domain, ct).ConfigureAwait(false));
            }
        }

        if (record.Redirect is not null)
        {
            CountLookup(state, "redirect");
            var target = await ExpandDomainAsync(state, record.Redirect, domain, ct).ConfigureAwait(false);
            if (!DnsNames.IsQueryable(target)) throw new PermErrorException($"redirect to invalid domain '{target}'");
            var inner = await CheckHostAsync(state, target, ct).ConfigureAwait(false);
            if (inner.Result == SpfResult.None) return new(SpfResult.PermError, $"redirect target {target} has no SPF record");
            return inner;
        }
        return new(SpfResult.Neutral, $"{domain}: no mechanism matched");
    }

    /// <summary>true/false for match/no match, or an <see cref="Outcome"/> for temperror/permerror.</summary>
    private async Task<object> MatchAsync(State state, SpfDirective d, string domain, CancellationToken ct)
    {
        var ip = state.Macros.Client;
        switch (d.Kind)
        {
            case SpfMechanismKind.All:
                return true;
            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
                return SpfRecord.InNetwork(ip, d.Network!, d.Kind == SpfMechanismKind.Ip4 ? d.Cidr4 : d.Cidr6);
            case SpfMechanismKind.Include:
                {
                    CountLookup(state, "include");
                    var target = await ExpandDomainAsync(state, d.Domain!, domain, ct).ConfigureAwait(false);
                    if (!DnsNames.IsQueryable(target)) throw new PermErrorException($"include of invalid domain '{target}'");
                    var inner = await CheckHostAsync(state, target, ct).ConfigureAwait(false);
                    return inner.Result switch
                    {
                        SpfResult.Pass => true,
                        SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => false,
                        SpfResult.TempError => new Outcome(SpfResult.TempError, inner.Reason),
                        _ => new Outcome(SpfResult.PermError, $"include:{target}: {inner.Reason}"),
                    };
                }
            case SpfMechanismKind.A:
                {
                    CountLookup(state, "a");
                    var target = d.Domain is null ? domain : await ExpandDomainAsync(state, d.Domain, domain, ct).ConfigureAwait(false);
                    var answer = await AddressesAsync(state, target, ip.AddressFamily, ct).ConfigureAwait(false);
                    if (answer.Status == DnsStatus.Error) return new Outcome(SpfResult.TempError, $"DNS error for {target}: {answer.Error}");
                    return answer.Records.Any(a => SpfRecord.InNetwork(ip, a, Prefix(d, ip)));
                }
            case SpfMechanismKind.Mx:
                {
                    CountLookup(state, "mx");
                    var target = d.Domain is null ? domain : await ExpandDomainAsync(state, d.Domain, domain, ct).ConfigureAwait(false);
                    if (!DnsNames.IsQueryable(target)) { CountVoid(state); return false; }
                    var mx = await dns.MxAsync(target, ct).ConfigureAwait(false);
                    if (mx.Status == DnsStatus.Error) return new Outcome(SpfResult.TempError, $"DNS error for {target} MX: {mx.Error}");
                    if (mx.IsVoid) CountVoid(state);
                    if (mx.Records.Count > 10) throw new PermErrorException($"{target} has more than 10 MX records");
                    foreach (var host in mx.Records.Select(r => r.Exchange).Where(h => h.Length > 0))
                    {
                        if (!DnsNames.IsQueryable(host)) continue;
                        var answer = await dns.AddressesAsync(host, ip.AddressFamily, ct).ConfigureAwait(false);
                        if (answer.Status == DnsStatus.Error) return new Outcome(SpfResult.TempError, $"DNS error for {host}: {answer.Error}");
                        if (answer.Records.Any(a => SpfRecord.InNetwork(ip, a, Prefix(d, ip)))) return true;
                    }
                    return false;
                }
            case SpfMechanismKind.Ptr:
                {
                    CountLookup(state, "ptr");
                    var target = d.Domain is null ? domain : await ExpandDomainAsync(state, d.Domain, domain, ct).ConfigureAwait(false);
                    var names = await ValidatedNamesAsync(ip, state, ct).ConfigureAwait(false);
                    return names.Any(n => IsSubdomainOrSame(n, target));
                }
            case SpfMechanismKind.Exists:
                {
                    CountLookup(state, "exists");
                    var target = await ExpandDomainAsync(state, d.Domain!, domain, ct).ConfigureAwait(false);
                    var answer = await AddressesAsync(state, target, AddressFamily.InterNetwork, ct).ConfigureAwait(false);
                    if (answer.Status == DnsStatus.Error) return new Outcome(SpfResult.TempError, $"DNS error for {target}: {answer.Error}");
                    return answer.Records.Count > 0;
                }
        }
        return false;
    }

    private static int Prefix(SpfDirective d, IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork ? d.Cidr4 : d.Cidr6;

    private async Task<DnsAnswer<IPAddress>> AddressesAsync(State state, string target, AddressFamily family, CancellationToken ct)
    {
        if (!DnsNames.IsQueryable(target))
        {
            CountVoid(state);
            return new(DnsStatus.NxDomain, []);
        }
        var answer = await dns.AddressesAsync(target, family, ct).ConfigureAwait(false);
        if (answer.IsVoid) CountVoid(state);
        return answer;
    }

    private void CountLookup(State state, string what)
    {
        if (++state.Lookups > _options.MaxDnsMechanisms)
            throw new PermErrorException($"more than {_options.MaxDnsMechanisms} DNS-querying mechanisms ({what})");
    }

    private void CountVoid(State state)
    {
        if (++state.Voids > _options.MaxVoidLookups)
            throw new PermErrorException($"more than {_options.MaxVoidLookups} void DNS lookups");
    }

    private static async Task<string> ExpandDomainAsync(State state, SpfMacro spec, string domain, CancellationToken ct)
    {
        var expanded = await spec.ExpandAsync(state.Macros, domain, ct).ConfigureAwait(false);
        if (expanded.EndsWith('.')) expanded = expanded[..^1];
        while (expanded.Length > 253)
        {
            int dot = expanded.IndexOf('.');
            if (dot < 0) break;
            expanded = expanded[(dot + 1)..];
        }
        return expanded;
    }

    private async Task<string> ExplainAsync(State state, SpfRecord record, string domain, CancellationToken ct)
    {
        if (record.Explanation is null) return _options.DefaultExplanation;
        try
        {
            var target = await ExpandDomainAsync(state, record.Explanation, domain, ct).ConfigureAwait(false);
            if (!DnsNames.IsQueryable(target)) return _options.DefaultExplanation;
            var txt = await dns.TxtAsync(target, ct).ConfigureAwait(false);
            if (txt.Status != DnsStatus.Ok || txt.Records.Count != 1) return _options.DefaultExplanation;
            if (txt.Records[0].Any(c => c > 0x7e)) return _options.DefaultExplanation;
            var macro = SpfMacro.Parse(txt.Records[0], explanation: true);
            return await macro.ExpandAsync(state.Macros, domain, ct).ConfigureAwait(false);
        }
        catch (SpfSyntaxException)
        {
            return _options.DefaultExplanation;
        }
    }

    private static bool IsSubdomainOrSame(string name, string target) =>
        name.Equals(target, StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("." + target, StringComparison.OrdinalIgnoreCase);

    /// <summary>PTR names of <paramref name="ip"/> whose A/AAAA records include it (at most 10 names are tried).</summary>
    private async Task<List<string>> ValidatedNamesAsync(IPAddress ip, State? state, CancellationToken ct)
    {
        var result = new List<string>();
        var ptr = await dns.PtrAsync(ip, ct).ConfigureAwait(false);
        if (ptr.Status != DnsStatus.Ok) return result;
        if (ptr.Records.Count == 0 && state is not null) CountVoid(state);
        foreach (var name in ptr.Records.Take(10))
        {
            if (!DnsNames.IsQueryable(name)) continue;
            var answer = await dns.AddressesAsync(name, ip.AddressFamily, ct).ConfigureAwait(false);
            if (answer.Records.Any(a => a.Equals(ip))) result.Add(name.TrimEnd('.'));
        }
        return result;
    }

    private async ValueTask<string> ValidatedNameAsync(IPAddress ip, string domain, CancellationToken ct)
    {
        var names = await ValidatedNamesAsync(ip, null, ct).ConfigureAwait(false);
        return names.FirstOrDefault(n => IsSubdomainOrSame(n, domain)) ?? names.FirstOrDefault() ?? "unknown";
    }
}
