using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sekisho.Mail;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Smtp;
using Sekisho.Smtp.Hosting;
using Sekisho.Testing;

// Usage: dotnet bench/.work/policy/Sekisho.Bench.Policy.dll [--corpus DIR] [--threads N] [--rounds N] [--smtp-messages N] [--sessions N]
// (1) In-process: 100 typical rules over the SpamAssassin corpus (bench/fetch-corpus): evaluate only (facts inspected
//     beforehand) and the whole pipeline (inspect + evaluate + apply), messages/s on N threads.
// (2) Through SMTP, in the same run: the gateway (spool with fsync, delivery to an in-process sink) without rules, then
//     with the 100 rules; prints both rates and their ratio.
var corpus = Text("--corpus") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../package/data"));
int threads = Option("--threads", Environment.ProcessorCount), rounds = Option("--rounds", 3);
int smtpMessages = Option("--smtp-messages", 3000), sessions = Option("--sessions", 20);
if (!Directory.Exists(corpus))
{
    Console.Error.WriteLine($"Corpus not found at {corpus}; run bench/fetch-corpus first.");
    return 2;
}
const string Domain = "example.co.jp";
var messages = Directory.EnumerateFiles(corpus, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
long totalBytes = messages.Sum(m => (long)m.Length);
var snapshot = BenchRules.Build(Domain);
var quarantine = new CountingQuarantine();
var engine = new PolicyEngine(snapshot);
var applier = new PolicyApplier(snapshot, quarantine);
var inspector = new MessageInspector();
var envelope = new MessageEnvelope(IPAddress.Parse("203.0.113.7"), "mx.bench.test", "sender@bench.test", ["user@" + Domain], TrafficDirection.Inbound);
Console.WriteLine($"corpus: {messages.Length} messages, {totalBytes / 1e6:0.0} MB; policy: {snapshot.Rules.Count} rules, {snapshot.KeywordLists.Count} keyword lists; {threads} threads, {Environment.ProcessorCount} CPUs");

var facts = messages.Select(m => inspector.Inspect(m)).ToArray();
var (matched, modified) = await EvaluateAll(apply: false);
Console.WriteLine($"sanity: {matched} rule matches, {modified} messages with changes planned");
for (int r = 1; r <= rounds; r++)
{
    var sw = Stopwatch.StartNew();
    await EvaluateAll(apply: false);
    var evalRate = messages.Length / sw.Elapsed.TotalSeconds;
    sw.Restart();
    await Pipeline();
    var fullRate = messages.Length / sw.Elapsed.TotalSeconds;
    Console.WriteLine($"in-process round {r}: evaluate {evalRate:0} msg/s; inspect + evaluate + apply {fullRate:0} msg/s ({totalBytes / 1e6 / sw.Elapsed.TotalSeconds:0.0} MB/s)");
}
Console.WriteLine($"quarantined in-process: {quarantine.Count}");

if (smtpMessages > 0)
{
    var without = await Smtp(withRules: false);
    var with = await Smtp(withRules: true);
    Console.WriteLine($"SMTP without rules: {without.Accepted:0} msg/s accepted, {without.EndToEnd:0} msg/s end to end");
    Console.WriteLine($"SMTP with {snapshot.Rules.Count} rules: {with.Accepted:0} msg/s accepted, {with.EndToEnd:0} msg/s end to end");
    Console.WriteLine($"ratio with/without: accepted {with.Accepted / without.Accepted:0.00}, end to end {with.EndToEnd / without.EndToEnd:0.00} (target >= 0.50)");
}
return 0;

async Task<(long Matched, long Modified)> EvaluateAll(bool apply)
{
    long m = 0, mod = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, messages.Length), new ParallelOptions { MaxDegreeOfParallelism = threads }, async (i, ct) =>
    {
        var plan = await engine.EvaluateAsync(facts[i], envelope, messages[i], null, ct);
        Interlocked.Add(ref m, plan.MatchedRuleIds.Count);
        if (plan.Recipients[0].Modify.Count > 0) Interlocked.Increment(ref mod);
    });
    return (m, mod);
}

async Task Pipeline()
{
    await Parallel.ForEachAsync(Enumerable.Range(0, messages.Length), new ParallelOptions { MaxDegreeOfParallelism = threads }, async (i, ct) =>
    {
        var f = inspector.Inspect(messages[i], ct);
        var plan = await engine.EvaluateAsync(f, envelope, messages[i], null, ct);
        await applier.ApplyAsync(messages[i], f, envelope, plan, ct);
    });
}

async Task<(double Accepted, double EndToEnd)> Smtp(bool withRules)
{
    await using var sink = new FakeMta().Start();
    sink.OfferStartTls = false;
    using var spool = new TempDir("sekisho-bench-policy");
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    var port = FreePort();
    builder.Services.AddSingleton<IManagedDomainCatalog>(new StaticManagedDomainCatalog([new ManagedDomain(Domain, true, [new InboundServer("*", "127.0.0.1", sink.Port, 10)], [])]));
    if (withRules)
        builder.Services.AddSingleton<IContentPolicy>(new PolicyContentPolicy(new FixedPolicyRuntime(new PolicyRuntime(engine, applier)), inspector));
    builder.Services.AddSekishoSmtp(o =>
    {
        o.HostName = "gateway.bench.test";
        o.SpoolDirectory = spool.Path;
        o.Listeners = [new(ListenerKind.Mta, new IPEndPoint(IPAddress.Loopback, port))];
        o.Delivery.MaxConcurrentDeliveries = 20;
        o.Delivery.MaxConnectionsPerDestination = 20;
        o.Limits.MaxConnectionsPerClient = 1000;
        o.Limits.MaxConnections = 2000;
    });
    await using var app = builder.Build();
    await app.StartAsync();
    // Warm-up (JIT), then the measured run.
    var gateway = app.Services.GetRequiredService<SmtpGateway>();
    await Send(port, 200);
    await Drain(gateway);
    var sw = Stopwatch.StartNew();
    await Send(port, smtpMessages);
    var accepted = smtpMessages / sw.Elapsed.TotalSeconds;
    await Drain(gateway);
    var e2e = smtpMessages / sw.Elapsed.TotalSeconds;
    Console.WriteLine($"  ({(withRules ? "with" : "without")} rules: {sink.Messages.Count} delivered to the sink, {gateway.Metrics.DeliveredRecipients} recipients delivered, {gateway.Metrics.BouncedRecipients} bounced)");
    await app.StopAsync();
    return (accepted, e2e);
}

async Task Send(int port, int count)
{
    int next = -1;
    await Task.WhenAll(Enumerable.Range(0, sessions).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
            await SendOne(port, messages[i % messages.Length]);
    }));
}

static async Task SendOne(int port, byte[] message)
{
    using var client = new TcpClient();
    await client.ConnectAsync(IPAddress.Loopback, port);
    await using var stream = client.GetStream();
    var reader = new StreamReader(stream, Encoding.Latin1);
    async Task<string> Reply()
    {
        string? line;
        do { line = await reader.ReadLineAsync() ?? throw new IOException("connection closed"); } while (line.Length > 3 && line[3] == '-');
        return line;
    }
    async Task Command(string c, char expect)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(c + "\r\n"));
        var r = await Reply();
        if (r[0] != expect) throw new IOException($"{c}: {r}");
    }
    await Reply();
    await Command("EHLO client.bench.test", '2');
    await Command("MAIL FROM:<sender@bench.test>", '2');
    await Command("RCPT TO:<user@" + Domain + ">", '2');
    await Command("DATA", '3');
    await stream.WriteAsync(DotStuff(message));
    await Command(".", '2');
    await Command("QUIT", '2');
}

static byte[] DotStuff(byte[] message)
{
    var text = Encoding.Latin1.GetString(message).Replace("\r\n", "\n").Replace("\n", "\r\n");
    if (!text.EndsWith("\r\n")) text += "\r\n";
    text = text.Replace("\r\n.", "\r\n..");
    if (text.StartsWith('.')) text = "." + text;
    return Encoding.Latin1.GetBytes(text);
}

// Done when no message from the load generator is left in the queue (delivered, quarantined, deleted or bounced;
// delivery reports the gateway writes itself are not waited for).
static async Task Drain(SmtpGateway gateway)
{
    var deadline = DateTime.UtcNow.AddMinutes(10);
    while (true)
    {
        var left = gateway.Queue.List().Where(m => m.Sender is not null).ToList();
        if (left.Count == 0) return;
        if (DateTime.UtcNow > deadline)
            throw new TimeoutException($"{left.Count} messages still queued: {string.Join("; ", left.Take(3).Select(m => m.State + " " + m.LastError))}");
        await Task.Delay(5);
    }
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
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

internal sealed class CountingQuarantine : IQuarantineSink
{
    private int _count;
    public int Count => _count;

    public Task<string> QuarantineAsync(QuarantineRequest request, CancellationToken ct) => Task.FromResult("Q" + Interlocked.Increment(ref _count));
}
