using System.Globalization;
using System.Text.Json;
using Sekisho.Migration.Export;

namespace Sekisho.Migration.Tests;

/// <summary>Every malformed fixture gives the code written in <c>bad/expected-fatal.json</c>, with a precise diagnostic.</summary>
public sealed class BadFixtureTests
{
    private static readonly string BadDir = Path.Combine(Support.FixtureDir("bad"));

    public static TheoryData<string, string> Expected()
    {
        var data = new TheoryData<string, string>();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(BadDir, "expected-fatal.json")));
        foreach (var p in json.RootElement.EnumerateObject()) data.Add(p.Name, p.Value.GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public async Task Bad_fixture_gives_its_fatal_code(string file, string code)
    {
        var result = await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, file));
        Assert.False(result.Succeeded);
        Assert.Equal(code, result.Fatal.CodeName);
        Assert.Equal(file, result.Fatal.FileName);
        foreach (var lang in new[] { "ja", "en" })
        {
            var message = result.Fatal.GetMessage(CultureInfo.GetCultureInfo(lang));
            Assert.Contains(file, message);
        }
    }

    [Fact]
    public async Task Every_bad_fixture_is_covered_by_expected_fatal_json()
    {
        var listed = Expected().Select(row => (string)row[0]).Order().ToArray();
        Assert.Equal(Directory.GetFiles(BadDir, "*.dat").Select(Path.GetFileName).Order().ToArray(), listed);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Not_gzip_shows_the_first_bytes_and_what_the_file_looks_like()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "not-gzip.dat"))).Fatal!;
        Assert.Equal(NotAnExportReason.NotGzip, fatal.NotAnExportReason);
        Assert.Equal("25 50 44 46 2d 31 2e 34 0a 25 20 6e 6f 74 20 61 |%PDF-1.4.% not a|", fatal.FirstBytes);
        Assert.Equal("PDF", fatal.LooksLike);
        Assert.Contains("PDF", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
        Assert.Contains("gzip 形式で圧縮されていません", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
        Assert.Contains("is not gzip-compressed", fatal.GetMessage(CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public async Task Traversal_names_the_entry_and_reads_nothing()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "traversal.dat"))).Fatal!;
        Assert.Equal(UnsafeEntryReason.ParentDirectory, fatal.UnsafeReason);
        Assert.Equal("../../etc/cron.d/evil", fatal.Entry);
        Assert.Equal(["areas.xml", "export.ini", "imss.ini", "db/tb_global_setting.csv", "policy/objects.xml", "policy/rules.xml"], fatal.EntriesFound);
        Assert.Contains("../../etc/cron.d/evil", fatal.GetMessage(CultureInfo.GetCultureInfo("en")));
        Assert.Contains("「..」を含むパス", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
    }

    [Fact]
    public async Task Bomb_names_the_limit()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "bomb.dat"))).Fatal!;
        Assert.Contains(fatal.Limit, new ExportLimitKind?[] { ExportLimitKind.CompressionRatio, ExportLimitKind.TotalUncompressedSize, ExportLimitKind.EntrySize });
        Assert.True(fatal.ActualValue > fatal.LimitValue);
        Assert.Contains("limit", fatal.GetMessage(CultureInfo.GetCultureInfo("en")));
        Assert.Contains("上限", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
    }

    [Fact]
    public async Task Missing_rules_lists_the_entries_found()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "missing-rules.dat"))).Fatal!;
        Assert.Equal("policy/rules.xml", fatal.Entry);
        Assert.Equal(["areas.xml", "export.ini", "imss.ini", "db/tb_global_setting.csv", "policy/objects.xml"], fatal.EntriesFound);
        Assert.Contains("areas.xml, export.ini, imss.ini, db/tb_global_setting.csv, policy/objects.xml", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
    }

    [Fact]
    public async Task No_migration_key_shows_the_IMSS_command_of_the_migration_guide()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "no-migration-key.dat"))).Fatal!;
        const string command = "/opt/trend/imss/PostgreSQL/bin/psql imss sa -h 127.0.0.1 -c \"insert into tb_global_setting (section, name, value, inifile) values ('imp_exp', 'enable_ems_migrate', '1', 'imss.ini');\"";
        Assert.Equal(command, fatal.EnableMigrationCommand);
        Assert.Contains(command, fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
        Assert.Contains(command, fatal.GetMessage(CultureInfo.GetCultureInfo("en")));
        Assert.Contains("root", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
        Assert.Contains("エクスポート", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
    }

    [Fact]
    public async Task Windows_export_is_refused_as_IMSS_for_Windows()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "windows.dat"))).Fatal!;
        Assert.Equal("export.ini", fatal.Entry);
        Assert.Contains("windows", fatal.ProductFound);
        Assert.Contains("Windows版", fatal.GetMessage(CultureInfo.GetCultureInfo("ja")));
        Assert.Contains("for Windows is not supported", fatal.GetMessage(CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public async Task Xxe_is_refused_at_the_doctype_line()
    {
        var fatal = (await ImsvaExportLoader.LoadFileAsync(Path.Combine(BadDir, "xxe.dat"))).Fatal!;
        Assert.Equal("policy/rules.xml", fatal.Entry);
        Assert.Equal(2, fatal.Line);
        Assert.Contains("DTD", fatal.Detail);
    }
}
