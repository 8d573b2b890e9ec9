using System.IO.Compression;

namespace Sekisho.Mail.Tests;

public sealed class ArchiveTests
{
    private static AttachmentFacts[] Members(MessageFacts facts) => [.. facts.Attachments.Where(a => a.Origin == AttachmentOrigin.ArchiveMember)];

    [Theory]
    [InlineData("clam.zip", "clam.zip/clam.exe")]
    [InlineData("clam.7z", "clam.7z/clam.exe")]
    [InlineData("clam.cab", "clam.cab/clam.exe")]
    [InlineData("clam.arj", "clam.arj/clam.exe")]
    [InlineData("clam.bz2.zip", "clam.bz2.zip/clam.exe")]
    [InlineData("clam.impl.zip", "clam.impl.zip/CLAM.EXE")]
    [InlineData("clam.exe.bz2", "clam.exe.bz2/clam.exe")]
    public void ClamAV_archives_yield_the_pe_inside(string file, string memberPath)
    {
        var facts = Material.InspectAttachment(file, Material.ClamAv(file));
        var member = Assert.Single(Members(facts));
        Assert.Equal(memberPath, member.ContainerPath);
        Assert.Equal(TrueFileType.Exe, member.TrueType);
        Assert.Equal(544, member.Size);
        Assert.Equal(1, member.Depth);
        Assert.Equal("1.2", member.PartPath);
        Assert.True(member.IsExtracted);
        Assert.Empty(facts.ScanExceptions);
    }

    [Fact]
    public void Tar_gz_is_two_layers_named_from_the_gzip_header()
    {
        var facts = Material.InspectAttachment("clam.tar.gz", Material.ClamAv("clam.tar.gz"));
        Assert.Equal(["clam.tar.gz", "clam.tar.gz/clam.tar", "clam.tar.gz/clam.tar/clam.exe"], facts.Attachments.Select(a => a.ContainerPath));
        Assert.Equal([TrueFileType.Gz, TrueFileType.Tar, TrueFileType.Exe], facts.Attachments.Select(a => a.TrueType));
        Assert.Equal([0, 1, 2], facts.Attachments.Select(a => a.Depth));
    }

    [Fact]
    public void Multi_block_mszip_cabinet_made_by_gcab_extracts_every_member()
    {
        // tests/fixtures/mail/made/mszip.cab: gcab -c -z with a 105,463-byte text spanning four 32 KiB MSZIP blocks.
        var facts = Material.InspectAttachment("mszip.cab", Material.Fixture("made", "mszip.cab"));
        var members = Members(facts);
        Assert.Equal(["mszip.cab/report.txt", "mszip.cab/big.txt", "mszip.cab/clam.exe"], members.Select(m => m.ContainerPath));
        Assert.Equal([76L, 105463L, 544L], members.Select(m => m.Size));
        Assert.Equal(TrueFileType.Exe, members[2].TrueType);
        Assert.StartsWith("Quarterly figures attached.", members[0].Text);
        Assert.EndsWith(" 1199", members[1].Text);
        Assert.Contains("請求書", members[1].Text);
        Assert.Empty(facts.ScanExceptions);
    }

    [Fact]
    public void Xz_member_is_named_from_the_container()
    {
        var facts = Material.InspectAttachment("report.txt.xz", Material.Fixture("made", "report.txt.xz"));
        var member = Assert.Single(Members(facts));
        Assert.Equal("report.txt.xz/report.txt", member.ContainerPath);
        Assert.Contains("https://intranet.example.co.jp/reports", member.Text);
        Assert.Contains(facts.Urls, u => u.Url == "https://intranet.example.co.jp/reports" && u.Sources.Single().Location == "report.txt.xz/report.txt");
    }

    [Theory]
    [InlineData("zipcrypto.zip")]
    [InlineData("aes.zip")]
    [InlineData("streams.7z")]
    [InlineData("headers.7z")]
    public void Password_protected_archives_are_flagged(string file)
    {
        // Made with Debian tools: zip -P secret (ZipCrypto), 7z -tzip -mem=AES256, 7z -p (-mhe=off / -mhe=on).
        var facts = Material.InspectAttachment(file, Material.Fixture("made", file));
        var archive = facts.Attachments[0];
        Assert.True(archive.IsPasswordProtected, file);
        Assert.All(Members(facts), m => { Assert.True(m.IsPasswordProtected); Assert.False(m.IsExtracted); });
        if (file != "headers.7z") Assert.Contains(Members(facts), m => m.Name == "report.txt");
    }

    [Fact]
    public void Plain_archives_are_not_password_protected() =>
        Assert.All(Material.InspectAttachment("clam.zip", Material.ClamAv("clam.zip")).Attachments, a => Assert.False(a.IsPasswordProtected));

    [Fact]
    public void More_than_353_files_is_a_scan_exception_and_353_is_not()
    {
        byte[] Build(int n) => Material.Zip([.. Enumerable.Range(0, n).Select(i => ($"f{i:000}.txt", Material.Utf8("x" + i)))]);
        var ok = Material.InspectAttachment("ok.zip", Build(353));
        Assert.Empty(ok.ScanExceptions);
        Assert.Equal(353, Members(ok).Length);

        var many = Material.InspectAttachment("many.zip", Build(354));
        var e = Assert.Single(many.ScanExceptions);
        Assert.Equal(ScanExceptionKind.TooManyFiles, e.Kind);
        Assert.Equal("many.zip", e.ContainerPath);
        Assert.Equal("1.2", e.PartPath);
        Assert.Contains("354", e.Detail);
    }

    [Fact]
    public void Ratio_bomb_is_stopped_without_inflating_it()
    {
        var bomb = Material.Zip(("zeros.bin", new byte[10 * 1024 * 1024]));
        var facts = Material.InspectAttachment("bomb.zip", bomb);
        var e = Assert.Single(facts.ScanExceptions);
        Assert.Equal(ScanExceptionKind.CompressionRatio, e.Kind);
        Assert.Equal("bomb.zip/zeros.bin", e.ContainerPath);
        var member = Assert.Single(Members(facts));
        Assert.False(member.IsExtracted);
        Assert.Equal(10 * 1024 * 1024, member.Size);
    }

    [Fact]
    public void Twenty_one_layers_is_a_scan_exception_and_twenty_are_not()
    {
        byte[] Nest(int layers)
        {
            var content = Material.Utf8("deep");
            string name = "core.txt";
            for (int i = 1; i <= layers; i++) { content = Material.Zip((name, content)); name = $"l{i}.zip"; }
            return content;
        }
        var twenty = Material.InspectAttachment("l20.zip", Nest(20));
        Assert.Empty(twenty.ScanExceptions);
        Assert.Equal("deep", twenty.Attachments[^1].Text);
        Assert.Equal(20, twenty.Attachments[^1].Depth);

        var deeper = Material.InspectAttachment("l21.zip", Nest(21));
        var e = Assert.Single(deeper.ScanExceptions);
        Assert.Equal(ScanExceptionKind.TooManyLayers, e.Kind);
        Assert.Equal("l21.zip/l20.zip/l19.zip/l18.zip/l17.zip/l16.zip/l15.zip/l14.zip/l13.zip/l12.zip/l11.zip/l10.zip/l9.zip/l8.zip/l7.zip/l6.zip/l5.zip/l4.zip/l3.zip/l2.zip/l1.zip", e.ContainerPath);
        Assert.DoesNotContain(deeper.Attachments, a => a.Name == "core.txt");
    }

    [Fact]
    public void A_decompressed_file_above_60_MB_is_a_scan_exception()
    {
        // Zeros compress about 1000:1, so the ratio limit is lifted to isolate the size limit at its default.
        var big = Material.Gzip(new byte[61 * 1024 * 1024]);
        var facts = Material.InspectAttachment("big.bin.gz", big, InspectionOptions.Default with { MaxCompressionRatio = 1_000_000 });
        var e = Assert.Single(facts.ScanExceptions);
        Assert.Equal(ScanExceptionKind.DecompressedFileTooLarge, e.Kind);
        Assert.Equal("big.bin.gz/big.bin", e.ContainerPath);
    }

    [Fact]
    public void Total_decompressed_bytes_are_bounded_by_the_quota()
    {
        var random = TrueFileTypeTests.RandomBytes(700_000);
        var zip = Material.Zip(CompressionLevel.NoCompression, ("a.bin", random), ("b.bin", random));
        var facts = Material.InspectAttachment("two.zip", zip, InspectionOptions.Default with { MaxTotalDecompressedBytes = 1_000_000 });
        var e = Assert.Single(facts.ScanExceptions);
        Assert.Equal(ScanExceptionKind.TotalSizeQuota, e.Kind);
        Assert.Equal("two.zip/b.bin", e.ContainerPath);
        Assert.True(Members(facts)[0].IsExtracted);
    }

    [Fact]
    public void Office_file_with_more_than_353_subfiles_or_a_bomb_part_is_a_scan_exception()
    {
        var parts = Enumerable.Range(0, 353).Select(i => ($"word/media/p{i}.xml", "<x/>")).Prepend(("word/document.xml", Material.WordDocumentXml("hi"))).ToArray();
        var crowded = Material.Ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", parts);
        var facts = Material.InspectAttachment("crowded.docx", crowded);
        Assert.Equal(TrueFileType.Docx, facts.Attachments[0].TrueType);
        var e = Assert.Single(facts.ScanExceptions);
        Assert.Equal(ScanExceptionKind.OfficeTooManySubfiles, e.Kind);
        Assert.Equal("crowded.docx", e.ContainerPath);

        var bombXml = Material.WordDocumentXml(new string('A', 3 * 1024 * 1024));
        var bomb = Material.Ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", ("word/document.xml", bombXml));
        var bombFacts = Material.InspectAttachment("bomb.docx", bomb);
        Assert.Equal(ScanExceptionKind.OfficeSubfileRatio, Assert.Single(bombFacts.ScanExceptions).Kind);
    }
}
