using System.Globalization;
using System.Net;
using System.Text;

namespace Sekisho.Smtp.Protocol;

/// <summary>
/// A mailbox from an SMTP envelope (RFC 5321 §4.1.2, with RFC 6531 UTF-8), as parsed from the wire.
/// The domain is kept lower-case in ASCII (A-labels) so that routing and authorization compare one form.
/// </summary>
public sealed record SmtpMailbox
{
    private SmtpMailbox(string localPart, string domain, string asciiDomain, bool quoted, bool literal)
    {
        LocalPart = localPart;
        Domain = domain;
        AsciiDomain = asciiDomain;
        IsQuotedLocalPart = quoted;
        IsAddressLiteral = literal;
    }

    /// <summary>The local part without quotes or quoted-pair escapes.</summary>
    public string LocalPart { get; }

    /// <summary>The domain as written (U-labels kept), or the literal with brackets, or empty for bare <c>postmaster</c>.</summary>
    public string Domain { get; }

    /// <summary>The domain in lower-case ASCII (IDNA A-labels); the routing key.</summary>
    public string AsciiDomain { get; }

    /// <summary>The local part was a quoted string on the wire.</summary>
    public bool IsQuotedLocalPart { get; }

    /// <summary>The domain is an address literal such as <c>[192.0.2.1]</c>.</summary>
    public bool IsAddressLiteral { get; }

    /// <summary>The RFC 5321 special <c>&lt;postmaster&gt;</c> with no domain.</summary>
    public bool IsBarePostmaster => Domain.Length == 0;

    /// <summary>Any octet of the address is non-ASCII (needs SMTPUTF8 end to end).</summary>
    public bool NeedsSmtpUtf8 => !Ascii.IsValid(LocalPart) || !Ascii.IsValid(Domain);

    /// <summary>The address in envelope form, quoting the local part again when it needs it.</summary>
    public string Address => IsBarePostmaster ? LocalPart : $"{FormatLocalPart(LocalPart)}@{Domain}";

    public override string ToString() => Address;

    /// <summary>Builds a mailbox from parts already known to be valid (configuration, tests).</summary>
    public static SmtpMailbox Parse(string address)
    {
        var r = SmtpPathParser.ParsePath("<" + address + ">", allowNull: false, allowBarePostmaster: true);
        return r.Mailbox ?? throw new FormatException($"Not a valid mailbox: '{address}' ({r.Error})");
    }

    internal static SmtpMailbox Create(string localPart, string domain, bool quoted, bool literal)
    {
        string ascii;
        if (domain.Length == 0 || literal) ascii = domain.ToLowerInvariant();
        else ascii = IdnToAscii(domain);
        return new SmtpMailbox(localPart, domain, ascii, quoted, literal);
    }

    private static string IdnToAscii(string domain)
    {
        if (Ascii.IsValid(domain)) return domain.ToLowerInvariant();
        return new IdnMapping { UseStd3AsciiRules = true }.GetAscii(domain).ToLowerInvariant();
    }

    internal static string FormatLocalPart(string local)
    {
        if (SmtpPathParser.IsDotString(local)) return local;
        var sb = new StringBuilder("\"");
        foreach (var c in local)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>The outcome of parsing a path from MAIL FROM or RCPT TO.</summary>
public readonly record struct SmtpPathParseResult(SmtpMailbox? Mailbox, bool IsNullPath, int Consumed, SmtpReply? Error)
{
    public bool Success => Error is null;
}

/// <summary>
/// A strict RFC 5321 path parser. It refuses source routes outright rather than stripping them, so an
/// address can never be read two ways by us and by the next hop.
/// </summary>
public static class SmtpPathParser
{
    /// <summary>RFC 5321 §4.5.3.1: local part 64 octets, domain 255, path 256.</summary>
    public const int MaxLocalPartOctets = 64;
    public const int MaxDomainOctets = 255;
    public const int MaxPathOctets = 256;

    public static SmtpPathParseResult ParsePath(string text, bool allowNull, bool allowBarePostmaster)
    {
        var i = 0;
        if (i >= text.Length || text[i] != '<') return Fail(SmtpReply.Server.BadAddressSyntax);
        i++;
        if (i < text.Length && text[i] == '>')
            return allowNull ? new(null, true, i + 1, null) : Fail(SmtpReply.Server.BadAddressSyntax);
        if (i < text.Length && text[i] == '@') return Fail(SmtpReply.Server.SourceRouteRefused);

        string local;
        bool quoted = false;
        if (i < text.Length && text[i] == '"')
        {
            quoted = true;
            var sb = new StringBuilder();
            i++;
            var closed = false;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\')
                {
                    if (i + 1 >= text.Length) return Fail(SmtpReply.Server.BadAddressSyntax);
                    var n = text[i + 1];
                    if (n < 32 || n == 127) return Fail(SmtpReply.Server.BadAddressSyntax);
                    sb.Append(n);
                    i += 2;
                    continue;
                }
                if (c == '"') { closed = true; i++; break; }
                if (c < 32 || c == 127) return Fail(SmtpReply.Server.BadAddressSyntax);
                sb.Append(c);
                i++;
            }
            if (!closed) return Fail(SmtpReply.Server.BadAddressSyntax);
            local = sb.ToString();
        }
        else
        {
            var start = i;
            while (i < text.Length && text[i] != '@' && text[i] != '>')
            {
                if (!IsAtextOrDot(text[i])) return Fail(SmtpReply.Server.BadAddressSyntax);
                i++;
            }
            local = text[start..i];
            if (!IsDotString(local)) return Fail(SmtpReply.Server.BadAddressSyntax);
        }
        if (Encoding.UTF8.GetByteCount(local) > MaxLocalPartOctets) return Fail(new SmtpReply(553, "5.1.3", "Local part too long"));

        if (i < text.Length && text[i] == '>')
        {
            // Only "postmaster" may stand without a domain (RFC 5321 §4.1.1.3).
            if (!quoted && allowBarePostmaster && local.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
                return new(SmtpMailbox.Create(local, "", quoted: false, literal: false), false, i + 1, null);
            return Fail(SmtpReply.Server.BadAddressSyntax);
        }
        if (i >= text.Length || text[i] != '@' || local.Length == 0) return Fail(SmtpReply.Server.BadAddressSyntax);
        i++;

        var domStart = i;
        while (i < text.Length && text[i] != '>') i++;
        if (i >= text.Length) return Fail(SmtpReply.Server.BadAddressSyntax);
        var domain = text[domStart..i];
        i++;
        if (Encoding.UTF8.GetByteCount(domain) > MaxDomainOctets) return Fail(new SmtpReply(553, "5.1.3", "Domain too long"));
        if (Encoding.UTF8.GetByteCount(local) + 1 + Encoding.UTF8.GetByteCount(domain) > MaxPathOctets)
            return Fail(new SmtpReply(553, "5.1.3", "Address too long"));

        if (domain.StartsWith('['))
        {
            if (!IsAddressLiteral(domain)) return Fail(SmtpReply.Server.BadAddressSyntax);
            return new(SmtpMailbox.Create(local, domain, quoted, literal: true), false, i, null);
        }
        if (!IsDomain(domain)) return Fail(SmtpReply.Server.BadAddressSyntax);
        try
        {
            return new(SmtpMailbox.Create(local, domain, quoted, literal: false), false, i, null);
        }
        catch (ArgumentException)
        {
            return Fail(SmtpReply.Server.BadAddressSyntax);
        }

        static SmtpPathParseResult Fail(SmtpReply r) => new(null, false, 0, r);
    }

    /// <summary>RFC 5322 atext plus RFC 6531 UTF-8 non-ASCII, or a dot.</summary>
    private static bool IsAtextOrDot(char c) => c == '.' || IsAtext(c);

    private static bool IsAtext(char c) =>
        c > 127 && !char.IsControl(c) && !char.IsWhiteSpace(c)
        || c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
        || "!#$%&'*+-/=?^_`{|}~".Contains(c);

    internal static bool IsDotString(string s)
    {
        if (s.Length == 0 || s[0] == '.' || s[^1] == '.') return false;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '.') { if (s[i - 1] == '.') return false; continue; }
            if (!IsAtext(s[i])) return false;
        }
        return true;
    }

    private static bool IsDomain(string d)
    {
        if (d.Length == 0 || d.EndsWith('.')) return false;
        foreach (var label in d.Split('.'))
        {
            if (label.Length == 0 || label.Length > 63) return false;
            if (label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c > 127 && char.IsLetterOrDigit(c) || c > 127 && char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark))
                    return false;
        }
        return true;
    }

    private static bool IsAddressLiteral(string d)
    {
        if (d.Length < 3 || d[^1] != ']') return false;
        var inner = d[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            return IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var parts = inner.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }
}
