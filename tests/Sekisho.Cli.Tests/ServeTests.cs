using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>`sekisho serve` on embedded defaults: the store's domains decide what is accepted; accepted mail reaches the domain's inbound server.</summary>
[Collection(ServeCollection.Name)]
public class ServeTests
{
    [Fact]
    public async Task Serve_accepts_mail_for_verified_domains_only_and_delivers_it_to_their_inbound_servers()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer();
        await using var inbound = new FakeMta().Start();
        await cli.AddVerifiedDomainAsync(dns, "example.co.jp", $"127.0.0.1:{inbound.Port},10");
        await cli.OkAsync("domain", "add", "unverified.example", "--inbound", $"127.0.0.1:{inbound.Port}");

        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}" })
            psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient();
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{web}/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            lock (output) Assert.Contains($"smtp        127.0.0.1:{smtp}", output.ToString());

            await using var client = await SmtpTestClient.ConnectAndGreetAsync(new IPEndPoint(IPAddress.Loopback, smtp));
            await client.EhloAsync();
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<sender@partner.example>")).Code);
            var refused = await client.CommandAsync("RCPT TO:<someone@unverified.example>");
            Assert.Equal(550, refused.Code);
            Assert.Equal("5.7.1", refused.Enhanced);
            Assert.Equal(550, (await client.CommandAsync("RCPT TO:<someone@elsewhere.example>")).Code);
            var accepted = await client.CommandAsync("RCPT TO:<taro@example.co.jp>");
            Assert.True(accepted.Code == 250, accepted.ToString());
            Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
            await client.SendRawAsync("From: sender@partner.example\r\nTo: taro@example.co.jp\r\nSubject: =?UTF-8?B?44GT44KT44Gr44Gh44Gv?=\r\nMessage-ID: <serve-test@partner.example>\r\n\r\nhello\r\n.\r\n");
            Assert.Equal(250, (await client.ReadReplyAsync()).Code);

            var delivered = await inbound.WaitForMessagesAsync(1, TimeSpan.FromMinutes(1));
            Assert.Equal(["taro@example.co.jp"], delivered[0].Recipients);
            Assert.Contains("Subject:", delivered[0].Text);

            var metrics = await http.GetStringAsync($"http://127.0.0.1:{web}/metrics");
            Assert.Contains("sekisho_", metrics);

            await ExternalProcess.WaitUntilAsync(async () => (await cli.OkAsync("log", "mail", "--json")).Contains("delivered", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30), "the tracking record");
            var records = JsonDocument.Parse(await cli.OkAsync("log", "mail", "--json", "--recipient", "taro@example.co.jp")).RootElement;
            Assert.Contains(records.EnumerateArray(), r => r.ToString().Contains("こんにちは") || r.ToString().Contains("serve-test@partner.example"));
            Assert.Contains("[]", (await cli.OkAsync("queue", "list", "--json")).Replace(" ", "").Replace("\n", ""));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_with_web_tls_serves_the_console_over_https_with_the_given_certificate_and_secure_cookies()
    {
        using var cli = new CliRunner();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=gw.example.co.jp", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllText(cli.File("tls.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(cli.File("tls.key"), rsa.ExportPkcs8PrivateKeyPem());

        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}", "--web-tls",
                     "--tls-cert", cli.File("tls.crt"), "--tls-key", cli.File("tls.key") })
            psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            string? presented = null;
            using var https = new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => { presented = cert?.Thumbprint; return true; },
            });
            await ExternalProcess.WaitUntilAsync(async () => (await https.GetAsync($"https://127.0.0.1:{web}/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            Assert.Equal(certificate.Thumbprint, presented);
            lock (output) Assert.Contains($"https://127.0.0.1:{web}", output.ToString());

            var login = await https.GetAsync($"https://127.0.0.1:{web}/login");
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.StartsWith("max-age=", login.Headers.GetValues("Strict-Transport-Security").Single());
            // Every cookie that carries a value is Secure (empty ones only delete an earlier cookie).
            var cookies = login.Headers.GetValues("Set-Cookie").Where(c => !c.Split(';')[0].EndsWith('=')).ToList();
            Assert.NotEmpty(cookies);
            Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

            // Plain HTTP on the same port gets no console.
            using var http = new HttpClient();
            await Assert.ThrowsAnyAsync<Exception>(() => http.GetStringAsync($"http://127.0.0.1:{web}/login"));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
