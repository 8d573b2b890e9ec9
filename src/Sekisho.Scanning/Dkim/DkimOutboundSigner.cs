using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;

namespace Sekisho.Scanning.Dkim;

/// <summary>
/// DKIM signing of outbound mail with the sending domain's key (settings <c>DkimSigning</c>): returns the
/// <c>DKIM-Signature</c> field to prepend to the original bytes. Keys are parsed once.
/// </summary>
public sealed class DkimOutboundSigner : IOutboundSigner
{
    private readonly Dictionary<string, (DkimSigningKey Key, DkimSigner Signer)> _byDomain = new(StringComparer.OrdinalIgnoreCase);

    public DkimOutboundSigner(IEnumerable<DkimSigningKey> keys)
    {
        foreach (var key in keys.Where(k => k.Enabled))
        {
            using var pem = new MemoryStream(Encoding.ASCII.GetBytes(key.PrivateKeyPem));
            var signer = new DkimSigner(pem, key.Domain, key.Selector,
                key.Algorithm == DkimAlgorithm.Ed25519Sha256 ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256)
            {
                HeaderCanonicalizationAlgorithm = Canon(key.HeaderCanonicalization),
                BodyCanonicalizationAlgorithm = Canon(key.BodyCanonicalization),
                AgentOrUserIdentifier = string.IsNullOrEmpty(key.Auid) ? null : key.Auid,
                SignaturesExpireAfter = key.ExpireDays > 0 ? TimeSpan.FromDays(key.ExpireDays) : null,
            };
            _byDomain[key.Domain] = (key, signer);
        }
    }

    private static DkimCanonicalizationAlgorithm Canon(DkimCanonicalization c) =>
        c == DkimCanonicalization.Simple ? DkimCanonicalizationAlgorithm.Simple : DkimCanonicalizationAlgorithm.Relaxed;

    public ValueTask<string?> SignAsync(ReadOnlyMemory<byte> message, string senderDomain, CancellationToken ct)
    {
        if (!_byDomain.TryGetValue(senderDomain.TrimEnd('.'), out var entry)) return ValueTask.FromResult<string?>(null);
        using var stream = new MemoryStream(message.ToArray(), writable: false);
        var parsed = MimeMessage.Load(stream, ct);
        var headers = entry.Key.SignedHeaders.Where(h => parsed.Headers.Contains(h)).ToList();
        if (!headers.Contains("From", StringComparer.OrdinalIgnoreCase)) headers.Insert(0, "From");
        entry.Signer.Sign(parsed, headers);
        var field = parsed.Headers.First(h => h.Id == HeaderId.DkimSignature);
        var raw = Encoding.ASCII.GetString(field.RawValue);
        return ValueTask.FromResult<string?>(field.Field + ":" + raw.TrimEnd('\r', '\n') + "\r\n");
    }
}
