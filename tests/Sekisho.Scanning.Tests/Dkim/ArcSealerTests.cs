using System.Text;
using MimeKit;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dkim;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Dkim;

public sealed class ArcSealerTests : IDisposable
{
    private static readonly string Vectors = Path.Combine(AppContext.BaseDirectory, "Dkim", "Vectors");
    private readonly FakeDnsServer _dns = new();

    [Fact]
    public async Task The_gateways_arc_set_validates_here_and_with_dkimpy_and_a_second_hop_extends_the_chain()
    {
        var pair = DkimKeyGenerator.Generate("gw.example.org", "arc", DkimAlgorithm.RsaSha256);
        _dns.Txt(pair.RecordName, pair.RecordValue);
        var sealer = new ArcSealer(new DkimSigningKey { Domain = "gw.example.org", Selector = "arc", PrivateKeyPem = pair.PrivateKeyPem });
        var message = Encoding.ASCII.GetBytes("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Plans\r\n" +
            "Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <p1@example.com>\r\n\r\nSee you on Friday.\r\n");

        var set = await sealer.SealAsync(message, "gw.example.org; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com", default);
        Assert.Contains("ARC-Seal: i=1;", set.Replace("\r\n\t", " ").Replace("\r\n ", " "));
        Assert.Contains("ARC-Authentication-Results: i=1; gw.example.org;", set.Replace("\r\n\t", " ").Replace("\r\n ", " "));
        var sealedOnce = Encoding.ASCII.GetBytes(set).Concat(message).ToArray();

        var ours = await new MimeKit.Cryptography.ArcVerifier(new DnsDkimKeyLocator(_dns.Resolver())).VerifyAsync(MimeMessage.Load(new MemoryStream(sealedOnce)));
        Assert.Equal(MimeKit.Cryptography.ArcSignatureValidationResult.Pass, ours.Chain);

        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "sealed.eml");
        File.WriteAllBytes(path, sealedOnce);
        var python = ExternalProcess.Find("python3", "/usr/bin")!;
        var (code, output) = ExternalProcess.Run(python, [Path.Combine(Vectors, "dkimpy_oracle.py"), "arcverify", path, $"{pair.RecordName}={pair.RecordValue}"], check: false);
        Assert.True(code == 0, "dkimpy: " + output);

        var second = await sealer.SealAsync(sealedOnce, "gw.example.org; arc=pass", default);
        Assert.Contains("i=2", second);
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(second).Concat(sealedOnce).ToArray());
        (code, output) = ExternalProcess.Run(python, [Path.Combine(Vectors, "dkimpy_oracle.py"), "arcverify", path, $"{pair.RecordName}={pair.RecordValue}"], check: false);
        Assert.True(code == 0, "dkimpy, two hops: " + output);
    }

    public void Dispose() => _dns.Dispose();
}
