using System.Diagnostics;
using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Testing.Imsva;

// bench: generate OUT.dat | analyze FILE
if (args.Length == 2 && args[0] == "generate")
{
    var builder = LargeImsvaExport.Create(LargeExportShape.Benchmark);
    builder.WriteToFile(args[1]);
    Console.WriteLine($"generated {args[1]}: {new FileInfo(args[1]).Length / 1024} KiB (5,000 rules, 2,000 address groups holding 100,000 addresses, 1,000 keyword lists)");
    return 0;
}
if (args.Length == 2 && args[0] == "analyze")
{
    var sw = Stopwatch.StartNew();
    var load = await ImsvaExportLoader.LoadFileAsync(args[1]);
    if (!load.Succeeded) { Console.Error.WriteLine(load.Fatal); return 1; }
    var loaded = sw.Elapsed;
    var analysis = ImsvaMapper.Analyze(load.Export, MappingContext.Offline(["example.co.jp", "example.com"], MigrationMode.Merge, DateTimeOffset.UtcNow));
    var mapped = sw.Elapsed;
    var json = AnalysisJson.Write(analysis, "ja");
    var total = sw.Elapsed;
    var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(':')[1].Trim();
    Console.WriteLine($"items {analysis.Items.Count}, rules planned {analysis.Plan.Rules.Count}, JSON {json.Length / 1024} KiB");
    Console.WriteLine($"load {loaded.TotalMilliseconds:0} ms, mapping {(mapped - loaded).TotalMilliseconds:0} ms, JSON {(total - mapped).TotalMilliseconds:0} ms, total {total.TotalMilliseconds:0} ms; peak RSS {hwm}");
    return 0;
}
Console.Error.WriteLine("usage: generate OUT.dat | analyze FILE");
return 2;
