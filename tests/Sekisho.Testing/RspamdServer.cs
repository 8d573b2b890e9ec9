using System.Diagnostics;

namespace Sekisho.Testing;

/// <summary>
/// A private rspamd (Debian package) on loopback: the stock configuration with a private LOCAL_CONFDIR, run, db and
/// log directories; one normal worker on a free port; controller, proxy and fuzzy checks off; no Redis; DNS sent to
/// the given server (the tests' <see cref="FakeDnsServer"/>) so nothing leaves the machine.
/// </summary>
public sealed class RspamdServer : IAsyncDisposable
{
    /// <summary>The GTUBE test string rspamd rejects.</summary>
    public const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private readonly TempDir _dir;
    private Process? _process;

    private RspamdServer(TempDir dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>
    /// Starts rspamd and waits until <c>/ping</c> answers. <paramref name="localFiles"/> adds files to local.d
    /// (e.g. <c>multimap.conf</c>) for tests that need their own rules.
    /// </summary>
    public static async Task<RspamdServer> StartAsync(string dnsServer, IReadOnlyDictionary<string, string>? localFiles = null)
    {
        var rspamd = ExternalProcess.Find("rspamd") ?? throw new InvalidOperationException("rspamd is missing: install it (scripts/install-deps)");
        var dir = new TempDir("sekisho-rspamd");
        var server = new RspamdServer(dir, ExternalProcess.FreePort());
        string Sub(string name) => Directory.CreateDirectory(Path.Combine(dir.Path, name)).FullName;
        var conf = Sub("conf");
        var local = Sub(Path.Combine("conf", "local.d"));
        var overrides = Sub(Path.Combine("conf", "override.d"));
        var run = Sub("run");
        var db = Sub("db");
        var log = Sub("log");
        File.WriteAllText(Path.Combine(overrides, "worker-normal.inc"), $"bind_socket = \"127.0.0.1:{server.Port}\";\ncount = 1;\n");
        File.WriteAllText(Path.Combine(overrides, "worker-controller.inc"), "enabled = false;\n");
        File.WriteAllText(Path.Combine(overrides, "worker-proxy.inc"), "enabled = false;\n");
        File.WriteAllText(Path.Combine(local, "fuzzy_check.conf"), "enabled = false;\n");
        File.WriteAllText(Path.Combine(local, "options.inc"), $"dns {{ nameserver = [\"{dnsServer}\"]; timeout = 0.5s; retransmits = 1; }}\n");
        File.WriteAllText(Path.Combine(local, "logging.inc"), $"type = \"file\";\nfilename = \"{Path.Combine(log, "rspamd.log")}\";\nlevel = \"warning\";\n");
        foreach (var (name, text) in localFiles ?? new Dictionary<string, string>())
            File.WriteAllText(Path.Combine(local, name), text);
        if (ExternalProcess.IsRoot && !OperatingSystem.IsWindows())
            foreach (var d in new[] { dir.Path, conf, local, overrides, run, db, log })
                File.SetUnixFileMode(d, (UnixFileMode)0b111_111_111);

        var psi = new ProcessStartInfo(rspamd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", "-c", "/etc/rspamd/rspamd.conf", "--var=LOCAL_CONFDIR=" + conf, "--var=RUNDIR=" + run,
                     "--var=DBDIR=" + db, "--var=LOGDIR=" + log })
            psi.ArgumentList.Add(a);
        if (ExternalProcess.IsRoot)
            foreach (var a in new[] { "-u", "_rspamd", "-g", "_rspamd" }) psi.ArgumentList.Add(a);
        server._process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start rspamd");
        server._process.OutputDataReceived += (_, _) => { };
        server._process.ErrorDataReceived += (_, _) => { };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await ExternalProcess.WaitUntilAsync(async () =>
            {
                if (server._process.HasExited) throw new InvalidOperationException("rspamd exited: " + server.Log());
                return (await http.GetStringAsync(new Uri(server.BaseUri, "ping"))).Trim() == "pong";
            }, TimeSpan.FromSeconds(90), "rspamd to answer /ping");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>rspamd's log, for failure messages.</summary>
    public string Log()
    {
        var path = Path.Combine(_dir.Path, "log", "rspamd.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public void Stop() => ExternalProcess.Stop(ref _process);

    public ValueTask DisposeAsync()
    {
        Stop();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
