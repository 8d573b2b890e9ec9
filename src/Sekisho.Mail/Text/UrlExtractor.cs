using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sekisho.Mail.Text;

/// <summary>Finds URLs in text with a bounded, non-backtracking pattern and normalises them.</summary>
internal static partial class UrlExtractor
{
    // Japanese punctuation (U+3000–U+303F) and full-width brackets end a URL as white space does.
    [GeneratedRegex(@"(?:(?:https?|ftp)://|www\.)[^\s<>""'`\u3000-\u303F\uFF08\uFF09\uFF1C\uFF1E\u201C\u201D]{1,2048}",
        RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();

    private static readonly IdnMapping Idn = new() { AllowUnassigned = true, UseStd3AsciiRules = false };

    public static List<string> FindInText(string text, int max)
    {
        var found = new List<string>();
        foreach (var m in UrlPattern().EnumerateMatches(text))
        {
            if (found.Count >= max) break;
            var raw = text.AsSpan(m.Index, m.Length).TrimEnd(".,;:!?)]}'\"*>");
            if (raw.Length > 4) found.Add(raw.ToString());
        }
        return found;
    }

    /// <summary>Normalises an absolute http, https or ftp URL (or a bare www. host); false for anything else.</summary>
    public static bool TryNormalize(string raw, out string url, out string host)
    {
        url = host = "";
        var s = raw.Trim().Trim('\u200B', '\uFEFF');
        if (s.StartsWith("www.", StringComparison.OrdinalIgnoreCase)) s = "http://" + s;
        int colon = s.IndexOf("://", StringComparison.Ordinal);
        if (colon <= 0) return false;
        var scheme = s[..colon].ToLowerInvariant();
        if (scheme is not ("http" or "https" or "ftp")) return false;
        var rest = s[(colon + 3)..];
        int end = rest.IndexOfAny(['/', '?', '#', '\\']);
        var authority = end < 0 ? rest : rest[..end];
        var tail = end < 0 ? "" : rest[end..].Replace('\\', '/');
        string userInfo = "";
        int at = authority.LastIndexOf('@');
        if (at >= 0) { userInfo = authority[..(at + 1)]; authority = authority[(at + 1)..]; }
        string port = "";
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            if (close < 0) return false;
            host = authority[..(close + 1)].ToLowerInvariant();
            port = authority[(close + 1)..].TrimStart(':');
        }
        else
        {
            int pc = authority.LastIndexOf(':');
            if (pc >= 0) { port = authority[(pc + 1)..]; authority = authority[..pc]; }
            host = authority.Normalize(NormalizationForm.FormKC).Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.').TrimEnd('.');
            if (host.Length == 0) return false;
            try { host = Idn.GetAscii(host).ToLowerInvariant(); }
            catch (ArgumentException) { return false; }
            foreach (var c in host)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')) return false;
        }
        if (port.Length > 0)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is <= 0 or > 65535) return false;
            port = (scheme, p) is ("http", 80) or ("https", 443) or ("ftp", 21) ? "" : ":" + p.ToString(CultureInfo.InvariantCulture);
        }
        url = scheme + "://" + userInfo + host + port + (tail.Length == 0 ? "/" : tail);
        return true;
    }
}
