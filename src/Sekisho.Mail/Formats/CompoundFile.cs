using System.Buffers.Binary;
using System.Text;

namespace Sekisho.Mail.Formats;

/// <summary>One storage or stream of a compound file, with its full path ("Macros/VBA/dir").</summary>
internal sealed record CompoundFileEntry(int Id, string Name, string Path, bool IsStorage, int StartSector, long Size);

/// <summary>
/// A minimal, bounded reader for OLE2 compound files (MS-CFB): enough to tell doc/xls/ppt/msi apart,
/// find VBA storages and encryption streams, and read small streams. Every chain walk is bounded by the
/// sector count, so cycles and lies in the tables end the walk instead of looping.
/// </summary>
internal sealed class CompoundFile
{
    private const int MaxEntries = 4096;
    private const int EndOfChain = -2;
    private static readonly byte[] Signature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private readonly ReadOnlyMemory<byte> _data;
    private readonly int _sectorSize;
    private readonly int[] _fat;
    private readonly int[] _miniFat;
    private readonly int _miniCutoff;
    private byte[]? _miniStream;
    private readonly CompoundFileEntry _root;

    private CompoundFile(ReadOnlyMemory<byte> data, int sectorSize, int[] fat, int[] miniFat, int miniCutoff,
        CompoundFileEntry root, Guid rootClsid, IReadOnlyList<CompoundFileEntry> entries)
    {
        _data = data; _sectorSize = sectorSize; _fat = fat; _miniFat = miniFat; _miniCutoff = miniCutoff;
        _root = root; RootClsid = rootClsid; Entries = entries;
    }

    /// <summary>The CLSID of the root storage (MSI installers carry {000C1084-…}).</summary>
    public Guid RootClsid { get; }

    /// <summary>Every storage and stream below the root, in directory order.</summary>
    public IReadOnlyList<CompoundFileEntry> Entries { get; }

    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 512 && data[..8].SequenceEqual(Signature);

    public bool Contains(string name) => Entries.Any(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    public CompoundFileEntry? Find(string name) => Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    public static CompoundFile? TryOpen(ReadOnlyMemory<byte> memory)
    {
        var d = memory.Span;
        if (!HasSignature(d))
            return null;
        int shift = BinaryPrimitives.ReadUInt16LittleEndian(d[0x1E..]);
        if (shift is not (9 or 12))
            return null;
        int sectorSize = 1 << shift;
        int miniCutoff = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(d[0x38..]), 1 << 20);
        int firstDir = BinaryPrimitives.ReadInt32LittleEndian(d[0x30..]);
        int firstMiniFat = BinaryPrimitives.ReadInt32LittleEndian(d[0x3C..]);
        int firstDifat = BinaryPrimitives.ReadInt32LittleEndian(d[0x44..]);
        int numDifat = BinaryPrimitives.ReadInt32LittleEndian(d[0x48..]);
        long sectorCount = (memory.Length - sectorSize) / sectorSize;
        if (sectorCount <= 0)
            return null;

        // FAT sector numbers: 109 in the header, then the DIFAT chain.
        var fatSectors = new List<int>();
        for (int i = 0; i < 109; i++)
        {
            int s = BinaryPrimitives.ReadInt32LittleEndian(d[(0x4C + i * 4)..]);
            if (s >= 0 && s < sectorCount) fatSectors.Add(s);
        }
        int difat = firstDifat;
        for (int n = 0; n < numDifat && difat >= 0 && difat < sectorCount && n < sectorCount; n++)
        {
            var sec = SectorSpan(d, sectorSize, difat);
            int per = sectorSize / 4 - 1;
            for (int i = 0; i < per; i++)
            {
                int s = BinaryPrimitives.ReadInt32LittleEndian(sec[(i * 4)..]);
                if (s >= 0 && s < sectorCount) fatSectors.Add(s);
            }
            difat = BinaryPrimitives.ReadInt32LittleEndian(sec[(per * 4)..]);
        }
        var fatList = new List<int>(fatSectors.Count * sectorSize / 4);
        foreach (var fs in fatSectors.Distinct())
        {
            var sec = SectorSpan(d, sectorSize, fs);
            for (int i = 0; i < sectorSize / 4; i++) fatList.Add(BinaryPrimitives.ReadInt32LittleEndian(sec[(i * 4)..]));
            if (fatList.Count > sectorCount + sectorSize) break;
        }
        var fat = fatList.ToArray();

        var dirBytes = ReadChain(memory, sectorSize, fat, firstDir, long.MaxValue, MaxEntries * 128);
        if (dirBytes.Length < 128)
            return null;
        int count = Math.Min(dirBytes.Length / 128, MaxEntries);
        var raw = new (string Name, int Type, int Left, int Right, int Child, Guid Clsid, int Start, long Size)[count];
        for (int i = 0; i < count; i++)
        {
            var e = dirBytes.AsSpan(i * 128, 128);
            int nameLen = Math.Clamp((int)BinaryPrimitives.ReadUInt16LittleEndian(e[64..]), 0, 64);
            string name = Encoding.Unicode.GetString(e[..Math.Max(0, nameLen - 2)]);
            raw[i] = (name, e[66], BinaryPrimitives.ReadInt32LittleEndian(e[68..]), BinaryPrimitives.ReadInt32LittleEndian(e[72..]),
                BinaryPrimitives.ReadInt32LittleEndian(e[76..]), new Guid(e.Slice(80, 16)),
                BinaryPrimitives.ReadInt32LittleEndian(e[116..]),
                shift == 9 ? BinaryPrimitives.ReadUInt32LittleEndian(e[120..]) : BinaryPrimitives.ReadInt64LittleEndian(e[120..]));
        }
        if (raw[0].Type != 5)
            return null;
        var root = new CompoundFileEntry(0, raw[0].Name, "", true, raw[0].Start, raw[0].Size);

        // Walk the red-black sibling trees iteratively; a visited set stops cycles.
        var entries = new List<CompoundFileEntry>();
        var visited = new HashSet<int> { 0 };
        var stack = new Stack<(int Id, string Parent)>();
        if (raw[0].Child >= 0 && raw[0].Child < count) stack.Push((raw[0].Child, ""));
        while (stack.Count > 0 && entries.Count < MaxEntries)
        {
            var (id, parent) = stack.Pop();
            if (id < 0 || id >= count || !visited.Add(id)) continue;
            var r = raw[id];
            if (r.Type is not (1 or 2)) continue;
            string path = parent.Length == 0 ? r.Name : parent + "/" + r.Name;
            entries.Add(new CompoundFileEntry(id, r.Name, path, r.Type == 1, r.Start, Math.Max(0, r.Size)));
            if (r.Left >= 0) stack.Push((r.Left, parent));
            if (r.Right >= 0) stack.Push((r.Right, parent));
            if (r.Type == 1 && r.Child >= 0) stack.Push((r.Child, path));
        }

        int[] miniFat = [];
        if (firstMiniFat >= 0 && firstMiniFat < sectorCount)
        {
            var mf = ReadChain(memory, sectorSize, fat, firstMiniFat, long.MaxValue, 16 << 20);
            miniFat = new int[mf.Length / 4];
            for (int i = 0; i < miniFat.Length; i++) miniFat[i] = BinaryPrimitives.ReadInt32LittleEndian(mf.AsSpan(i * 4));
        }
        return new CompoundFile(memory, sectorSize, fat, miniFat, miniCutoff, root, raw[0].Clsid, entries);
    }

    /// <summary>Reads up to <paramref name="maxBytes"/> of a stream.</summary>
    public byte[] ReadStream(CompoundFileEntry entry, int maxBytes)
    {
        if (entry.IsStorage) return [];
        long want = Math.Min(entry.Size, maxBytes);
        if (entry.Size < _miniCutoff)
        {
            _miniStream ??= ReadChain(_data, _sectorSize, _fat, _root.StartSector, _root.Size, 64 << 20);
            return ReadMiniChain(entry.StartSector, want);
        }
        return ReadChain(_data, _sectorSize, _fat, entry.StartSector, want, maxBytes);
    }

    private byte[] ReadMiniChain(int start, long want)
    {
        const int mini = 64;
        var buffer = new byte[want];
        int written = 0, sector = start, steps = 0;
        while (written < want && sector >= 0 && sector < _miniFat.Length && steps++ <= _miniFat.Length)
        {
            long offset = (long)sector * mini;
            if (offset + mini > _miniStream!.Length) break;
            int n = (int)Math.Min(mini, want - written);
            Array.Copy(_miniStream, offset, buffer, written, n);
            written += n;
            sector = _miniFat[sector];
        }
        return written == buffer.Length ? buffer : buffer[..written];
    }

    private static ReadOnlySpan<byte> SectorSpan(ReadOnlySpan<byte> d, int sectorSize, int sector)
    {
        long offset = (long)(sector + 1) * sectorSize;
        return offset + sectorSize > d.Length ? new byte[sectorSize] : d.Slice((int)offset, sectorSize);
    }

    private static byte[] ReadChain(ReadOnlyMemory<byte> data, int sectorSize, int[] fat, int start, long want, int cap)
    {
        var output = new MemoryStream();
        int sector = start, steps = 0;
        long limit = Math.Min(want, cap);
        var d = data.Span;
        while (sector >= 0 && sector < fat.Length && output.Length < limit && steps++ <= fat.Length)
        {
            long offset = (long)(sector + 1) * sectorSize;
            if (offset + sectorSize > d.Length)
            {
                if (offset < d.Length) output.Write(d[(int)offset..]);
                break;
            }
            int n = (int)Math.Min(sectorSize, limit - output.Length);
            output.Write(d.Slice((int)offset, n));
            sector = fat[sector];
            if (sector == EndOfChain) break;
        }
        return output.ToArray();
    }
}
