using System.Text.Json;
using Sekisho.Store.PolicyFiles;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "cli-postgres";
}

[Collection(PostgresCollection.Name)]
public class PolicyVerbTests(PostgresServer postgres)
{
    private static async Task<CliRunner> WithSampleAsync(string? pg = null)
    {
        var cli = new CliRunner { Postgres = pg };
        var file = cli.File("policy.yaml");
        await File.WriteAllTextAsync(file, PolicyFileWriter.Write(PolicyDocument.From(PolicySamples.Full(), "default", PolicySamples.T0), PolicyFileFormat.Yaml));
        var output = await cli.OkAsync("policy", "import", file);
        Assert.True(output.Contains("21 created, 1 updated, 0 deleted"), output);
        return cli;
    }

    private static List<JsonElement> ListJson(string json) => JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();

    [Fact]
    public async Task List_shows_the_console_columns_and_json_has_the_documented_fields()
    {
        using var cli = await WithSampleAsync();
        var text = await cli.OkAsync("policy", "list", "--direction", "inbound", "--type", "content");
        Assert.Contains("Order  Status", text);
        Assert.Contains("! Needs fix", text);
        Assert.Contains("Change recipient", text);
        var ja = await cli.OkAsync("--lang", "ja", "policy", "list", "--direction", "inbound", "--type", "content");
        Assert.Contains("実行順序  ステータス", ja);
        Assert.Contains("修正が必要です", ja);

        var rows = ListJson(await cli.OkAsync("policy", "list", "--json"));
        Assert.Equal(6, rows.Count);
        var first = rows.Single(r => r.GetProperty("name").GetString() == "全部入り");
        foreach (var field in new[] { "id", "name", "direction", "type", "order", "enabled", "migrationStatus", "action", "level", "modified", "lastUsed" })
            Assert.True(first.TryGetProperty(field, out _), field);
        Assert.Equal("inbound", first.GetProperty("direction").GetString());
        Assert.Equal("content", first.GetProperty("type").GetString());
        Assert.Equal("needs-fix", first.GetProperty("migrationStatus").GetString());
        Assert.Equal("change-recipient", first.GetProperty("action").GetString());
        Assert.Equal("group", first.GetProperty("level").GetString());
        Assert.False(first.GetProperty("enabled").GetBoolean());
    }

    [Theory]
    [InlineData("--migration-status needs-fix", new[] { "全部入り" })]
    [InlineData("--migration-status error", new[] { "全部入り" })]
    [InlineData("--migration-status done", new[] { "スパム" })]
    [InlineData("--status disabled", new[] { "全部入り" })]
    [InlineData("--level user", new[] { "ウイルス" })]
    [InlineData("--name 既定", new[] { "既定経路" })]
    [InlineData("--recipient soumu@example.co.jp --direction inbound --type content", new[] { "全部入り", "削除" })]
    [InlineData("--sender ceo@example.co.jp --direction outbound", new[] { "ウイルス", "DLP", "既定経路" })]
    [InlineData("--sender x@shop.partner.example --direction inbound --type content", new[] { "全部入り", "削除" })]
    public async Task Filters_select_the_rules_an_administrator_expects(string filter, string[] expected)
    {
        using var cli = await WithSampleAsync();
        var rows = ListJson(await cli.OkAsync(["policy", "list", "--json", .. filter.Split(' ')]));
        Assert.Equal(expected.Order(), rows.Select(r => r.GetProperty("name").GetString()).Order());
    }

    [Fact]
    public async Task Migration_status_workflow_and_enabling_are_separate_audited_acts()
    {
        using var cli = await WithSampleAsync(await postgres.CreateDatabaseAsync());
        var show = await cli.OkAsync("policy", "show", "全部入り");
        Assert.Contains("bcc-unmanaged-domain", show);
        Assert.Contains("Fix: Fix it", show);

        var (exit, _, err) = await cli.RunAsync("policy", "confirm", "全部入り");
        Assert.Equal(1, exit);
        Assert.Contains("Needs confirmation", err);

        Assert.Contains("still Disabled", await cli.OkAsync("policy", "mark-fixed", "全部入り"));
        var row = ListJson(await cli.OkAsync("policy", "list", "--json", "--name", "全部入り")).Single();
        Assert.Equal("fixed", row.GetProperty("migrationStatus").GetString());
        Assert.False(row.GetProperty("enabled").GetBoolean());
        await cli.OkAsync("policy", "enable", "r-content");
        Assert.True(ListJson(await cli.OkAsync("policy", "list", "--json", "--name", "全部入り")).Single().GetProperty("enabled").GetBoolean());

        var audit = ListJson(await cli.OkAsync("audit", "list", "--json", "--type", "rule.*"));
        Assert.Equal("rule.enabled", audit[0].GetProperty("eventType").GetString());
        var status = ListJson(await cli.OkAsync("audit", "list", "--json", "--type", "policy.migration-status-changed")).Single();
        Assert.Contains(status.GetProperty("changes").EnumerateArray(), c => c.GetProperty("field").GetString() == "migration" && c.GetProperty("newValue").GetString()!.Contains("\"fixed\""));
    }

    [Fact]
    public async Task Move_and_delete_keep_orders_consecutive()
    {
        using var cli = await WithSampleAsync();
        await cli.OkAsync("domain", "list");
        Assert.Contains("position 1", await cli.OkAsync("policy", "move", "削除", "--up"));
        var rows = ListJson(await cli.OkAsync("policy", "list", "--json", "--direction", "inbound", "--type", "content"));
        Assert.Equal(["削除", "全部入り"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal([1, 2], rows.Select(r => r.GetProperty("order").GetInt32()));
        await cli.OkAsync("policy", "delete", "削除");
        var after = ListJson(await cli.OkAsync("policy", "list", "--json", "--direction", "inbound", "--type", "content")).Single();
        Assert.Equal(1, after.GetProperty("order").GetInt32());
    }

    [Fact]
    public async Task Copy_makes_a_disabled_last_rule_named_in_the_users_language()
    {
        using var cli = await WithSampleAsync();
        Assert.Contains("'Copy of 全部入り' (disabled, position 3", await cli.OkAsync("policy", "copy", "全部入り"));
        Assert.Contains("「全部入り のコピー」", await cli.OkAsync("--lang", "ja", "policy", "copy", "r-content"));
        var rows = ListJson(await cli.OkAsync("policy", "list", "--json", "--direction", "inbound", "--type", "content"));
        Assert.Equal(["全部入り", "削除", "Copy of 全部入り", "全部入り のコピー"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal([false, false], rows.Skip(2).Select(r => r.GetProperty("enabled").GetBoolean()));
        Assert.Equal([null, null], rows.Skip(2).Select(r => r.GetProperty("migrationStatus").GetString()));
        var audit = ListJson(await cli.OkAsync("audit", "list", "--json", "--type", "rule.created"));
        Assert.Equal("全部入り のコピー", audit[0].GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Export_then_import_on_another_store_gives_the_same_policy()
    {
        using var cli = await WithSampleAsync();
        var yaml = await cli.OkAsync("policy", "export");
        var json = await cli.OkAsync("policy", "export", "--format", "json");
        using var other = new CliRunner { Postgres = await postgres.CreateDatabaseAsync() };
        var file = other.File("p.json");
        await File.WriteAllTextAsync(file, json);
        await other.OkAsync("policy", "import", file, "--mode", "overwrite");
        Assert.Equal(Strip(yaml), Strip(await other.OkAsync("policy", "export")));

        static string Strip(string s) => string.Join('\n', s.Split('\n').Where(l => !l.StartsWith("exportedAt:")));
    }

    [Fact]
    public async Task An_invalid_policy_file_is_rejected_with_file_line_and_path()
    {
        using var cli = await WithSampleAsync();
        var file = cli.File("bad.yaml");
        var yaml = (await cli.OkAsync("policy", "export")).Replace("name: X-Checked", "name: X-Sekisho-Mine");
        await File.WriteAllTextAsync(file, yaml);
        var (exit, _, err) = await cli.RunAsync("policy", "import", file, "--dry-run");
        Assert.Equal(1, exit);
        int line = yaml.Split('\n').ToList().FindIndex(l => l.Contains("X-Sekisho-Mine")) + 1;
        Assert.Contains($"bad.yaml:{line}: rules[", err);
        Assert.Contains("reserved", err);
    }
}
