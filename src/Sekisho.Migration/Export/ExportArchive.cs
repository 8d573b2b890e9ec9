using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Sekisho.Migration.Export;

/// <summary>One file entry, read in full after the whole archive was checked.</summary>
internal sealed record ArchiveEntry(string Name, byte[] Data);

/// <summary>The checked content of an export file: its entries by name, its hash and sizes.</summary>
internal sealed class ExportArchive(string fileName, string sha256, long compressedBytes, IReadOnlyList<ArchiveEntry> entries)
{
    private readonly Dictionary<string, ArchiveEntry> byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public string FileName { get; } = fileName;
    public string Sha256 { get; } = sha256;
    public long CompressedBytes { get; } = compressedBytes;
    public long UncompressedBytes { get; } = entries.Sum(e => (long)e.Data.Length);
    public IReadOnlyList<ArchiveEntry> Entries { get; } = entries;
    public IReadOnlyList<string> Names { get; } = entries.Select(e => e.Name).ToArray();

    public ArchiveEntry? Find(string name) => byName.GetValueOrDefault(name);
}

/// <summary>
/// Reports progress without flooding the receiver: per stage, about every hundredth of the file (between 64 KiB and
/// 1 MiB of compressed data).
/// </summary>
internal sealed class ProgressSink(IProgress<LoadProgress>? progress, long? total)
{
    private long lastReported;
    private LoadStage? lastStage;

    public long? Total { get; set; } = total;

    private long Step => Total is { } t ? Math.Clamp(t / 100, 64 * 1024, 1024 * 1024) : 1024 * 1024;

    public void Bytes(LoadStage stage, long done, bool force = false)
    {
        if (progress is null) return;
        if (stage != lastStage)
        {
            lastStage = stage;
            lastReported = 0;
        }
        if (!force && done - lastReported < Step) return;
        lastReported = done;
        progress.Report(new LoadProgress(stage, done, Total));
    }

    public void Stage(LoadStage stage, long done, string? entry = null)
    {
        lastStage = stage;
        progress?.Report(new LoadProgress(stage, done, Total, entry));
    }
}

/// <summary>
/// Reads a gzip-compressed tar safely: the file, then the decompressed stream, then every entry header is checked
/// against the limits and refusals of the format's §1 before any content is used. The first violation ends the read
/// with a fatal error; nothing is extracted to disk.
/// </summary>
internal static class ArchiveReader
{
    private const int Chunk = 81920;

    public static async Task<ExportArchive> ReadAsync(Stream input, string fileName, ExportLimits limits, ProgressSink progress, CancellationToken ct)
    {
        var (file, length, sha) = await ReadFileAsync(input, fileName, limits, progress, ct).ConfigureAwait(false);
        var tar = Decompress(file, length, fileName, limits, progress, ct);
        var entries = ListEntries(tar, file.AsSpan(0, length), fileName, limits, progress, ct);
        return new ExportArchive(fileName, sha, length, entries);
    }

    private static async Task<(byte[] Data, int Length, string Sha256)> ReadFileAsync(
        Stream input, string fileName, ExportLimits limits, ProgressSink progress, CancellationToken ct)
    {
        if (input.CanSeek)
        {
            var remaining = input.Length - input.Position;
            progress.Total = remaining;
            if (remaining > limits.MaxFileBytes) throw LimitExceeded(fileName, ExportLimitKind.FileSize, limits.MaxFileBytes, remaining, null, []);
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // One spare byte so a seekable stream ends with a zero-length read instead of a resize.
        var buffer = new byte[input.CanSeek ? (int)Math.Min(input.Length - input.Position + 1, limits.MaxFileBytes + 1) : Chunk];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= limits.MaxFileBytes + 1) throw LimitExceeded(fileName, ExportLimitKind.FileSize, limits.MaxFileBytes, length, null, []);
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limits.MaxFileBytes + 1));
            }
            var n = await input.ReadAsync(buffer.AsMemory(length, buffer.Length - length), ct).ConfigureAwait(false);
            if (n == 0) break;
            hash.AppendData(buffer, length, n);
            length += n;
            if (length > limits.MaxFileBytes) throw LimitExceeded(fileName, ExportLimitKind.FileSize, limits.MaxFileBytes, length, null, []);
            progress.Bytes(LoadStage.Reading, length);
        }
        progress.Total = length;
        progress.Bytes(LoadStage.Reading, length, force: true);
        return (buffer, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static MemoryStream Decompress(byte[] file, int length, string fileName, ExportLimits limits, ProgressSink progress, CancellationToken ct)
    {
        var head = file.AsSpan(0, length);
        if (length < 18)
            throw NotAnExport(fileName, NotAnExportReason.Empty, $"the file has {length} bytes; a gzip file has at least 18", head);
        if (head[0] != 0x1F || head[1] != 0x8B)
            throw NotAnExport(fileName, NotAnExportReason.NotGzip, "the file does not start with the gzip signature 1f 8b", head);
        if (head[2] != 8)
            throw NotAnExport(fileName, NotAnExportReason.NotGzip, $"gzip compression method {head[2]} is not deflate (8)", head);

        var output = new MemoryStream(Math.Min(length * 4, 64 * 1024 * 1024));
        var crc = new Crc32();
        long total = 0;
        var compressed = new MemoryStream(file, 0, length, writable: false);
        try
        {
            using var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            var chunk = new byte[Chunk];
            int n;
            while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                total += n;
                if (total > limits.MaxDecompressedStreamBytes)
                    throw LimitExceeded(fileName, ExportLimitKind.TotalUncompressedSize, limits.MaxTotalUncompressedBytes, total, null, []);
                var consumed = Math.Max(1, compressed.Position);
                if (total > limits.RatioCheckFloorBytes && total > limits.MaxCompressionRatio * consumed)
                    throw LimitExceeded(fileName, ExportLimitKind.CompressionRatio, limits.MaxCompressionRatio, Math.Round((double)total / consumed, 1), null, []);
                crc.Append(chunk.AsSpan(0, n));
                output.Write(chunk, 0, n);
                progress.Bytes(LoadStage.Decompressing, compressed.Position);
            }
        }
        catch (InvalidDataException ex)
        {
            throw NotAnExport(fileName, NotAnExportReason.CorruptGzip, "gzip data is damaged: " + ex.Message, head);
        }

        // GZipStream stops quietly at a truncated stream and ignores trailing data; the trailer of a complete
        // single-member file is its last 8 bytes.
        var trailerCrc = BinaryPrimitives.ReadUInt32LittleEndian(head[^8..]);
        var trailerSize = BinaryPrimitives.ReadUInt32LittleEndian(head[^4..]);
        if (trailerCrc != crc.Value || trailerSize != (uint)total)
            throw NotAnExport(fileName, NotAnExportReason.CorruptGzip,
                $"the gzip trailer does not match the {total} decompressed bytes (CRC-32 {crc.Value:x8}, trailer {trailerCrc:x8}/{trailerSize}): " +
                "the file is truncated or damaged, has data after the compressed stream, or is made of several gzip members", head);
        if (total > limits.RatioCheckFloorBytes && total > limits.MaxCompressionRatio * length)
            throw LimitExceeded(fileName, ExportLimitKind.CompressionRatio, limits.MaxCompressionRatio, Math.Round((double)total / length, 1), null, []);
        progress.Bytes(LoadStage.Decompressing, length, force: true);
        output.Position = 0;
        return output;
    }

    private static List<ArchiveEntry> ListEntries(MemoryStream tar, ReadOnlySpan<byte> file, string fileName, ExportLimits limits, ProgressSink progress, CancellationToken ct)
    {
        var entries = new List<ArchiveEntry>();
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        long total = 0;
        using var reader = new TarReader(tar, leaveOpen: true);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry(copyData: false);
            }
            catch (Exception ex) when (IsTarFormatError(ex))
            {
                throw NotTar(fileName, tar, ex, names, file);
            }
            if (entry is null) break;
            count++;
            if (count > limits.MaxEntries)
                throw LimitExceeded(fileName, ExportLimitKind.EntryCount, limits.MaxEntries, count, entry.Name, names);

            var kind = Classify(entry.EntryType);
            if (kind is EntryKind.Unsafe)
                throw Unsafe(fileName, entry.Name, ReasonFor(entry.EntryType), $"tar entry type {entry.EntryType}", names);
            if (kind is EntryKind.Ignored) continue;

            if (!EntryNames.TryNormalize(entry.Name, out var name, out var reason))
            {
                if (kind is EntryKind.Directory && reason == UnsafeEntryReason.InvalidName && entry.Name.Trim('/', '.').Length == 0
                    && !entry.Name.Contains("..", StringComparison.Ordinal)) continue;
                throw Unsafe(fileName, entry.Name, reason, "unsafe entry name", names);
            }
            if (kind is EntryKind.Directory) continue;

            if (entry.Length > limits.MaxEntryBytes)
                throw LimitExceeded(fileName, ExportLimitKind.EntrySize, limits.MaxEntryBytes, entry.Length, name, names);
            total += entry.Length;
            if (total > limits.MaxTotalUncompressedBytes)
                throw LimitExceeded(fileName, ExportLimitKind.TotalUncompressedSize, limits.MaxTotalUncompressedBytes, total, name, names);
            if (!seen.Add(name))
                throw Unsafe(fileName, entry.Name, UnsafeEntryReason.Duplicate, "the same file name appears twice", names);

            var data = new byte[entry.Length];
            try
            {
                entry.DataStream?.ReadExactly(data);
            }
            catch (Exception ex) when (IsTarFormatError(ex))
            {
                throw NotTar(fileName, tar, ex, names, file);
            }
            names.Add(name);
            entries.Add(new ArchiveEntry(name, data));
        }
        progress.Stage(LoadStage.ListingEntries, file.Length);
        return entries;
    }

    private enum EntryKind { File, Directory, Ignored, Unsafe }

    private static EntryKind Classify(TarEntryType type) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => EntryKind.File,
        TarEntryType.Directory => EntryKind.Directory,
        TarEntryType.GlobalExtendedAttributes => EntryKind.Ignored,
        _ => EntryKind.Unsafe,
    };

    private static UnsafeEntryReason ReasonFor(TarEntryType type) => type switch
    {
        TarEntryType.SymbolicLink => UnsafeEntryReason.SymbolicLink,
        TarEntryType.HardLink => UnsafeEntryReason.HardLink,
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => UnsafeEntryReason.Device,
        TarEntryType.Fifo => UnsafeEntryReason.Fifo,
        _ => UnsafeEntryReason.UnsupportedType,
    };

    private static bool IsTarFormatError(Exception ex) =>
        ex is InvalidDataException or EndOfStreamException or FormatException or OverflowException or ArgumentException;

    private static ExportFatalException NotTar(string fileName, MemoryStream tar, Exception ex, List<string> names, ReadOnlySpan<byte> file)
    {
        var content = tar.GetBuffer().AsSpan(0, (int)tar.Length);
        var detail = names.Count == 0
            ? $"the decompressed content is not a tar archive ({ex.Message}); it starts with {FileSniffer.FirstBytes(content)}"
            : $"the tar archive is damaged or truncated after {names.Count} entries ({ex.Message})";
        return new ExportFatalException(new ExportFatalError
        {
            Code = FatalErrorCode.NotAnExport,
            NotAnExportReason = NotAnExportReason.NotTar,
            FileName = fileName,
            Detail = detail,
            EntriesFound = names.ToArray(),
            FirstBytes = FileSniffer.FirstBytes(file),
            LooksLike = names.Count == 0 ? FileSniffer.LooksLike(content) : null,
        });
    }

    private static ExportFatalException NotAnExport(string fileName, NotAnExportReason reason, string detail, ReadOnlySpan<byte> head) =>
        new(new ExportFatalError
        {
            Code = FatalErrorCode.NotAnExport,
            NotAnExportReason = reason,
            FileName = fileName,
            Detail = detail,
            FirstBytes = FileSniffer.FirstBytes(head),
            LooksLike = reason == NotAnExportReason.NotGzip ? FileSniffer.LooksLike(head) : null,
        });

    private static ExportFatalException Unsafe(string fileName, string entry, UnsafeEntryReason reason, string detail, List<string> names) =>
        new(new ExportFatalError
        {
            Code = FatalErrorCode.UnsafeEntry,
            UnsafeReason = reason,
            FileName = fileName,
            Entry = entry,
            Detail = $"{detail}: \"{entry}\" ({reason})",
            EntriesFound = names.ToArray(),
        });

    internal static ExportFatalException LimitExceeded(string fileName, ExportLimitKind limit, double max, double actual, string? entry, IReadOnlyList<string> names) =>
        new(new ExportFatalError
        {
            Code = FatalErrorCode.LimitExceeded,
            Limit = limit,
            LimitValue = max,
            ActualValue = actual,
            FileName = fileName,
            Entry = entry,
            Detail = $"{limit} limit exceeded: {actual} > {max}" + (entry is null ? "" : $" at entry \"{entry}\""),
            EntriesFound = names.ToArray(),
        });
}
