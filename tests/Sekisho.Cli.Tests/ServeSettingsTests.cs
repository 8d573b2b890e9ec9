using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.PolicyFiles;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>
/// Settings saved through the REST API take effect in a running <c>sekisho serve</c> without a restart: a blocked IP is refused
/// at the greeting (554) and a DKIM key generated meanwhile signs the next outbound message. The console reads the mail tracking
/// and policy events serve writes.
/// </summary>
[Collection(ServeCollection.Name)]
public class ServeSettingsTests
{
    [Fact]
    public async Task Settings_saved_while_serve_runs_block_the_next_connection_and_sign_outbound_mail()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer();
        await using var inbound = new FakeMta().Start();
        await using var remote = new FakeMta().Start();
        var added = await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", $"127.0.0.1:{inbound.Port},10", "--outbound-ip", "127.0.0.2");
        dns.Txt("example.co.jp", added.Split('"')[1]);
        await cli.OkAsync("domain", "verify", "example.co.jp", "--resolver", dns.Endpoint);
        var passwordFile = cli.File("password");
        File.WriteAllText(passwordFile, "a long enough password 1234\n");
        await cli.OkAsync("admin", "create", "admin", "--password-file", passwordFile);
        var token = (await cli.OkAsync("admin", "token", "admin", "--name", "test")).Trim();
        var policy = cli.File("policy.json");
        File.WriteAllText(policy, ModelJson.Serialize(new PolicyDocument
        {
            Rules =
            [
                new Rule
                {
                    Id = "tag-outbound", Name = "社外送信タグ", Direction = Direction.Outbound, Type = RuleType.Content, Order = 1,
                    Scope = new RuleScope(Participants.Anyone, Participants.Anyone, []), Criteria = CriteriaSet.Empty,
                    Actions = new RuleActions(new DoNotIntercept(), [new TagSubject("[社外]")], []), Created = PolicySamples.T0, Modified = PolicySamples.T0,
                },
            ],
        }));
        await cli.OkAsync("policy", "import", policy);

        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}", "--hostname", "gw.example.co.jp",
                     "--resolver", dns.Endpoint, "--smart-host", $"127.0.0.1:{remote.Port}" })
            psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}/") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync("healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            var endpoint = new IPEndPoint(IPAddress.Loopback, smtp);
            await using (var before = await SmtpTestClient.ConnectAndGreetAsync(endpoint, IPAddress.Loopback)) { }

            var key = await http.PostAsJsonAsync("api/v1/settings/authentication/dkim-keys", new { domain = "example.co.jp", selector = "s1", bits = 1024 });
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
            var saved = await http.PutAsJsonAsync("api/v1/settings/connection", new { blockedIps = new[] { new { cidr = "127.0.0.1", description = "test" } } });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Equal("127.0.0.1", (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("blockedIps")[0].GetProperty("cidr").GetString());

            // The policy view re-reads the store every few seconds; the next connection after that is refused.
            TestReply? refused = null;
            await ExternalProcess.WaitUntilAsync(async () =>
            {
                await using var c = await SmtpTestClient.ConnectAsync(endpoint, IPAddress.Loopback);
                refused = await c.ReadReplyAsync();
                return refused.Code != 220;
            }, TimeSpan.FromMinutes(1), "the blocked IP to be refused");
            Assert.Equal(554, refused!.Code);
            Assert.Contains("block list", refused.Text, StringComparison.Ordinal);

            // The organization's outbound server (127.0.0.2) is not filtered, and its mail is now signed with the new key.
            await using (var outbound = await SmtpTestClient.ConnectAndGreetAsync(endpoint, IPAddress.Parse("127.0.0.2")))
            {
                await outbound.EhloAsync("mail.example.co.jp");
                var reply = await outbound.SendMessageAsync("taro@example.co.jp", ["someone@customer.example"],
                    "From: taro@example.co.jp\r\nTo: someone@customer.example\r\nSubject: signed\r\nDate: Mon, 07 Dec 2026 08:00:00 +0900\r\n" +
                    $"Message-ID: <{Guid.NewGuid():N}@example.co.jp>\r\n\r\nHello.\r\n");
                Assert.Equal(250, reply.Code);
            }
            var delivered = (await remote.WaitForMessagesAsync(1, TimeSpan.FromMinutes(1)))[0].Text;
            var header = delivered[..delivered.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
            Assert.Contains("DKIM-Signature:", header, StringComparison.Ordinal);
            Assert.Matches(@"d=example\.co\.jp;", header);
            Assert.Matches(@"s=s1;", header);
            Assert.Empty(inbound.Messages);

            // The console finds what serve tracked: the delivery, and the rule that tagged it with the actions it took.
            JsonElement record = default;
            await ExternalProcess.WaitUntilAsync(async () =>
            {
                var rows = await http.GetFromJsonAsync<JsonElement[]>("api/v1/logs/mail?direction=outbound");
                record = rows!.SingleOrDefault();
                return record.ValueKind == JsonValueKind.Object && record.GetProperty("action").GetString() == "delivered";
            }, TimeSpan.FromMinutes(1), "the delivery to be tracked");
            Assert.Equal(("taro@example.co.jp", "someone@customer.example", "社外送信タグ"),
                (record.GetProperty("sender").GetString(), record.GetProperty("recipient").GetString(), record.GetProperty("rules")[0].GetString()));
            var e = Assert.Single((await http.GetFromJsonAsync<JsonElement[]>("api/v1/logs/policy-events?direction=outbound"))!);
            Assert.Equal(("社外送信タグ", "delivered", true), (e.GetProperty("rule").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("actionsRecorded").GetBoolean()));
            Assert.Equal("tag-subject", e.GetProperty("actions")[0].GetString());
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
