using System.Net;
using System.Net.Sockets;

namespace Sekisho.Scanning.Dns;

/// <summary>How a DNS query ended.</summary>
public enum DnsStatus
{
    /// <summary>NOERROR (the record list may be empty: "no data").</summary>
    Ok,
    /// <summary>NXDOMAIN: the name does not exist.</summary>
    NxDomain,
    /// <summary>Timeout, SERVFAIL, REFUSED, a malformed name or an exhausted per-message budget.</summary>
    Error,
}

/// <summary>The answer to one query: status, records of the asked type, and the error text when it failed.</summary>
public sealed record DnsAnswer<T>(DnsStatus Status, IReadOnlyList<T> Records, string? Error = null)
{
    /// <summary>NXDOMAIN or an empty NOERROR answer (an RFC 7208 "void lookup").</summary>
    public bool IsVoid => Status == DnsStatus.NxDomain || (Status == DnsStatus.Ok && Records.Count == 0);

    public static DnsAnswer<T> Failed(string error) => new(DnsStatus.Error, [], error);
}

/// <summary>One MX record.</summary>
public sealed record MxRecord(int Preference, string Exchange);

/// <summary>
/// The DNS queries the scanners make (SPF, DKIM keys, DMARC, reverse DNS, DNSBL, URIBL). One implementation
/// talks to real servers with a cache (<see cref="CachingDnsResolver"/>); <see cref="BudgetedDnsLookup"/> caps what one
/// message may spend.
/// </summary>
public interface IDnsLookup
{
    ValueTask<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct);
    ValueTask<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken ct);
    ValueTask<DnsAnswer<MxRecord>> MxAsync(string name, CancellationToken ct);
    ValueTask<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken ct);
}

/// <summary>Host-name syntax checks shared by the scanners.</summary>
public static class DnsNames
{
    /// <summary>True for a name that can be asked: 1–253 characters, labels of 1–63 characters.</summary>
    public static bool IsQueryable(string name)
    {
        var n = name.EndsWith('.') ? name[..^1] : name;
        if (n.Length is 0 or > 253) return false;
        foreach (var label in n.Split('.'))
            if (label.Length is 0 or > 63) return false;
        return true;
    }

    /// <summary>The <c>in-addr.arpa</c> / <c>ip6.arpa</c> name of an address, also used for DNSBL queries.</summary>
    public static string ReverseName(IPAddress address, string? zone = null)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        string reversed;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            reversed = $"{b[3]}.{b[2]}.{b[1]}.{b[0]}";
            return reversed + "." + (zone ?? "in-addr.arpa");
        }
        var bytes = address.GetAddressBytes();
        var nibbles = new List<string>(32);
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            nibbles.Add((bytes[i] & 0xF).ToString("x"));
            nibbles.Add((bytes[i] >> 4).ToString("x"));
        }
        return string.Join('.', nibbles) + "." + (zone ?? "ip6.arpa");
    }
}
