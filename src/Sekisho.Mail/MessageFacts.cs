using System.Collections.Immutable;

namespace Sekisho.Mail;

/// <summary>
/// Everything the policy engine needs to know about one message, decided once from its bytes:
/// decoded headers, the MIME part tree, attachments (archive members included), text, URLs,
/// security flags and the scan exceptions met on the way. Immutable.
/// </summary>
public sealed record MessageFacts
{
    /// <summary>Size of the message as received, in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Decoded header fields.</summary>
    public required MessageHeaders Headers { get; init; }

    /// <summary>The decoded subject, empty when there is none.</summary>
    public string Subject => Headers.Subject ?? "";

    /// <summary>True when the subject is missing or only white space.</summary>
    public bool IsSubjectBlank => string.IsNullOrWhiteSpace(Headers.Subject);

    /// <summary>
    /// The body text: text/plain body parts as written and the visible text of text/html body parts,
    /// in part order, separated by blank lines. Attached messages and attachments are not part of it.
    /// </summary>
    public required string BodyText { get; init; }

    /// <summary>True when the body has no visible text.</summary>
    public bool IsBodyBlank => string.IsNullOrWhiteSpace(BodyText);

    /// <summary>Every MIME entity in depth-first order, embedded messages and TNEF contents included.</summary>
    public required ImmutableArray<MimePartFacts> Parts { get; init; }

    /// <summary>Every attachment: MIME attachments, files inside TNEF and attached messages, and archive members at every depth.</summary>
    public required ImmutableArray<AttachmentFacts> Attachments { get; init; }

    /// <summary>Distinct normalised URLs with where each was found.</summary>
    public required ImmutableArray<UrlFacts> Urls { get; init; }

    /// <summary>S/MIME and OpenPGP signatures and encryption.</summary>
    public required MessageSecurity Security { get; init; }

    /// <summary>True when the message carries a TNEF (winmail.dat) part.</summary>
    public bool HasTnef => Parts.Any(p => p.Role == MimePartRole.Tnef);

    /// <summary>Why inspection stopped short anywhere in the message; empty when it went through.</summary>
    public required ImmutableArray<ScanException> ScanExceptions { get; init; }

    /// <summary>True when a <see cref="ScanExceptionKind.MalformedMessage"/> exception was raised.</summary>
    public bool IsMalformed => ScanExceptions.Any(e => e.Kind == ScanExceptionKind.MalformedMessage);
}

/// <summary>Signature and encryption facts for the whole message.</summary>
/// <param name="IsSigned">A signature is present (S/MIME detached or opaque, PGP/MIME, or inline PGP).</param>
/// <param name="IsEncrypted">Content is encrypted (S/MIME enveloped data, PGP/MIME, or an inline PGP message).</param>
/// <param name="Formats">Which formats were seen.</param>
public sealed record MessageSecurity(bool IsSigned, bool IsEncrypted, SecurityFormats Formats)
{
    internal static readonly MessageSecurity None = new(false, false, SecurityFormats.None);

    /// <summary>True when the message is digitally signed (the "is digitally signed" condition).</summary>
    public bool IsDigitallySigned => IsSigned;
}

/// <summary>Signature and encryption formats.</summary>
[Flags]
public enum SecurityFormats
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>S/MIME (CMS).</summary>
    SMime = 1,
    /// <summary>PGP/MIME (RFC 3156).</summary>
    PgpMime = 2,
    /// <summary>Inline PGP armour in a text body.</summary>
    InlinePgp = 4,
}

/// <summary>One header field, value decoded (RFC 2047 and raw 8-bit text in any charset) and unfolded.</summary>
public sealed record HeaderField(string Name, string Value);

/// <summary>A mailbox from an address header.</summary>
/// <param name="DisplayName">The decoded display name, or null.</param>
/// <param name="Address">The address (<c>local@domain</c>).</param>
public sealed record MailAddress(string? DisplayName, string Address)
{
    /// <summary>The domain part, lowercased; empty when there is none.</summary>
    public string Domain => Address.LastIndexOf('@') is var at and >= 0 ? Address[(at + 1)..].ToLowerInvariant() : "";
}

/// <summary>The decoded header fields of a message.</summary>
public sealed record MessageHeaders
{
    /// <summary>The decoded subject, or null when there is no Subject field.</summary>
    public string? Subject { get; init; }
    /// <summary>From mailboxes.</summary>
    public ImmutableArray<MailAddress> From { get; init; } = [];
    /// <summary>The Sender mailbox, or null.</summary>
    public MailAddress? Sender { get; init; }
    /// <summary>Reply-To mailboxes.</summary>
    public ImmutableArray<MailAddress> ReplyTo { get; init; } = [];
    /// <summary>To mailboxes (groups flattened).</summary>
    public ImmutableArray<MailAddress> To { get; init; } = [];
    /// <summary>Cc mailboxes (groups flattened).</summary>
    public ImmutableArray<MailAddress> Cc { get; init; } = [];
    /// <summary>The Message-Id without angle brackets, or null.</summary>
    public string? MessageId { get; init; }
    /// <summary>The Date field, or null when missing or unparsable.</summary>
    public DateTimeOffset? Date { get; init; }
    /// <summary>Every header field in order.</summary>
    public ImmutableArray<HeaderField> All { get; init; } = [];

    /// <summary>The first value of the named field (case-insensitive), or null.</summary>
    public string? Get(string name) => All.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>Every value of the named field (case-insensitive), in order.</summary>
    public IEnumerable<string> GetAll(string name) =>
        All.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
}
