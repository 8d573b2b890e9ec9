using System.Net;

namespace Sekisho.Policy.Matching;

/// <summary>IP addresses and CIDR ranges as written in settings (<c>192.0.2.1</c>, <c>192.0.2.0/24</c>, <c>2001:db8::/32</c>).</summary>
public static class IpRanges
{
    /// <summary>Whether <paramref name="address"/> lies in any of the entries; unparsable entries never match.</summary>
    public static bool Contains(IEnumerable<string> entries, IPAddress address)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var entry in entries)
        {
            var e = entry.Trim();
            if (e.Contains('/'))
            {
                if (IPNetwork.TryParse(e, out var net) && net.Contains(a)) return true;
            }
            else if (IPAddress.TryParse(e, out var ip) && (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).Equals(a)) return true;
        }
        return false;
    }
}
