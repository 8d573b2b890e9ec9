using System.Collections.Immutable;

namespace Sekisho.Mail;

/// <summary>Where a URL was found.</summary>
public enum UrlSourceKind
{
    /// <summary>The subject.</summary>
    Subject,
    /// <summary>Text of a text/plain body part.</summary>
    BodyText,
    /// <summary>An attribute (href, src, action) of a text/html body part.</summary>
    BodyHtmlLink,
    /// <summary>Visible text of a text/html body part.</summary>
    BodyHtmlText,
    /// <summary>Text of an attachment.</summary>
    AttachmentText,
    /// <summary>An attribute of an HTML attachment.</summary>
    AttachmentHtmlLink,
    /// <summary>A URI action of a PDF.</summary>
    PdfLink,
}

/// <summary>One place a URL was found.</summary>
/// <param name="Kind">What kind of place.</param>
/// <param name="Location">The MIME part path, or the attachment container path.</param>
public sealed record UrlSource(UrlSourceKind Kind, string Location);

/// <summary>A distinct URL, normalised: scheme and host lowercased, IDN host in punycode, default port dropped.</summary>
/// <param name="Url">The normalised URL.</param>
/// <param name="Host">The normalised host (punycode).</param>
/// <param name="Sources">Every place it was found, in order.</param>
public sealed record UrlFacts(string Url, string Host, ImmutableArray<UrlSource> Sources);
