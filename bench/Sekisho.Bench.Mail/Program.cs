using System.Diagnostics;
using Sekisho.Mail;

// Usage: dotnet run -c Release --project bench/Sekisho.Bench.Mail [--corpus DIR] [--threads N] [--rounds N]
// Loads every *.txt message of the corpus into memory, warms up once, then inspects all messages per round
// and prints messages/s and MB/s, plus what the facts contained (a sanity check that work was done).
var corpus = Text("--corpus") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.work/package/data"));
int threads = Option("--threads", 1), rounds = Option("--rounds", 3);
if (!Directory.Exists(corpus))
{
    Console.Error.WriteLine($"Corpus not found at {corpus}; run bench/fetch-corpus first.");
    return 2;
}
var messages = Directory.EnumerateFiles(corpus, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
long totalBytes = messages.Sum(m => (long)m.Length);
var inspector = new MessageInspector();

var (parts, attachments, urls, exceptions) = RunOnce();
Console.WriteLine($"corpus: {messages.Length} messages, {totalBytes / 1e6:0.0} MB; facts: {parts} parts, {attachments} attachments, {urls} URLs, {exceptions} scan exceptions");
for (int r = 1; r <= rounds; r++)
{
    var sw = Stopwatch.StartNew();
    RunOnce();
    sw.Stop();
    Console.WriteLine($"round {r} ({threads} thread{(threads == 1 ? "" : "s")}): {messages.Length / sw.Elapsed.TotalSeconds:0} messages/s, {totalBytes / 1e6 / sw.Elapsed.TotalSeconds:0.0} MB/s");
}
return 0;

(long, long, long, long) RunOnce()
{
    long p = 0, a = 0, u = 0, e = 0;
    Parallel.ForEach(messages, new ParallelOptions { MaxDegreeOfParallelism = threads }, m =>
    {
        var facts = inspector.Inspect(m);
        Interlocked.Add(ref p, facts.Parts.Length);
        Interlocked.Add(ref a, facts.Attachments.Length);
        Interlocked.Add(ref u, facts.Urls.Length);
        Interlocked.Add(ref e, facts.ScanExceptions.Length);
    });
    return (p, a, u, e);
}

string? Text(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}
