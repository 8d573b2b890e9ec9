using System.Text;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Store.PolicyFiles;
using Sekisho.Testing;

namespace Sekisho.Store.Tests;

[Collection(DatabaseCollection.Name)]
public class PolicyFileTests(PostgresServer postgres) : StoreTestBase(postgres)
{
    private static readonly DateTimeOffset ExportTime = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private async Task<(SekishoStore Store, Organization Org)> EmptyAsync(string database)
    {
        var store = await OpenAsync(database);
        return (store, await store.EnsureOrganizationAsync("default", "test"));
    }

    private static async Task<string> ExportAsync(SekishoStore store, Organization org, PolicyFileFormat format)
    {
        await using var s = await store.BeginAsync(org, "test");
        return PolicyFileWriter.Write(PolicyDocument.From(await s.LoadSnapshotAsync(), org.Name, ExportTime), format);
    }

    private static async Task<ImportResult> ImportAsync(SekishoStore store, Organization org, string text, ImportMode mode = ImportMode.Merge, bool dryRun = false)
    {
        await using var s = await store.BeginAsync(org, "test");
        var r = await PolicyImporter.ImportAsync(s, PolicyFileReader.Read(Encoding.UTF8.GetBytes(text)), mode, dryRun, "policy.yaml");
        await s.CommitAsync();
        return r;
    }

    public static TheoryData<string, PolicyFileFormat> DatabasesAndFormats => new()
    {
        { "sqlite", PolicyFileFormat.Yaml }, { "sqlite", PolicyFileFormat.Json },
        { "postgresql", PolicyFileFormat.Yaml }, { "postgresql", PolicyFileFormat.Json },
    };

    [Theory]
    [MemberData(nameof(DatabasesAndFormats))]
    public async Task A_policy_using_every_field_round_trips_through_export_and_import(string database, PolicyFileFormat format)
    {
        var text = PolicyFileWriter.Write(PolicyDocument.From(PolicySamples.Full(), "default", ExportTime), format);
        var (store, org) = await EmptyAsync(database);
        var result = await ImportAsync(store, org, text);
        Assert.Equal(2 + 13 + 6 + 1, result.Count(PolicyImporter.Create) + result.Count(PolicyImporter.Update));
        var exported = await ExportAsync(store, org, format);
        Assert.Equal(StoreSessionTests.Canonical(PolicySamples.Full()), StoreSessionTests.Canonical(PolicyFileReader.Read(Encoding.UTF8.GetBytes(exported)).Document.ToSnapshot()));

        // Re-importing the same file changes nothing; another store given the export exports the same text.
        Assert.Empty((await ImportAsync(store, org, text)).Changes);
        var (other, otherOrg) = await EmptyAsync(database);
        await ImportAsync(other, otherOrg, exported);
        Assert.Equal(exported, await ExportAsync(other, otherOrg, format));
    }

    [Fact]
    public void Yaml_is_readable_and_quotes_what_would_change_type()
    {
        var yaml = PolicyFileWriter.Write(PolicyDocument.From(PolicySamples.Full(), "default", ExportTime), PolicyFileFormat.Yaml);
        Assert.Contains("schema: sekisho.policy/1\n", yaml);
        Assert.Contains("name: 役員", yaml);
        Assert.Contains("from: \"22:00\"", yaml);
        Assert.Contains("status: needs-fix", yaml);
        Assert.Contains("body: |-", yaml);
        var back = PolicyFileReader.Read(Encoding.UTF8.GetBytes(yaml)).Document;
        Assert.Equal(PolicySamples.Full().Notifications[0].Body, back.Notifications[0].Body);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task An_invalid_file_is_rejected_whole_with_the_path_and_line_of_each_problem(string database)
    {
        var (store, org) = await EmptyAsync(database);
        var yaml = PolicyFileWriter.Write(PolicyDocument.From(PolicySamples.Full(), "default", ExportTime), PolicyFileFormat.Yaml);
        var lines = yaml.Split('\n').ToList();
        int xheader = lines.FindIndex(l => l.Contains("name: X-Checked"));
        lines[xheader] = lines[xheader].Replace("X-Checked", "X-Sekisho-Checked");
        int bcc = lines.FindIndex(l => l.Contains("audit@example.co.jp"));
        lines[bcc] = lines[bcc].Replace("audit@example.co.jp", "ddei@ddei.example.local");
        var bad = string.Join('\n', lines);

        await using var s = await store.BeginAsync(org, "test");
        var e = await Assert.ThrowsAsync<PolicyFileException>(() => PolicyImporter.ImportAsync(s, PolicyFileReader.Read(Encoding.UTF8.GetBytes(bad)), ImportMode.Merge, false, "p.yaml"));
        var reserved = Assert.Single(e.Problems, p => p.Path.EndsWith("modify[1].name"));
        Assert.Equal(xheader + 1, reserved.Line);
        Assert.Equal("rules[0].actions.modify[1].name", reserved.Path);
        Assert.Contains("X-Sekisho", reserved.Message.En);
        var outside = Assert.Single(e.Problems, p => p.Path.Contains("monitor[1]"));
        Assert.Equal(bcc + 1, outside.Line);
        await s.DisposeAsync();

        await using var read = await store.BeginAsync(org, "test");
        Assert.Empty((await read.LoadSnapshotAsync()).Rules);
    }

    [Theory]
    [InlineData("schema: \"sekisho.policy/1\"\nrules:\n  - id: x\n    direction: sideways\n", 4)]
    [InlineData("schema: \"sekisho.policy/1\"\nrules: [\n", 3)]
    [InlineData("schema: \"sekisho.policy/2\"\n", 1)]
    [InlineData("{\"schema\": \"sekisho.policy/1\",\n \"stamps\": [ {\"id\": 1,\n \"name\": 2} ]}", 2)]
    [InlineData("{\"schema\": \"sekisho.policy/1\",\n\n \"rules\": [ }", 3)]
    public void Syntax_and_type_errors_name_the_line(string text, int line)
    {
        var e = Assert.Throws<PolicyFileException>(() => PolicyFileReader.Read(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(line, e.Problems[0].Line);
    }

    [Fact]
    public void Yaml_aliases_are_refused()
    {
        var text = "schema: \"sekisho.policy/1\"\nurlKeywords: &a [x]\nsettings:\n  urlKeywordExceptions: *a\n";
        var e = Assert.Throws<PolicyFileException>(() => PolicyFileReader.Read(Encoding.UTF8.GetBytes(text)));
        Assert.Contains("alias", e.Problems[0].Message.En);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Dry_run_reports_changes_and_changes_nothing(string database)
    {
        var (store, org) = await EmptyAsync(database);
        var text = PolicyFileWriter.Write(PolicyDocument.From(PolicySamples.Full(), "default", ExportTime), PolicyFileFormat.Yaml);
        var r = await ImportAsync(store, org, text, dryRun: true);
        Assert.True(r.DryRun);
        Assert.Equal(6, r.Changes.Count(c => c.Kind == "rule" && c.Action == PolicyImporter.Create));
        await using var read = await store.BeginAsync(org, "test");
        Assert.Empty((await read.LoadSnapshotAsync()).Rules);
        Assert.DoesNotContain(await read.QueryAuditAsync(), a => a.EventType == AuditEvents.PolicyImported);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Overwrite_replaces_rules_and_objects_but_never_deletes_domains(string database)
    {
        var (store, org) = await EmptyAsync(database);
        var full = PolicySamples.Full();
        await ImportAsync(store, org, PolicyFileWriter.Write(PolicyDocument.From(full, "default", ExportTime), PolicyFileFormat.Yaml));
        var small = new PolicySnapshot
        {
            Domains = [full.Domains[0]],
            Stamps = full.Stamps,
            Rules = [full.Rules[1] with { Name = "改名" }],
        };
        var r = await ImportAsync(store, org, PolicyFileWriter.Write(PolicyDocument.From(small, "default", ExportTime), PolicyFileFormat.Yaml), ImportMode.Overwrite);
        Assert.Equal(5, r.Changes.Count(c => c.Kind == "rule" && c.Action == PolicyImporter.Delete));
        await using var read = await store.BeginAsync(org, "test");
        var after = await read.LoadSnapshotAsync();
        Assert.Equal(2, after.Domains.Count);
        Assert.Equal("改名", Assert.Single(after.Rules).Name);
        Assert.Single(after.AllObjects);
        var imported = (await read.QueryAuditAsync(eventType: AuditEvents.PolicyImported))[0];
        Assert.Contains(new AuditChange("mode", "overwrite", null), imported.Changes);
    }
}
