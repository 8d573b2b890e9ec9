using System.Net;
using System.Text;
using MimeKit;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dkim;
using Sekisho.Scanning.Dns;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Dkim;

public sealed class DkimTests : IDisposable
{
    private static readonly string Vectors = Path.Combine(AppContext.BaseDirectory, "Dkim", "Vectors");
    private const string Rfc8463Ed25519Key = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    private readonly FakeDnsServer _dns = new();

    private DkimVerification Verifier() => new(_dns.Resolver());

    private static MimeMessage Load(byte[] bytes) => MimeMessage.Load(new MemoryStream(bytes));

    private void PublishRfc8463Keys()
    {
        _dns.Txt("brisbane._domainkey.football.example.com", Rfc8463Ed25519Key);
        _dns.Txt("test._domainkey.football.example.com", File.ReadAllText(Path.Combine(Vectors, "test.txt")).Trim());
    }

    [Fact]
    public async Task The_rfc8463_example_verifies_with_both_its_ed25519_and_rsa_signatures()
    {
        PublishRfc8463Keys();
        var results = await Verifier().VerifyAsync(Load(File.ReadAllBytes(Path.Combine(Vectors, "rfc6376.signed.msg"))), default);

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal("pass", r.Result));
        Assert.Equal(["brisbane", "test"], results.Select(r => r.Selector));
        Assert.All(results, r => Assert.Equal("football.example.com", r.Domain));
    }

    [Fact]
    public async Task A_changed_body_fails_both_signatures()
    {
        PublishRfc8463Keys();
        var text = File.ReadAllText(Path.Combine(Vectors, "rfc6376.signed.msg")).Replace("We lost the game.", "We won the game.");
        var results = await Verifier().VerifyAsync(Load(Encoding.ASCII.GetBytes(text)), default);

        Assert.All(results, r => Assert.Equal("fail", r.Result));
    }

    [Fact]
    public async Task A_missing_key_is_permerror_and_a_failing_dns_server_is_temperror()
    {
        _dns.Txt("test._domainkey.football.example.com", File.ReadAllText(Path.Combine(Vectors, "test.txt")).Trim());
        _dns.ServerFailure("test._domainkey.football.example.com");
        var results = await Verifier().VerifyAsync(Load(File.ReadAllBytes(Path.Combine(Vectors, "rfc6376.signed.msg"))), default);

        Assert.Equal("permerror", results[0].Result); // brisbane: no key published
        Assert.Equal("pass", results[1].Result);      // SERVFAIL only for types without records

        _dns.Remove("test._domainkey.football.example.com");
        _dns.ServerFailure("test._domainkey.football.example.com");
        results = await Verifier().VerifyAsync(Load(File.ReadAllBytes(Path.Combine(Vectors, "rfc6376.signed.msg"))), default);
        Assert.Equal("temperror", results[1].Result);
    }

    [Theory]
    [InlineData(DkimAlgorithm.RsaSha256, DkimCanonicalization.Relaxed, DkimCanonicalization.Relaxed)]
    [InlineData(DkimAlgorithm.RsaSha256, DkimCanonicalization.Simple, DkimCanonicalization.Simple)]
    [InlineData(DkimAlgorithm.Ed25519Sha256, DkimCanonicalization.Relaxed, DkimCanonicalization.Simple)]
    public async Task Outbound_signatures_verify_here_and_with_dkimpy(DkimAlgorithm algorithm, DkimCanonicalization header, DkimCanonicalization body)
    {
        var pair = DkimKeyGenerator.Generate("example.org", "s1", algorithm);
        var signer = new DkimOutboundSigner([new DkimSigningKey
        {
            Domain = "example.org", Selector = "s1", Algorithm = algorithm, PrivateKeyPem = pair.PrivateKeyPem,
            HeaderCanonicalization = header, BodyCanonicalization = body,
        }]);
        var message = Encoding.ASCII.GetBytes(
            "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: quarterly  report\r\n" +
            "Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <q1@example.org>\r\n\r\nHello Bob,\r\n\r\nthe numbers.  \r\n\r\n");

        Assert.Null(await signer.SignAsync(message, "other.example", default));
        var field = await signer.SignAsync(message, "example.org", default);
        Assert.StartsWith("DKIM-Signature:", field);
        var signed = Encoding.ASCII.GetBytes(field!).Concat(message).ToArray();

        _dns.Txt(pair.RecordName, pair.RecordValue);
        var ours = await Verifier().VerifyAsync(Load(signed), default);
        Assert.Equal("pass", Assert.Single(ours).Result);

        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "signed.eml");
        File.WriteAllBytes(path, signed);
        var (code, output) = ExternalProcess.Run(Python(), [Oracle(), "verify", path, $"{pair.RecordName}={pair.RecordValue}"], check: false);
        Assert.True(code == 0, "dkimpy: " + output);

        var tampered = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(signed).Replace("the numbers.", "the numbers!"));
        File.WriteAllBytes(path, tampered);
        Assert.NotEqual(0, ExternalProcess.Run(Python(), [Oracle(), "verify", path, $"{pair.RecordName}={pair.RecordValue}"], check: false).ExitCode);
    }

    [Fact]
    public async Task A_dkimpy_signature_verifies_here()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "plain.eml");
        File.Copy(Path.Combine(Vectors, "rfc6376.msg"), path);
        var (_, sig) = ExternalProcess.Run(Python(), [Oracle(), "sign", path, Path.Combine(Vectors, "2048_testkey.key"), "football.example.com", "py"]);
        _dns.Txt("py._domainkey.football.example.com", File.ReadAllText(Path.Combine(Vectors, "2048_testkey_wo_markers.pub.txt")).Trim());

        var signed = Encoding.ASCII.GetBytes(sig.Replace("\r\n", "\n").Replace("\n", "\r\n")).Concat(File.ReadAllBytes(path)).ToArray();
        var results = await Verifier().VerifyAsync(Load(signed), default);

        Assert.Equal("pass", Assert.Single(results).Result);
    }

    private static string Python() => ExternalProcess.Find("python3", "/usr/bin") ?? throw new InvalidOperationException("python3 missing");
    private static string Oracle() => Path.Combine(Vectors, "dkimpy_oracle.py");

    public void Dispose() => _dns.Dispose();
}
