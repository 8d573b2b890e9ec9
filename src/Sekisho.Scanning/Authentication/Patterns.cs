using System.Net;

namespace Sekisho.Scanning.Authentication;

/// <summary>An IP address or CIDR as entered in lists (<c>192.0.2.1</c>, <c>192.0.2.0/24</c>, <c>2001:db8::/32</c>).</summary>
public static class Cidr
{
    public static bool TryParse(string text, out IPNetwork network)
    {
        text = text.Trim();
        if (text.Contains('/')) return IPNetwork.TryParse(text, out network);
        if (IPAddress.TryParse(text, out var ip))
        {
            network = new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        network = default;
        return false;
    }

    /// <summary>True when <paramref name="ip"/> (IPv4-mapped addresses count as IPv4) lies in <paramref name="network"/>.</summary>
    public static bool ContainsAddress(this IPNetwork network, IPAddress ip) =>
        network.Contains(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
}

/// <summary>Domain patterns of the console: <c>example.com</c> (that domain) or <c>*.example.com</c> (its subdomains).</summary>
public static class DomainPattern
{
    public static bool Matches(string pattern, string domain)
    {
        pattern = pattern.Trim().TrimEnd('.');
        domain = domain.Trim().TrimEnd('.');
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
            return domain.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase);
        return domain.Equals(pattern, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Specificity for "the most specific rule wins": exact beats wildcard, longer beats shorter.</summary>
    public static int Specificity(string pattern) => pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern.Length : pattern.Length + 1000;
}
