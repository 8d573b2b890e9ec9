using Npgsql;
using Xunit;

namespace Sekisho.Testing;

/// <summary>
/// A private PostgreSQL server from the Debian packages, started on a free loopback port for one test run and
/// removed afterwards. Use it as an xunit collection or class fixture. If <c>SEKISHO_TEST_POSTGRES</c> holds a
/// connection string, that server is used instead.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? _dataDir;
    private string? _pgCtl;

    /// <summary>Connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("SEKISHO_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external)) { AdminConnectionString = external; return; }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL is not installed (Debian package 'postgresql'); run scripts/test, which installs it.");
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _dataDir = Path.Combine(Path.GetTempPath(), "sekisho-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dataDir);
        string? user = ExternalProcess.IsRoot ? "postgres" : null;
        if (user is not null) ExternalProcess.Run("chown", ["-R", "postgres:postgres", _dataDir]);
        ExternalProcess.Run(Path.Combine(bin, "initdb"), ["-D", Path.Combine(_dataDir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], user);
        int port = ExternalProcess.FreePort();
        var opts = $"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        ExternalProcess.Run(_pgCtl, ["-D", Path.Combine(_dataDir, "data"), "-o", opts, "-l", Path.Combine(_dataDir, "log"), "-w", "-t", "60", "start"], user);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await using var c = new NpgsqlConnection(AdminConnectionString);
        await c.OpenAsync();
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var c = new NpgsqlConnection(AdminConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public Task DisposeAsync()
    {
        if (_dataDir is null || _pgCtl is null) return Task.CompletedTask;
        NpgsqlConnection.ClearAllPools();
        ExternalProcess.Run(_pgCtl, ["-D", Path.Combine(_dataDir, "data"), "-m", "immediate", "-w", "stop"], ExternalProcess.IsRoot ? "postgres" : null, check: false);
        try { Directory.Delete(_dataDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
