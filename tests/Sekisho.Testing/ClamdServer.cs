using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Sekisho.Testing;

/// <summary>
/// A private clamd (Debian clamav-daemon) on loopback TCP with its own directories and a local signature database
/// (no freshclam, no download): MD5 hash signatures in sigtool's <c>md5:size:name</c> format for EICAR and the
/// clamav-testfiles sample <c>clam.exe</c>, which clamd then finds inside every carrier (archives, OLE, PDF, TNEF, mail…).
/// </summary>
public sealed class ClamdServer : IAsyncDisposable
{
    /// <summary>The EICAR anti-virus test file (68 bytes).</summary>
    public static readonly byte[] Eicar = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    /// <summary>Debian's clamav-testfiles directory.</summary>
    public const string TestFilesDirectory = "/usr/share/clamav-testfiles";

    private readonly TempDir _dir;
    private Process? _process;

    private ClamdServer(TempDir dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";
    public string ConfigFile => Path.Combine(_dir.Path, "clamd.conf");

    /// <summary>Starts clamd and waits until it answers PING; <paramref name="streamMaxLength"/> goes into clamd.conf.</summary>
    public static async Task<ClamdServer> StartAsync(string streamMaxLength = "25M")
    {
        var clamd = ExternalProcess.Find("clamd") ?? throw new InvalidOperationException("clamd is missing: install clamav-daemon (scripts/install-deps)");
        var dir = new TempDir("sekisho-clamd");
        var db = Directory.CreateDirectory(Path.Combine(dir.Path, "db")).FullName;
        var tmp = Directory.CreateDirectory(Path.Combine(dir.Path, "tmp")).FullName;
        var sample = File.ReadAllBytes(Path.Combine(TestFilesDirectory, "clam.exe"));
        File.WriteAllText(Path.Combine(db, "sekisho-test.hdb"),
            HashSignature(Eicar, "Eicar-Test-Signature-local") + HashSignature(sample, "ClamAV-Test-File-local"));
        var server = new ClamdServer(dir, ExternalProcess.FreePort());
        File.WriteAllText(server.ConfigFile, $"""
            Foreground yes
            TCPSocket {server.Port}
            TCPAddr 127.0.0.1
            DatabaseDirectory {db}
            TemporaryDirectory {tmp}
            LogFile {Path.Combine(dir.Path, "clamd.log")}
            PidFile {Path.Combine(dir.Path, "clamd.pid")}
            MaxThreads 4
            StreamMaxLength {streamMaxLength}
            SelfCheck 3600
            """);
        await server.StartProcessAsync(clamd);
        return server;
    }

    /// <summary>A hash signature line as <c>sigtool --md5</c> prints it.</summary>
    public static string HashSignature(byte[] content, string name) =>
        $"{Convert.ToHexStringLower(MD5.HashData(content))}:{content.Length}:{name}\n";

    private async Task StartProcessAsync(string clamd)
    {
        var psi = new ProcessStartInfo(clamd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--foreground");
        psi.ArgumentList.Add("--config-file=" + ConfigFile);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start clamd");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ExternalProcess.WaitUntilAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException("clamd exited: " + Log());
            return await PingAsync();
        }, TimeSpan.FromSeconds(60), "clamd to answer PING");
    }

    private async Task<bool> PingAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync("zPING\0"u8.ToArray());
        var buffer = new byte[16];
        int n = await stream.ReadAsync(buffer);
        return Encoding.ASCII.GetString(buffer, 0, n).TrimEnd('\0') == "PONG";
    }

    /// <summary>clamd's log, for failure messages.</summary>
    public string Log()
    {
        var path = Path.Combine(_dir.Path, "clamd.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>Stops clamd (the tests of "engine down" call this before scanning).</summary>
    public void Stop() => ExternalProcess.Stop(ref _process);

    public ValueTask DisposeAsync()
    {
        Stop();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
