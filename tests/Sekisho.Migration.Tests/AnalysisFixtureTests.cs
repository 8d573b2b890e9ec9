using System.Text.Json;
using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Model.Serialization;
using Sekisho.Testing;

namespace Sekisho.Migration.Tests;

/// <summary>Every sample export in tests/fixtures/imsva gives the statuses, targets and findings its expected.json lists.</summary>
public class AnalysisFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(RepoPaths.ImsvaFixtures).Where(d => File.Exists(Path.Combine(d, "expected.json"))).Order())
            data.Add(Path.GetFileName(dir));
        return data;
    }

    internal static async Task<MigrationAnalysis> AnalyzeFixtureAsync(string name)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.ImsvaFixtures, name, "expected.json"))).RootElement;
        var args = expected.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
        var domains = args.Select((a, i) => (a, i)).Where(x => x.a == "--domain").Select(x => args[x.i + 1]).ToList();
        var load = await ImsvaExportLoader.LoadFileAsync(Path.Combine(RepoPaths.ImsvaFixtures, name + ".dat"));
        Assert.True(load.Succeeded, load.Fatal?.ToString());
        return ImsvaMapper.Analyze(load.Export, MappingContext.Offline(domains, MigrationMode.Merge, DateTimeOffset.UtcNow));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Analysis_matches_expected(string name)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.ImsvaFixtures, name, "expected.json"))).RootElement;
        var analysis = await AnalyzeFixtureAsync(name);
        var json = JsonDocument.Parse(AnalysisJson.Write(analysis, "en")).RootElement;
        var items = json.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);

        var source = expected.GetProperty("source");
        Assert.Equal(source.GetProperty("product").GetString(), json.GetProperty("source").GetProperty("product").GetString());
        Assert.Equal(source.GetProperty("build").GetInt32(), json.GetProperty("source").GetProperty("build").GetInt32());
        Assert.Equal(source.GetProperty("language").GetString(), json.GetProperty("source").GetProperty("language").GetString());

        var problems = new List<string>();
        foreach (var e in expected.GetProperty("items").EnumerateObject())
        {
            if (!items.TryGetValue(e.Name, out var item)) { problems.Add($"{e.Name}: missing"); continue; }
            if (item.GetProperty("status").GetString() != e.Value.GetString())
                problems.Add($"{e.Name}: status {item.GetProperty("status").GetString()}, expected {e.Value.GetString()} ({string.Join(", ", item.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString() + "/" + f.GetProperty("status").GetString()))})");
        }
        foreach (var e in expected.GetProperty("targets").EnumerateObject())
        {
            if (!items.TryGetValue(e.Name, out var item)) continue;
            var actual = item.GetProperty("targets").EnumerateArray().Where(t => t.GetProperty("kind").GetString() != "sender-filter").ToList();
            var wanted = e.Value.EnumerateArray().ToList();
            if (actual.Count != wanted.Count) { problems.Add($"{e.Name}: {actual.Count} targets, expected {wanted.Count}"); continue; }
            for (int i = 0; i < wanted.Count; i++)
                foreach (var p in wanted[i].EnumerateObject())
                    if (!actual[i].TryGetProperty(p.Name, out var v) || v.ToString() != p.Value.ToString())
                        problems.Add($"{e.Name}: target {i} {p.Name} = {(actual[i].TryGetProperty(p.Name, out var x) ? x.ToString() : "absent")}, expected {p.Value}");
        }
        foreach (var e in expected.GetProperty("findings").EnumerateObject())
        {
            if (!items.TryGetValue(e.Name, out var item)) continue;
            var codes = item.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToHashSet();
            foreach (var code in e.Value.EnumerateArray().Select(c => c.GetString()))
                if (!codes.Contains(code)) problems.Add($"{e.Name}: finding {code} missing (has {string.Join(", ", codes)})");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Every_finding_has_a_message_and_a_fix_in_both_languages()
    {
        foreach (var name in new[] { "seed-example", "enterprise-ja" })
        {
            var analysis = await AnalyzeFixtureAsync(name);
            foreach (var f in analysis.Items.SelectMany(i => i.Findings))
            {
                Assert.False(string.IsNullOrWhiteSpace(f.Message.Ja), f.Code);
                Assert.False(string.IsNullOrWhiteSpace(f.Message.En), f.Code);
                Assert.False(string.IsNullOrWhiteSpace(f.Fix.Ja), f.Code);
                Assert.False(string.IsNullOrWhiteSpace(f.Fix.En), f.Code);
                Assert.DoesNotContain("{0}", f.Message.En + f.Message.Ja);
            }
        }
    }

    [Fact]
    public async Task The_plan_is_a_valid_policy()
    {
        var analysis = await AnalyzeFixtureAsync("enterprise-ja");
        var policy = ImsvaMapper.Combine(Model.PolicySnapshot.Empty with
        {
            Domains = [PolicySamples.Domain("example.co.jp"), PolicySamples.Domain("example-group.co.jp")],
        }, analysis.Plan);
        Assert.Empty(Model.Validation.PolicyValidator.Validate(policy));
    }
}
