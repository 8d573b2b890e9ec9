using System.Runtime.InteropServices;

namespace Sekisho.Smtp.Spool;

/// <summary>fsync for directories, which .NET does not expose: a rename is durable only once its directory is synced.</summary>
internal static partial class FileSync
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8, EntryPoint = "open")]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", SetLastError = true, EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return;
        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }
}

/// <summary>
/// Group commit for directory syncs: every caller is covered by an fsync that started after its call, and
/// callers arriving while one runs share the next. Concurrent sessions thus pay one directory fsync together.
/// </summary>
internal sealed class DirectorySyncBatcher(string directory)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _next;
    private bool _running;

    public Task SyncAsync()
    {
        lock (_lock)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = _next.Task;
            if (!_running)
            {
                _running = true;
                _ = Task.Run(Loop);
            }
            return task;
        }
    }

    private void Loop()
    {
        while (true)
        {
            TaskCompletionSource? batch;
            lock (_lock)
            {
                batch = _next;
                _next = null;
                if (batch is null) { _running = false; return; }
            }
            try
            {
                FileSync.SyncDirectory(directory);
                batch.SetResult();
            }
            catch (Exception ex)
            {
                batch.SetException(ex);
            }
        }
    }
}
