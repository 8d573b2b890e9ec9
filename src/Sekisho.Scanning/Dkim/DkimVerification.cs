using MimeKit;
using MimeKit.Cryptography;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.Dkim;

/// <summary>
/// Verifies every DKIM-Signature of a message (RFC 6376, RFC 8463 Ed25519; rsa-sha1 is refused as RFC 8301 says)
/// with MimeKit's verifier over the parsed original bytes and our resolver as key locator.
/// </summary>
public sealed class DkimVerification(IDnsLookup dns, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>At most this many signatures are verified per message; the rest are reported as not checked.</summary>
    public int MaxSignatures { get; init; } = 8;

    public async Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(MimeMessage message, CancellationToken ct)
    {
        var results = new List<DkimSignatureResult>();
        var verifier = new DkimVerifier(new DnsDkimKeyLocator(dns));
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.DkimSignature))
        {
            var tags = ParseTags(header.Value);
            tags.TryGetValue("d", out var d);
            tags.TryGetValue("s", out var s);
            d ??= "";
            s ??= "";
            if (results.Count >= MaxSignatures)
            {
                results.Add(new("policy", d, s, $"more than {MaxSignatures} signatures; not verified"));
                continue;
            }
            results.Add(await VerifyOneAsync(verifier, message, header, tags, d, s, ct).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<DkimSignatureResult> VerifyOneAsync(DkimVerifier verifier, MimeMessage message, Header header,
        Dictionary<string, string> tags, string d, string s, CancellationToken ct)
    {
        if (d.Length == 0 || s.Length == 0 || !tags.ContainsKey("b") || !tags.ContainsKey("bh"))
            return new("permerror", d, s, "signature lacks d=, s=, b= or bh=");
        if (tags.TryGetValue("x", out var x) && long.TryParse(x, out var expires)
            && DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, 253402300799)) < _time.GetUtcNow())
            return new("fail", d, s, "signature expired");
        if (tags.TryGetValue("a", out var a) && a.Trim().Equals("rsa-sha1", StringComparison.OrdinalIgnoreCase))
            return new("fail", d, s, "rsa-sha1 signatures are not accepted (RFC 8301)");
        try
        {
            var ok = await verifier.VerifyAsync(FormatOptions.Default, message, header, ct).ConfigureAwait(false);
            return ok ? new("pass", d, s) : new("fail", d, s, "signature or body hash does not verify");
        }
        catch (DkimKeyException e)
        {
            return new(e.Temporary ? "temperror" : "permerror", d, s, e.Message);
        }
        catch (Exception e) when (e is FormatException or ParseException or NotSupportedException or ArgumentException)
        {
            return new("permerror", d, s, "malformed signature: " + e.Message);
        }
    }

    /// <summary>Parses a DKIM tag-list (<c>a=b; c=d</c>), whitespace removed from values.</summary>
    public static Dictionary<string, string> ParseTags(string value)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(';'))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var name = part[..eq].Trim();
            var v = new string(part[(eq + 1)..].Where(c => !char.IsWhiteSpace(c)).ToArray());
            tags.TryAdd(name, v);
        }
        return tags;
    }
}
