using System.Globalization;

namespace Sekisho.Model.Addresses;

/// <summary>How the domain part of an <see cref="AddressPattern"/> matches.</summary>
public enum DomainMatch
{
    /// <summary><c>…@example.com</c>: exactly that domain.</summary>
    Exact,
    /// <summary><c>…@*.example.com</c>: any subdomain of that domain (not the domain itself).</summary>
    Subdomains,
    /// <summary><c>…@*</c>: any domain.</summary>
    Any,
}

/// <summary>
/// An address or address wildcard as administrators write them in rules and address groups:
/// <c>user@example.com</c>, <c>*@example.com</c>, <c>*@*.example.com</c>, <c>user@*</c>, <c>user@*.example.com</c>, <c>*@*</c>.
/// Domains are kept in lowercase ASCII (IDNA); local parts compare case-insensitively.
/// </summary>
public sealed record AddressPattern
{
    private AddressPattern(string? localPart, string domain, DomainMatch domainMatch)
    {
        LocalPart = localPart;
        Domain = domain;
        DomainMatch = domainMatch;
    }

    /// <summary>The local part, or <c>null</c> for <c>*</c>.</summary>
    public string? LocalPart { get; }

    /// <summary>The domain (for <see cref="DomainMatch.Subdomains"/> the parent domain; empty for <see cref="DomainMatch.Any"/>).</summary>
    public string Domain { get; }

    public DomainMatch DomainMatch { get; }

    /// <summary>True for a single mailbox (<c>user@example.com</c>).</summary>
    public bool IsSingleAddress => LocalPart is not null && DomainMatch == DomainMatch.Exact;

    /// <summary>True when the domain part is a wildcard (<c>*@*.example.com</c>, <c>user@*</c>): only hybrid groups may hold it.</summary>
    public bool HasWildcardDomain => DomainMatch != DomainMatch.Exact;

    /// <summary>Parses a pattern; returns false with a reason code (see <see cref="AddressPatternError"/>) for anything else.</summary>
    public static bool TryParse(string? text, out AddressPattern? pattern, out AddressPatternError error)
    {
        pattern = null;
        error = AddressPatternError.None;
        if (string.IsNullOrWhiteSpace(text)) { error = AddressPatternError.Empty; return false; }
        text = text.Trim();
        if (text.Length > 320) { error = AddressPatternError.TooLong; return false; }
        int at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1) { error = AddressPatternError.MissingAt; return false; }
        string local = text[..at];
        string domain = text[(at + 1)..];
        if (local.Contains('@') || local.Contains('"') || local.Contains(' ') || local.Contains('\\') || local.Length > 64)
        { error = AddressPatternError.InvalidLocalPart; return false; }
        if (local != "*" && local.Contains('*')) { error = AddressPatternError.InvalidLocalPart; return false; }
        if (local.StartsWith('@') || local.Contains(':')) { error = AddressPatternError.InvalidLocalPart; return false; }

        DomainMatch match;
        string bare;
        if (domain == "*") { match = DomainMatch.Any; bare = ""; }
        else if (domain.StartsWith("*.", StringComparison.Ordinal)) { match = DomainMatch.Subdomains; bare = domain[2..]; }
        else { match = DomainMatch.Exact; bare = domain; }
        if (match != DomainMatch.Any)
        {
            if (!DomainNames.TryNormalize(bare, out var normalized)) { error = AddressPatternError.InvalidDomain; return false; }
            bare = normalized;
        }
        pattern = new AddressPattern(local == "*" ? null : local, bare, match);
        return true;
    }

    /// <summary>Parses a pattern or throws <see cref="FormatException"/>.</summary>
    public static AddressPattern Parse(string text) =>
        TryParse(text, out var p, out var e) ? p! : throw new FormatException($"'{text}' is not an address pattern ({e}).");

    /// <summary>A pattern for every address of a domain (<c>*@domain</c>).</summary>
    public static AddressPattern ForDomain(string domain) => Parse("*@" + domain);

    /// <summary>Does this pattern match the given address (<c>local@domain</c>)?</summary>
    public bool Matches(string address)
    {
        int at = address.LastIndexOf('@');
        if (at <= 0) return false;
        return Matches(address[..at], address[(at + 1)..]);
    }

    /// <summary>Does this pattern match an address given as local part and domain?</summary>
    public bool Matches(string localPart, string domain)
    {
        if (LocalPart is not null && !string.Equals(LocalPart, localPart, StringComparison.OrdinalIgnoreCase)) return false;
        var d = DomainNames.NormalizeOrSelf(domain);
        return DomainMatch switch
        {
            DomainMatch.Any => true,
            DomainMatch.Exact => d == Domain,
            DomainMatch.Subdomains => d.EndsWith("." + Domain, StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>True when every address this pattern can match lies in one of the given domains.</summary>
    public bool LiesWithin(IEnumerable<string> domains) =>
        DomainMatch == DomainMatch.Exact && domains.Any(d => DomainNames.NormalizeOrSelf(d) == Domain);

    public override string ToString()
    {
        string local = LocalPart ?? "*";
        return DomainMatch switch
        {
            DomainMatch.Any => local + "@*",
            DomainMatch.Subdomains => local + "@*." + Domain,
            _ => local + "@" + Domain,
        };
    }
}

/// <summary>Why a text is not an address pattern.</summary>
public enum AddressPatternError
{
    None,
    Empty,
    TooLong,
    MissingAt,
    InvalidLocalPart,
    InvalidDomain,
}

/// <summary>Domain name normalisation: lowercase, IDNA (punycode), syntax checks.</summary>
public static class DomainNames
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Normalises a domain name to lowercase ASCII; false when it is not a valid host name.</summary>
    public static bool TryNormalize(string? name, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(name)) return false;
        name = name.Trim().TrimEnd('.');
        if (name.Length == 0 || name.Length > 253) return false;
        string ascii;
        if (IsPlainAscii(name)) ascii = name.ToLowerInvariant(); // the common case: no IDNA work needed
        else
        {
            try { ascii = Idn.GetAscii(name).ToLowerInvariant(); }
            catch (ArgumentException) { return false; }
        }
        var labels = ascii.Split('.');
        if (labels.Length < 2) return false;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63) return false;
            if (label[0] == '-' || label[^1] == '-') return false;
            foreach (char c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        normalized = ascii;
        return true;
    }

    private static bool IsPlainAscii(string s)
    {
        foreach (char c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')) return false;
        return !s.Contains("xn--", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The normalised name, or the input lowercased when it is not a valid name.</summary>
    public static string NormalizeOrSelf(string name) => TryNormalize(name, out var n) ? n : name.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>The domain part of an address (lowercase ASCII), or null.</summary>
    public static string? DomainOf(string address)
    {
        int at = address.LastIndexOf('@');
        return at <= 0 || at == address.Length - 1 ? null : NormalizeOrSelf(address[(at + 1)..]);
    }
}
