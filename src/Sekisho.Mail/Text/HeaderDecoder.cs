using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace Sekisho.Mail.Text;

/// <summary>
/// Decodes raw header values: RFC 2047 encoded-words (any charset, ISO-2022-JP included) and raw 8-bit or
/// ISO-2022-JP text that mailers put in headers without encoding, which is common in Japanese mail.
/// </summary>
internal static class HeaderDecoder
{
    public static string DecodeText(ParserOptions options, byte[] raw, int maxChars)
    {
        var text = Header.Unfold(Rfc2047.DecodeText(options, ToUtf8(raw))).Trim();
        return text.Length > maxChars ? text[..maxChars] : text;
    }

    public static IEnumerable<MailAddress> DecodeAddresses(ParserOptions options, byte[] raw, int max)
    {
        if (!InternetAddressList.TryParse(options, ToUtf8(raw), out var list)) yield break;
        int n = 0;
        foreach (var mailbox in list.Mailboxes)
        {
            if (n++ >= max) yield break;
            var name = string.IsNullOrWhiteSpace(mailbox.Name) ? null : mailbox.Name.Trim();
            yield return new MailAddress(name, mailbox.Address ?? "");
        }
    }

    /// <summary>Raw values that are not ASCII or UTF-8 are transcoded to UTF-8 from the charset they appear to be in.</summary>
    private static byte[] ToUtf8(byte[] raw)
    {
        if (Charsets.HasJisEscapes(raw) && Charsets.IsAscii(raw))
            return Encoding.UTF8.GetBytes(Charsets.Iso2022Jp.GetString(raw));
        if (Charsets.IsAscii(raw) || Charsets.IsValidUtf8(raw))
            return raw;
        return Encoding.UTF8.GetBytes(Charsets.Detect(raw).GetString(raw));
    }

    /// <summary>A file name as a single path segment: no separators or control characters, bounded length.</summary>
    public static string SafeName(string name)
    {
        var sb = new StringBuilder(Math.Min(name.Length, 255));
        foreach (var c in name)
        {
            if (sb.Length >= 255) break;
            if (char.IsControl(c)) continue;
            sb.Append(c is '/' or '\\' ? '_' : c);
        }
        return sb.ToString().Trim();
    }
}
