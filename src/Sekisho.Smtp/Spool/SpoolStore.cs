using System.Globalization;

namespace Sekisho.Smtp.Spool;

/// <summary>Thrown when another process (a running gateway) holds the spool.</summary>
public sealed class SpoolLockedException(string path) : IOException($"The spool {path} is in use by another Sekisho process.");

/// <summary>
/// The spool directory. <c>incoming/</c> holds files being received (never acknowledged, removed at start);
/// <c>queue/</c> holds committed files, which are the truth about the queue; <c>corrupt/</c> keeps files
/// that could not be read. A message is committed by fsync of the file, rename into <c>queue/</c> and fsync
/// of that directory — only then does the client get its 250.
/// </summary>
public sealed class SpoolStore : IDisposable
{
    private readonly bool _fsync;
    private readonly DirectorySyncBatcher _queueDirSync;
    private FileStream? _lock;

    public SpoolStore(string root, bool fsync)
    {
        Root = Path.GetFullPath(root);
        _fsync = fsync;
        IncomingDirectory = Path.Combine(Root, "incoming");
        QueueDirectory = Path.Combine(Root, "queue");
        CorruptDirectory = Path.Combine(Root, "corrupt");
        _queueDirSync = new DirectorySyncBatcher(QueueDirectory);
    }

    public string Root { get; }
    public string IncomingDirectory { get; }
    public string QueueDirectory { get; }
    public string CorruptDirectory { get; }
    public string LockPath => Path.Combine(Root, "lock");
    public string ControlSocketPath => Path.Combine(Root, "control.sock");
    internal bool FsyncEnabled => _fsync;

    /// <summary>Creates the directories (owner-only) and takes the exclusive lock held while the process uses the spool.</summary>
    public void Open()
    {
        foreach (var d in new[] { Root, IncomingDirectory, QueueDirectory, CorruptDirectory })
        {
            if (!Directory.Exists(d))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(d);
                else Directory.CreateDirectory(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        _lock = TryLock(LockPath) ?? throw new SpoolLockedException(Root);
    }

    /// <summary>True when a running process holds the spool lock.</summary>
    public static bool IsLocked(string root)
    {
        var path = Path.Combine(Path.GetFullPath(root), "lock");
        if (!File.Exists(path)) return false;
        using var l = TryLock(path);
        return l is null;
    }

    private static FileStream? TryLock(string path)
    {
        try
        {
            // FileShare.None takes an flock(LOCK_EX) on Unix; the kernel drops it when the process dies (kill -9 included).
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Removes files of transactions that never got their 250 (crash while receiving).</summary>
    public int CleanIncoming()
    {
        var n = 0;
        foreach (var f in Directory.EnumerateFiles(IncomingDirectory))
        {
            File.Delete(f);
            n++;
        }
        return n;
    }

    internal QueueFileWriter CreateIncoming(QueuedEnvelope envelope) =>
        new(Path.Combine(IncomingDirectory, envelope.Id), envelope);

    /// <summary>Makes an incoming file durable and moves it into the queue. Returns the committed path.</summary>
    internal async Task<string> CommitAsync(QueueFileWriter writer)
    {
        writer.Flush(_fsync);
        var id = Path.GetFileName(writer.Path);
        writer.Dispose();
        var target = QueuePath(id);
        File.Move(writer.Path, target);
        if (_fsync) await _queueDirSync.SyncAsync().ConfigureAwait(false);
        return target;
    }

    internal void DiscardIncoming(QueueFileWriter writer)
    {
        writer.Dispose();
        try { File.Delete(writer.Path); } catch (IOException) { }
    }

    public string QueuePath(string id) => Path.Combine(QueueDirectory, id);

    /// <summary>Deletes a finished message. Not synced: losing the unlink in a power cut re-delivers (a duplicate), never loses.</summary>
    internal void Remove(string id)
    {
        try { File.Delete(QueuePath(id)); } catch (DirectoryNotFoundException) { }
    }

    internal IEnumerable<string> CommittedIds() =>
        Directory.EnumerateFiles(QueueDirectory).Select(Path.GetFileName).Where(n => n is not null && QueueIds.IsValid(n))!;

    internal void MoveAside(string id)
    {
        var src = QueuePath(id);
        var dst = Path.Combine(CorruptDirectory, id);
        if (File.Exists(src)) File.Move(src, dst, overwrite: true);
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}

/// <summary>Queue identifiers: 12 hex digits of milliseconds since the epoch and 8 random hex digits, so they sort by arrival.</summary>
public static class QueueIds
{
    public static string New(TimeProvider time, IRandomSource random)
    {
        Span<byte> r = stackalloc byte[4];
        random.NextBytes(r);
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        return ms.ToString("X12", CultureInfo.InvariantCulture) + Convert.ToHexString(r);
    }

    public static bool IsValid(string id) => id.Length == 20 && id.All(char.IsAsciiHexDigitUpper);
}
