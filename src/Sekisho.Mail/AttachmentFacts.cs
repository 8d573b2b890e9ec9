namespace Sekisho.Mail;

/// <summary>Where an attachment came from.</summary>
public enum AttachmentOrigin
{
    /// <summary>A MIME part of the message (or of an attached message).</summary>
    MimePart,
    /// <summary>A member of an archive or compressed file.</summary>
    ArchiveMember,
    /// <summary>A file carried inside a TNEF (winmail.dat) part.</summary>
    TnefAttachment,
}

/// <summary>Kinds of active content found in a document.</summary>
[Flags]
public enum ActiveContent
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Office VBA macros (OLE2 VBA storages, OOXML vbaProject.bin, macro-enabled content types).</summary>
    OfficeMacros = 1,
    /// <summary>PDF JavaScript (/JS or /JavaScript).</summary>
    PdfJavaScript = 2,
    /// <summary>A PDF /OpenAction that runs JavaScript when the document opens.</summary>
    PdfOpenActionJavaScript = 4,
    /// <summary>A PDF /Launch action (starts a program).</summary>
    PdfLaunch = 8,
}

/// <summary>
/// One attachment: a MIME attachment, a file inside a TNEF part or attached message, or an archive member
/// at any depth.
/// </summary>
public sealed record AttachmentFacts
{
    /// <summary>Position in <see cref="MessageFacts.Attachments"/>.</summary>
    public required int Index { get; init; }

    /// <summary>Index of the containing attachment (archive, TNEF part, attached message), or null at the top.</summary>
    public int? ParentIndex { get; init; }

    /// <summary>The declared file name (last path segment for archive members); empty when none was given.</summary>
    public required string Name { get; init; }

    /// <summary>The path through containers, for example <c>invoice.zip/docs/a.exe</c>.</summary>
    public required string ContainerPath { get; init; }

    /// <summary>0 for MIME attachments of the message; one more for each container above.</summary>
    public required int Depth { get; init; }

    /// <summary>The declared media type: Content-Type for MIME parts, the type the file name suggests for members.</summary>
    public string? DeclaredMimeType { get; init; }

    /// <summary>The true type from the content.</summary>
    public required TrueFileType TrueType { get; init; }

    /// <summary>Size in bytes after transfer decoding or decompression (the declared size when it could not be extracted).</summary>
    public required long Size { get; init; }

    /// <summary>True when the file (or, for an archive, any member) needs a password to open.</summary>
    public bool IsPasswordProtected { get; init; }

    /// <summary>Active content found in the file.</summary>
    public ActiveContent ActiveContent { get; init; }

    /// <summary>True when <see cref="ActiveContent"/> is not <see cref="Mail.ActiveContent.None"/>.</summary>
    public bool HasActiveContent => ActiveContent != ActiveContent.None;

    /// <summary>The MIME part the attachment is in (itself, or the part of the outermost container).</summary>
    public required string PartPath { get; init; }

    /// <summary>How the attachment was found.</summary>
    public required AttachmentOrigin Origin { get; init; }

    /// <summary>False when the content could not be read (encrypted member, limit reached, unsupported method).</summary>
    public bool IsExtracted { get; init; } = true;

    /// <summary>Extracted text for keyword and DLP matching, or null when the type has none.</summary>
    public string? Text { get; init; }
}
