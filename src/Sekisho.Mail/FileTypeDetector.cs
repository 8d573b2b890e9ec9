using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Sekisho.Mail.Formats;

namespace Sekisho.Mail;

/// <summary>
/// Decides the <see cref="TrueFileType"/> of content from its bytes only: magic numbers, container
/// directories (ZIP entries for OOXML/ODF/JAR, the OLE2 directory for doc/xls/ppt/msi, PE characteristics
/// for exe/dll) and, for scripts and markup, a bounded sniff of the first kilobytes of text.
/// </summary>
public static class FileTypeDetector
{
    private const int SniffBytes = 8192;
    private const int MaxContentTypesBytes = 1 << 20;

    private static readonly Guid MsiClsid = new("000C1084-0000-0000-C000-000000000046");
    private static readonly Guid MspClsid = new("000C1086-0000-0000-C000-000000000046");
    private static readonly Guid MstClsid = new("000C1082-0000-0000-C000-000000000046");
    private static readonly byte[] LnkHeader = [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46];

    /// <summary>The EICAR anti-virus test file is a DOS .COM program made of printable characters.</summary>
    private static readonly byte[] EicarPrefix = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR"u8.ToArray();

    /// <summary>Detects the true type of <paramref name="content"/>.</summary>
    public static TrueFileType Detect(ReadOnlyMemory<byte> content)
    {
        var d = content.Span;
        if (d.IsEmpty)
            return TrueFileType.Unknown;

        if (d.StartsWith("MZ"u8)) return DetectMz(d);
        if (d.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F'])) return TrueFileType.Elf;
        if (d.StartsWith((ReadOnlySpan<byte>)[0xCA, 0xFE, 0xBA, 0xBE]) && d.Length >= 8)
        {
            int major = BinaryPrimitives.ReadUInt16BigEndian(d[6..]);
            return major is >= 45 and <= 90 ? TrueFileType.JavaClass : TrueFileType.Unknown;
        }
        if (d.StartsWith(LnkHeader)) return TrueFileType.Lnk;
        if (CompoundFile.HasSignature(d)) return DetectOle(content);
        if (d.StartsWith("PK\x03\x04"u8) || d.StartsWith("PK\x05\x06"u8) || d.StartsWith("PK\x07\x08"u8)) return DetectZip(content);
        if (d.StartsWith("Rar!\x1A\x07"u8)) return TrueFileType.Rar;
        if (d.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C])) return TrueFileType.SevenZip;
        if (d.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B, 0x08])) return TrueFileType.Gz;
        if (IsBzip2(d)) return TrueFileType.Bz2;
        if (d.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00])) return TrueFileType.Xz;
        if (d.StartsWith("MSCF\0\0\0\0"u8)) return TrueFileType.Cab;
        if (IsLzh(d)) return TrueFileType.Lzh;
        if (d.Length > 10 && d[0] == 0x60 && d[1] == 0xEA && BinaryPrimitives.ReadUInt16LittleEndian(d[2..]) is > 0 and <= 2600) return TrueFileType.Arj;
        if (IsTar(d)) return TrueFileType.Tar;
        if (IsIso(d)) return TrueFileType.Iso;
        if (d.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return TrueFileType.Jpeg;
        if (d.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return TrueFileType.Png;
        if (d.StartsWith("GIF87a"u8) || d.StartsWith("GIF89a"u8)) return TrueFileType.Gif;
        if (IsBmp(d)) return TrueFileType.Bmp;
        if (d.StartsWith("II*\0"u8) || d.StartsWith("MM\0*"u8)) return TrueFileType.Tiff;
        if (d.StartsWith((ReadOnlySpan<byte>)[0x78, 0x9F, 0x3E, 0x22])) return TrueFileType.Tnef;
        if (d.Length >= 12 && d.StartsWith("RIFF"u8))
        {
            if (d[8..12].SequenceEqual("WAVE"u8)) return TrueFileType.Wav;
            if (d[8..12].SequenceEqual("AVI "u8)) return TrueFileType.Avi;
        }
        if (IsIsoBaseMedia(d)) return TrueFileType.Mp4;
        if (IsMp3(d)) return TrueFileType.Mp3;
        if (d.StartsWith("{\\rtf"u8)) return TrueFileType.Rtf;
        if (d[..Math.Min(d.Length, 1024)].IndexOf("%PDF-"u8) >= 0) return TrueFileType.Pdf;
        if (d.StartsWith(EicarPrefix)) return TrueFileType.Com;

        var text = TextSniffer.TryDecode(d[..Math.Min(d.Length, SniffBytes)]);
        if (text is not null)
            return TextSniffer.Classify(text);
        return IsDosCom(d) ? TrueFileType.Com : TrueFileType.Unknown;
    }

    private static TrueFileType DetectMz(ReadOnlySpan<byte> d)
    {
        if (d.Length < 0x40) return TrueFileType.Exe;
        int lfanew = BinaryPrimitives.ReadInt32LittleEndian(d[0x3C..]);
        if (lfanew > 0 && lfanew <= d.Length - 24 && d.Slice(lfanew, 4).SequenceEqual("PE\0\0"u8))
        {
            ushort characteristics = BinaryPrimitives.ReadUInt16LittleEndian(d[(lfanew + 22)..]);
            const ushort ImageFileDll = 0x2000;
            return (characteristics & ImageFileDll) != 0 ? TrueFileType.Dll : TrueFileType.Exe;
        }
        return TrueFileType.Exe;
    }

    private static TrueFileType DetectOle(ReadOnlyMemory<byte> content)
    {
        var cf = CompoundFile.TryOpen(content);
        if (cf is null) return TrueFileType.Unknown;
        if (cf.RootClsid == MsiClsid || cf.RootClsid == MspClsid || cf.RootClsid == MstClsid) return TrueFileType.Msi;
        if (cf.Contains("WordDocument")) return TrueFileType.Doc;
        if (cf.Contains("Workbook") || cf.Contains("Book")) return TrueFileType.Xls;
        if (cf.Contains("PowerPoint Document")) return TrueFileType.Ppt;
        // MSI tables are stored under names in the U+3800–U+4840 range (the installer's name compression).
        if (cf.Entries.Any(e => e.Name.Length > 0 && e.Name[0] is >= '\u3800' and <= '\u4840')) return TrueFileType.Msi;
        return TrueFileType.Unknown;
    }

    private static TrueFileType DetectZip(ReadOnlyMemory<byte> content)
    {
        try
        {
            using var zip = new ZipArchive(MemoryStreams.Open(content), ZipArchiveMode.Read);
            return ClassifyZip(zip);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            return TrueFileType.Zip;
        }
    }

    /// <summary>OOXML, ODF and JAR are ZIP files; their entries tell them apart.</summary>
    internal static TrueFileType ClassifyZip(ZipArchive zip)
    {
        ZipArchiveEntry? mimetype = null, contentTypes = null;
        bool manifest = false, classes = false, word = false, xl = false, ppt = false, vba = false;
        int n = 0;
        foreach (var e in zip.Entries)
        {
            if (++n > 100_000) break;
            var name = e.FullName;
            if (name == "mimetype") mimetype = e;
            else if (name == "[Content_Types].xml") contentTypes = e;
            else if (name.Equals("META-INF/MANIFEST.MF", StringComparison.OrdinalIgnoreCase)) manifest = true;
            else if (name.EndsWith(".class", StringComparison.OrdinalIgnoreCase)) classes = true;
            else if (name == "word/document.xml") word = true;
            else if (name == "xl/workbook.xml") xl = true;
            else if (name == "ppt/presentation.xml") ppt = true;
            if (name.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)) vba = true;
        }
        if (mimetype is not null && mimetype.Length < 256 && !IsEncrypted(mimetype))
        {
            var value = ReadEntry(mimetype, 256);
            if (value is not null && value.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal))
                return TrueFileType.Odf;
        }
        if (contentTypes is not null && !IsEncrypted(contentTypes))
        {
            var xml = ReadEntry(contentTypes, MaxContentTypesBytes);
            if (xml is not null)
            {
                var fromTypes = OoxmlFromContentTypes(xml);
                if (fromTypes != TrueFileType.Unknown) return fromTypes;
            }
        }
        if (word) return vba ? TrueFileType.Docm : TrueFileType.Docx;
        if (xl) return vba ? TrueFileType.Xlsm : TrueFileType.Xlsx;
        if (ppt) return vba ? TrueFileType.Pptm : TrueFileType.Pptx;
        if (manifest || classes) return TrueFileType.Jar;
        return TrueFileType.Zip;
    }

    internal static TrueFileType OoxmlFromContentTypes(string xml)
    {
        // Main-part content types (ECMA-376 Part 1 and the macro-enabled variants of MS-OFFMACRO).
        if (xml.Contains("application/vnd.ms-word.document.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("application/vnd.ms-word.template.macroEnabledTemplate.main+xml", StringComparison.OrdinalIgnoreCase))
            return TrueFileType.Docm;
        if (xml.Contains("application/vnd.ms-excel.sheet.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("application/vnd.ms-excel.template.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("application/vnd.ms-excel.addin.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase))
            return TrueFileType.Xlsm;
        if (xml.Contains("application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("application/vnd.ms-powerpoint.template.macroEnabled.main+xml", StringComparison.OrdinalIgnoreCase))
            return TrueFileType.Pptm;
        if (xml.Contains("wordprocessingml.document.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("wordprocessingml.template.main+xml", StringComparison.OrdinalIgnoreCase))
            return TrueFileType.Docx;
        if (xml.Contains("spreadsheetml.sheet.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("spreadsheetml.template.main+xml", StringComparison.OrdinalIgnoreCase))
            return TrueFileType.Xlsx;
        if (xml.Contains("presentationml.presentation.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("presentationml.slideshow.main+xml", StringComparison.OrdinalIgnoreCase)
            || xml.Contains("presentationml.template.main+xml", StringComparison.OrdinalIgnoreCase))
            return TrueFileType.Pptx;
        return TrueFileType.Unknown;
    }

    private static bool IsEncrypted(ZipArchiveEntry e) => e.IsEncrypted;

    private static string? ReadEntry(ZipArchiveEntry entry, int max)
    {
        try
        {
            using var s = entry.Open();
            var buffer = new byte[Math.Min(max, Math.Max(0, (int)Math.Min(entry.Length, max)))];
            int read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    private static bool IsBzip2(ReadOnlySpan<byte> d) =>
        d.Length >= 10 && d.StartsWith("BZh"u8) && d[3] is >= (byte)'1' and <= (byte)'9'
        && (d[4..10].SequenceEqual((ReadOnlySpan<byte>)[0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
            || d[4..10].SequenceEqual((ReadOnlySpan<byte>)[0x17, 0x72, 0x45, 0x38, 0x50, 0x90]));

    private static bool IsLzh(ReadOnlySpan<byte> d) =>
        d.Length >= 21 && d[2] == '-' && d[6] == '-'
        && ((d[3] == 'l' && d[4] is (byte)'h' or (byte)'z') || (d[3] == 'p' && d[4] == 'm'))
        && (char.IsAsciiDigit((char)d[5]) || d[5] is (byte)'s' or (byte)'d');

    private static bool IsTar(ReadOnlySpan<byte> d)
    {
        if (d.Length < 512) return false;
        if (d.Slice(257, 5).SequenceEqual("ustar"u8)) return true;
        // Pre-POSIX (v7) headers have no magic: accept them only when the header checksum is right.
        var checksumField = d.Slice(148, 8);
        long stored = 0; bool digits = false;
        foreach (var b in checksumField)
        {
            if (b is >= (byte)'0' and <= (byte)'7') { stored = stored * 8 + (b - '0'); digits = true; }
            else if (b is 0 or (byte)' ') { if (digits) break; }
            else return false;
        }
        if (!digits || d[0] == 0) return false;
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : d[i];
        return sum == stored;
    }

    private static bool IsIso(ReadOnlySpan<byte> d)
    {
        foreach (int offset in (ReadOnlySpan<int>)[0x8001, 0x8801, 0x9001])
            if (d.Length >= offset + 5 && d.Slice(offset, 5).SequenceEqual("CD001"u8)) return true;
        return false;
    }

    private static bool IsBmp(ReadOnlySpan<byte> d) =>
        d.Length >= 26 && d[0] == 'B' && d[1] == 'M' && BinaryPrimitives.ReadUInt32LittleEndian(d[6..]) == 0
        && BinaryPrimitives.ReadUInt32LittleEndian(d[14..]) is 12 or 40 or 52 or 56 or 64 or 108 or 124;

    private static bool IsIsoBaseMedia(ReadOnlySpan<byte> d)
    {
        if (d.Length < 12 || !d[4..8].SequenceEqual("ftyp"u8)) return false;
        var brand = Encoding.ASCII.GetString(d[8..12]);
        // Still-image members of the ISO base media family are not video.
        return brand is not ("heic" or "heix" or "hevc" or "hevx" or "mif1" or "msf1" or "avif" or "avis" or "crx ");
    }

    private static bool IsMp3(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 10 && d.StartsWith("ID3"u8) && d[3] is >= 2 and <= 4) return true;
        int first = MpegFrameLength(d);
        if (first <= 0) return false;
        // One plausible frame header is weak evidence; insist on the next one too.
        return first + 4 <= d.Length ? MpegFrameLength(d[first..]) > 0 : d.Length < 4096;
    }

    private static int MpegFrameLength(ReadOnlySpan<byte> h)
    {
        if (h.Length < 4 || h[0] != 0xFF || (h[1] & 0xE0) != 0xE0) return -1;
        int version = (h[1] >> 3) & 3, layer = (h[1] >> 1) & 3, bitrateIndex = h[2] >> 4, rateIndex = (h[2] >> 2) & 3;
        if (version == 1 || layer != 1 || bitrateIndex is 0 or 15 || rateIndex == 3) return -1; // Layer III only
        int[] v1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
        int[] v2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
        int[] rates = version switch { 3 => [44100, 48000, 32000], 2 => [22050, 24000, 16000], _ => [11025, 12000, 8000] };
        int bitrate = (version == 3 ? v1 : v2)[bitrateIndex] * 1000;
        int padding = (h[2] >> 1) & 1;
        return (version == 3 ? 144 : 72) * bitrate / rates[rateIndex] + padding;
    }

    /// <summary>
    /// DOS .COM programs have no header. Accept binary content of at most 65,280 bytes that begins with a
    /// near or short jump, or with the "print string" service call, as most COM programs and droppers do.
    /// </summary>
    private static bool IsDosCom(ReadOnlySpan<byte> d) =>
        d.Length is >= 3 and <= 65280
        && (d[0] is 0xE9 or 0xEB || (d[0] == 0xB4 && d[1] == 0x09) || (d[0] == 0xBA && d.Length > 4 && d[3] == 0xB4 && d[4] == 0x09));
}
