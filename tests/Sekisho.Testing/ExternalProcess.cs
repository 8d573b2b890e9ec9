using System.Diagnostics;

namespace Sekisho.Testing;

/// <summary>Runs Debian binaries the tests depend on (PostgreSQL, clamd, rspamd, chromium, …).</summary>
public static class ExternalProcess
{
    /// <summary>True when running as root (CI and this workplace), where daemons refusing root must run as their user.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a program to completion and returns its exit code and output; throws with the output on failure.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? runAsUser = null, TimeSpan? timeout = null, bool check = true)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (runAsUser is not null && IsRoot)
        {
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(runAsUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        else psi.FileName = file;
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        var output = stdout.Result + stderr.Result;
        if (check && p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {output}");
        return (p.ExitCode, output);
    }

    /// <summary>Finds a program in well-known Debian locations or on PATH; null when missing.</summary>
    public static string? Find(string name, params string[] extraDirectories)
    {
        var dirs = extraDirectories.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"]);
        return dirs.Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>A free TCP port on loopback.</summary>
    /// <summary>Kills <paramref name="process"/> with its children, waits for it and forgets it (no-op when already stopped).</summary>
    public static void Stop(ref System.Diagnostics.Process? process)
    {
        if (process is null) return;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        process.Dispose();
        process = null;
    }

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Waits until a condition holds, polling; throws with the description when the deadline passes.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string description)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try { if (await condition()) return; } catch (Exception) when (sw.Elapsed < deadline) { }
            if (sw.Elapsed > deadline) throw new TimeoutException("timed out waiting for " + description);
            await Task.Delay(50);
        }
    }
}
