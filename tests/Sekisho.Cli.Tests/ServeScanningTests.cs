using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.PolicyFiles;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>
/// <c>sekisho serve</c> joins the scanners to the policy on the mail path: with clamd unreachable and fail-open, inbound mail is
/// delivered marked <c>X-Sekisho-Scan</c>, with our Authentication-Results, and its links go through <c>/click</c>.
/// </summary>
[Collection(ServeCollection.Name)]
public class ServeScanningTests
{
    private static Rule Rule(string id, RuleType type, CriteriaSet criteria, InterceptAction intercept) => new()
    {
        Id = id, Name = id, Direction = Direction.Inbound, Type = type, Order = 1, Scope = RuleScope.Default,
        Criteria = criteria, Actions = new RuleActions(intercept, [], []), Created = PolicySamples.T0, Modified = PolicySamples.T0,
    };

    private static async Task<(Process Server, int Smtp, int Web)> StartAsync(CliRunner cli, FakeDnsServer dns, FakeMta inbound, bool failOpen, string downEngine = "clamd")
    {
        await cli.AddVerifiedDomainAsync(dns, "example.co.jp", $"127.0.0.1:{inbound.Port},10");
        var policy = cli.File("policy.json");
        File.WriteAllText(policy, ModelJson.Serialize(new PolicyDocument
        {
            Rules =
            [
                Rule("virus", RuleType.Virus, CriteriaSet.AnyOf(MalwareDetection.All), new DeleteMessage()),
                Rule("links", RuleType.Spam, CriteriaSet.AnyOf(new WebReputation(WebReputationLevel.High, TimeOfClick: TimeOfClickMode.AllUrls)), new Quarantine()),
            ],
        }, indented: true));
        await cli.OkAsync("policy", "import", policy);

        // The engine that is down: its port is free, so nothing answers there.
        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort(), down = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}", "--hostname", "gw.example.co.jp",
                     downEngine == "rspamd" ? "--rspamd" : "--clamd", downEngine == "rspamd" ? $"http://127.0.0.1:{down}/" : $"127.0.0.1:{down}",
                     "--resolver", dns.Endpoint, "--uribl", "multi.uribl.test",
                     "--public-url", $"http://127.0.0.1:{web}/" })
            psi.ArgumentList.Add(a);
        if (failOpen) psi.ArgumentList.Add("--scan-fail-open");
        var server = Process.Start(psi)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        return (server, smtp, web);
    }

    private static string Mail() =>
        $"From: sender@partner.example\r\nTo: taro@example.co.jp\r\nSubject: links\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\n" +
        "Authentication-Results: gw.example.co.jp; spf=pass smtp.mailfrom=forged@partner.example\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n\r\nDocument: https://clean.example/doc\r\nLogin: https://login.phish.example/\r\n";

    [Theory]
    [InlineData("clamd")]
    [InlineData("rspamd")]
    public async Task Serve_with_a_scanner_down_and_fail_closed_answers_451_and_keeps_nothing(string engine)
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer().Txt("partner.example", "v=spf1 ip4:127.0.0.1 -all");
        await using var inbound = new FakeMta().Start();
        var (server, smtp, web) = await StartAsync(cli, dns, inbound, failOpen: false, engine);
        using var _ = server;
        try
        {
            using var http = new HttpClient();
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{web}/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            await using var client = await SmtpTestClient.ConnectAndGreetAsync(new IPEndPoint(IPAddress.Loopback, smtp));
            await client.EhloAsync("mx.partner.example");
            var reply = await client.SendMessageAsync("sender@partner.example", ["taro@example.co.jp"], Mail());
            Assert.Equal((451, "4.7.0"), (reply.Code, reply.Enhanced));
            Assert.Contains("[]", (await cli.OkAsync("queue", "list", "--json")).Replace(" ", "").Replace("\n", ""));
            Assert.Empty(inbound.Messages);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_with_clamd_down_and_fail_open_delivers_marked_with_authentication_results_and_click_links()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer().A("phish.example.multi.uribl.test", "127.0.0.8").Txt("partner.example", "v=spf1 ip4:127.0.0.1 -all");
        await using var inbound = new FakeMta().Start();
        var (server, smtp, web) = await StartAsync(cli, dns, inbound, failOpen: true);
        using var _ = server;
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{web}/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            await using (var client = await SmtpTestClient.ConnectAndGreetAsync(new IPEndPoint(IPAddress.Loopback, smtp)))
            {
                await client.EhloAsync("mx.partner.example");
                var reply = await client.SendMessageAsync("sender@partner.example", ["taro@example.co.jp"], Mail());
                Assert.Equal(250, reply.Code);
            }
            var text = (await inbound.WaitForMessagesAsync(1, TimeSpan.FromMinutes(1)))[0].Text;
            var header = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
            Assert.StartsWith("Authentication-Results: gw.example.co.jp;", header, StringComparison.Ordinal);
            Assert.Contains("spf=pass", header, StringComparison.Ordinal);
            Assert.DoesNotContain("forged", header, StringComparison.Ordinal);
            Assert.Contains("\r\nX-Sekisho-Scan: antivirus unavailable\r\n", text, StringComparison.Ordinal);

            var links = Regex.Matches(text, $@"http://127\.0\.0\.1:{web}/click\?\S+").Select(m => m.Value).ToList();
            Assert.Equal(2, links.Count);
            Assert.DoesNotContain("clean.example", text, StringComparison.Ordinal);
            var clean = await http.GetAsync(links[0]);
            Assert.Equal((HttpStatusCode.Redirect, "https://clean.example/doc"), (clean.StatusCode, clean.Headers.Location?.ToString()));
            var phish = await http.GetAsync(links[1]);
            Assert.Equal(HttpStatusCode.Forbidden, phish.StatusCode);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
