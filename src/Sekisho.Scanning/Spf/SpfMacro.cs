using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sekisho.Scanning.Spf;

/// <summary>A syntax error in an SPF record: the result is permerror.</summary>
public sealed class SpfSyntaxException(string message) : Exception(message);

/// <summary>
/// An RFC 7208 §7 macro-string, parsed once (so syntax errors are found before evaluation) and expanded per check.
/// </summary>
internal sealed class SpfMacro
{
    private const string Delimiters = ".-+,/_=";
    private readonly List<object> _parts = []; // string literal or Token

    private sealed record Token(char Letter, bool Upper, int Digits, bool Reverse, string Delims);

    public string Raw { get; }

    /// <summary>True when the string ends with a macro-expand (so a domain-end toplabel is not required).</summary>
    public bool EndsWithMacro { get; }

    private SpfMacro(string raw, bool ended) { Raw = raw; EndsWithMacro = ended; }

    /// <summary>Parses <paramref name="text"/>; <paramref name="explanation"/> allows c, r, t and spaces.</summary>
    public static SpfMacro Parse(string text, bool explanation)
    {
        var literal = new StringBuilder();
        var parts = new List<object>();
        bool endedWithMacro = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '%')
            {
                if (!explanation && (c < 0x21 || c > 0x7e))
                    throw new SpfSyntaxException($"invalid character 0x{(int)c:x2} in '{text}'");
                literal.Append(c);
                endedWithMacro = false;
                continue;
            }
            if (i + 1 >= text.Length) throw new SpfSyntaxException($"'%' at the end of '{text}'");
            char n = text[++i];
            endedWithMacro = true;
            switch (n)
            {
                case '%': literal.Append('%'); continue;
                case '_': literal.Append(' '); continue;
                case '-': literal.Append("%20"); continue;
                case '{': break;
                default: throw new SpfSyntaxException($"invalid macro '%{n}' in '{text}'");
            }
            int close = text.IndexOf('}', i);
            if (close < 0) throw new SpfSyntaxException($"unterminated macro in '{text}'");
            var body = text[(i + 1)..close];
            i = close;
            if (body.Length == 0) throw new SpfSyntaxException($"empty macro in '{text}'");
            char letter = body[0];
            char lower = char.ToLowerInvariant(letter);
            if (!"sloidpvh".Contains(lower) && !(explanation && "crt".Contains(lower)))
                throw new SpfSyntaxException($"invalid macro letter '{letter}' in '{text}'");
            int j = 1;
            while (j < body.Length && char.IsAsciiDigit(body[j])) j++;
            int digits = 0;
            if (j > 1)
            {
                if (!int.TryParse(body.AsSpan(1, j - 1), out digits)) digits = int.MaxValue;
                if (digits == 0) throw new SpfSyntaxException($"macro digit transformer 0 in '{text}'");
            }
            bool reverse = false;
            if (j < body.Length && (body[j] == 'r' || body[j] == 'R')) { reverse = true; j++; }
            var delims = body[j..];
            if (delims.Any(d => !Delimiters.Contains(d)))
                throw new SpfSyntaxException($"invalid macro delimiter in '%{{{body}}}'");
            if (literal.Length > 0) { parts.Add(literal.ToString()); literal.Clear(); }
            parts.Add(new Token(lower, char.IsUpper(letter), digits, reverse, delims.Length == 0 ? "." : delims));
        }
        if (literal.Length > 0) parts.Add(literal.ToString());
        var m = new SpfMacro(text, endedWithMacro);
        m._parts.AddRange(parts);
        return m;
    }

    /// <summary>Parses a domain-spec: a macro-string that ends in a macro or "." toplabel ["."].</summary>
    public static SpfMacro ParseDomainSpec(string text)
    {
        if (text.Length == 0) throw new SpfSyntaxException("empty domain-spec");
        var m = Parse(text, explanation: false);
        if (m.EndsWithMacro) return m;
        var tail = m._parts[^1] as string ?? "";
        if (tail.EndsWith('.')) tail = tail[..^1];
        int dot = tail.LastIndexOf('.');
        if (dot < 0) throw new SpfSyntaxException($"domain-spec '{text}' does not end in a toplabel");
        var top = tail[(dot + 1)..];
        if (!IsTopLabel(top)) throw new SpfSyntaxException($"invalid toplabel '{top}' in '{text}'");
        return m;
    }

    private static bool IsTopLabel(string s)
    {
        if (s.Length == 0 || s.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-')) return false;
        if (!s.Contains('-')) return s.Any(char.IsAsciiLetter);
        return char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]);
    }

    /// <summary>Expands the macros with the check's facts.</summary>
    public async ValueTask<string> ExpandAsync(SpfMacroContext ctx, string domain, CancellationToken ct)
    {
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string s) { sb.Append(s); continue; }
            var t = (Token)part;
            var value = t.Letter switch
            {
                's' => ctx.Sender,
                'l' => ctx.Sender[..ctx.Sender.LastIndexOf('@')],
                'o' => ctx.Sender[(ctx.Sender.LastIndexOf('@') + 1)..],
                'd' => domain,
                'i' => DottedAddress(ctx.Client),
                'p' => await ctx.ValidatedNameAsync(domain, ct).ConfigureAwait(false),
                'v' => ctx.Client.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
                'h' => ctx.Helo,
                'c' => ctx.Client.ToString(),
                'r' => ctx.Receiver,
                't' => ctx.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new SpfSyntaxException($"invalid macro letter '{t.Letter}'"),
            };
            var labels = value.Split(t.Delims.ToCharArray());
            if (t.Reverse) Array.Reverse(labels);
            if (t.Digits > 0 && t.Digits < labels.Length) labels = labels[^t.Digits..];
            var joined = string.Join('.', labels);
            sb.Append(t.Upper ? UrlEscape(joined) : joined);
        }
        return sb.ToString();
    }

    private static string DottedAddress(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork) return ip.ToString();
        var b = ip.GetAddressBytes();
        return string.Join('.', b.SelectMany(x => new[] { (x >> 4).ToString("X"), (x & 0xF).ToString("X") }));
    }

    private static string UrlEscape(string s)
    {
        var sb = new StringBuilder();
        foreach (var by in Encoding.UTF8.GetBytes(s))
        {
            char c = (char)by;
            if (by < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')) sb.Append(c);
            else sb.Append('%').Append(by.ToString("X2"));
        }
        return sb.ToString();
    }
}

/// <summary>The facts macros expand to, and the %{p} lookup.</summary>
internal sealed class SpfMacroContext(IPAddress client, string sender, string helo, string receiver, DateTimeOffset now, Func<string, CancellationToken, ValueTask<string>> validatedName)
{
    public IPAddress Client { get; } = client;
    public string Sender { get; } = sender;
    public string Helo { get; } = helo;
    public string Receiver { get; } = receiver;
    public DateTimeOffset Now { get; } = now;
    public ValueTask<string> ValidatedNameAsync(string domain, CancellationToken ct) => validatedName(domain, ct);
}
