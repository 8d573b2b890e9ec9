using System.Net;
using System.Text;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Spf;

namespace Sekisho.Scanning.Authentication;

/// <summary>Formats the RFC 8601 <c>Authentication-Results</c> value and the RFC 7208 <c>Received-SPF</c> value.</summary>
public static class AuthenticationResultsHeader
{
    public static string Format(string authServId, SpfCheck spf, IReadOnlyList<DkimSignatureResult> dkim, DmarcResult dmarc,
        string arc, string iprev, IPAddress client, string? iprevName)
    {
        var sb = new StringBuilder(authServId);
        var spfProperty = spf.Identity == "helo" ? "smtp.helo" : "smtp.mailfrom";
        sb.Append(";\r\n\tspf=").Append(Lower(spf.Result)).Append(' ').Append(spfProperty).Append('=').Append(Value(spf.Domain));
        if (dkim.Count == 0) sb.Append(";\r\n\tdkim=none");
        foreach (var d in dkim)
            sb.Append(";\r\n\tdkim=").Append(d.Result).Append(Comment(d.Reason))
              .Append(" header.d=").Append(Value(d.Domain)).Append(" header.s=").Append(Value(d.Selector));
        sb.Append(";\r\n\tdmarc=").Append(dmarc.Result);
        if (dmarc.Result is "pass" or "fail") sb.Append(" (p=").Append(dmarc.Disposition.ToString().ToLowerInvariant()).Append(dmarc.Sampled ? ")" : " not sampled)");
        if (!string.IsNullOrEmpty(dmarc.HeaderFromDomain)) sb.Append(" header.from=").Append(Value(dmarc.HeaderFromDomain));
        sb.Append(";\r\n\tarc=").Append(arc);
        sb.Append(";\r\n\tiprev=").Append(iprev).Append(iprevName is null ? "" : $" ({iprevName})").Append(" policy.iprev=").Append(client);
        return sb.ToString();
    }

    /// <summary><c>pass (reason) client-ip=…; envelope-from=…; helo=…;</c></summary>
    public static string ReceivedSpf(SpfCheck spf, IPAddress client, string envelopeFrom, string? helo) =>
        $"{Lower(spf.Result)} ({Clean(spf.Reason)}) client-ip={client}; envelope-from=\"{Clean(envelopeFrom)}\"; helo={Value(helo ?? "")};";

    private static string Lower(Sekisho.Model.Settings.SpfResult r) => r.ToString().ToLowerInvariant();

    private static string Comment(string? reason) => reason is null ? "" : " (" + Clean(reason) + ")";

    private static string Clean(string s) => new(s.Where(c => c >= 0x20 && c < 0x7f && c is not '(' and not ')' and not '"' and not '\\').ToArray());

    /// <summary>A token or, when it has specials, a quoted string.</summary>
    private static string Value(string s)
    {
        var clean = Clean(s);
        return clean.Length > 0 && clean.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' or '+')
            ? clean : "\"" + clean + "\"";
    }
}
