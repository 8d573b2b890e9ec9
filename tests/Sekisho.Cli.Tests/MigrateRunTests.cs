using System.Diagnostics;
using System.Text.Json;
using Sekisho.Model.Serialization;
using Sekisho.Store;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

[Collection(PostgresCollection.Name)]
public class MigrateRunTests(PostgresServer postgres)
{
    private static readonly string Seed = RepoPaths.Fixture("imsva", "seed-example.dat");
    private static readonly string Enterprise = RepoPaths.Fixture("imsva", "enterprise-ja.dat");

    private async Task<CliRunner> RunnerAsync(string database, TimeProvider? time = null) =>
        new() { Postgres = database == "postgresql" ? await postgres.CreateDatabaseAsync() : null, Time = time ?? TimeProvider.System };

    public static TheoryData<string> Databases => new() { "sqlite", "postgresql" };

    private static List<JsonElement> Json(string s) => JsonDocument.Parse(s).RootElement.EnumerateArray().ToList();

    /// <summary>The policy as the store holds it (ids, objects, rules, settings), without volatile audit data.</summary>
    private static async Task<string> PolicyAsync(CliRunner cli) => await cli.OkAsync("policy", "export", "--format", "json") is var s
        ? string.Join('\n', s.Split('\n').Where(l => !l.Contains("\"exportedAt\""))) : "";

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Seed_example_in_merge_mode_gives_the_seed_policy_list(string database)
    {
        using var cli = await RunnerAsync(database);
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        var output = await cli.OkAsync("migrate", "run", Seed, "--mode", "merge", "--yes", "--lang", "en");
        Assert.Contains("Migration completed", output);
        var rules = Json(await cli.OkAsync("policy", "list", "--json", "--direction", "inbound", "--type", "content"));
        Assert.Equal(["DDEIにBCCでメール送信", "TMEMS Migration Test Policy", "パスワードで保護された添付ファイルの初期設定ルール", "パスワードで保護された添付ファイルの検索ルール (例外処理)"],
            rules.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal([1, 2, 3, 4], rules.Select(r => r.GetProperty("order").GetInt32()));
        Assert.Equal([false, true, true, true], rules.Select(r => r.GetProperty("enabled").GetBoolean()));
        Assert.Equal(["needs-fix", "successful", "successful", "successful"], rules.Select(r => r.GetProperty("migrationStatus").GetString()));
        Assert.Equal(["do-not-intercept", "quarantine", "do-not-intercept", "do-not-intercept"], rules.Select(r => r.GetProperty("action").GetString()));
        var ja = await cli.OkAsync("--lang", "ja", "policy", "list", "--direction", "inbound", "--type", "content");
        Assert.Contains("修正が必要です", ja);
        Assert.Contains("隔離", ja);
        Assert.Contains("スタンプ", ja);

        var show = await cli.OkAsync("policy", "show", "DDEIにBCCでメール送信");
        Assert.Contains("bcc-unmanaged-domain", show);
        Assert.Contains("Fix: To copy mail to another system (for example a DDEI appliance)", show);

        var audit = Json(await cli.OkAsync("audit", "list", "--json", "--type", "migration.*"));
        Assert.Equal(["migration.import-completed", "migration.import-started", "migration.analysis-completed", "migration.analysis-started"],
            audit.Select(a => a.GetProperty("eventType").GetString()));
        foreach (var a in audit)
        {
            var fields = a.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!, c => c.GetProperty("newValue").GetString());
            Assert.Equal("seed-example.dat", fields["file-name"]);
            Assert.Equal("merge", fields["mode"]);
            Assert.True(DateTimeOffset.TryParse(fields["created"], out _));
        }
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_second_merge_of_the_same_file_creates_nothing_and_overwrite_replaces_but_keeps_domains(string database)
    {
        using var cli = await RunnerAsync(database);
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        await cli.OkAsync("domain", "add", "example-group.co.jp", "--inbound", "10.0.1.25");
        await cli.OkAsync("migrate", "run", Enterprise, "--yes");
        var first = await PolicyAsync(cli);
        var rulesAfterFirst = Json(await cli.OkAsync("policy", "list", "--json")).Count;

        await cli.OkAsync("migrate", "run", Enterprise, "--yes");
        Assert.Equal(first, await PolicyAsync(cli));

        // A rule of my own, then an overwrite: migrated classes are replaced, my rule of a migrated type goes, domains stay.
        var domainsBefore = Json(await cli.OkAsync("domain", "list", "--json")).Select(d => d.GetProperty("name").GetString()).ToList();
        await cli.OkAsync("migrate", "run", Seed, "--mode", "overwrite", "--yes");
        var rules = Json(await cli.OkAsync("policy", "list", "--json"));
        // Only the rule types the export holds are replaced (here inbound content); the others stay.
        Assert.Equal(4, rules.Count(r => r.GetProperty("direction").GetString() == "inbound" && r.GetProperty("type").GetString() == "content"));
        Assert.Equal(2, rules.Count(r => r.GetProperty("type").GetString() == "virus"));
        Assert.DoesNotContain(rules, r => r.GetProperty("name").GetString() == "危険な添付ファイル");
        Assert.True(rules.Count < rulesAfterFirst);
        Assert.Equal(domainsBefore, Json(await cli.OkAsync("domain", "list", "--json")).Select(d => d.GetProperty("name").GetString()).Take(domainsBefore.Count));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_failure_at_any_point_of_the_import_leaves_the_policy_as_it_was(string database)
    {
        using var cli = await RunnerAsync(database);
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        await cli.OkAsync("domain", "add", "example-group.co.jp", "--inbound", "10.0.1.25");
        var before = await PolicyAsync(cli);
        foreach (var n in new[] { 1, 7, 25 })
        {
            Environment.SetEnvironmentVariable("SEKISHO_TEST_IMPORT_FAIL_AFTER", n.ToString());
            try
            {
                var (exit, _, err) = await cli.RunAsync("migrate", "run", Enterprise, "--yes");
                Assert.Equal(1, exit);
                Assert.Contains("nothing was changed", err);
            }
            finally { Environment.SetEnvironmentVariable("SEKISHO_TEST_IMPORT_FAIL_AFTER", null); }
            Assert.Equal(before, await PolicyAsync(cli));
        }
        var failed = Json(await cli.OkAsync("audit", "list", "--json", "--type", "migration.import-failed"));
        Assert.Equal(3, failed.Count);
        var status = JsonDocument.Parse(await cli.OkAsync("migrate", "status", "--json")).RootElement;
        Assert.Equal("failed", status.GetProperty("state").GetString());
        await cli.OkAsync("migrate", "run", Enterprise, "--yes");
        Assert.NotEqual(before, await PolicyAsync(cli));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Kill_9_during_the_import_leaves_the_policy_as_it_was(string database)
    {
        using var cli = await RunnerAsync(database);
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        await cli.OkAsync("domain", "add", "example-group.co.jp", "--inbound", "10.0.1.25");
        var before = await PolicyAsync(cli);
        var marker = cli.File("paused");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "sekisho.dll"), "--data", cli.DataDirectory, "migrate", "run", Enterprise, "--yes" }) psi.ArgumentList.Add(a);
        if (cli.Postgres is not null) { psi.ArgumentList.Add("--db"); psi.ArgumentList.Add(cli.Postgres); }
        psi.Environment["SEKISHO_TEST_IMPORT_PAUSE_AFTER"] = "30";
        psi.Environment["SEKISHO_TEST_IMPORT_PAUSE_FILE"] = marker;
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        await ExternalProcess.WaitUntilAsync(() => Task.FromResult(File.Exists(marker) || p.HasExited), TimeSpan.FromMinutes(3), "the import to pause after 30 objects");
        Assert.False(p.HasExited, "the migration ended before the pause point");
        p.Kill(); // SIGKILL: no cleanup runs
        await p.WaitForExitAsync();

        Assert.Equal(before, await PolicyAsync(cli));
        // The task left "importing" by the dead process is reported as interrupted, and the next run completes.
        var status = JsonDocument.Parse(await cli.OkAsync("migrate", "status", "--json")).RootElement;
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Equal("interrupted", status.GetProperty("error").GetString());
        await cli.OkAsync("migrate", "run", Enterprise, "--yes");
        Assert.Contains(Json(await cli.OkAsync("policy", "list", "--json")), r => r.GetProperty("name").GetString() == "危険な添付ファイル");
    }

    [Fact]
    public async Task Only_one_migration_runs_per_organization()
    {
        using var cli = await RunnerAsync("sqlite");
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        var store = await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = cli.DataDirectory });
        var org = await store.EnsureOrganizationAsync("default", "test");
        await using (var held = await store.TryAcquireAsync("migration-" + org.Id))
        {
            Assert.NotNull(held);
            var (exit, _, err) = await cli.RunAsync("migrate", "run", Seed, "--yes");
            Assert.Equal(1, exit);
            Assert.Contains("Another migration", err);
        }
        await cli.OkAsync("migrate", "run", Seed, "--yes");
    }

    [Fact]
    public async Task Reports_are_kept_for_the_latest_migration_for_90_days()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var cli = await RunnerAsync("sqlite", time);
        await cli.OkAsync("domain", "add", "example.co.jp", "--inbound", "10.0.0.25");
        Assert.Contains("No migration", await cli.OkAsync("migrate", "status"));
        await cli.OkAsync("migrate", "run", Seed, "--yes");
        var status = await cli.OkAsync("migrate", "status", "--lang", "ja");
        Assert.Contains("前回の移行", status);
        Assert.Contains("レポートの有効期限", status);

        var migration = JsonDocument.Parse(await cli.OkAsync("migrate", "report", "--format", "json")).RootElement;
        Assert.Equal(4, migration.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("kind").GetString() == "rule"));
        var html = await cli.OkAsync("migrate", "report", "--format", "html", "--lang", "ja");
        Assert.Contains("データ移行レポート", html);
        var analysisHtml = await cli.OkAsync("migrate", "report", "--analysis", "--format", "html", "--lang", "en");
        Assert.Contains("Data analysis report", analysisHtml);

        time.Advance(TimeSpan.FromDays(91));
        var (exit, _, err) = await cli.RunAsync("migrate", "report");
        Assert.Equal(1, exit);
        Assert.Contains("expired", err);
    }

    [Fact]
    public async Task Without_yes_a_non_interactive_run_refuses_and_cancel_imports_nothing()
    {
        using var cli = await RunnerAsync("sqlite");
        var (exit, _, err) = await cli.RunAsync("migrate", "run", Seed);
        Assert.Equal(1, exit);
        Assert.Contains("--yes", err);
        var o = new StringWriter();
        var e = new StringWriter();
        exit = await Program.RunAsync(["--data", cli.DataDirectory, "migrate", "run", Seed, "--domain", "example.co.jp"], o, e, TimeProvider.System, default, "en", new StringReader("n\n"));
        Assert.Equal(0, exit);
        Assert.Contains("cancelled", o.ToString());
        Assert.Empty(Json(await cli.OkAsync("policy", "list", "--json")));
        Assert.Contains(Json(await cli.OkAsync("audit", "list", "--json")), a => a.GetProperty("eventType").GetString() == "migration.cancelled");
    }
}
