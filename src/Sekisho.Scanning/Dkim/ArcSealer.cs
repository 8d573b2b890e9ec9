using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Sekisho.Model.Settings;

namespace Sekisho.Scanning.Dkim;

/// <summary>
/// Adds the gateway's ARC set (RFC 8617: ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal) to a message,
/// recording the gateway's own <c>Authentication-Results</c>, so that receivers behind the gateway can trust what it
/// verified even after later changes (the console's "Enable ARC" adds these headers). Signs with one DKIM key of the
/// gateway's domain.
/// </summary>
public sealed class ArcSealer(DkimSigningKey key) : Sekisho.Policy.Ports.IArcSealer
{
    /// <summary>Headers the ARC-Message-Signature covers when present.</summary>
    public IReadOnlyList<string> SignedHeaders { get; init; } = ["From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "DKIM-Signature"];

    /// <summary>Returns the three ARC fields (CRLF-terminated) to prepend to <paramref name="message"/>.</summary>
    /// <param name="authenticationResults">The gateway's Authentication-Results value (RFC 8601, without the field name).</param>
    public async ValueTask<string> SealAsync(ReadOnlyMemory<byte> message, string authenticationResults, CancellationToken ct)
    {
        MimeMessage parsed;
        using (var stream = new MemoryStream(message.ToArray(), writable: false))
            parsed = await MimeMessage.LoadAsync(stream, ct).ConfigureAwait(false);
        var results = AuthenticationResults.Parse(Encoding.UTF8.GetBytes(authenticationResults));
        int before = parsed.Headers.Count;
        var signer = new Signer(key, results);
        var headers = SignedHeaders.Where(h => parsed.Headers.Contains(h)).ToList();
        if (!headers.Contains("From")) headers.Insert(0, "From");
        await signer.SignAsync(parsed, headers, ct).ConfigureAwait(false);
        var added = parsed.Headers.Take(parsed.Headers.Count - before)
            .Where(h => h.Id is HeaderId.ArcSeal or HeaderId.ArcMessageSignature or HeaderId.ArcAuthenticationResults).ToList();
        if (added.Count != 3) throw new InvalidOperationException($"expected an ARC set of 3 fields, got {added.Count}");
        var sb = new StringBuilder();
        foreach (var h in added) sb.Append(h.Field).Append(':').Append(Encoding.ASCII.GetString(h.RawValue).TrimEnd('\r', '\n')).Append("\r\n");
        return sb.ToString();
    }

    private sealed class Signer(DkimSigningKey key, AuthenticationResults results) : ArcSigner(
        new MemoryStream(Encoding.ASCII.GetBytes(key.PrivateKeyPem)), key.Domain, key.Selector,
        key.Algorithm == DkimAlgorithm.Ed25519Sha256 ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256)
    {
        protected override AuthenticationResults GenerateArcAuthenticationResults(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => results;

        protected override Task<AuthenticationResults> GenerateArcAuthenticationResultsAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
            Task.FromResult(results);
    }
}
