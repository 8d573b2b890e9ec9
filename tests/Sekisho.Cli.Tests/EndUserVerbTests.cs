using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sekisho.Model.Rules;
using Sekisho.Store;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho enduser …</c>, and inside <c>serve</c>: released mail and digests go through the running gateway's own queue.</summary>
[Collection(ServeCollection.Name)]
public class EndUserVerbTests
{
    private static async Task<string> QuarantineAsync(CliRunner cli, string recipient, string subject)
    {
        var store = await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = cli.DataDirectory });
        var q = new QuarantineStore(store, (await store.FindOrganizationAsync("default"))!);
        var mime = $"From: alice@partner.example\r\nTo: {recipient}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\n\r\nbody\r\n";
        return await q.AddAsync(new NewQuarantinedMessage(recipient, "alice@partner.example", Direction.Inbound, subject, Encoding.ASCII.GetBytes(mime),
            "rule-x", "content rule", "why", null, "{}", DateTimeOffset.UtcNow, null), 30);
    }

    [Fact]
    public async Task Enduser_create_list_remove_and_digest()
    {
        using var cli = new CliRunner();
        await using var mta = new FakeMta().Start();
        await System.IO.File.WriteAllTextAsync(cli.File("pw"), "a long end user password\n");
        Assert.Contains("End user \"bob@example.co.jp\" created.", await cli.OkAsync("enduser", "create", "Bob@example.co.jp", "--password-file", cli.File("pw")));
        Assert.Contains("no password", await cli.OkAsync("enduser", "create", "links@example.co.jp", "--link-only"));
        var (exit, _, err) = await cli.RunAsync("enduser", "create", "bob@example.co.jp", "--link-only");
        Assert.Equal((1, true), (exit, err.Contains("already exists")));
        (exit, _, err) = await cli.RunAsync("--lang", "ja", "enduser", "create", "not-an-address", "--link-only");
        Assert.Equal((1, true), (exit, err.Contains("メールアドレス「not-an-address」は使えません")));
        var list = JsonDocument.Parse(await cli.OkAsync("enduser", "list", "--json")).RootElement;
        Assert.Equal(["bob@example.co.jp", "links@example.co.jp"], list.EnumerateArray().Select(u => u.GetProperty("address").GetString()));
        Assert.Contains("removed", await cli.OkAsync("enduser", "remove", "links@example.co.jp"));
        Assert.Equal(1, (await cli.RunAsync("enduser", "remove", "links@example.co.jp")).Exit);

        Assert.Contains("No digest is due", await cli.OkAsync("enduser", "digest", "--via", $"127.0.0.1:{mta.Port}"));
        await QuarantineAsync(cli, "bob@example.co.jp", "weekly offer");
        var sent = await cli.OkAsync("enduser", "digest", "--via", $"127.0.0.1:{mta.Port}", "--public-url", "https://mail.example.co.jp/");
        Assert.Contains("Digest sent to bob@example.co.jp: 1 new messages", sent);
        var digest = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(Assert.Single(await mta.WaitForMessagesAsync(1)).Data));
        Assert.Contains("weekly offer", digest.TextBody);
        Assert.Contains("https://mail.example.co.jp/my/link?t=", digest.TextBody);
        Assert.Contains("No digest is due", await cli.OkAsync("enduser", "digest", "--via", $"127.0.0.1:{mta.Port}"));
    }

    [Fact]
    public async Task Inside_serve_released_mail_and_digests_go_into_the_gateways_own_queue()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer();
        await using var inbound = new FakeMta().Start();
        await cli.AddVerifiedDomainAsync(dns, "example.co.jp", $"127.0.0.1:{inbound.Port},10");
        await System.IO.File.WriteAllTextAsync(cli.File("pw"), "administrator password 1\n");
        await cli.OkAsync("admin", "create", "root", "--password-file", cli.File("pw"));
        var token = (await cli.OkAsync("admin", "token", "root")).Trim();
        var id = await QuarantineAsync(cli, "taro@example.co.jp", "held for taro");

        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}", "--public-url", "https://mail.example.co.jp/" })
            psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        var log = new StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}") };
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

            var digest = await (await http.PostAsync("/api/v1/digests/run", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(digest.GetProperty("sent").GetArrayLength() == 1, digest.ToString());
            Assert.Equal("gateway-queue", digest.GetProperty("sent")[0].GetProperty("route").GetString());
            var release = await http.PostAsync($"/api/v1/quarantine/{id}/release", null);
            var released = await release.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(release.IsSuccessStatusCode, released.ToString());
            Assert.Equal("gateway-queue", released.GetProperty("via").GetString());

            // The gateway delivers both to the domain's inbound server.
            IReadOnlyList<FakeMtaMessage> delivered;
            try { delivered = await inbound.WaitForMessagesAsync(2, TimeSpan.FromSeconds(30)); }
            catch (TimeoutException)
            {
                var queue = await cli.OkAsync("queue", "list");
                lock (log) Assert.Fail(string.Join(" | ", inbound.Messages.Select(m => m.MailFrom + " " + m.Text[..Math.Min(200, m.Text.Length)])) + "\n" + log + queue);
                throw;
            }
            Assert.All(delivered, m => Assert.Equal(["taro@example.co.jp"], m.Recipients));
            // The released message keeps its original envelope sender (failures go back to it); the digest has the null sender.
            Assert.Equal("alice@partner.example", delivered.Single(m => m.Text.Contains("Subject: held for taro")).MailFrom);
            Assert.Equal("", delivered.Single(m => m.Text.Contains("https://mail.example.co.jp/my/link?t=")).MailFrom);
            Assert.Contains("(none)", await cli.OkAsync("quarantine", "list"));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
