using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Sekisho.Model.Settings;

namespace Sekisho.Scanning.Dkim;

/// <summary>A generated DKIM key: the PKCS#8 private key and the DNS record to publish.</summary>
/// <param name="RecordName">e.g. <c>s1._domainkey.example.com</c>.</param>
/// <param name="RecordValue">The TXT value, e.g. <c>v=DKIM1; k=rsa; p=…</c>.</param>
public sealed record DkimKeyPair(string PrivateKeyPem, string RecordName, string RecordValue)
{
    /// <summary>The TXT value split into quoted strings of at most 255 characters, as DNS zone files need.</summary>
    public string QuotedRecordValue =>
        string.Join(" ", Enumerable.Range(0, (RecordValue.Length + 254) / 255)
            .Select(i => "\"" + RecordValue.Substring(i * 255, Math.Min(255, RecordValue.Length - i * 255)) + "\""));
}

/// <summary>Generates DKIM signing keys (RSA 1024–4096 bits, or Ed25519 per RFC 8463).</summary>
public static class DkimKeyGenerator
{
    public static DkimKeyPair Generate(string domain, string selector, DkimAlgorithm algorithm, int bits = 2048)
    {
        var name = $"{selector}._domainkey.{domain.TrimEnd('.')}";
        if (algorithm == DkimAlgorithm.Ed25519Sha256)
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            var pair = generator.GenerateKeyPair();
            var info = PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private);
            var sb = new StringBuilder();
            using (var writer = new StringWriter(sb))
            {
                var pem = new PemWriter(writer);
                pem.WriteObject(new Org.BouncyCastle.Utilities.IO.Pem.PemObject("PRIVATE KEY", info.GetEncoded()));
            }
            var pub = Convert.ToBase64String(((Ed25519PublicKeyParameters)pair.Public).GetEncoded());
            return new(sb.ToString(), name, $"v=DKIM1; k=ed25519; p={pub}");
        }
        if (bits is < 1024 or > 4096) throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA DKIM keys have 1024 to 4096 bits");
        using var rsa = RSA.Create(bits);
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        return new(rsa.ExportPkcs8PrivateKeyPem() + "\n", name, $"v=DKIM1; k=rsa; p={publicKey}");
    }

    /// <summary>
    /// The DNS record to publish for an existing signing key (<c>SELECTOR._domainkey.DOMAIN</c> and <c>v=DKIM1; k=…; p=…</c>),
    /// derived from its private key; null when the stored key cannot be read.
    /// </summary>
    public static DkimKeyPair? RecordFor(DkimSigningKey key)
    {
        var name = $"{key.Selector}._domainkey.{key.Domain.TrimEnd('.')}";
        try
        {
            if (key.Algorithm == DkimAlgorithm.Ed25519Sha256)
            {
                using var reader = new StringReader(key.PrivateKeyPem);
                var pem = new Org.BouncyCastle.Utilities.IO.Pem.PemReader(reader).ReadPemObject();
                if (pem is null) return null;
                var priv = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(pem.Content);
                return new(key.PrivateKeyPem, name, $"v=DKIM1; k=ed25519; p={Convert.ToBase64String(priv.GeneratePublicKey().GetEncoded())}");
            }
            using var rsa = RSA.Create();
            rsa.ImportFromPem(key.PrivateKeyPem);
            return new(key.PrivateKeyPem, name, $"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidCastException or IOException or Org.BouncyCastle.Security.SecurityUtilityException)
        {
            return null;
        }
    }
}
