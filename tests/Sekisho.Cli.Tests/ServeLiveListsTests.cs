using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.PolicyFiles;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>
/// Lists saved while <c>sekisho serve</c> runs take effect without a restart: a web reputation approved-list entry saved through
/// the REST API turns the time-of-click verdict of a listed link from blocked to redirect, and a sender an end user blocks in the end-user console (/my) is
/// refused at RCPT for that recipient only.
/// </summary>
[Collection(ServeCollection.Name)]
public class ServeLiveListsTests
{
    private static string Mail(string from) =>
        $"From: {from}\r\nTo: taro@example.co.jp\r\nSubject: links\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n\r\nLogin: https://login.phish.example/\r\n";

    /// <summary>Starts <c>sekisho serve</c> on free loopback ports with the extra options; every output line goes to <paramref name="log"/>.</summary>
    private static (Process Server, int Smtp, int Web) StartServe(CliRunner cli, FakeDnsServer dns, System.Collections.Concurrent.ConcurrentQueue<string> log, params string[] extra)
    {
        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}", "--hostname", "gw.example.co.jp",
                     "--resolver", dns.Endpoint }.Concat(extra))
            psi.ArgumentList.Add(a);
        var server = Process.Start(psi)!;
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return (server, smtp, web);
    }

    [Fact]
    public async Task Approved_urls_and_end_user_blocked_senders_saved_while_serve_runs_apply_to_the_next_message()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer().A("phish.example.multi.uribl.test", "127.0.0.8");
        await using var inbound = new FakeMta().Start();
        await cli.AddVerifiedDomainAsync(dns, "example.co.jp", $"127.0.0.1:{inbound.Port},10");
        File.WriteAllText(cli.File("password"), "a long enough password 1234\n");
        await cli.OkAsync("admin", "create", "admin", "--password-file", cli.File("password"));
        var token = (await cli.OkAsync("admin", "token", "admin", "--name", "test")).Trim();
        await cli.OkAsync("enduser", "create", "taro@example.co.jp", "--password-file", cli.File("password"));
        var policy = cli.File("policy.json");
        File.WriteAllText(policy, ModelJson.Serialize(new PolicyDocument
        {
            Rules =
            [
                new Rule
                {
                    Id = "links", Name = "links", Direction = Direction.Inbound, Type = RuleType.Spam, Order = 1, Scope = RuleScope.Default,
                    Criteria = CriteriaSet.AnyOf(new WebReputation(WebReputationLevel.High, TimeOfClick: TimeOfClickMode.AllUrls)), Actions = new RuleActions(new Quarantine(), [], []),
                    Created = PolicySamples.T0, Modified = PolicySamples.T0,
                },
            ],
        }));
        await cli.OkAsync("policy", "import", policy);

        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var (started, smtp, web) = StartServe(cli, dns, log, "--uribl", "multi.uribl.test");
        using var server = started;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}/") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync("healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            var endpoint = new IPEndPoint(IPAddress.Loopback, smtp);
            async Task<int[]> SendAsync(string from, params string[] to)
            {
                await using var c = await SmtpTestClient.ConnectAndGreetAsync(endpoint);
                await c.EhloAsync("mx.partner.example");
                var codes = new List<int> { (await c.CommandAsync($"MAIL FROM:<{from}>")).Code };
                foreach (var t in to) codes.Add((await c.CommandAsync($"RCPT TO:<{t}>")).Code);
                if (codes.Skip(1).Any(x => x == 250))
                {
                    Assert.Equal(354, (await c.CommandAsync("DATA")).Code);
                    await c.SendRawAsync(SmtpTestClient.DotStuff(Mail(from)) + ".\r\n");
                    codes.Add((await c.ReadReplyAsync()).Code);
                }
                return [.. codes];
            }

            // Without an antispam engine the rule cannot run, but its time-of-click protection rewrites the link; the listed link is blocked.
            using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            Assert.Equal(250, (await SendAsync("news@partner.example", "taro@example.co.jp"))[^1]);
            var link = Regex.Match((await inbound.WaitForMessagesAsync(1, TimeSpan.FromMinutes(1)))[0].Text, $@"http://127\.0\.0\.1:{web}/click\?\S+").Value;
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync(link)).StatusCode);

            // Approving the domain through the API: the same link now redirects (the store is re-read every few seconds).
            var saved = await http.PutAsJsonAsync("api/v1/objects/web-reputation-approved-list",
                new[] { new { type = "domain", value = "phish.example", description = "partner login", bypassWebReputation = true } });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            HttpResponseMessage? click = null;
            await ExternalProcess.WaitUntilAsync(async () => (click = await browser.GetAsync(link)).StatusCode != HttpStatusCode.Forbidden,
                TimeSpan.FromMinutes(1), "the approved link to be let through");
            Assert.Equal((HttpStatusCode.Redirect, "https://login.phish.example/"), (click!.StatusCode, click.Headers.Location?.ToString()));

            // Taro blocks a sender in the end-user console: that sender is refused for taro, still accepted for jiro.
            using var my = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
                { BaseAddress = new Uri($"http://127.0.0.1:{web}/") };
            async Task<HttpResponseMessage> PostAsync(string page, string action, Dictionary<string, string> fields)
            {
                var html = await my.GetStringAsync(page);
                fields["__csrf"] = Regex.Match(html, "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
                return await my.PostAsync(action, new FormUrlEncodedContent(fields));
            }
            var login = await PostAsync("my/login", "my/login", new() { ["address"] = "taro@example.co.jp", ["password"] = "a long enough password 1234" });
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            var added = await PostAsync("my/senders", "my/senders?handler=Add", new() { ["list"] = "blocked", ["sender"] = "spam@partner.example" });
            Assert.True(added.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK, added.StatusCode.ToString());
            Assert.Contains("spam@partner.example", await my.GetStringAsync("my/senders"), StringComparison.Ordinal);

            int[] codes = [];
            await ExternalProcess.WaitUntilAsync(async () =>
            {
                codes = await SendAsync("spam@partner.example", "taro@example.co.jp", "jiro@example.co.jp");
                return codes[1] != 250;
            }, TimeSpan.FromMinutes(1), "the end user's blocked sender to be refused");
            Assert.InRange(codes[1], 550, 554);
            Assert.Equal(250, codes[2]);
            // The accepted copy goes to jiro alone (copies sent before the store was re-read went to both).
            await ExternalProcess.WaitUntilAsync(() => Task.FromResult(inbound.Messages.Any(m => m.MailFrom == "spam@partner.example"
                && m.Recipients.SequenceEqual(["jiro@example.co.jp"]))), TimeSpan.FromMinutes(1), "jiro's copy to be delivered");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Removing_the_arc_key_while_serve_runs_stops_sealing_with_a_warning_and_a_new_key_seals_again()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer().Txt("partner.example", "v=spf1 ip4:127.0.0.1 -all");
        await using var inbound = new FakeMta().Start();
        await cli.AddVerifiedDomainAsync(dns, "example.co.jp", $"127.0.0.1:{inbound.Port},10");
        File.WriteAllText(cli.File("password"), "a long enough password 1234\n");
        await cli.OkAsync("admin", "create", "admin", "--password-file", cli.File("password"));
        var token = (await cli.OkAsync("admin", "token", "admin", "--name", "test")).Trim();
        await cli.OkAsync("dkim", "keygen", "example.co.jp", "--selector", "arc", "--bits", "1024");

        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var (started, smtp, web) = StartServe(cli, dns, log, "--arc-seal", "example.co.jp");
        using var server = started;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}/") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync("healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");
            async Task<string> HeaderOfNextAsync()
            {
                var before = inbound.Messages.Count;
                await using (var c = await SmtpTestClient.ConnectAndGreetAsync(new IPEndPoint(IPAddress.Loopback, smtp)))
                {
                    await c.EhloAsync("mx.partner.example");
                    Assert.Equal(250, (await c.SendMessageAsync("news@partner.example", ["taro@example.co.jp"],
                        $"From: news@partner.example\r\nTo: taro@example.co.jp\r\nSubject: arc\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\n\r\nHello.\r\n")).Code);
                }
                var text = (await inbound.WaitForMessagesAsync(before + 1, TimeSpan.FromMinutes(1)))[before].Text;
                return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
            }

            Assert.Matches(@"ARC-Seal: i=1;[^\r]*", await HeaderOfNextAsync());
            Assert.Matches(@"ARC-Message-Signature: i=1;[\s\S]*s=arc;", await HeaderOfNextAsync());

            // The key is removed: the gateway keeps running, warns once, and delivers unsealed.
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("api/v1/settings/authentication/dkim-keys/example.co.jp/arc")).StatusCode);
            string header = "";
            await ExternalProcess.WaitUntilAsync(async () => !(header = await HeaderOfNextAsync()).Contains("ARC-Seal:", StringComparison.Ordinal),
                TimeSpan.FromMinutes(1), "sealing to stop");
            Assert.Contains("Authentication-Results: gw.example.co.jp;", header, StringComparison.Ordinal);
            Assert.False(server.HasExited);
            await ExternalProcess.WaitUntilAsync(() => Task.FromResult(log.Any(l => l.Contains("ARC sealing stopped", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(30), "the warning");

            // A new key for the domain seals again, with its selector.
            var key = await http.PostAsJsonAsync("api/v1/settings/authentication/dkim-keys", new { domain = "example.co.jp", selector = "arc2", bits = 1024 });
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
            await ExternalProcess.WaitUntilAsync(async () => (header = await HeaderOfNextAsync()).Contains("ARC-Seal:", StringComparison.Ordinal),
                TimeSpan.FromMinutes(1), "sealing to resume");
            Assert.Matches(@"ARC-Message-Signature: i=1;[\s\S]*s=arc2;", header);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
