using System.Text;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>Runs the sekisho command in-process against a private data directory.</summary>
public sealed class CliRunner : IDisposable
{
    private readonly TempDir _dir = new("sekisho-cli");

    public string DataDirectory => _dir.Path;

    public string? Postgres { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string File(string name) => _dir.File(name);

    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var all = new List<string> { "--data", _dir.Path };
        if (Postgres is not null) { all.Add("--db"); all.Add(Postgres); }
        all.AddRange(args);
        // Without --lang the command follows the locale; tests pin that to English.
        int exit = await Program.RunAsync(all.ToArray(), o, e, Time, default, localeLanguage: "en");
        return (exit, o.ToString(), e.ToString());
    }

    /// <summary>Runs and asserts success, returning standard output.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);
        Assert.True(exit == 0, $"sekisho {string.Join(' ', args)} exited {exit}: {error}{output}");
        return output;
    }

    /// <summary>Adds <paramref name="domain"/> with one inbound server, publishes its token in <paramref name="dns"/> and verifies it.</summary>
    public async Task AddVerifiedDomainAsync(FakeDnsServer dns, string domain, string inbound)
    {
        var added = await OkAsync("domain", "add", domain, "--inbound", inbound);
        dns.Txt(domain, added.Split('"')[1]);
        await OkAsync("domain", "verify", domain, "--resolver", dns.Endpoint);
    }

    public void Dispose() => _dir.Dispose();
}
