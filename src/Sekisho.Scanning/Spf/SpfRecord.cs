using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Sekisho.Scanning.Spf;

/// <summary>An RFC 7208 mechanism kind.</summary>
internal enum SpfMechanismKind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists }

/// <summary>One directive: qualifier, mechanism and its arguments.</summary>
internal sealed record SpfDirective(char Qualifier, SpfMechanismKind Kind, SpfMacro? Domain, IPAddress? Network, int Cidr4, int Cidr6, string Text);

/// <summary>A parsed SPF record (syntax is checked completely before evaluation, RFC 7208 §4.6).</summary>
internal sealed partial class SpfRecord
{
    public List<SpfDirective> Directives { get; } = [];
    public SpfMacro? Redirect { get; private set; }
    public SpfMacro? Explanation { get; private set; }

    /// <summary>True when the text is an SPF version 1 record ("v=spf1" followed by a space or the end).</summary>
    public static bool IsSpf1(string txt) =>
        txt.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (txt.Length == 6 || txt[6] == ' ');

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]*=", RegexOptions.None, 1000)]
    private static partial Regex ModifierName();

    [GeneratedRegex(@"^(?::(?<d>.+?))?(?:/(?<c4>0|[1-9][0-9]*))?(?://(?<c6>0|[1-9][0-9]*))?$", RegexOptions.None, 1000)]
    private static partial Regex DomainAndCidr();

    public static SpfRecord Parse(string text)
    {
        var record = new SpfRecord();
        var terms = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var term in terms.Skip(1))
        {
            var mod = ModifierName().Match(term);
            if (mod.Success)
            {
                var name = term[..(mod.Length - 1)];
                var value = term[mod.Length..];
                switch (name.ToLowerInvariant())
                {
                    case "redirect":
                        if (record.Redirect is not null) throw new SpfSyntaxException("more than one redirect modifier");
                        record.Redirect = SpfMacro.ParseDomainSpec(value);
                        break;
                    case "exp":
                        if (record.Explanation is not null) throw new SpfSyntaxException("more than one exp modifier");
                        record.Explanation = SpfMacro.ParseDomainSpec(value);
                        break;
                    default:
                        SpfMacro.Parse(value, explanation: false); // unknown modifiers are ignored but must be well-formed
                        break;
                }
                continue;
            }
            record.Directives.Add(ParseDirective(term));
        }
        return record;
    }

    private static SpfDirective ParseDirective(string term)
    {
        char q = '+';
        var rest = term;
        if ("+-~?".Contains(rest[0])) { q = rest[0]; rest = rest[1..]; }
        int end = rest.IndexOfAny([':', '/']);
        var name = (end < 0 ? rest : rest[..end]).ToLowerInvariant();
        var arg = end < 0 ? "" : rest[end..];
        switch (name)
        {
            case "all":
                if (arg.Length > 0) throw new SpfSyntaxException($"'all' takes no argument: '{term}'");
                return new(q, SpfMechanismKind.All, null, null, 32, 128, term);
            case "include":
            case "exists":
                if (!arg.StartsWith(':')) throw new SpfSyntaxException($"'{name}' needs a domain: '{term}'");
                return new(q, name == "include" ? SpfMechanismKind.Include : SpfMechanismKind.Exists,
                    SpfMacro.ParseDomainSpec(arg[1..]), null, 32, 128, term);
            case "ptr":
                if (arg.Length > 0 && !arg.StartsWith(':')) throw new SpfSyntaxException($"invalid ptr mechanism '{term}'");
                return new(q, SpfMechanismKind.Ptr, arg.Length > 0 ? SpfMacro.ParseDomainSpec(arg[1..]) : null, null, 32, 128, term);
            case "a":
            case "mx":
                {
                    var m = DomainAndCidr().Match(arg);
                    if (!m.Success) throw new SpfSyntaxException($"invalid '{name}' mechanism '{term}'");
                    int c4 = m.Groups["c4"].Success ? int.Parse(m.Groups["c4"].Value, CultureInfo.InvariantCulture) : 32;
                    int c6 = m.Groups["c6"].Success ? int.Parse(m.Groups["c6"].Value, CultureInfo.InvariantCulture) : 128;
                    if (c4 > 32 || c6 > 128) throw new SpfSyntaxException($"invalid CIDR length in '{term}'");
                    var domain = m.Groups["d"].Success ? SpfMacro.ParseDomainSpec(m.Groups["d"].Value) : null;
                    return new(q, name == "a" ? SpfMechanismKind.A : SpfMechanismKind.Mx, domain, null, c4, c6, term);
                }
            case "ip4":
            case "ip6":
                {
                    if (!arg.StartsWith(':')) throw new SpfSyntaxException($"'{name}' needs an address: '{term}'");
                    var value = arg[1..];
                    int slash = value.IndexOf('/');
                    var addr = slash < 0 ? value : value[..slash];
                    bool v4 = name == "ip4";
                    int max = v4 ? 32 : 128;
                    int cidr = max;
                    if (slash >= 0)
                    {
                        var len = value[(slash + 1)..];
                        if (len.Length == 0 || !len.All(char.IsAsciiDigit) || (len.Length > 1 && len[0] == '0')
                            || !int.TryParse(len, out cidr) || cidr > max)
                            throw new SpfSyntaxException($"invalid CIDR length in '{term}'");
                    }
                    IPAddress? ip = v4 ? ParseIp4(addr) : ParseIp6(addr);
                    if (ip is null) throw new SpfSyntaxException($"invalid address in '{term}'");
                    return new(q, v4 ? SpfMechanismKind.Ip4 : SpfMechanismKind.Ip6, null, ip, v4 ? cidr : 32, v4 ? 128 : cidr, term);
                }
            default:
                throw new SpfSyntaxException($"unknown mechanism '{term}'");
        }
    }

    private static IPAddress? ParseIp4(string s)
    {
        var parts = s.Split('.');
        if (parts.Length != 4) return null;
        var bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !parts[i].All(char.IsAsciiDigit) || !byte.TryParse(parts[i], out bytes[i])) return null;
        }
        return new IPAddress(bytes);
    }

    private static IPAddress? ParseIp6(string s) =>
        s.Contains(':') && !s.Contains('%') && IPAddress.TryParse(s, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? ip : null;

    /// <summary>True when <paramref name="ip"/> lies in <paramref name="network"/>/<paramref name="prefix"/> (same family).</summary>
    public static bool InNetwork(IPAddress ip, IPAddress network, int prefix)
    {
        if (ip.AddressFamily != network.AddressFamily) return false;
        var a = ip.GetAddressBytes();
        var b = network.GetAddressBytes();
        for (int i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            int mask = prefix >= 8 ? 0xFF : (0xFF << (8 - prefix)) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }
}
