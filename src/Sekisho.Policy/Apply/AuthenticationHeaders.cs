using System.Text;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Apply;

/// <summary>
/// The sender authentication headers of an inbound delivered copy: <c>Authentication-Results</c> (RFC 8601) and the optional
/// <c>X-Sekisho-Received-SPF</c>, prepended to the header. Before that, any incoming <c>Authentication-Results</c> that
/// claims our authserv-id and any incoming <c>X-Sekisho-Received-SPF</c> are removed (RFC 8601 §5: forgeries from outside).
/// Works on the raw bytes: the rest of the message is untouched, so the sender's DKIM signatures stay valid.
/// </summary>
public static class AuthenticationHeaders
{
    public const string ResultsField = "Authentication-Results";
    public const string ReceivedSpfField = "X-Sekisho-Received-SPF";

    /// <summary>The authserv-id of an <c>Authentication-Results</c> value (the first token, comments skipped), or "".</summary>
    public static string AuthServId(string value)
    {
        var sb = new StringBuilder();
        int depth = 0;
        foreach (var c in value)
        {
            if (c == '(') { depth++; continue; }
            if (c == ')' && depth > 0) { depth--; continue; }
            if (depth > 0) continue;
            if (c == ';') break;
            if (char.IsWhiteSpace(c)) { if (sb.Length > 0) break; continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The message with our headers for <paramref name="verdict"/>; null when the verdict has no header value.</summary>
    /// <param name="receivedSpf">Also insert <c>X-Sekisho-Received-SPF</c> (SPF setting "insert header").</param>
    public static byte[]? Apply(ReadOnlySpan<byte> message, AuthenticationVerdict verdict, bool receivedSpf)
    {
        if (verdict.AuthenticationResults.Length == 0) return null;
        var ours = AuthServId(verdict.AuthenticationResults);
        var (fields, bodyStart) = HeaderFields(message);
        var output = new MemoryStream(message.Length + 512);
        Write(output, ResultsField + ": " + verdict.AuthenticationResults);
        if (receivedSpf && verdict.ReceivedSpf.Length > 0) Write(output, ReceivedSpfField + ": " + verdict.ReceivedSpf);
        foreach (var (start, length, name, value) in fields)
        {
            bool forged = name.Equals(ReceivedSpfField, StringComparison.OrdinalIgnoreCase)
                || (name.Equals(ResultsField, StringComparison.OrdinalIgnoreCase) && AuthServId(value).Equals(ours, StringComparison.OrdinalIgnoreCase));
            if (!forged) output.Write(message.Slice(start, length));
        }
        output.Write(message[bodyStart..]);
        return output.ToArray();
    }

    private static void Write(Stream s, string field)
    {
        // Values are folded by the authenticator; keep CRLF line ends.
        var text = field.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        s.Write(Encoding.UTF8.GetBytes(text.TrimEnd('\r', '\n') + "\r\n"));
    }

    /// <summary>The header fields (offset and length with their folded lines) and where the separator line starts.</summary>
    private static (List<(int Start, int Length, string Name, string Value)> Fields, int BodyStart) HeaderFields(ReadOnlySpan<byte> m)
    {
        var fields = new List<(int, int, string, string)>();
        int pos = 0;
        while (pos < m.Length)
        {
            int lineEnd = m[pos..].IndexOf((byte)'\n');
            int next = lineEnd < 0 ? m.Length : pos + lineEnd + 1;
            var line = m[pos..next];
            if (line.Length == 0 || line[0] == '\r' || line[0] == '\n') return (fields, pos);
            if ((line[0] == ' ' || line[0] == '\t') && fields.Count > 0)
            {
                var (s, l, n, v) = fields[^1];
                fields[^1] = (s, l + line.Length, n, v + Encoding.UTF8.GetString(line).TrimEnd('\r', '\n'));
            }
            else
            {
                var text = Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
                int colon = text.IndexOf(':');
                fields.Add((pos, line.Length, colon < 0 ? text : text[..colon].Trim(), colon < 0 ? "" : text[(colon + 1)..]));
            }
            pos = next;
        }
        return (fields, pos);
    }
}
