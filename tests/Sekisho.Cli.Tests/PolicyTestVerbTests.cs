using System.Text;
using System.Text.Json;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>
/// The migrated enterprise-ja rules (InterScan export → migrate run, as an administrator would) act on messages the
/// way their InterScan originals do, shown through <c>sekisho policy test</c>.
/// <remarks>In the migration tests' collection: those inject import faults through a process-wide variable.</remarks>
[Collection(PostgresCollection.Name)]
public sealed class PolicyTestVerbTests : IAsyncLifetime
{
    private readonly CliRunner _cli = new();

    static PolicyTestVerbTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public async Task InitializeAsync()
    {
        await _cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        await _cli.OkAsync("domain", "add", "example-group.co.jp", "--inbound", "10.0.0.26");
        await _cli.OkAsync("migrate", "run", RepoPaths.Fixture("imsva", "enterprise-ja.dat"), "--mode", "merge", "--yes");
    }

    public Task DisposeAsync()
    {
        _cli.Dispose();
        return Task.CompletedTask;
    }

    private static string EncodedWord(string text, string charset) => $"=?{charset}?B?{Convert.ToBase64String(Encoding.GetEncoding(charset).GetBytes(text))}?=";

    /// <summary>Writes a message: headers in ASCII (encoded words), a text body in the charset, optional base64 attachments.</summary>
    private string Message(string name, string from, string to, string subject, string body, string charset = "ISO-2022-JP", params (string Name, byte[] Content)[] attachments)
    {
        var enc = Encoding.GetEncoding(charset);
        var ms = new MemoryStream();
        void W(string s) => ms.Write(Encoding.ASCII.GetBytes(s));
        W($"From: {from}\r\nTo: {to}\r\nSubject: {EncodedWord(subject, charset)}\r\nDate: Mon, 07 Dec 2026 10:00:00 +0900\r\nMessage-ID: <{name}@test.example>\r\nMIME-Version: 1.0\r\n");
        W("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n");
        W($"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {(charset == "ISO-2022-JP" ? "7bit" : "8bit")}\r\n\r\n");
        ms.Write(enc.GetBytes(body + "\r\n"));
        foreach (var (n, c) in attachments)
            W($"--b\r\nContent-Type: application/octet-stream; name=\"{n}\"\r\nContent-Disposition: attachment; filename=\"{n}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(c, Base64FormattingOptions.InsertLineBreaks)}\r\n");
        W("--b--\r\n");
        var path = _cli.File(name + ".eml");
        File.WriteAllBytes(path, ms.ToArray());
        return path;
    }

    private static byte[] Exe() => SampleFiles.Exe();

    private async Task<JsonElement> Test(string path, params string[] args)
    {
        var json = await _cli.OkAsync(["policy", "test", path, "--json", .. args]);
        return JsonDocument.Parse(json).RootElement.GetProperty("plan").GetProperty("recipients");
    }

    private static string Outcome(JsonElement recipient) => recipient.GetProperty("outcome").GetString()!;

    [Fact]
    public async Task A_disguised_executable_is_deleted_by_the_dangerous_attachment_rule_with_its_notification()
    {
        var msg = Message("exe", "sales@partner.example", "taro@example.co.jp", "請求書の送付", "ご確認ください。", "ISO-2022-JP", ("invoice.pdf", Exe()));
        var r = (await Test(msg, "--from", "sales@partner.example", "--to", "taro@example.co.jp"))[0];
        Assert.Equal("delete", Outcome(r));
        Assert.Equal("危険な添付ファイル", r.GetProperty("decidedBy").GetProperty("name").GetString());
        var rule = r.GetProperty("rules").EnumerateArray().Single(x => x.GetProperty("ruleName").GetString() == "危険な添付ファイル");
        var evidence = rule.GetProperty("criteria")[0].GetProperty("evidence")[0];
        Assert.Equal(("invoice.pdf", "exe"), (evidence.GetProperty("fileName").GetString(), evidence.GetProperty("trueType").GetString()));
        Assert.Contains(r.GetProperty("monitor").EnumerateArray(), m => m.GetProperty("action").GetProperty("action").GetString() == "notify");

        var text = await _cli.OkAsync("--lang", "ja", "policy", "test", msg, "--to", "taro@example.co.jp");
        Assert.Contains("結果: 削除", text);
        Assert.Contains("invoice.pdf | invoice.pdf | exe", text);
        Assert.Contains("notify 管理者通知 (危険な添付ファイル)", text);
    }

    [Fact]
    public async Task A_script_attachment_matches_by_name_and_a_plain_message_is_delivered()
    {
        var js = Message("js", "sales@partner.example", "hanako@example-group.co.jp", "資料", "資料です。", "UTF-8", ("tool.js", Encoding.ASCII.GetBytes("WScript.Echo(1)")));
        Assert.Equal("delete", Outcome((await Test(js, "--to", "hanako@example-group.co.jp"))[0]));
        var plain = Message("plain", "sales@partner.example", "hanako@example-group.co.jp", "打ち合わせ", "よろしくお願いします。", "UTF-8");
        Assert.Equal("deliver", Outcome((await Test(plain, "--to", "hanako@example-group.co.jp"))[0]));
    }

    [Theory]
    [InlineData("ISO-2022-JP")]
    [InlineData("Shift_JIS")]
    [InlineData("EUC-JP")]
    [InlineData("UTF-8")]
    public async Task Urgent_subjects_in_any_japanese_charset_get_a_bcc_to_audit(string charset)
    {
        var msg = Message("bcc-" + charset, "sales@partner.example", "jiro@example.co.jp", "【至急】ご確認ください", "本文", charset);
        var r = (await Test(msg, "--to", "jiro@example.co.jp"))[0];
        Assert.Equal("deliver", Outcome(r));
        var bcc = r.GetProperty("monitor").EnumerateArray().Single();
        Assert.Equal("bcc", bcc.GetProperty("action").GetProperty("action").GetString());
        Assert.Equal("audit@example.co.jp", bcc.GetProperty("action").GetProperty("recipients")[0].GetString());
        Assert.Equal("監査対象グループ", bcc.GetProperty("source").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Outbound_confidential_mail_from_executives_is_quarantined_when_the_keyword_score_exceeds_the_threshold()
    {
        var secret = Message("secret", "ceo@example.co.jp", "partner@partner.example", "資料", "社外秘かつ極秘の資料です。", "ISO-2022-JP", ("plan.txt", Encoding.UTF8.GetBytes("plan")));
        var r = (await Test(secret, "--from", "ceo@example.co.jp", "--to", "partner@partner.example"))[0];
        Assert.Equal("quarantine", Outcome(r));
        Assert.Equal("機密情報の送信制限", r.GetProperty("decidedBy").GetProperty("name").GetString());
        var score = r.GetProperty("rules").EnumerateArray().Single(x => x.GetProperty("ruleName").GetString() == "機密情報の送信制限")
            .GetProperty("criteria")[0].GetProperty("evidence")[0].GetProperty("score").GetInt32();
        Assert.Equal(15, score);
        // 社外秘 alone scores 5: not above the threshold of 10.
        var mild = Message("mild", "ceo@example.co.jp", "partner@partner.example", "資料", "社外秘の資料です。", "ISO-2022-JP", ("plan.txt", Encoding.UTF8.GetBytes("plan")));
        Assert.NotEqual("quarantine", Outcome((await Test(mild, "--from", "ceo@example.co.jp", "--to", "partner@partner.example"))[0]));
        // A staff member is not in the executives' scope.
        var staff = Message("staff", "staff@example.co.jp", "partner@partner.example", "資料", "社外秘かつ極秘の資料です。", "ISO-2022-JP", ("plan.txt", Encoding.UTF8.GetBytes("plan")));
        Assert.Equal("not-in-scope", (await Test(staff, "--from", "staff@example.co.jp", "--to", "partner@partner.example"))[0]
            .GetProperty("rules").EnumerateArray().Single(x => x.GetProperty("ruleName").GetString() == "機密情報の送信制限").GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task Outbound_personal_data_is_held_by_the_migrated_dlp_template()
    {
        var number = Message("dlp", "staff@example.co.jp", "someone@partner.example", "ご依頼の件", "個人番号は 1234 5678 9012 です。", "UTF-8");
        var r = (await Test(number, "--to", "someone@partner.example"))[0];
        Assert.Equal("quarantine", Outcome(r));
        Assert.Equal("DLP 個人情報の持ち出し", r.GetProperty("decidedBy").GetProperty("name").GetString());
        var csv = Message("csv", "staff@example.co.jp", "someone@partner.example", "名簿", "添付します。", "UTF-8", ("members.csv", Encoding.UTF8.GetBytes("name,phone\n")));
        Assert.Equal("quarantine", Outcome((await Test(csv, "--to", "someone@partner.example"))[0]));
        var clean = Message("nodlp", "staff@example.co.jp", "someone@partner.example", "ご挨拶", "よろしくお願いします。", "UTF-8");
        Assert.Equal("deliver", Outcome((await Test(clean, "--to", "someone@partner.example"))[0]));
    }

    [Fact]
    public async Task Too_many_recipients_are_quarantined_and_disabled_or_needs_fix_rules_never_act()
    {
        var msg = Message("many", "sales@partner.example", "all@example.co.jp", "お知らせ", "全員へ", "UTF-8");
        var args = new List<string> { "--from", "sales@partner.example" };
        for (int i = 0; i < 101; i++) { args.Add("--to"); args.Add($"user{i}@example.co.jp"); }
        var recipients = await Test(msg, args.ToArray());
        Assert.Equal(101, recipients.GetArrayLength());
        Assert.All(recipients.EnumerateArray(), r => Assert.Equal("quarantine", Outcome(r)));
        var dispositions = recipients[0].GetProperty("rules").EnumerateArray()
            .GroupBy(x => x.GetProperty("ruleName").GetString()!).ToDictionary(g => g.Key, g => g.First().GetProperty("disposition").GetString());
        Assert.Equal("disabled", dispositions["旧ルール(無効)"]);
        Assert.Equal("disabled", dispositions["請求書詐欺の宛先変更"]);
    }

    [Fact]
    public async Task Bad_input_gives_a_clear_error_and_changes_nothing()
    {
        var (exit, _, err) = await _cli.RunAsync("policy", "test", _cli.File("missing.eml"), "--to", "a@example.co.jp");
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", err);
        var msg = Message("x", "a@partner.example", "b@example.co.jp", "x", "x", "UTF-8");
        (exit, _, err) = await _cli.RunAsync("policy", "test", msg);
        Assert.Equal(1, exit);
        Assert.Contains("--to", err);
        (exit, _, err) = await _cli.RunAsync("policy", "test", msg, "--to", "b@example.co.jp", "--client-ip", "not-an-ip");
        Assert.Equal(1, exit);
        Assert.Contains("not-an-ip", err);
        // Explain mode has no side effects: no rule's Last Used moved.
        await _cli.OkAsync("policy", "test", msg, "--to", "b@example.co.jp");
        var rules = JsonDocument.Parse(await _cli.OkAsync("policy", "list", "--json")).RootElement;
        Assert.All(rules.EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("lastUsed").ValueKind));
    }

    [Fact]
    public async Task Named_engines_take_part_in_the_explanation_sender_authentication_and_a_real_clamd()
    {
        using var dns = new FakeDnsServer().Txt("partner.example", "v=spf1 ip4:192.0.2.10 -all");
        await using var clamd = await ClamdServer.StartAsync();
        var msg = Message("eicar", "sales@partner.example", "taro@example.co.jp", "資料", "添付をご確認ください。", "UTF-8", ("eicar.com", ClamdServer.Eicar));
        var json = await _cli.OkAsync("policy", "test", msg, "--json", "--from", "sales@partner.example", "--to", "taro@example.co.jp",
            "--client-ip", "198.51.100.7", "--helo", "mail.partner.example", "--authenticate", "--resolver", dns.Endpoint, "--clamd", clamd.Endpoint);
        var scans = JsonDocument.Parse(json).RootElement.GetProperty("plan").GetProperty("scans");
        Assert.Equal("fail", scans.GetProperty("spfResult").GetString());
        Assert.Contains("spf=fail", scans.GetProperty("authentication").GetString());
        Assert.Contains(scans.GetProperty("virusNames").EnumerateArray(), n => n.GetString()!.Contains("EICAR", StringComparison.OrdinalIgnoreCase));

        // Without the options no engine is asked: the same message is explained as "not configured".
        json = await _cli.OkAsync("policy", "test", msg, "--json", "--from", "sales@partner.example", "--to", "taro@example.co.jp", "--client-ip", "198.51.100.7");
        scans = JsonDocument.Parse(json).RootElement.GetProperty("plan").GetProperty("scans");
        Assert.Equal(JsonValueKind.Null, scans.GetProperty("spfResult").ValueKind);
        Assert.Equal(JsonValueKind.Null, scans.GetProperty("virus").ValueKind);
    }
}
