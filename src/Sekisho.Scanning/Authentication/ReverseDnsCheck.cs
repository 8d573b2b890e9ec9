using System.Net;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.Authentication;

/// <summary>The forward-confirmed reverse DNS of a client (RFC 8601 <c>iprev</c>): pass, fail, temperror, none.</summary>
/// <param name="PtrFound">False when the address has no PTR record at all (a missing PTR rather than an invalid one).</param>
public sealed record ReverseDnsResult(string Result, string? Name, string Reason, bool PtrFound = true);

/// <summary>FCrDNS: a PTR name whose A/AAAA records include the client address (at most 10 names are tried).</summary>
public sealed class ReverseDnsCheck(IDnsLookup dns)
{
    public async Task<ReverseDnsResult> CheckAsync(IPAddress client, CancellationToken ct)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        var ptr = await dns.PtrAsync(client, ct).ConfigureAwait(false);
        if (ptr.Status == DnsStatus.Error) return new("temperror", null, $"PTR lookup failed: {ptr.Error}");
        if (ptr.IsVoid) return new("fail", null, $"{client} has no PTR record", PtrFound: false);
        bool error = false;
        foreach (var name in ptr.Records.Take(10))
        {
            var a = await dns.AddressesAsync(name, client.AddressFamily, ct).ConfigureAwait(false);
            if (a.Status == DnsStatus.Error) { error = true; continue; }
            if (a.Records.Any(x => x.Equals(client))) return new("pass", name, $"{client} is {name} and {name} resolves to it");
        }
        return error
            ? new("temperror", null, "address lookup of the PTR names failed")
            : new("fail", null, $"no PTR name of {client} ({string.Join(", ", ptr.Records.Take(10))}) resolves back to it");
    }
}
