using System.Text;
using System.Buffers.Text;
using Sekisho.Policy.Ports;

namespace Sekisho.Scanning.WebReputation;

/// <summary>What the gateway does when a protected link is clicked.</summary>
public enum ClickAction
{
    /// <summary>The URL is (still) clean: redirect to it.</summary>
    Redirect,
    /// <summary>The URL could not be checked: show a warning page with the link.</summary>
    Warn,
    /// <summary>The URL is listed now: show a block page.</summary>
    Block,
    /// <summary>The link is not one the gateway signed (tampered or expired).</summary>
    Invalid,
}

/// <summary>The decision for one click, with the checked URL and its reputation.</summary>
public sealed record ClickDecision(ClickAction Action, string? Url, string? Recipient, UrlReputation? Reputation);

/// <summary>
/// Time-of-click protection: URLs are rewritten to <c>{base}/click?u=…&amp;r=…&amp;t=…&amp;s=…</c>, signed with
/// HMAC-SHA256 so nobody can turn the gateway into an open redirector; at click time the signature and age are checked
/// and the URL's reputation is asked again.
/// </summary>
public sealed class ClickProtection(Uri baseUrl, byte[] key, IUrlReputation reputation, TimeProvider? time = null, TimeSpan? maxAge = null) : IClickProtection
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Signing.LinkSigner _signer = new(key);
    private readonly TimeSpan _maxAge = maxAge ?? TimeSpan.FromDays(90);

    public string Rewrite(string url, string recipient)
    {
        var t = _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var u = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(url));
        var r = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(recipient));
        return $"{baseUrl.ToString().TrimEnd('/')}/click?u={u}&r={r}&t={t}&s={Sign(u, r, t)}";
    }

    private string Sign(string u, string r, string t) => _signer.Sign(u, r, t);

    /// <summary>Checks the link's parameters and the URL's reputation now.</summary>
    public async Task<ClickDecision> DecideAsync(string? u, string? r, string? t, string? s, CancellationToken ct)
    {
        if (u is null || r is null || t is null || s is null || u.Length > 16_384) return new(ClickAction.Invalid, null, null, null);
        if (!_signer.Verify(s, u, r, t)) return new(ClickAction.Invalid, null, null, null);
        if (!long.TryParse(t, out var issued) || _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued) > _maxAge)
            return new(ClickAction.Invalid, null, null, null);
        string url, recipient;
        try
        {
            url = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(u));
            recipient = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(r));
        }
        catch (FormatException) { return new(ClickAction.Invalid, null, null, null); }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
            return new(ClickAction.Invalid, null, null, null);
        var rep = (await reputation.CheckAsync([url], ct).ConfigureAwait(false))[0];
        var action = rep.Listed ? ClickAction.Block : rep.Untested ? ClickAction.Warn : ClickAction.Redirect;
        return new(action, url, recipient, rep);
    }

    /// <summary>The warning or block page (Japanese and English on one page; the URL is HTML-encoded, never a live link when blocked).</summary>
    public static string Page(ClickDecision decision)
    {
        var url = System.Net.WebUtility.HtmlEncode(decision.Url ?? "");
        var (ja, en) = decision.Action switch
        {
            ClickAction.Block => ($"このリンクは危険と判定されたためブロックしました ({decision.Reputation?.Category})。", $"This link was blocked because it is rated dangerous ({decision.Reputation?.Category})."),
            ClickAction.Warn => ("このリンクの安全性を現在確認できません。信頼できる場合のみ開いてください。", "The safety of this link cannot be checked right now. Open it only if you trust it."),
            _ => ("このリンクは無効か、有効期限が切れています。", "This link is invalid or has expired."),
        };
        var link = decision.Action == ClickAction.Warn ? $"<p><a href=\"{url}\" rel=\"noreferrer noopener\">{url}</a></p>" : $"<p><code>{url}</code></p>";
        return $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Sekisho</title></head><body><h1>Sekisho</h1><p lang=\"ja\">{ja}</p><p lang=\"en\">{en}</p>{link}</body></html>";
    }
}
