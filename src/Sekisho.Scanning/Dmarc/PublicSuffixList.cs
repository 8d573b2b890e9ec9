using System.Reflection;

namespace Sekisho.Scanning.Dmarc;

/// <summary>
/// The Public Suffix List (ICANN and private sections, with wildcard and exception rules) and the RFC 7489 §3.2
/// organizational domain. <see cref="Default"/> is the dated copy embedded in this assembly.
/// </summary>
public sealed class PublicSuffixList
{
    private readonly HashSet<string> _rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _wildcards = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _exceptions = new(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<PublicSuffixList> s_default = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Sekisho.Scanning.Dmarc.public_suffix_list.dat")
            ?? throw new InvalidOperationException("the embedded public suffix list is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    });

    /// <summary>The embedded list (Debian publicsuffix 20230209).</summary>
    public static PublicSuffixList Default => s_default.Value;

    public static PublicSuffixList Parse(TextReader reader)
    {
        var list = new PublicSuffixList();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            var rule = line.Split([' ', '\t'], 2)[0].Trim();
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal)) continue;
            if (rule.StartsWith('!')) list._exceptions.Add(Ascii(rule[1..]));
            else if (rule.StartsWith("*.", StringComparison.Ordinal)) list._wildcards.Add(Ascii(rule[2..]));
            else list._rules.Add(Ascii(rule));
        }
        return list;
    }

    /// <summary>The public suffix of <paramref name="domain"/> (the default rule "*" applies to unknown TLDs).</summary>
    public string PublicSuffix(string domain)
    {
        var labels = Normalize(domain).Split('.');
        for (int i = 0; i < labels.Length; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            if (_exceptions.Contains(candidate)) return string.Join('.', labels[(i + 1)..]);
            if (i > 0 && _wildcards.Contains(candidate)) return string.Join('.', labels[(i - 1)..]);
            if (_rules.Contains(candidate)) return candidate;
        }
        return labels[^1];
    }

    /// <summary>The organizational domain: the public suffix plus one label; the domain itself when it is a public suffix.</summary>
    public string OrganizationalDomain(string domain)
    {
        var d = Normalize(domain);
        var suffix = PublicSuffix(d);
        if (d.Length <= suffix.Length) return d;
        var rest = d[..(d.Length - suffix.Length - 1)];
        return rest[(rest.LastIndexOf('.') + 1)..] + "." + suffix;
    }

    /// <summary>True when both domains have the same organizational domain (relaxed alignment).</summary>
    public bool SameOrganization(string a, string b) =>
        OrganizationalDomain(a).Equals(OrganizationalDomain(b), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string domain) => Ascii(domain.Trim().TrimEnd('.').ToLowerInvariant());

    /// <summary>The A-label (punycode) form, or the name unchanged when it cannot be converted.</summary>
    private static string Ascii(string name)
    {
        if (name.All(char.IsAscii)) return name;
        try { return new System.Globalization.IdnMapping().GetAscii(name); }
        catch (ArgumentException) { return name; }
    }
}
