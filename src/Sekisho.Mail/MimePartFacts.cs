namespace Sekisho.Mail;

/// <summary>What a MIME entity is for.</summary>
public enum MimePartRole
{
    /// <summary>A multipart container.</summary>
    Multipart,
    /// <summary>An embedded message (message/rfc822 or message/global).</summary>
    Message,
    /// <summary>Body text (text/plain or text/html that is not an attachment).</summary>
    Body,
    /// <summary>An attachment or inline file.</summary>
    Attachment,
    /// <summary>A TNEF (winmail.dat) part.</summary>
    Tnef,
    /// <summary>A detached signature (S/MIME or OpenPGP).</summary>
    Signature,
    /// <summary>Encrypted or opaque-signed content that cannot be read without keys.</summary>
    Protected,
}

/// <summary>
/// One MIME entity. <see cref="Path"/> numbers the tree: the top entity is "1", the i-th child of a multipart
/// at p is "p.i", and the body of a message/rfc822 entity at p is "p.1"; parts from inside a TNEF
/// part at p are "p.t1", "p.t2", ….
/// </summary>
/// <param name="Path">Tree path, as above.</param>
/// <param name="Depth">Nesting depth, 0 for the top entity.</param>
/// <param name="ContentType">Declared media type, lowercased (<c>text/plain</c>).</param>
/// <param name="Charset">Declared charset parameter, or null.</param>
/// <param name="FileName">Declared file name (Content-Disposition filename or Content-Type name), decoded, or null.</param>
/// <param name="Disposition">Declared disposition (<c>attachment</c>, <c>inline</c>), lowercased, or null.</param>
/// <param name="TransferEncoding">Declared Content-Transfer-Encoding, lowercased, or null.</param>
/// <param name="DecodedSize">Size after transfer decoding, in bytes (0 for containers).</param>
/// <param name="TrueType">True type of the decoded content (<see cref="TrueFileType.Unknown"/> for containers).</param>
/// <param name="Role">What the entity is for.</param>
public sealed record MimePartFacts(
    string Path, int Depth, string ContentType, string? Charset, string? FileName, string? Disposition,
    string? TransferEncoding, long DecodedSize, TrueFileType TrueType, MimePartRole Role);
