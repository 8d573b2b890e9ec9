using System.IO.Compression;
using System.Text;
using Sekisho.Testing;

namespace Sekisho.Mail.Tests;

/// <summary>Test material: files under tests/fixtures/mail and builders for archives and messages.</summary>
internal static class Material
{
    public static byte[] Fixture(params string[] parts) => File.ReadAllBytes(RepoPaths.Fixture(["mail", .. parts]));

    public static byte[] ClamAv(string name) => Fixture("clamav", name);

    /// <summary>The EICAR test file, made here rather than committed so scanners on developer machines leave the repo alone.</summary>
    public static byte[] Eicar() =>
        Encoding.ASCII.GetBytes("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    public static byte[] Zip(params (string Name, byte[] Content)[] entries) => Zip(CompressionLevel.Optimal, entries);

    public static byte[] Zip(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, level);
                using var s = entry.Open();
                s.Write(content);
            }
        return ms.ToArray();
    }

    public static byte[] Gzip(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(content);
        return ms.ToArray();
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A multipart/mixed message with a text body and base64 attachments, CRLF line ends.</summary>
    public static byte[] MessageWith(string subject, string body, params (string Name, string ContentType, byte[] Content)[] attachments)
    {
        var sb = new StringBuilder();
        sb.Append("From: Sender <sender@example.com>\r\nTo: rcpt@example.jp\r\n");
        sb.Append("Subject: ").Append(subject).Append("\r\nDate: Wed, 06 Mar 2024 12:00:00 +0900\r\nMessage-ID: <test@example.com>\r\n");
        sb.Append("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n");
        sb.Append("--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").Append(body).Append("\r\n");
        foreach (var (name, type, content) in attachments)
        {
            sb.Append("--outer\r\nContent-Type: ").Append(type).Append("; name=\"").Append(name).Append("\"\r\n");
            sb.Append("Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"").Append(name).Append("\"\r\n\r\n");
            sb.Append(Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks)).Append("\r\n");
        }
        sb.Append("--outer--\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static MessageFacts Inspect(byte[] message, InspectionOptions? options = null) =>
        new MessageInspector(options).Inspect(message, TestContext.Token);

    public static MessageFacts InspectAttachment(string name, byte[] content, InspectionOptions? options = null) =>
        Inspect(MessageWith("attachment", "see attached", (name, "application/octet-stream", content)), options);

    /// <summary>An OOXML package with the given main-part content type and parts.</summary>
    public static byte[] Ooxml(string mainPart, string mainContentType, params (string Name, string Xml)[] parts)
    {
        var types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + $"<Override PartName=\"/{mainPart}\" ContentType=\"{mainContentType}\"/></Types>";
        var rels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + $"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"{mainPart}\"/></Relationships>";
        var all = new List<(string, byte[])> { ("[Content_Types].xml", Utf8(types)), ("_rels/.rels", Utf8(rels)) };
        all.AddRange(parts.Select(p => (p.Name, Utf8(p.Xml))));
        return Zip([.. all]);
    }

    public const string WordMl = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    public static string WordDocumentXml(params string[] paragraphs) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{WordMl}\"><w:body>"
        + string.Concat(paragraphs.Select(p => $"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>")) + "</w:body></w:document>";
}

/// <summary>The running test's cancellation token (xunit 2 has none of its own).</summary>
internal static class TestContext
{
    public static CancellationToken Token => CancellationToken.None;
}
