using Npgsql;

namespace Sekisho.Store;

/// <summary>
/// Named locks that die with their holder: a lock file (flock) next to the SQLite database, or a PostgreSQL session
/// advisory lock. A process that crashes (even kill -9) releases its locks, so a lock never outlives a migration.
/// </summary>
public static class StoreLocks
{
    /// <summary>Takes the lock without waiting; null when someone else holds it.</summary>
    public static async Task<IAsyncDisposable?> TryAcquireAsync(this SekishoStore store, string name, CancellationToken ct = default)
    {
        if (store.Options.UsesPostgres)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(store.Options.PostgresConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@name, 0))", connection);
            cmd.Parameters.AddWithValue("name", "sekisho:" + name);
            if (await cmd.ExecuteScalarAsync(ct) is true) return new ConnectionLock(connection, "sekisho:" + name);
            await connection.DisposeAsync();
            return null;
        }
        var dir = Path.Combine(store.Options.DataDirectory, "locks");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')) + ".lock");
        try
        {
            // FileShare.None takes an exclusive flock on Linux; the kernel drops it when the process dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed class ConnectionLock(NpgsqlConnection connection, string key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Unlock explicitly: closing the session also releases the lock, but the server does that asynchronously,
            // and the next holder (often the same process, a moment later) would find the lock still taken.
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@name, 0))", connection);
                cmd.Parameters.AddWithValue("name", key);
                await cmd.ExecuteScalarAsync();
            }
            catch (NpgsqlException)
            {
                // The session is gone; the server has released or will release the lock.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
