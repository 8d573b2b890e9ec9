using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp;
using Sekisho.Smtp.Hosting;
using Sekisho.Smtp.Tracking;

// Usage: Sekisho.Smtp.TestHost --spool DIR --smtp ADDR:PORT --domain NAME=HOST:PORT [--domain ...]
//          [--submission ADDR:PORT] [--metrics ADDR:PORT] [--tracking DIR] [--concurrency N]
//          [--max-per-client N] [--max-connections N] [--outbound-from CIDR] [--log LEVEL] [--unsafe-no-fsync]
// Prints "READY mta=ADDR:PORT" on stdout once the listeners are bound. SIGTERM stops it gracefully.
var a = new Args(args);
var spool = a.Required("--spool");
var domains = a.All("--domain").Select(ParseDomain).ToList();
if (domains.Count == 0) return Fail("at least one --domain NAME=HOST:PORT is required");

// The content root is the program's own directory and configuration files are not watched: a file watcher on a
// directory that holds the spool would wake up for every queue file.
Environment.SetEnvironmentVariable("DOTNET_hostBuilder:reloadConfigOnChange", "false");
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(a.Optional("--log") ?? "Warning", ignoreCase: true));
var metrics = a.Optional("--metrics");
builder.WebHost.ConfigureKestrel(k =>
{
    if (metrics is not null) k.Listen(ListenerOptions.ParseEndpoint(metrics));
});
if (metrics is null) builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(40));

var outbound = a.Optional("--outbound-from") is { } cidr ? new[] { IPNetwork.Parse(cidr) } : [];
builder.Services.AddSingleton<IManagedDomainCatalog>(new StaticManagedDomainCatalog(domains.Select(d => new ManagedDomain(d.Name, true, [new InboundServer("*", d.Host, d.Port, 10)], outbound))));
// Mail tracking goes to JSON-lines files (in the spool unless --tracking says where), as a real deployment would keep it.
builder.Services.AddSingleton<IMailTrackingSink>(new JsonLinesMailTrackingSink(a.Optional("--tracking") ?? Path.Combine(spool, "tracking")));
builder.Services.AddSekishoSmtp(o =>
{
    o.HostName = "gateway.sekisho.test";
    o.SpoolDirectory = spool;
    o.Listeners = [new(ListenerKind.Mta, ListenerOptions.ParseEndpoint(a.Optional("--smtp") ?? "127.0.0.1:0"))];
    if (a.Optional("--submission") is { } sub) o.Listeners.Add(new(ListenerKind.Submission, ListenerOptions.ParseEndpoint(sub)));
    if (a.Optional("--concurrency") is { } c) { o.Delivery.MaxConcurrentDeliveries = Int(c); o.Delivery.MaxConnectionsPerDestination = Int(c); }
    if (a.Optional("--max-per-client") is { } m) o.Limits.MaxConnectionsPerClient = Int(m);
    if (a.Optional("--max-connections") is { } mc) o.Limits.MaxConnections = Int(mc);
    // Diagnostics only (to see what durability costs); never used by the benchmark or the crash test.
    if (Array.IndexOf(args, "--unsafe-no-fsync") >= 0) o.Fsync = false;
});

var app = builder.Build();
app.MapSekishoSmtpEndpoints();
await app.StartAsync();
var gateway = app.Services.GetRequiredService<SmtpGateway>();
Console.Out.WriteLine("READY " + string.Join(" ", gateway.Endpoints.Select(e => (e.Kind == ListenerKind.Mta ? "mta=" : "submission=") + e.Endpoint)) + " pid=" + Environment.ProcessId);
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine("Sekisho.Smtp.TestHost: " + message);
    return 2;
}

static int Int(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

static (string Name, string Host, int Port) ParseDomain(string s)
{
    var eq = s.IndexOf('=');
    var colon = s.LastIndexOf(':');
    if (eq <= 0 || colon <= eq) throw new FormatException($"--domain expects NAME=HOST:PORT, got '{s}'");
    return (s[..eq], s[(eq + 1)..colon], Int(s[(colon + 1)..]));
}

internal sealed class Args(string[] args)
{
    public string? Optional(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public string Required(string name) => Optional(name) ?? throw new ArgumentException($"{name} is required");

    public IEnumerable<string> All(string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == name) yield return args[i + 1];
    }
}
