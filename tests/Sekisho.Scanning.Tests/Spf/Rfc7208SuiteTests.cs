using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.Spf;
using Sekisho.Testing;
using YamlDotNet.RepresentationModel;

namespace Sekisho.Scanning.Tests.Spf;

/// <summary>The scenarios of the RFC 7208 suite, each with its zone data served by its own in-process DNS server.</summary>
public sealed class Rfc7208Suite : IDisposable
{
    public sealed record Case(string Scenario, string Name, string Helo, string Host, string MailFrom, string[] Results, string? Explanation);

    public static readonly string SuitePath = Path.Combine(AppContext.BaseDirectory, "Spf", "Suite", "rfc7208-tests.yml");

    private readonly Dictionary<string, FakeDnsServer> _servers = [];

    public static IReadOnlyList<(string Description, YamlMappingNode Node)> LoadScenarios()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(SuitePath)) stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode)
            .Select(n => (((YamlScalarNode)n["description"]).Value!, n)).ToList();
    }

    public static IEnumerable<Case> LoadCases()
    {
        foreach (var (description, node) in LoadScenarios())
            foreach (var (key, value) in (YamlMappingNode)node["tests"])
            {
                var t = (YamlMappingNode)value;
                string S(string k) => t.Children.TryGetValue(k, out var v) ? ((YamlScalarNode)v).Value ?? "" : "";
                var result = t["result"] is YamlSequenceNode seq
                    ? seq.Select(r => ((YamlScalarNode)r).Value!).ToArray()
                    : [((YamlScalarNode)t["result"]).Value!];
                yield return new(description, ((YamlScalarNode)key).Value!, S("helo"), S("host"), S("mailfrom"), result,
                    t.Children.ContainsKey("explanation") ? S("explanation") : null);
            }
    }

    /// <summary>The DNS server holding a scenario's zone data (started on first use).</summary>
    public FakeDnsServer Server(string scenario)
    {
        lock (_servers)
        {
            if (_servers.TryGetValue(scenario, out var s)) return s;
            var node = LoadScenarios().Single(x => x.Description == scenario).Node;
            s = new FakeDnsServer();
            if (node.Children.TryGetValue("zonedata", out var zone))
                foreach (var (name, records) in (YamlMappingNode)zone)
                    LoadName(s, ((YamlScalarNode)name).Value!, (YamlSequenceNode)records);
            _servers[scenario] = s;
            return s;
        }
    }

    /// <summary>As pyspf's testspf.py: SPF-type records are also served as TXT unless the name has TXT entries.</summary>
    private static void LoadName(FakeDnsServer dns, string name, YamlSequenceNode records)
    {
        var owner = DomainName.Parse(name);
        bool hasTxt = records.OfType<YamlMappingNode>().Any(m => m.Children.Keys.Any(k => ((YamlScalarNode)k).Value == "TXT"));
        foreach (var entry in records)
        {
            if (entry is YamlScalarNode { Value: "TIMEOUT" }) { dns.ServerFailure(name); continue; }
            foreach (var (k, v) in (YamlMappingNode)entry)
            {
                var type = ((YamlScalarNode)k).Value;
                string Scalar() => ((YamlScalarNode)v).Value ?? "";
                string[] Strings() => v is YamlSequenceNode seq ? seq.Select(x => ((YamlScalarNode)x).Value ?? "").ToArray() : [Scalar()];
                switch (type)
                {
                    case "TXT" when Scalar2(v) != "NONE":
                        dns.Txt(name, Strings());
                        break;
                    case "SPF" when !hasTxt && Scalar2(v) != "NONE":
                        dns.Txt(name, Strings());
                        break;
                    case "A": dns.A(name, Scalar()); break;
                    case "AAAA": dns.Aaaa(name, Scalar()); break;
                    case "PTR": dns.Add(new PtrRecord(owner, 300, DomainName.Parse(Scalar()))); break;
                    case "CNAME": dns.Cname(name, Scalar()); break;
                    case "MX":
                        {
                            var mx = (YamlSequenceNode)v;
                            var exchange = ((YamlScalarNode)mx[1]).Value ?? "";
                            dns.Add(new ARSoft.Tools.Net.Dns.MxRecord(owner, 300, ushort.Parse(((YamlScalarNode)mx[0]).Value!),
                                exchange.Length == 0 ? DomainName.Root : DomainName.Parse(exchange)));
                            break;
                        }
                }
            }
        }
    }

    private static string? Scalar2(YamlNode n) => (n as YamlScalarNode)?.Value;

    public void Dispose()
    {
        foreach (var s in _servers.Values) s.Dispose();
    }
}

/// <summary>Every case of the RFC 7208 test suite (openspf.org 2014.04, from Debian's python3-spf) against <see cref="SpfEvaluator"/>.</summary>
public sealed class Rfc7208SuiteTests(Rfc7208Suite suite) : IClassFixture<Rfc7208Suite>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Rfc7208Suite.LoadCases()) data.Add(c.Scenario, c.Name);
        return data;
    }

    [Fact]
    public void The_suite_is_complete()
    {
        var cases = Rfc7208Suite.LoadCases().ToList();
        Assert.Equal(16, cases.Select(c => c.Scenario).Distinct().Count());
        Assert.True(cases.Count >= 200, $"only {cases.Count} cases loaded");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_passes(string scenario, string name)
    {
        var c = Rfc7208Suite.LoadCases().Single(x => x.Scenario == scenario && x.Name == name);
        var server = suite.Server(scenario);
        var resolver = new CachingDnsResolver(new DnsResolverOptions
        {
            Servers = [new IPEndPoint(IPAddress.Loopback, server.Port)],
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 0,
        });
        var evaluator = new SpfEvaluator(resolver, new SpfOptions { DefaultExplanation = "DEFAULT" });

        var check = await evaluator.CheckAsync(IPAddress.Parse(c.Host), c.MailFrom, c.Helo);

        var actual = check.Result.ToString().ToLowerInvariant();
        Assert.True(c.Results.Contains(actual), $"{name}: expected {string.Join(" or ", c.Results)}, got {actual} ({check.Reason})");
        if (c.Explanation is not null)
            Assert.True(c.Explanation == check.Explanation, $"{name}: expected explanation '{c.Explanation}', got '{check.Explanation}'");
    }
}
