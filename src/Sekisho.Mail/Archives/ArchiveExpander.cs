using System.IO.Compression;
using System.Text;
using SharpCompress.Archives;
using SharpCompress.Archives.Rar;
using SharpCompress.Archives.SevenZip;
using SharpCompress.Archives.Tar;
using SharpCompress.Common;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;
using SharpCompress.Readers;
using Sekisho.Mail.Formats;
using Sekisho.Mail.Text;

namespace Sekisho.Mail.Archives;

/// <summary>One member of an archive: its content when it could be read under the limits, else why not.</summary>
internal sealed record ArchiveMember(
    string Path, byte[]? Content, long Size, bool Encrypted, string? Problem, ScanExceptionKind? Limit);

/// <summary>The members of one archive, and what stopped the listing early.</summary>
internal sealed class ArchiveListing
{
    public List<ArchiveMember> Members { get; } = [];
    public bool Encrypted { get; set; }
    public int FileCount { get; set; }
    public (ScanExceptionKind Kind, string Detail)? Stopped { get; set; }
}

/// <summary>
/// Opens archives and compressed files: zip, 7z, rar, tar, arj through SharpCompress; gz (System.IO.Compression),
/// bz2 and xz (SharpCompress streams) as one-member containers; cab through <see cref="CabinetReader"/>.
/// </summary>
internal static class ArchiveExpander
{
    public static bool CanExpand(TrueFileType t) =>
        t is TrueFileType.Zip or TrueFileType.Jar or TrueFileType.SevenZip or TrueFileType.Rar or TrueFileType.Tar or TrueFileType.Gz
            or TrueFileType.Bz2 or TrueFileType.Xz or TrueFileType.Cab or TrueFileType.Arj;

    public static ArchiveListing Expand(TrueFileType type, ReadOnlyMemory<byte> data, string containerName, ExtractionBudget budget)
    {
        var listing = new ArchiveListing();
        try
        {
            switch (type)
            {
                case TrueFileType.Zip or TrueFileType.Jar:
                    using (var archive = SharpCompress.Archives.Zip.ZipArchive.OpenArchive(MemoryStreams.Open(data), ReaderOptions()))
                        FromArchive(archive, listing, budget, solid: false);
                    break;
                case TrueFileType.SevenZip:
                    using (var archive = SevenZipArchive.OpenArchive(MemoryStreams.Open(data), ReaderOptions()))
                        FromArchive(archive, listing, budget, solid: true);
                    break;
                case TrueFileType.Rar:
                    using (var archive = RarArchive.OpenArchive(MemoryStreams.Open(data), ReaderOptions()))
                        FromArchive(archive, listing, budget, solid: archive.IsSolid);
                    break;
                case TrueFileType.Tar:
                    using (var archive = TarArchive.OpenArchive(MemoryStreams.Open(data), ReaderOptions()))
                        FromArchive(archive, listing, budget, solid: false);
                    break;
                case TrueFileType.Arj:
                    using (var reader = ReaderFactory.OpenReader(MemoryStreams.Open(data), ReaderOptions()))
                        FromReader(reader, listing, budget);
                    break;
                case TrueFileType.Gz:
                    SingleStream(listing, budget, data.Length, GzipMemberName(data.Span) ?? StripExtension(containerName, ".gz", ".tgz"),
                        () => new GZipStream(MemoryStreams.Open(data), CompressionMode.Decompress));
                    break;
                case TrueFileType.Bz2:
                    SingleStream(listing, budget, data.Length, StripExtension(containerName, ".bz2", ".tbz2", ".tbz"),
                        () => BZip2Stream.Create(MemoryStreams.Open(data), SharpCompress.Compressors.CompressionMode.Decompress, true, false, false));
                    break;
                case TrueFileType.Xz:
                    SingleStream(listing, budget, data.Length, StripExtension(containerName, ".xz", ".txz"),
                        () => new XZStream(MemoryStreams.Open(data)));
                    break;
                case TrueFileType.Cab:
                    FromCabinet(data, listing, budget);
                    break;
            }
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (IsPasswordError(e))
        {
            listing.Encrypted = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // SharpCompress reports damaged input with many exception types; all mean "could not be read".
            listing.Stopped ??= (ScanExceptionKind.UnreadableContent, $"{type.Id()}: {e.GetType().Name}: {e.Message}");
        }
        return listing;
    }

    private static bool IsPasswordError(Exception e) =>
        e is CryptographicException || e.Message.Contains("password", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("encrypted", StringComparison.OrdinalIgnoreCase);

    private static ReaderOptions ReaderOptions() => new()
    {
        LeaveStreamOpen = false,
        LookForHeader = false,
        ArchiveEncoding = new ArchiveEncoding { CustomDecoder = DecodeName },
    };

    /// <summary>Member names without the UTF-8 flag are in the creator's code page: CP932 from Japanese Windows, else CP437.</summary>
    private static string DecodeName(byte[] bytes, int index, int count, EncodingType _)
    {
        var span = bytes.AsSpan(index, count);
        if (Charsets.IsAscii(span) || Charsets.IsValidUtf8(span)) return Encoding.UTF8.GetString(span);
        var guess = Charsets.Detect(span);
        return (guess.CodePage == 1252 ? Encoding.GetEncoding(437) : guess).GetString(span);
    }

    private static void FromArchive(IArchive archive, ArchiveListing listing, ExtractionBudget budget, bool solid)
    {
        var files = archive.Entries.Where(e => !e.IsDirectory).ToList();
        listing.FileCount = files.Count;
        if (files.Any(e => e.IsEncrypted)) listing.Encrypted = true;
        if (files.Count > budget.Options.MaxArchiveFiles)
            listing.Stopped = (ScanExceptionKind.TooManyFiles, $"{files.Count} files, limit {budget.Options.MaxArchiveFiles}");
        var wanted = files.Take(budget.Options.MaxArchiveFiles).ToList();
        if (solid && !listing.Encrypted)
        {
            // Solid archives decompress in order; random access would re-inflate from the start for every member.
            var byKey = new Dictionary<string, IArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in wanted) byKey.TryAdd(e.Key ?? "", e);
            using var reader = archive.ExtractAllEntries();
            int seen = 0;
            while (seen < wanted.Count && reader.MoveToNextEntry())
            {
                var entry = reader.Entry;
                if (entry.IsDirectory) continue;
                seen++;
                var pre = budget.PreCheck(entry.Size, 0);
                if (pre is { } p) { listing.Members.Add(new ArchiveMember(Clean(entry.Key), null, entry.Size, entry.IsEncrypted, p.Detail, p.Kind)); continue; }
                using var s = reader.OpenEntryStream();
                listing.Members.Add(Member(entry, budget.Read(s, 0)));
            }
            return;
        }
        foreach (var entry in wanted)
        {
            budget.CancellationToken.ThrowIfCancellationRequested();
            if (entry.IsEncrypted)
            {
                listing.Members.Add(new ArchiveMember(Clean(entry.Key), null, entry.Size, true, "encrypted", null));
                continue;
            }
            var pre = budget.PreCheck(entry.Size, entry.CompressedSize);
            if (pre is { } p) { listing.Members.Add(new ArchiveMember(Clean(entry.Key), null, entry.Size, false, p.Detail, p.Kind)); continue; }
            try
            {
                using var s = entry.OpenEntryStream();
                listing.Members.Add(Member(entry, budget.Read(s, entry.CompressedSize)));
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                listing.Members.Add(new ArchiveMember(Clean(entry.Key), null, entry.Size, IsPasswordError(e), e.Message, null));
                if (IsPasswordError(e)) listing.Encrypted = true;
            }
        }
    }

    private static void FromReader(IReader reader, ArchiveListing listing, ExtractionBudget budget)
    {
        while (reader.MoveToNextEntry())
        {
            var entry = reader.Entry;
            if (entry.IsDirectory) continue;
            listing.FileCount++;
            if (listing.FileCount > budget.Options.MaxArchiveFiles)
            {
                listing.Stopped = (ScanExceptionKind.TooManyFiles, $"more than {budget.Options.MaxArchiveFiles} files");
                return;
            }
            if (entry.IsEncrypted) { listing.Encrypted = true; listing.Members.Add(new ArchiveMember(Clean(entry.Key), null, entry.Size, true, "encrypted", null)); continue; }
            var pre = budget.PreCheck(entry.Size, entry.CompressedSize);
            if (pre is { } p) { listing.Members.Add(new ArchiveMember(Clean(entry.Key), null, entry.Size, false, p.Detail, p.Kind)); continue; }
            using var s = reader.OpenEntryStream();
            listing.Members.Add(Member(entry, budget.Read(s, entry.CompressedSize)));
        }
    }

    private static ArchiveMember Member(IEntry entry, BoundedRead read) =>
        new(Clean(entry.Key), read.Content, read.Content?.LongLength ?? Math.Max(entry.Size, read.BytesSeen), entry.IsEncrypted, read.Detail, read.Limit);

    private static void SingleStream(ArchiveListing listing, ExtractionBudget budget, long compressedSize, string name, Func<Stream> open)
    {
        listing.FileCount = 1;
        using var s = open();
        var read = budget.Read(s, compressedSize);
        listing.Members.Add(new ArchiveMember(name, read.Content, read.Content?.LongLength ?? read.BytesSeen, false, read.Detail, read.Limit));
    }

    private static void FromCabinet(ReadOnlyMemory<byte> data, ArchiveListing listing, ExtractionBudget budget)
    {
        var cab = CabinetReader.Read(data.Span);
        if (cab is null) { listing.Stopped = (ScanExceptionKind.UnreadableContent, "cab: bad header"); return; }
        listing.FileCount = cab.Members.Count;
        if (cab.Members.Count > budget.Options.MaxArchiveFiles)
            listing.Stopped = (ScanExceptionKind.TooManyFiles, $"{cab.Members.Count} files, limit {budget.Options.MaxArchiveFiles}");
        var folders = new Dictionary<int, (byte[]? Bytes, string? Problem)>();
        foreach (var m in cab.Members.Take(budget.Options.MaxArchiveFiles))
        {
            budget.CancellationToken.ThrowIfCancellationRequested();
            if (!folders.TryGetValue(m.Folder, out var folder))
            {
                long folderSize = cab.Members.Where(x => x.Folder == m.Folder).Sum(x => x.Size);
                var pre = budget.PreCheck(folderSize, 0);
                if (pre is { } p) folder = (null, p.Detail);
                else
                {
                    var bytes = CabinetReader.ReadFolder(data.Span, cab, m.Folder, budget.Options.MaxDecompressedFileBytes, out var problem);
                    folder = bytes is null ? (null, problem) : (budget.Read(new MemoryStream(bytes), 0).Content, problem);
                }
                folders[m.Folder] = folder;
            }
            var pre2 = budget.PreCheck(m.Size, 0);
            if (pre2 is { } q) { listing.Members.Add(new ArchiveMember(m.Name, null, m.Size, false, q.Detail, q.Kind)); continue; }
            if (folder.Bytes is { } all && m.OffsetInFolder + m.Size <= all.Length)
                listing.Members.Add(new ArchiveMember(m.Name, all.AsSpan((int)m.OffsetInFolder, (int)m.Size).ToArray(), m.Size, false, null, null));
            else
                listing.Members.Add(new ArchiveMember(m.Name, null, m.Size, false, folder.Problem ?? "member outside its folder data", null));
        }
    }

    /// <summary>The FNAME field of a gzip header (RFC 1952), when present.</summary>
    private static string? GzipMemberName(ReadOnlySpan<byte> d)
    {
        if (d.Length < 10 || (d[3] & 0x08) == 0) return null;
        int pos = 10;
        if ((d[3] & 0x04) != 0)
        {
            if (pos + 2 > d.Length) return null;
            pos += 2 + (d[pos] | (d[pos + 1] << 8));
        }
        if (pos >= d.Length) return null;
        int end = d[pos..].IndexOf((byte)0);
        if (end <= 0 || end > 1024) return null;
        var name = d.Slice(pos, end);
        return Clean(Charsets.Detect(name).GetString(name));
    }

    private static string StripExtension(string name, params string[] extensions)
    {
        foreach (var ext in extensions)
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
                return name[..^ext.Length] + (ext.StartsWith(".t", StringComparison.Ordinal) && ext.Length > 3 ? ".tar" : "");
        return name.Length > 0 ? name + ".data" : "data";
    }

    /// <summary>Member names become path segments: forward slashes, no leading slash or "./", no control characters.</summary>
    internal static string Clean(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "unnamed";
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Replace('\\', '/'))
            if (!char.IsControl(c)) sb.Append(c);
        var s = sb.ToString();
        while (s.StartsWith("./", StringComparison.Ordinal)) s = s[2..];
        s = s.TrimStart('/');
        return s.Length == 0 ? "unnamed" : s;
    }
}
