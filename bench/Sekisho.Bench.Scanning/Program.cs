using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Antispam;
using Sekisho.Scanning.Antivirus;
using Sekisho.Testing;

// Usage: dotnet run -c Release --project bench/Sekisho.Bench.Scanning [--corpus DIR] [--messages N] [--concurrency N] [--rounds N]
// Starts a private clamd (local hash database) and a private rspamd (DNS answered by an in-process server), then for
// each engine alternates rounds of "direct" (the raw protocol: INSTREAM chunks / POST /checkv2, reply read and dropped)
// and "sekisho" (ClamdScanner / RspamdScanner, reply parsed into a verdict) over the same messages at the same
// concurrency, and prints messages/s and Sekisho's overhead (total time of all rounds; best rounds beside it).
var corpus = Text("--corpus") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.work/package/data"));
int limit = Option("--messages", 2000), concurrency = Option("--concurrency", 4), rounds = Option("--rounds", 3);
if (!Directory.Exists(corpus))
{
    Console.Error.WriteLine($"Corpus not found at {corpus}; run bench/fetch-corpus first.");
    return 2;
}
var messages = Directory.EnumerateFiles(corpus, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
    .Take(limit).Select(File.ReadAllBytes).ToArray();
Console.WriteLine($"corpus: {messages.Length} messages, {messages.Sum(m => (long)m.Length) / 1e6:0.0} MB; concurrency {concurrency}; {rounds} rounds per side");

using var dns = new FakeDnsServer();
await using var clamd = await ClamdServer.StartAsync();
await using var rspamd = await RspamdServer.StartAsync(dns.Endpoint);
var envelope = new MessageEnvelope(IPAddress.Parse("192.0.2.25"), "mail.example.com", "sender@example.com", ["user@example.org"], TrafficDirection.Inbound);

var clamdScanner = new ClamdScanner(new ClamdOptions { Endpoints = [clamd.Endpoint], ConfigFile = clamd.ConfigFile });
using var rspamdScanner = new RspamdScanner(new RspamdOptions { Endpoints = [rspamd.BaseUri] });
using var raw = new HttpClient();

await Compare("clamd", async m => await RawInstream(clamd.Port, m), async m =>
{
    var v = await clamdScanner.ScanAsync(new MemoryStream(m, writable: false), null, default);
    if (v.Status != ScanStatus.Completed) throw new InvalidOperationException(v.Error);
});
await Compare("rspamd", async m =>
{
    using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(rspamd.BaseUri, "checkv2")) { Content = new ByteArrayContent(m) };
    req.Headers.TryAddWithoutValidation("IP", "192.0.2.25");
    req.Headers.TryAddWithoutValidation("Helo", "mail.example.com");
    req.Headers.TryAddWithoutValidation("From", "sender@example.com");
    req.Headers.TryAddWithoutValidation("Rcpt", "user@example.org");
    using var resp = await raw.SendAsync(req);
    await resp.Content.ReadAsByteArrayAsync();
}, async m =>
{
    var v = await rspamdScanner.CheckAsync(new MemoryStream(m, writable: false), envelope, default);
    if (v.Status != ScanStatus.Completed) throw new InvalidOperationException(v.Error);
});
return 0;

async Task Compare(string engine, Func<byte[], Task> direct, Func<byte[], Task> ours)
{
    await Run(direct); // warm-up of both paths (engine caches, JIT, connection pools)
    await Run(ours);
    double bestDirect = double.MaxValue, bestOurs = double.MaxValue, totalDirect = 0, totalOurs = 0;
    for (int r = 1; r <= rounds; r++)
    {
        // Alternate which side goes first so drifting load on a shared machine hits both alike.
        double d, o;
        if (r % 2 == 1) { d = await Run(direct); o = await Run(ours); }
        else { o = await Run(ours); d = await Run(direct); }
        bestDirect = Math.Min(bestDirect, d);
        bestOurs = Math.Min(bestOurs, o);
        totalDirect += d;
        totalOurs += o;
        Console.WriteLine($"{engine} round {r}: direct {messages.Length / d:0} msg/s, sekisho {messages.Length / o:0} msg/s");
    }
    Console.WriteLine($"{engine}: all rounds: direct {rounds * messages.Length / totalDirect:0} msg/s, sekisho {rounds * messages.Length / totalOurs:0} msg/s, " +
        $"overhead {(totalOurs / totalDirect - 1) * 100:+0.0;-0.0}% (best rounds: {messages.Length / bestDirect:0} vs {messages.Length / bestOurs:0} msg/s, {(bestOurs / bestDirect - 1) * 100:+0.0;-0.0}%)");
}

async Task<double> Run(Func<byte[], Task> scan)
{
    int next = -1;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < messages.Length) await scan(messages[i]);
    }));
    return sw.Elapsed.TotalSeconds;
}

static async Task RawInstream(int port, byte[] data)
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(IPAddress.Loopback, port);
    await using var stream = new NetworkStream(socket);
    await stream.WriteAsync("zINSTREAM\0"u8.ToArray());
    var len = new byte[4];
    for (int off = 0; off < data.Length; off += 65536)
    {
        int n = Math.Min(65536, data.Length - off);
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)n);
        await stream.WriteAsync(len);
        await stream.WriteAsync(data.AsMemory(off, n));
    }
    BinaryPrimitives.WriteUInt32BigEndian(len, 0);
    await stream.WriteAsync(len);
    var buf = new byte[256];
    while (await stream.ReadAsync(buf) is var n && n > 0 && Array.IndexOf(buf, (byte)0, 0, n) < 0) { }
}

string? Text(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
int Option(string name, int fallback) => int.TryParse(Text(name), out var v) ? v : fallback;
