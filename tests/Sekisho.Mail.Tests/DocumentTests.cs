using System.Text;

namespace Sekisho.Mail.Tests;

public sealed class DocumentTests
{
    [Fact]
    public void Pdf_text_and_uri_actions_are_extracted()
    {
        // tests/fixtures/mail/made/link.pdf: written by hand, rewritten by qpdf 11.3.
        var facts = Material.InspectAttachment("link.pdf", Material.Fixture("made", "link.pdf"));
        var pdf = Assert.Single(facts.Attachments);
        Assert.Equal(TrueFileType.Pdf, pdf.TrueType);
        Assert.Contains("Invoice 2024 confidential figures", pdf.Text);
        Assert.False(pdf.IsPasswordProtected);
        Assert.Equal(ActiveContent.None, pdf.ActiveContent);
        var link = Assert.Single(facts.Urls, u => u.Sources.Any(s => s.Kind == UrlSourceKind.PdfLink));
        Assert.Equal("https://phish.example.net/login?id=1", link.Url);
        Assert.Equal("link.pdf", link.Sources[0].Location);
        Assert.Contains(facts.Urls, u => u.Url == "https://billing.example.com/pay" && u.Sources[0].Kind == UrlSourceKind.AttachmentText);
    }

    [Fact]
    public void Pdf_javascript_inside_compressed_object_streams_is_found()
    {
        // js-objstm.pdf: /OpenAction -> /S /JavaScript, packed by qpdf --object-streams=generate, so no keyword is visible in the raw file.
        var bytes = Material.Fixture("made", "js-objstm.pdf");
        Assert.True(bytes.AsSpan().IndexOf("JavaScript"u8) < 0);
        var pdf = Assert.Single(Material.InspectAttachment("js.pdf", bytes).Attachments);
        Assert.Equal(ActiveContent.PdfJavaScript | ActiveContent.PdfOpenActionJavaScript, pdf.ActiveContent);
        Assert.True(pdf.HasActiveContent);
    }

    [Fact]
    public void Pdf_with_a_user_password_is_protected_and_one_with_only_an_owner_password_is_not()
    {
        // qpdf --encrypt secret owner 256 (user password) and qpdf --encrypt "" owner 256 (permissions only).
        var locked = Assert.Single(Material.InspectAttachment("e.pdf", Material.Fixture("made", "encrypted.pdf")).Attachments);
        Assert.True(locked.IsPasswordProtected);
        var restricted = Assert.Single(Material.InspectAttachment("r.pdf", Material.Fixture("made", "restricted.pdf")).Attachments);
        Assert.False(restricted.IsPasswordProtected);
        Assert.Contains("Invoice 2024", restricted.Text);
    }

    [Fact]
    public void Docx_xlsx_pptx_text_is_read_from_their_xml_parts()
    {
        var docx = Material.Ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            ("word/document.xml", Material.WordDocumentXml("社外秘：顧客リスト", "Card 4111 1111 1111 1111")),
            ("word/footer1.xml", $"<w:ftr xmlns:w=\"{Material.WordMl}\"><w:p><w:r><w:t>Footer text</w:t></w:r></w:p></w:ftr>"));
        var d = Assert.Single(Material.InspectAttachment("a.docx", docx).Attachments);
        Assert.Equal("社外秘：顧客リスト\nCard 4111 1111 1111 1111\nFooter text", d.Text);
        Assert.Equal(ActiveContent.None, d.ActiveContent);

        const string ss = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var xlsx = Material.Ooxml("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            ("xl/workbook.xml", $"<workbook xmlns=\"{ss}\"/>"),
            ("xl/sharedStrings.xml", $"<sst xmlns=\"{ss}\"><si><t>氏名</t></si><si><t>マイナンバー</t></si></sst>"),
            ("xl/worksheets/sheet1.xml", $"<worksheet xmlns=\"{ss}\"><sheetData><row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row><row><c t=\"inlineStr\"><is><t>山田</t></is></c><c><v>123456789012</v></c></row></sheetData></worksheet>"));
        var x = Assert.Single(Material.InspectAttachment("a.xlsx", xlsx).Attachments);
        Assert.Equal(TrueFileType.Xlsx, x.TrueType);
        Assert.Contains("氏名", x.Text);
        Assert.Contains("マイナンバー", x.Text);
        Assert.Contains("山田\t123456789012", x.Text);
        Assert.DoesNotContain("\t0\t", x.Text);

        const string a = "http://schemas.openxmlformats.org/drawingml/2006/main";
        var pptx = Material.Ooxml("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            ("ppt/presentation.xml", "<p/>"),
            ("ppt/slides/slide10.xml", $"<sld xmlns:a=\"{a}\"><a:p><a:r><a:t>Slide ten</a:t></a:r></a:p></sld>"),
            ("ppt/slides/slide2.xml", $"<sld xmlns:a=\"{a}\"><a:p><a:r><a:t>Slide two</a:t></a:r></a:p></sld>"));
        var p = Assert.Single(Material.InspectAttachment("a.pptx", pptx).Attachments);
        Assert.Equal("Slide two\nSlide ten", p.Text);
    }

    [Fact]
    public void Odf_text_is_read_from_content_xml()
    {
        var odt = Assert.Single(Material.InspectAttachment("a.odt", TrueFileTypeTests.Odt("機密文書")).Attachments);
        Assert.Equal(TrueFileType.Odf, odt.TrueType);
        Assert.Equal("機密文書\nsecond line", odt.Text);
    }

    [Fact]
    public void Office_macros_are_active_content()
    {
        var docm = Material.Ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml",
            ("word/document.xml", Material.WordDocumentXml("Enable content")), ("word/vbaProject.bin", "not inspected"));
        var m = Assert.Single(Material.InspectAttachment("invoice.docm", docm).Attachments);
        Assert.Equal(TrueFileType.Docm, m.TrueType);
        Assert.Equal(ActiveContent.OfficeMacros, m.ActiveContent);

        // A vbaProject.bin in a package that claims to be a plain document still counts.
        var disguised = Material.Ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            ("word/document.xml", Material.WordDocumentXml("x")), ("word/vbaProject.bin", "vba"));
        Assert.Equal(ActiveContent.OfficeMacros, Assert.Single(Material.InspectAttachment("a.docx", disguised).Attachments).ActiveContent);

        var plain = Assert.Single(Material.InspectAttachment("clam.ole.doc", Material.ClamAv("clam.ole.doc")).Attachments);
        Assert.Equal(ActiveContent.None, plain.ActiveContent);
        Assert.False(plain.IsPasswordProtected);
    }

    [Fact]
    public void Legacy_word_encryption_flag_is_read_from_the_fib()
    {
        // Set fEncrypted (0x0100) in the FIB of the real ClamAV Word file: the flag Word sets for RC4 and XOR protection.
        var doc = Material.ClamAv("clam.ole.doc");
        int fib = FindFib(doc);
        doc[fib + 11] |= 0x01;
        var a = Assert.Single(Material.InspectAttachment("locked.doc", doc).Attachments);
        Assert.Equal(TrueFileType.Doc, a.TrueType);
        Assert.True(a.IsPasswordProtected);
    }

    [Fact]
    public void Encrypted_ooxml_container_is_password_protected_and_not_typed()
    {
        // Encrypted Office 2007+ files are OLE2 containers holding EncryptionInfo and EncryptedPackage streams.
        // Debian 12 has no tool that writes one, so the real ClamAV Word file's streams are renamed to that layout.
        var cfb = Material.ClamAv("clam.ole.doc");
        Rename(cfb, "WordDocument", "EncryptedPackage");
        Rename(cfb, "1Table", "EncryptionInfo");
        var a = Assert.Single(Material.InspectAttachment("secret.docx", cfb).Attachments);
        Assert.Equal(TrueFileType.Unknown, a.TrueType);
        Assert.True(a.IsPasswordProtected);
    }

    [Fact]
    public void Ole_vba_storage_is_active_content()
    {
        var cfb = Material.ClamAv("clam.ole.doc");
        Rename(cfb, "ObjectPool", "Macros");
        var a = Assert.Single(Material.InspectAttachment("macro.doc", cfb).Attachments);
        Assert.Equal(ActiveContent.OfficeMacros, a.ActiveContent);
    }

    private static int FindFib(byte[] doc)
    {
        for (int i = 512; i + 12 < doc.Length; i += 512)
            if (doc[i] == 0xEC && doc[i + 1] == 0xA5) return i;
        throw new InvalidOperationException("no FIB");
    }

    /// <summary>Renames a directory entry in place (64-byte UTF-16 name field plus its length).</summary>
    private static void Rename(byte[] cfb, string from, string to)
    {
        var needle = Encoding.Unicode.GetBytes(from + "\0");
        int at = cfb.AsSpan().IndexOf(needle);
        Assert.True(at >= 0 && at % 128 == 0, from);
        Array.Clear(cfb, at, 64);
        Encoding.Unicode.GetBytes(to).CopyTo(cfb, at);
        BitConverter.GetBytes((ushort)((to.Length + 1) * 2)).CopyTo(cfb, at + 64);
    }
}
