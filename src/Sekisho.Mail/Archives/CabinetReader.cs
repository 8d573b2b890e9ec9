using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Sekisho.Mail.Formats;

namespace Sekisho.Mail.Archives;

/// <summary>
/// Microsoft Cabinet (MS-CAB) reader, because SharpCompress has none. It lists every member from the CFFILE
/// table and extracts members of uncompressed and MSZIP folders. Quantum and LZX folders are listed but not
/// extracted (their members come back with a reason).
/// </summary>
internal static class CabinetReader
{
    private const int MaxFolders = 1024;
    private const int MaxFiles = 65535;

    public sealed record Member(string Name, long Size, int Folder, long OffsetInFolder);

    public sealed record Cabinet(IReadOnlyList<Member> Members, IReadOnlyList<(int Offset, int Blocks, int Compression)> Folders, int DataReserve);

    public static Cabinet? Read(ReadOnlySpan<byte> d)
    {
        if (d.Length < 36 || !d.StartsWith("MSCF"u8)) return null;
        uint filesOffset = BinaryPrimitives.ReadUInt32LittleEndian(d[16..]);
        int folders = BinaryPrimitives.ReadUInt16LittleEndian(d[26..]);
        int files = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]);
        int flags = BinaryPrimitives.ReadUInt16LittleEndian(d[30..]);
        int pos = 36, headerReserve = 0, folderReserve = 0, dataReserve = 0;
        if ((flags & 0x0004) != 0)
        {
            if (d.Length < 40) return null;
            headerReserve = BinaryPrimitives.ReadUInt16LittleEndian(d[36..]);
            folderReserve = d[38];
            dataReserve = d[39];
            pos = 40 + headerReserve;
        }
        if ((flags & 0x0001) != 0) { pos = SkipString(d, pos); pos = SkipString(d, pos); }
        if ((flags & 0x0002) != 0) { pos = SkipString(d, pos); pos = SkipString(d, pos); }
        if (folders > MaxFolders || files > MaxFiles || pos < 0) return null;

        var folderList = new List<(int, int, int)>();
        for (int i = 0; i < folders; i++)
        {
            if (pos + 8 > d.Length) return null;
            folderList.Add(((int)BinaryPrimitives.ReadUInt32LittleEndian(d[pos..]), BinaryPrimitives.ReadUInt16LittleEndian(d[(pos + 4)..]),
                BinaryPrimitives.ReadUInt16LittleEndian(d[(pos + 6)..])));
            pos += 8 + folderReserve;
        }
        var members = new List<Member>();
        pos = (int)Math.Min(filesOffset, int.MaxValue);
        for (int i = 0; i < files; i++)
        {
            if (pos < 0 || pos + 16 > d.Length) break;
            long size = BinaryPrimitives.ReadUInt32LittleEndian(d[pos..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(d[(pos + 4)..]);
            int folder = BinaryPrimitives.ReadUInt16LittleEndian(d[(pos + 8)..]);
            int attributes = BinaryPrimitives.ReadUInt16LittleEndian(d[(pos + 14)..]);
            int nameStart = pos + 16;
            int nameEnd = d[nameStart..].IndexOf((byte)0);
            if (nameEnd < 0 || nameEnd > 1024) break;
            var nameBytes = d.Slice(nameStart, nameEnd);
            // Attribute 0x80 marks UTF-8 names; otherwise the name is in the system code page (CP932 on Japanese Windows).
            var name = (attributes & 0x80) != 0 ? Encoding.UTF8.GetString(nameBytes) : Text.Charsets.Detect(nameBytes).GetString(nameBytes);
            members.Add(new Member(name.Replace('\\', '/'), size, folder, offset));
            pos = nameStart + nameEnd + 1;
        }
        return new Cabinet(members, folderList, dataReserve);
    }

    /// <summary>Decompresses one folder up to <paramref name="maxBytes"/>; null when its method is not supported.</summary>
    public static byte[]? ReadFolder(ReadOnlySpan<byte> d, Cabinet cab, int folderIndex, long maxBytes, out string? problem)
    {
        problem = null;
        if (folderIndex < 0 || folderIndex >= cab.Folders.Count) { problem = "folder index out of range"; return null; }
        var (offset, blocks, compression) = cab.Folders[folderIndex];
        int method = compression & 0x000F;
        if (method is not (0 or 1)) { problem = method switch { 2 => "Quantum compression is not supported", 3 => "LZX compression is not supported", _ => "unknown compression" }; return null; }
        var output = new MemoryStream();
        int pos = offset;
        for (int b = 0; b < blocks; b++)
        {
            if (pos < 0 || pos + 8 + cab.DataReserve > d.Length) { problem = "truncated data block"; break; }
            int compressed = BinaryPrimitives.ReadUInt16LittleEndian(d[(pos + 4)..]);
            int uncompressed = BinaryPrimitives.ReadUInt16LittleEndian(d[(pos + 6)..]);
            int start = pos + 8 + cab.DataReserve;
            if (start + compressed > d.Length) { problem = "truncated data block"; break; }
            var block = d.Slice(start, compressed);
            if (method == 0) output.Write(block);
            else
            {
                if (block.Length < 2 || block[0] != 'C' || block[1] != 'K') { problem = "bad MSZIP block signature"; break; }
                if (!InflateMsZipBlock(block[2..], output, uncompressed)) { problem = "bad MSZIP block"; break; }
            }
            if (output.Length > maxBytes) { problem = "folder larger than the limit"; break; }
            pos = start + compressed;
        }
        return output.ToArray();
    }

    /// <summary>
    /// MSZIP blocks are deflate streams that may refer back into the previous 32 KiB of output. .NET's inflater
    /// takes no preset dictionary, so the window is fed in front of the block as a stored deflate block and
    /// dropped from the result.
    /// </summary>
    private static bool InflateMsZipBlock(ReadOnlySpan<byte> block, MemoryStream output, int expected)
    {
        int windowLength = (int)Math.Min(32768, output.Length);
        var input = new byte[5 + windowLength + block.Length];
        input[0] = 0x00;
        BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(1), (ushort)windowLength);
        BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(3), (ushort)~windowLength);
        output.GetBuffer().AsSpan((int)output.Length - windowLength, windowLength).CopyTo(input.AsSpan(5));
        block.CopyTo(input.AsSpan(5 + windowLength));
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(input), CompressionMode.Decompress);
            var result = new byte[windowLength + expected];
            int read = inflater.ReadAtLeast(result, result.Length, throwOnEndOfStream: false);
            if (read < windowLength) return false;
            output.Write(result, windowLength, read - windowLength);
            return true;
        }
        catch (InvalidDataException) { return false; }
    }

    private static int SkipString(ReadOnlySpan<byte> d, int pos)
    {
        if (pos < 0 || pos >= d.Length) return -1;
        int end = d[pos..].IndexOf((byte)0);
        return end < 0 ? -1 : pos + end + 1;
    }
}
