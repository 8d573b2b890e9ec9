using System.Runtime.InteropServices;

namespace Sekisho.Mail.Formats;

internal static class MemoryStreams
{
    /// <summary>A read-only stream over <paramref name="memory"/>, without copying when it is backed by an array.</summary>
    public static MemoryStream Open(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(memory.ToArray(), writable: false);
}
