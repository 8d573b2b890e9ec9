using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.PolicyFiles;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho serve</c> enforces the store's rules: quarantine with notification, tagging, per-recipient outcomes; then the quarantine verbs.</summary>
[Collection(ServeCollection.Name)]
public class ServePolicyTests
{
    private static Rule Rule(string name, int order, CriteriaSet criteria, InterceptAction intercept, IReadOnlyList<ModifyAction>? modify = null,
        IReadOnlyList<MonitorAction>? monitor = null, RuleScope? scope = null) => new()
    {
        Id = "rule-" + order, Name = name, Direction = Direction.Inbound, Type = RuleType.Content, Order = order, Scope = scope ?? RuleScope.Default,
        Criteria = criteria, Actions = new RuleActions(intercept, modify ?? [], monitor ?? []),
        Created = PolicySamples.T0, Modified = PolicySamples.T0,
    };

    private static string PolicyFile(CliRunner cli)
    {
        var doc = new PolicyDocument
        {
            KeywordLists =
            [
                new KeywordList { Id = "kw-urgent", Name = "至急", Expressions = [new KeywordExpression("至急")] },
                new KeywordList { Id = "kw-invoice", Name = "invoice", Expressions = [new KeywordExpression("invoice")] },
                new KeywordList { Id = "kw-legal", Name = "契約", Expressions = [new KeywordExpression("契約")] },
            ],
            Notifications =
            [
                new Notification
                {
                    Id = "nt-admin", Name = "管理者通知", From = "gateway@example.co.jp", To = "admin@example.co.jp",
                    Subject = "[隔離] %RULENAME%", Body = "%SENDER% → %RCPTS%: %FILENAME% (%QUARANTINE_PATH%)", Charset = "ISO-2022-JP",
                },
            ],
            Rules =
            [
                Rule("実行ファイル隔離", 1, CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, ["exe"])), new Quarantine(), monitor: [new Notify("nt-admin")]),
                Rule("至急タグ", 2, CriteriaSet.AnyOf(new SubjectMatches(["kw-urgent"])), new DoNotIntercept(), [new TagSubject("[至急対応]"), new InsertXHeader("X-Urgent", "yes")]),
                Rule("社長宛て請求書", 3, CriteriaSet.AnyOf(new SubjectMatches(["kw-invoice"])), new DeleteMessage(),
                    scope: new RuleScope(Participants.Of(new AddressParticipant(AddressPattern.Parse("ceo@example.co.jp"))), Participants.Anyone, [])),
                Rule("契約は法務へ", 4, CriteriaSet.AnyOf(new SubjectMatches(["kw-legal"])), new ChangeRecipient(["legal@example.co.jp"]),
                    monitor: [new Bcc(["audit@example.co.jp"])]),
            ],
        };
        var path = cli.File("policy.json");
        File.WriteAllText(path, ModelJson.Serialize(doc, indented: true));
        return path;
    }

    private static string Mail(string subject, string to, string? exe = null)
    {
        var s = new StringBuilder();
        s.Append($"From: sender@partner.example\r\nTo: {to}\r\nSubject: =?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(subject))}?=\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\nMIME-Version: 1.0\r\n");
        if (exe is null) return s.Append("Content-Type: text/plain; charset=UTF-8\r\n\r\nhello\r\n").ToString();
        var b = SampleFiles.Exe();
        s.Append("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n");
        s.Append($"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{exe}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(b, Base64FormattingOptions.InsertLineBreaks)}\r\n--b--\r\n");
        return s.ToString();
    }

    private static async Task SendAsync(int port, string[] recipients, string data)
    {
        await using var client = await SmtpTestClient.ConnectAndGreetAsync(new IPEndPoint(IPAddress.Loopback, port));
        await client.EhloAsync();
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<sender@partner.example>")).Code);
        foreach (var r in recipients) Assert.Equal(250, (await client.CommandAsync($"RCPT TO:<{r}>")).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        await client.SendRawAsync(data + ".\r\n");
        var reply = await client.ReadReplyAsync();
        Assert.True(reply.Code == 250, reply.ToString());
    }

    [Fact]
    public async Task Serve_quarantines_tags_and_splits_per_recipient_then_quarantine_verbs_release_and_delete()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer();
        await using var inbound = new FakeMta().Start();
        await cli.AddVerifiedDomainAsync(dns, "example.co.jp", $"127.0.0.1:{inbound.Port},10");
        await cli.OkAsync("policy", "import", PolicyFile(cli));

        int smtp = ExternalProcess.FreePort(), submission = ExternalProcess.FreePort(), web = ExternalProcess.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "--lang", "en", "serve",
                     "--smtp", $"127.0.0.1:{smtp}", "--submission", $"127.0.0.1:{submission}", "--web", $"127.0.0.1:{web}", "--hostname", "gw.example.co.jp" })
            psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        _ = server.StandardOutput.ReadToEndAsync();
        var errors = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient();
            await ExternalProcess.WaitUntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{web}/healthz")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the gateway to start");

            await SendAsync(smtp, ["taro@example.co.jp"], Mail("見積", "taro@example.co.jp", exe: "quote.pdf"));
            await SendAsync(smtp, ["taro@example.co.jp"], Mail("至急: 確認", "taro@example.co.jp"));
            await SendAsync(smtp, ["ceo@example.co.jp", "hanako@example.co.jp"], Mail("invoice 12", "ceo@example.co.jp, hanako@example.co.jp"));

            // The notification (to the admin), the tagged message and hanako's copy of the invoice arrive; the exe and the CEO's copy do not.
            var delivered = await inbound.WaitForMessagesAsync(3, TimeSpan.FromMinutes(1));
            var notification = delivered.Single(m => m.Recipients.Contains("admin@example.co.jp"));
            Assert.Equal("", notification.MailFrom);
            var note = MimeKit.MimeMessage.Load(new MemoryStream(notification.Data));
            Assert.Equal("[隔離] 実行ファイル隔離", note.Subject);
            Assert.Contains("sender@partner.example → taro@example.co.jp: quote.pdf", note.TextBody);
            var tagged = MimeKit.MimeMessage.Load(new MemoryStream(delivered.Single(m => m.Text.Contains("X-Urgent")).Data));
            Assert.Equal("[至急対応] 至急: 確認", tagged.Subject);
            Assert.Equal(["hanako@example.co.jp"], delivered.Single(m => m.Text.Contains("To: ceo@example.co.jp", StringComparison.Ordinal)).Recipients);
            await Task.Delay(500);
            Assert.Equal(3, inbound.Messages.Count);

            var items = JsonDocument.Parse(await cli.OkAsync("quarantine", "list", "--json")).RootElement;
            var item = Assert.Single(items.EnumerateArray());
            Assert.Equal(("taro@example.co.jp", "実行ファイル隔離"), (item.GetProperty("recipient").GetString(), item.GetProperty("rule").GetString()));
            var id = item.GetProperty("id").GetString()!;
            var show = await cli.OkAsync("quarantine", "show", id[..12]);
            Assert.Contains("quote.pdf | quote.pdf | exe", show);
            Assert.Contains("Outcome: quarantine", show);
            Assert.Contains("notify 管理者通知 (実行ファイル隔離)", show);
            var download = cli.File("q.eml");
            await cli.OkAsync("quarantine", "download", id, "-o", download);
            Assert.Contains("quote.pdf", File.ReadAllText(download));

            // Release runs the remaining rules without the one that quarantined it, and delivers.
            var released = await cli.OkAsync("quarantine", "release", id, "--via", $"127.0.0.1:{inbound.Port}");
            Assert.Contains("Released", released);
            var all = await inbound.WaitForMessagesAsync(4, TimeSpan.FromSeconds(30));
            Assert.Contains(all, m => m.Text.Contains("quote.pdf") && m.Recipients.SequenceEqual(["taro@example.co.jp"]));
            Assert.Equal("[]", (await cli.OkAsync("quarantine", "list", "--json")).Trim().Replace(" ", "").Replace("\n", ""));
            var (exit, _, err) = await cli.RunAsync("quarantine", "show", id);
            Assert.Equal(1, exit);
            Assert.Contains("quarantine list", err);

            // A redirected message keeps its envelope sender (a failure goes back to it, as with Postfix's redirect); the
            // BCC copy has the null sender, so a failing hidden copy is never reported to the sender.
            await SendAsync(smtp, ["jiro@example.co.jp"], Mail("契約書の件", "jiro@example.co.jp"));
            all = await inbound.WaitForMessagesAsync(6, TimeSpan.FromSeconds(30));
            var redirected = all.Single(m => m.Recipients.SequenceEqual(["legal@example.co.jp"]));
            Assert.Equal("sender@partner.example", redirected.MailFrom);
            Assert.Equal("", all.Single(m => m.Recipients.SequenceEqual(["audit@example.co.jp"])).MailFrom);
            Assert.DoesNotContain(all, m => m.Recipients.Contains("jiro@example.co.jp"));

            // The rules that fired have their Last Used time.
            await ExternalProcess.WaitUntilAsync(async () =>
                JsonDocument.Parse(await cli.OkAsync("policy", "list", "--json")).RootElement.EnumerateArray()
                    .Any(r => r.GetProperty("name").GetString() == "実行ファイル隔離" && r.GetProperty("lastUsed").ValueKind == JsonValueKind.String),
                TimeSpan.FromSeconds(30), "the rule's last use");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
        Assert.DoesNotContain("Unhandled", await errors);
    }
}
