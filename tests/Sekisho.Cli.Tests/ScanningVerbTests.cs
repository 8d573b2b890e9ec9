using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dkim;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.WebReputation;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho auth check</c> and <c>sekisho dkim keygen</c>.</summary>
[Collection(ServeCollection.Name)]
public class ScanningVerbTests
{
    private const string Message =
        "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Plans\r\n" +
        "Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <p1@example.com>\r\n\r\nSee you on Friday.\r\n";

    [Fact]
    public async Task Auth_check_prints_spf_dkim_dmarc_arc_and_iprev_with_reasons_from_the_given_resolver()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer();
        var pair = DkimKeyGenerator.Generate("example.com", "s1", DkimAlgorithm.RsaSha256);
        dns.Txt("example.com", "v=spf1 ip4:192.0.2.10 -all").Txt("_dmarc.example.com", "v=DMARC1; p=reject")
           .Txt(pair.RecordName, pair.RecordValue).Ptr("192.0.2.10", "mail.example.com").A("mail.example.com", "192.0.2.10");
        var signer = new DkimOutboundSigner([new DkimSigningKey { Domain = "example.com", Selector = "s1", PrivateKeyPem = pair.PrivateKeyPem }]);
        var bytes = Encoding.ASCII.GetBytes(Message);
        File.WriteAllBytes(cli.File("signed.eml"), Encoding.ASCII.GetBytes((await signer.SignAsync(bytes, "example.com", default))!).Concat(bytes).ToArray());
        File.WriteAllBytes(cli.File("spoofed.eml"), bytes);

        var json = JsonDocument.Parse(await cli.OkAsync("auth", "check", cli.File("signed.eml"), "--client-ip", "192.0.2.10",
            "--helo", "mail.example.com", "--from", "alice@example.com", "--resolver", dns.Endpoint, "--json")).RootElement;
        Assert.Equal("pass", json.GetProperty("spf").GetProperty("result").GetString());
        Assert.Equal("pass", json.GetProperty("dkim")[0].GetProperty("result").GetString());
        Assert.Equal("pass", json.GetProperty("dmarc").GetProperty("result").GetString());
        Assert.Equal("reject", json.GetProperty("dmarc").GetProperty("policy").GetString());
        Assert.Equal("pass", json.GetProperty("iprev").GetProperty("result").GetString());

        var text = await cli.OkAsync("auth", "check", cli.File("spoofed.eml"), "--client-ip", "203.0.113.9",
            "--helo", "x.example", "--from", "alice@example.com", "--resolver", dns.Endpoint);
        Assert.Contains("SPF    fail", text);
        Assert.Contains("DKIM   none", text);
        Assert.Contains("DMARC  fail", text);
        Assert.Contains("neither SPF", text);
        Assert.Contains("Authentication-Results: ", text);

        var (exit, _, err) = await cli.RunAsync("auth", "check", cli.File("missing.eml"), "--client-ip", "192.0.2.1");
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", err);
        (exit, _, err) = await cli.RunAsync("auth", "check", cli.File("signed.eml"), "--client-ip", "not-an-ip");
        Assert.Equal(1, exit);
        Assert.Contains("not an IP address", err);
    }

    [Fact]
    public async Task Dkim_keygen_prints_the_record_to_publish_and_refuses_bad_input()
    {
        using var cli = new CliRunner();
        var rsa = JsonDocument.Parse(await cli.OkAsync("dkim", "keygen", "Example.COM", "--selector", "s2026", "--json")).RootElement;
        Assert.Equal("s2026._domainkey.example.com", rsa.GetProperty("recordName").GetString());
        var value = rsa.GetProperty("recordValue").GetString()!;
        Assert.StartsWith("v=DKIM1; k=rsa; p=", value);
        using (var key = RSA.Create())
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(value["v=DKIM1; k=rsa; p=".Length..]), out _);
            Assert.Equal(2048, key.KeySize);
        }

        var text = await cli.OkAsync("dkim", "keygen", "example.com", "--selector", "ed", "--algorithm", "ed25519");
        Assert.Contains("ed._domainkey.example.com. IN TXT ( \"v=DKIM1; k=ed25519; p=", text);
        Assert.Contains("公開", await cli.OkAsync("--lang", "ja", "dkim", "keygen", "example.com", "--selector", "ja1"));

        var (exit, _, err) = await cli.RunAsync("dkim", "keygen", "example.com", "--selector", "bad selector");
        Assert.Equal(1, exit);
        Assert.Contains("not a selector", err);
        (exit, _, err) = await cli.RunAsync("dkim", "keygen", "example.com", "--selector", "s1", "--bits", "512");
        Assert.Equal(1, exit);
        Assert.Contains("512", err);
    }

    [Fact]
    public async Task Serve_refuses_to_start_with_an_arc_seal_domain_that_has_no_stored_key()
    {
        using var cli = new CliRunner();
        var (exit, _, err) = await cli.RunAsync("serve", "--smtp", "127.0.0.1:0", "--submission", "127.0.0.1:0", "--web", "127.0.0.1:0", "--arc-seal", "gw.example.org");
        Assert.Equal(1, exit);
        Assert.Contains("sekisho dkim keygen gw.example.org --selector arc", err);
        await cli.OkAsync("dkim", "keygen", "gw.example.org", "--selector", "arc");
        (exit, _, err) = await cli.RunAsync("serve", "--smtp", "127.0.0.1:0", "--submission", "127.0.0.1:0", "--web", "127.0.0.1:0", "--arc-seal", "gw.example.org:other");
        Assert.Equal(1, exit);
        Assert.Contains("gw.example.org:other", err);
    }

    [Fact]
    public async Task Serve_answers_signed_click_links_after_checking_the_url_again()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer().A("phish.example.multi.uribl.test", "127.0.0.8");
        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}",
                     "--resolver", dns.Endpoint, "--uribl", "multi.uribl.test" })
            psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{web}/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            var key = File.ReadAllBytes(Path.Combine(cli.DataDirectory, "click.key"));
            var resolver = new CachingDnsResolver(new DnsResolverOptions { Servers = [new IPEndPoint(IPAddress.Loopback, dns.Port)] });
            var links = new ClickProtection(new Uri($"http://127.0.0.1:{web}/"), key,
                new UrlReputationChecker(resolver, [new UriBlocklist("multi.uribl.test", UriBlocklist.SurblMulti)], [], []));

            var clean = await http.GetAsync(links.Rewrite("https://clean.example/doc", "bob@example.org"));
            Assert.Equal(HttpStatusCode.Redirect, clean.StatusCode);
            Assert.Equal("https://clean.example/doc", clean.Headers.Location!.ToString());

            var phish = await http.GetAsync(links.Rewrite("https://login.phish.example/", "bob@example.org"));
            Assert.Equal(HttpStatusCode.Forbidden, phish.StatusCode);
            Assert.Contains("phishing", await phish.Content.ReadAsStringAsync());

            var forged = new ClickProtection(new Uri($"http://127.0.0.1:{web}/"), new byte[32], new UrlReputationChecker(resolver, [], [], []));
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(forged.Rewrite("https://evil.example/", "bob@example.org"))).StatusCode);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
