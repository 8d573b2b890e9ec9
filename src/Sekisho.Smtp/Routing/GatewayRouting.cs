using System.Globalization;
using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Sekisho.Smtp.Protocol;

namespace Sekisho.Smtp.Routing;

/// <summary>
/// Next hops for the gateway: inbound mail goes to the managed domain's inbound servers (the <c>*</c> entries and
/// the entries for the exact local part merged, ordered by preference, equal preferences shuffled for load
/// balancing); outbound mail goes to the smart host when one is set, otherwise to the recipient domain's MX
/// (RFC 5321 §5.1: implicit MX when there is none, RFC 7505 null MX refused).
/// </summary>
public sealed class GatewayNextHopResolver(
    IManagedDomainCatalog domains,
    IDnsResolver dns,
    ITlsPolicyProvider tls,
    IRandomSource random,
    string? smartHost = null,
    int mxPort = 25) : INextHopResolver
{
    private readonly (string Host, int Port)? _smartHost = ParseSmartHost(smartHost);

    public async ValueTask<RouteResolution> ResolveAsync(MailDirection direction, SmtpMailbox recipient, CancellationToken ct)
    {
        var policy = tls.ForPeer(direction, recipient.AsciiDomain);
        var managed = domains.Current.Find(recipient.AsciiDomain);
        if (managed is not null) return Inbound(managed, recipient, policy);
        if (direction == MailDirection.Inbound)
            return RouteResolution.Fail(new SmtpReply(451, "4.3.0", $"{recipient.AsciiDomain} is no longer a managed domain"));
        if (_smartHost is { } sh) return RouteResolution.To([new NextHop(sh.Host, sh.Port, 0, policy)]);
        if (recipient.IsAddressLiteral) return RouteResolution.Fail(new SmtpReply(550, "5.1.2", "address literals are not routed"));
        return await OutboundAsync(recipient.AsciiDomain, policy, ct).ConfigureAwait(false);
    }

    private RouteResolution Inbound(ManagedDomain domain, SmtpMailbox recipient, TlsPolicy policy)
    {
        var candidates = domain.InboundServers
            .Where(s => s.Recipient == "*" || string.Equals(s.Recipient, recipient.LocalPart, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (candidates.Count == 0)
            return RouteResolution.Fail(new SmtpReply(451, "4.3.5", $"no inbound server is configured for {domain.Name}"));
        var hops = OrderByPreference(candidates, s => s.Preference)
            .Select(s => new NextHop(s.Host, s.Port, s.Preference, policy))
            .DistinctBy(h => (h.Host.ToLowerInvariant(), h.Port))
            .ToList();
        return RouteResolution.To(hops);
    }

    private async Task<RouteResolution> OutboundAsync(string domain, TlsPolicy policy, CancellationToken ct)
    {
        var mx = await dns.ResolveMxAsync(domain, ct).ConfigureAwait(false);
        switch (mx.Status)
        {
            case DnsStatus.NxDomain:
                return RouteResolution.Fail(new SmtpReply(550, "5.1.2", $"Host or domain name not found: {domain}"));
            case DnsStatus.TemporaryFailure:
                return RouteResolution.Fail(new SmtpReply(451, "4.4.3", $"DNS lookup of MX for {domain} failed temporarily"));
            case DnsStatus.NoData:
            case DnsStatus.Ok when mx.Records.Count == 0:
                return RouteResolution.To([new NextHop(domain, mxPort, 0, policy)]);
        }
        if (mx.Records.Count == 1 && mx.Records[0].Host.TrimEnd('.').Length == 0)
            return RouteResolution.Fail(new SmtpReply(556, "5.1.10", $"{domain} does not accept mail (null MX)"));
        var hops = OrderByPreference(mx.Records.Where(r => r.Host.TrimEnd('.').Length > 0).ToList(), r => r.Preference)
            .Select(r => new NextHop(r.Host.TrimEnd('.'), mxPort, r.Preference, policy))
            .Take(10)
            .ToList();
        return RouteResolution.To(hops);
    }

    /// <summary>Sorted by preference; within one preference a random order (load balancing).</summary>
    private List<T> OrderByPreference<T>(List<T> items, Func<T, int> preference)
    {
        var result = new List<T>(items.Count);
        foreach (var group in items.GroupBy(preference).OrderBy(g => g.Key))
        {
            var list = group.ToList();
            for (var i = list.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
            result.AddRange(list);
        }
        return result;
    }

    private static (string, int)? ParseSmartHost(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        s = s.Trim();
        var colon = s.LastIndexOf(':');
        if (colon > 0 && !s.EndsWith(']') && int.TryParse(s.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
            return (s[..colon].Trim('[', ']'), port);
        return (s.Trim('[', ']'), 25);
    }
}

/// <summary>DNS through DnsClient (a system resolver or the name servers given, e.g. a test server on loopback).</summary>
public sealed class DnsClientResolver : IDnsResolver
{
    private readonly LookupClient _client;

    public DnsClientResolver(params IPEndPoint[] nameServers)
    {
        var options = nameServers.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(nameServers);
        options.UseCache = true;
        options.Timeout = TimeSpan.FromSeconds(5);
        options.Retries = 2;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;
        options.UseTcpFallback = true;
        _client = new LookupClient(options);
    }

    public async ValueTask<DnsAnswer<MxHost>> ResolveMxAsync(string domain, CancellationToken ct)
    {
        try
        {
            var r = await _client.QueryAsync(domain, QueryType.MX, QueryClass.IN, ct).ConfigureAwait(false);
            var status = Status(r);
            if (status != DnsStatus.Ok) return new(status, []);
            var records = r.Answers.MxRecords().Select(m => new MxHost(m.Preference, m.Exchange.Value.TrimEnd('.'))).ToList();
            return new(records.Count == 0 ? DnsStatus.NoData : DnsStatus.Ok, records);
        }
        catch (DnsResponseException)
        {
            return new(DnsStatus.TemporaryFailure, []);
        }
    }

    public async ValueTask<DnsAnswer<IPAddress>> ResolveAddressesAsync(string host, CancellationToken ct)
    {
        try
        {
            var a = await _client.QueryAsync(host, QueryType.A, QueryClass.IN, ct).ConfigureAwait(false);
            var status = Status(a);
            if (status is DnsStatus.NxDomain or DnsStatus.TemporaryFailure) return new(status, []);
            var list = a.Answers.ARecords().Select(x => x.Address).ToList();
            var aaaa = await _client.QueryAsync(host, QueryType.AAAA, QueryClass.IN, ct).ConfigureAwait(false);
            if (Status(aaaa) == DnsStatus.Ok) list.AddRange(aaaa.Answers.AaaaRecords().Select(x => x.Address));
            return new(list.Count == 0 ? DnsStatus.NoData : DnsStatus.Ok, list);
        }
        catch (DnsResponseException)
        {
            return new(DnsStatus.TemporaryFailure, []);
        }
    }

    private static DnsStatus Status(IDnsQueryResponse r)
    {
        if (r.HasError)
            return r.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain ? DnsStatus.NxDomain : DnsStatus.TemporaryFailure;
        return r.Answers.Count == 0 ? DnsStatus.NoData : DnsStatus.Ok;
    }
}
