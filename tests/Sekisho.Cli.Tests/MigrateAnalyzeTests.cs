using System.Text.Json;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

public class MigrateAnalyzeTests
{
    public static TheoryData<string, string> BadExports()
    {
        var data = new TheoryData<string, string>();
        var expected = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("imsva", "bad", "expected-fatal.json"))).RootElement;
        foreach (var e in expected.EnumerateObject()) data.Add(e.Name, e.Value.GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadExports))]
    public async Task An_unusable_export_exits_non_zero_with_its_fatal_code(string file, string code)
    {
        using var cli = new CliRunner();
        var (exit, output, err) = await cli.RunAsync("migrate", "analyze", RepoPaths.Fixture("imsva", "bad", file), "--domain", "example.co.jp", "--format", "json");
        Assert.NotEqual(0, exit);
        var fatal = JsonDocument.Parse(output).RootElement.GetProperty("fatal");
        Assert.Equal(code, fatal.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(fatal.GetProperty("message").GetString()));
        Assert.Contains(code, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public async Task Seed_example_gives_the_seed_table_and_changes_nothing()
    {
        using var cli = new CliRunner();
        var json = await cli.OkAsync("migrate", "analyze", RepoPaths.Fixture("imsva", "seed-example.dat"), "--domain", "example.co.jp", "--format", "json");
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal("sekisho.migration-analysis/1", root.GetProperty("schema").GetString());
        Assert.Equal("merge", root.GetProperty("mode").GetString());
        var rules = root.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "rule").ToList();
        Assert.Equal(["DDEIにBCCでメール送信", "TMEMS Migration Test Policy", "パスワードで保護された添付ファイルの初期設定ルール", "パスワードで保護された添付ファイルの検索ルール (例外処理)"],
            rules.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(["error", "successful", "successful", "successful"], rules.Select(r => r.GetProperty("status").GetString()));
        var bcc = rules[0].GetProperty("findings").EnumerateArray().Single();
        Assert.Equal("bcc-unmanaged-domain", bcc.GetProperty("code").GetString());
        Assert.Contains("BCC", bcc.GetProperty("message").GetString()); // the export's language (ja) by default
        Assert.Contains("削除", bcc.GetProperty("message").GetString());
        Assert.False(File.Exists(Path.Combine(cli.DataDirectory, "sekisho.db")), "an analysis must not create or write the store");

        var text = await cli.OkAsync("migrate", "analyze", RepoPaths.Fixture("imsva", "seed-example.dat"), "--domain", "example.co.jp", "--lang", "en");
        Assert.Contains("[Error] rule:R1  DDEIにBCCでメール送信 → content-rule inbound (disabled)", text);
        Assert.Contains("bcc-unmanaged-domain", text);
    }

    [Fact]
    public async Task Without_domains_every_protected_address_is_unmanaged()
    {
        using var cli = new CliRunner();
        var json = await cli.OkAsync("migrate", "analyze", RepoPaths.Fixture("imsva", "seed-example.dat"), "--format", "json");
        var r2 = JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "rule:R2");
        Assert.Equal("error", r2.GetProperty("status").GetString());
        Assert.Contains(r2.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "route-unmanaged-domain");
    }

    [Fact]
    public async Task Domains_come_from_the_store_with_their_verification_state()
    {
        using var cli = new CliRunner();
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        var json = await cli.OkAsync("migrate", "analyze", RepoPaths.Fixture("imsva", "seed-example.dat"), "--format", "json");
        var items = JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal("successful", items["rule:R2"].GetProperty("status").GetString());
        var prereq = items["setting:prerequisites"];
        Assert.Equal("warning", prereq.GetProperty("status").GetString());
        Assert.Equal("domain-unverified", prereq.GetProperty("findings")[0].GetProperty("code").GetString());
        var audit = JsonDocument.Parse(await cli.OkAsync("audit", "list", "--json")).RootElement.GetArrayLength();
        Assert.Equal(2, audit); // organization.created and domain.added: the analysis wrote nothing
    }
}
