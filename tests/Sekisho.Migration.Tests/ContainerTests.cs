using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Sekisho.Migration.Export;
using Sekisho.Testing.Imsva;
using static Sekisho.Migration.Tests.Support;

namespace Sekisho.Migration.Tests;

/// <summary>The container rules of format §1: every refusal and every limit, with crafted archives.</summary>
public sealed class ContainerTests
{
    private const int MiB = 1024 * 1024;

    private static LoaderOptions With(Func<ExportLimits, ExportLimits> change) => new() { Limits = change(ExportLimits.Default) };

    [Fact]
    public void A_minimal_export_loads()
    {
        var export = LoadOk(ImsvaExportBuilder.Minimal().Build());
        Assert.Empty(export.Rules);
        Assert.Empty(export.UnknownEntries);
        Assert.Equal(5, export.Entries.Count);
    }

    [Theory]
    [InlineData("/etc/cron.d/evil", UnsafeEntryReason.AbsolutePath)]
    [InlineData("C:/Windows/evil.xml", UnsafeEntryReason.AbsolutePath)]
    [InlineData("../evil.xml", UnsafeEntryReason.ParentDirectory)]
    [InlineData("policy/../../evil.xml", UnsafeEntryReason.ParentDirectory)]
    [InlineData("policy/..", UnsafeEntryReason.ParentDirectory)]
    [InlineData("policy\\..\\evil.xml", UnsafeEntryReason.InvalidName)]
    [InlineData("policy/evil\u0001.xml", UnsafeEntryReason.InvalidName)]
    public void An_unsafe_name_refuses_the_whole_file(string name, UnsafeEntryReason reason)
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithRawEntry(name, "x"u8.ToArray()).Build(), FatalErrorCode.UnsafeEntry);
        Assert.Equal(reason, fatal.UnsafeReason);
        Assert.Equal(name, fatal.Entry);
        Assert.Equal(5, fatal.EntriesFound.Count);
    }

    [Fact]
    public void An_unsafe_entry_first_in_the_archive_is_refused_before_anything_else()
    {
        var builder = new ImsvaExportBuilder().WithRawEntry("../../etc/passwd", "root"u8.ToArray());
        foreach (var name in ImsvaExportBuilder.Minimal().Names) builder.WithRawEntry(name, "x"u8.ToArray());
        var fatal = LoadFatal(builder.Build(), FatalErrorCode.UnsafeEntry);
        Assert.Empty(fatal.EntriesFound);
    }

    [Fact]
    public void A_symbolic_link_is_refused_even_under_a_known_name()
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().Without("policy/objects.xml").WithSymlink("policy/objects.xml", "/etc/passwd").Build(), FatalErrorCode.UnsafeEntry);
        Assert.Equal(UnsafeEntryReason.SymbolicLink, fatal.UnsafeReason);
        Assert.Equal("policy/objects.xml", fatal.Entry);
    }

    [Fact]
    public void A_hard_link_is_refused()
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithHardLink("policy/copy.xml", "policy/rules.xml").Build(), FatalErrorCode.UnsafeEntry);
        Assert.Equal(UnsafeEntryReason.HardLink, fatal.UnsafeReason);
    }

    [Fact]
    public void Device_nodes_and_fifos_are_refused()
    {
        Assert.Equal(UnsafeEntryReason.Device, LoadFatal(ImsvaExportBuilder.Minimal().WithCharacterDevice("dev/null").Build(), FatalErrorCode.UnsafeEntry).UnsafeReason);
        Assert.Equal(UnsafeEntryReason.Device, LoadFatal(ImsvaExportBuilder.Minimal().WithBlockDevice("dev/sda").Build(), FatalErrorCode.UnsafeEntry).UnsafeReason);
        Assert.Equal(UnsafeEntryReason.Fifo, LoadFatal(ImsvaExportBuilder.Minimal().WithFifo("pipe").Build(), FatalErrorCode.UnsafeEntry).UnsafeReason);
    }

    [Fact]
    public void A_duplicate_file_name_is_refused()
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithDuplicate("policy/rules.xml", "<PolicyList/>").Build(), FatalErrorCode.UnsafeEntry);
        Assert.Equal(UnsafeEntryReason.Duplicate, fatal.UnsafeReason);
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.V7)]
    public void Directories_and_dot_slash_names_as_written_by_tar_are_accepted(TarEntryFormat format)
    {
        var minimal = ImsvaExportBuilder.Minimal();
        var files = minimal.Build();
        var builder = new ImsvaExportBuilder { Format = format }.WithDirectory("./").WithDirectory("./policy/").WithDirectory("./db/");
        using (var tar = new TarReader(new GZipStream(new MemoryStream(files), CompressionMode.Decompress)))
        {
            while (tar.GetNextEntry(copyData: true) is { } e)
            {
                var data = new byte[e.Length];
                e.DataStream?.ReadExactly(data);
                builder.WithRawEntry("./" + e.Name, data);
            }
        }
        var export = LoadOk(builder.Build());
        Assert.Equal(minimal.Names.Order(), export.Entries.Select(e => e.Name).Order());
    }

    [Fact]
    public void More_than_256_entries_exceed_the_entry_count()
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithManyEntries(252).Build(), FatalErrorCode.LimitExceeded);
        Assert.Equal(ExportLimitKind.EntryCount, fatal.Limit);
        Assert.Equal(256, fatal.LimitValue);
        Assert.Equal(257, fatal.ActualValue);
        Assert.Equal("filler/00251.txt", fatal.Entry);
    }

    [Fact]
    public void Exactly_256_entries_load_and_the_extra_ones_are_unknown_entries()
    {
        var export = LoadOk(ImsvaExportBuilder.Minimal().WithManyEntries(251).Build());
        Assert.Equal(256, export.Entries.Count);
        Assert.Equal(251, export.UnknownEntries.Count);
        Assert.Equal(("filler/00000.txt", 9L, "filler 0\n"), (export.UnknownEntries[0].Name, export.UnknownEntries[0].Size, System.Text.Encoding.ASCII.GetString(export.UnknownEntries[0].Content.Span)));
    }

    [Fact]
    public void The_default_limits_are_those_of_the_format()
    {
        var limits = ExportLimits.Default;
        Assert.Equal((256, 64L * MiB, 16L * MiB, 200d), (limits.MaxEntries, limits.MaxTotalUncompressedBytes, limits.MaxEntryBytes, limits.MaxCompressionRatio));
    }

    // Large limits are exercised with smaller values: inflating 64 MiB takes seconds on a 2-core CI machine.
    [Fact]
    public void An_entry_over_the_entry_size_is_refused_and_the_limit_is_inclusive()
    {
        var options = With(l => l with { MaxEntryBytes = 64 * 1024 });
        LoadOk(ImsvaExportBuilder.Minimal().WithGeneratedEntry("policy/big.bin", 64 * 1024, GeneratedContent.RandomText).Build(), options: options);
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithGeneratedEntry("policy/big.bin", 64 * 1024 + 1, GeneratedContent.RandomText).Build(), FatalErrorCode.LimitExceeded, options: options);
        Assert.Equal(ExportLimitKind.EntrySize, fatal.Limit);
        Assert.Equal(64 * 1024, fatal.LimitValue);
        Assert.Equal(64 * 1024 + 1, fatal.ActualValue);
        Assert.Equal("policy/big.bin", fatal.Entry);
        Assert.Contains("65,537", fatal.GetMessage(System.Globalization.CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public void More_than_the_total_size_in_all_is_refused_and_the_limit_is_inclusive()
    {
        var minimal = ImsvaExportBuilder.Minimal();
        var small = LoadOk(minimal.Build()).File.UncompressedBytes;
        var options = With(l => l with { MaxTotalUncompressedBytes = small + 3 * 100_000 });
        var builder = ImsvaExportBuilder.Minimal();
        for (var n = 0; n < 3; n++) builder.WithGeneratedEntry($"blob{n}.bin", 100_000, GeneratedContent.RandomText, seed: n);
        Assert.Equal(small + 300_000, LoadOk(builder.Build(), options: options).File.UncompressedBytes);
        builder.WithGeneratedEntry("blob3.bin", 1, GeneratedContent.RandomText);
        var fatal = LoadFatal(builder.Build(), FatalErrorCode.LimitExceeded, options: options);
        Assert.Equal(ExportLimitKind.TotalUncompressedSize, fatal.Limit);
        Assert.Equal(small + 300_001, fatal.ActualValue);
        Assert.Equal("blob3.bin", fatal.Entry);
    }

    [Fact]
    public void A_decompressed_stream_far_over_the_total_is_stopped_while_inflating()
    {
        var builder = ImsvaExportBuilder.Minimal();
        for (var n = 0; n < 4; n++) builder.WithGeneratedEntry($"blob{n}.bin", 500_000, GeneratedContent.RandomText, seed: n);
        var fatal = LoadFatal(builder.Build(), FatalErrorCode.LimitExceeded, options: With(l => l with { MaxTotalUncompressedBytes = 200_000 }));
        Assert.Equal(ExportLimitKind.TotalUncompressedSize, fatal.Limit);
        Assert.Null(fatal.Entry);
        Assert.Empty(fatal.EntriesFound);
    }

    [Fact]
    public void A_ratio_bomb_exceeds_the_compression_ratio_before_it_is_expanded()
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithRatioBomb().Build(), FatalErrorCode.LimitExceeded);
        Assert.Equal(ExportLimitKind.CompressionRatio, fatal.Limit);
        Assert.Equal(200, fatal.LimitValue);
        Assert.True(fatal.ActualValue > 200);
    }

    [Fact]
    public void Tar_padding_below_the_ratio_floor_is_not_a_bomb()
    {
        var export = LoadOk(ImsvaExportBuilder.Minimal().WithGeneratedEntry("zeros.bin", 900 * 1024, GeneratedContent.Zeros).Build());
        Assert.True((double)export.File.UncompressedBytes / export.File.CompressedBytes > 200);
    }

    [Fact]
    public async Task A_file_larger_than_the_file_limit_is_refused_for_seekable_and_forward_only_streams()
    {
        var file = ImsvaExportBuilder.Minimal().WithGeneratedEntry("x.bin", 20_000, GeneratedContent.RandomBytes).Build();
        var options = With(l => l with { MaxFileBytes = 10_000 });
        Assert.Equal(ExportLimitKind.FileSize, LoadFatal(file, FatalErrorCode.LimitExceeded, options: options).Limit);
        var forwardOnly = await ImsvaExportLoader.LoadAsync(new ForwardOnlyStream(file), "x.dat", options);
        Assert.Equal(ExportLimitKind.FileSize, forwardOnly.Fatal!.Limit);
        Assert.True(Load(file).Succeeded);
        Assert.True((await ImsvaExportLoader.LoadAsync(new ForwardOnlyStream(file), "x.dat")).Succeeded);
    }

    [Fact]
    public void Empty_and_tiny_files_are_not_exports()
    {
        Assert.Equal(NotAnExportReason.Empty, LoadFatal([], FatalErrorCode.NotAnExport).NotAnExportReason);
        var tiny = LoadFatal([0x1F, 0x8B], FatalErrorCode.NotAnExport);
        Assert.Equal(NotAnExportReason.Empty, tiny.NotAnExportReason);
        Assert.Equal("1f 8b |..|", tiny.FirstBytes);
    }

    [Theory]
    [InlineData("PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000rest of a zip file", "ZIP")]
    [InlineData("PGDMP\u0001\u000e\u0000\u0004\u0008\u0001\u0001\u0001\u0001\u0001\u0001\u0001\u0000imss\u0000", "PostgreSQL dump (PGDMP)")]
    [InlineData("INSERT INTO tb_global_setting VALUES ('a','b','c','d');\n", "SQL")]
    [InlineData("<?xml version=\"1.0\"?><PolicyList/>\n\n\n", "XML/HTML")]
    public void A_file_that_is_not_gzip_is_described(string content, string looksLike)
    {
        var fatal = LoadFatal(Encoding.Latin1.GetBytes(content), FatalErrorCode.NotAnExport);
        Assert.Equal(NotAnExportReason.NotGzip, fatal.NotAnExportReason);
        Assert.Equal(looksLike, fatal.LooksLike);
        Assert.StartsWith(Convert.ToHexStringLower(Encoding.Latin1.GetBytes(content[..2])).Insert(2, " "), fatal.FirstBytes);
    }

    [Fact]
    public void An_uncompressed_tar_is_recognised()
    {
        var tar = Decompress(ImsvaExportBuilder.Minimal().Build());
        var fatal = LoadFatal(tar, FatalErrorCode.NotAnExport);
        Assert.Equal("tar (uncompressed)", fatal.LooksLike);
    }

    [Fact]
    public void Gzip_content_that_is_not_tar_is_not_an_export()
    {
        var fatal = LoadFatal(Compress(Encoding.UTF8.GetBytes(new string('x', 2000))), FatalErrorCode.NotAnExport);
        Assert.Equal(NotAnExportReason.NotTar, fatal.NotAnExportReason);
        Assert.Contains("78 78 78 78", fatal.Detail);
        Assert.Equal("text", fatal.LooksLike);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(100)]
    [InlineData(600)]
    public void A_truncated_file_is_not_an_export(int cut)
    {
        var file = ImsvaExportBuilder.FromDirectory(FixtureDir("seed-example")).Build();
        var fatal = LoadFatal(file[..^cut], FatalErrorCode.NotAnExport);
        Assert.Equal(NotAnExportReason.CorruptGzip, fatal.NotAnExportReason);
    }

    [Fact]
    public void Data_after_the_gzip_stream_is_refused()
    {
        var file = ImsvaExportBuilder.Minimal().Build();
        Assert.Equal(NotAnExportReason.CorruptGzip, LoadFatal([.. file, .. "trailing"u8], FatalErrorCode.NotAnExport).NotAnExportReason);
        Assert.Equal(NotAnExportReason.CorruptGzip, LoadFatal([.. file, .. file], FatalErrorCode.NotAnExport).NotAnExportReason);
    }

    [Fact]
    public void A_damaged_checksum_is_refused()
    {
        var file = ImsvaExportBuilder.Minimal().Build();
        file[^6] ^= 0xFF;
        Assert.Equal(NotAnExportReason.CorruptGzip, LoadFatal(file, FatalErrorCode.NotAnExport).NotAnExportReason);
    }

    [Fact]
    public void A_truncated_tar_inside_a_valid_gzip_is_not_an_export()
    {
        var tar = Decompress(ImsvaExportBuilder.Minimal().Build());
        var fatal = LoadFatal(Compress(tar[..3000]), FatalErrorCode.NotAnExport);
        Assert.Equal(NotAnExportReason.NotTar, fatal.NotAnExportReason);
        Assert.NotEmpty(fatal.EntriesFound);
    }

    [Fact]
    public void A_gzip_that_is_not_deflate_is_not_an_export()
    {
        var file = ImsvaExportBuilder.Minimal().Build();
        file[2] = 7;
        Assert.Equal(NotAnExportReason.NotGzip, LoadFatal(file, FatalErrorCode.NotAnExport).NotAnExportReason);
    }

    [Fact]
    public void Damaged_files_never_escape_as_exceptions()
    {
        var file = ImsvaExportBuilder.FromDirectory(FixtureDir("enterprise-ja")).Build();
        var random = new Random(20240522);
        var codes = new HashSet<FatalErrorCode>();
        for (var n = 0; n < 300; n++)
        {
            var copy = (byte[])file.Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            var result = Load(copy);
            if (!result.Succeeded) codes.Add(result.Fatal.Code);
        }
        Assert.Contains(FatalErrorCode.NotAnExport, codes);
    }

    [Fact]
    public void Damaged_tar_headers_inside_a_valid_gzip_never_escape_as_exceptions()
    {
        var tar = Decompress(ImsvaExportBuilder.FromDirectory(FixtureDir("enterprise-ja")).Build());
        var random = new Random(7);
        var outcomes = new HashSet<string>();
        for (var n = 0; n < 300; n++)
        {
            var copy = (byte[])tar.Clone();
            var block = random.Next(copy.Length / 512);
            for (var f = 0; f < 3; f++) copy[block * 512 + random.Next(512)] = (byte)random.Next(256);
            var result = Load(Compress(copy));
            outcomes.Add(result.Succeeded ? "ok" : result.Fatal.CodeName);
        }
        Assert.Contains("malformed-entry", outcomes);
        Assert.Contains("not-an-export", outcomes);
    }

    internal static byte[] Decompress(byte[] gz)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress)) gzip.CopyTo(output);
        return output.ToArray();
    }

    internal static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>A stream that cannot seek, like an HTTP upload.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
