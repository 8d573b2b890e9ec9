using System.Text.RegularExpressions;
using MimeKit;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Apply;

/// <summary>
/// Time-of-click: replaces http(s) URLs in the text and HTML body parts (not attachments) of a delivered copy with signed
/// gateway links (<see cref="IClickProtection"/>), so the URL is checked again when the recipient clicks.
/// </summary>
public static partial class ClickRewriter
{
    [GeneratedRegex(@"https?://[^\s<>""'()\[\]{}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PlainUrl();

    [GeneratedRegex(@"(?<pre>\bhref\s*=\s*)(?:""(?<u>https?://[^""]*)""|'(?<u>https?://[^']*)')", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HtmlHref();

    /// <summary>The rewritten message, or null when no URL in a body part qualified.</summary>
    /// <param name="qualifies">Which URLs to rewrite (all, or only untested or risky ones).</param>
    public static byte[]? Rewrite(ReadOnlyMemory<byte> message, string recipient, IClickProtection click, Func<string, bool> qualifies)
    {
        var editor = new MessageEditor(message);
        int rewritten = 0;
        foreach (var (_, entity, _) in editor.Entities().ToList())
        {
            if (entity is not TextPart part || part.IsAttachment || !(part.IsPlain || part.IsHtml)) continue;
            var text = part.GetText(out var encoding);
            if (text is null) continue;
            string Replace(string url)
            {
                var trimmed = url.TrimEnd('.', ',', ';', ':', '!', '?');
                if (!qualifies(System.Net.WebUtility.HtmlDecode(trimmed))) return url;
                rewritten++;
                var link = click.Rewrite(part.IsHtml ? System.Net.WebUtility.HtmlDecode(trimmed) : trimmed, recipient);
                return (part.IsHtml ? System.Net.WebUtility.HtmlEncode(link) : link) + url[trimmed.Length..];
            }
            var updated = part.IsHtml
                ? HtmlHref().Replace(text, m => m.Groups["pre"].Value + "\"" + Replace(m.Groups["u"].Value) + "\"")
                : PlainUrl().Replace(text, m => Replace(m.Value));
            if (!ReferenceEquals(updated, text) && updated != text) part.SetText(encoding, updated);
        }
        return rewritten == 0 ? null : editor.ToBytes();
    }
}
