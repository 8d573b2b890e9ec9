using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sekisho.Smtp.Server;

/// <summary>STARTTLS certificates: from PEM files, or a self-signed pair created once for local use.</summary>
public static class SelfSignedCertificate
{
    /// <summary>Loads <paramref name="certFile"/>/<paramref name="keyFile"/> (PEM) with a clear error when they do not fit together.</summary>
    public static X509Certificate2 LoadPem(string certFile, string keyFile)
    {
        if (!File.Exists(certFile)) throw new FileNotFoundException($"TLS certificate file not found: {certFile}", certFile);
        if (!File.Exists(keyFile)) throw new FileNotFoundException($"TLS key file not found: {keyFile}", keyFile);
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // Re-import so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"TLS certificate {certFile} and key {keyFile} cannot be used together: {ex.Message}", ex);
        }
    }

    /// <summary>Returns the self-signed certificate in <paramref name="directory"/>, creating it (key file mode 0600) on first use.</summary>
    public static X509Certificate2 CreateOrLoad(string directory, string hostName, TimeProvider time)
    {
        var cert = Path.Combine(directory, "selfsigned-cert.pem");
        var key = Path.Combine(directory, "selfsigned-key.pem");
        if (File.Exists(cert) && File.Exists(key))
        {
            var existing = LoadPem(cert, key);
            if (existing.NotAfter > time.GetUtcNow().UtcDateTime.AddDays(7)) return existing;
            existing.Dispose();
        }
        Directory.CreateDirectory(directory);
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest($"CN={hostName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostName);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var created = req.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        var keyPem = rsa.ExportPkcs8PrivateKeyPem();
        if (OperatingSystem.IsWindows()) File.WriteAllText(key, keyPem);
        else
        {
            using var fs = new FileStream(key, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            using var w = new StreamWriter(fs);
            w.Write(keyPem);
        }
        File.WriteAllText(cert, created.ExportCertificatePem());
        return LoadPem(cert, key);
    }
}
