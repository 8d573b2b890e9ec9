using System.Globalization;
using System.Resources;

namespace Sekisho.Mail;

/// <summary>Why scanning of a message (or of part of it) stopped short. These are the gateway's scan-exception triggers.</summary>
public enum ScanExceptionKind
{
    /// <summary>An archive holds more files than allowed.</summary>
    TooManyFiles,
    /// <summary>A member decompresses to more than the allowed multiple of its compressed size.</summary>
    CompressionRatio,
    /// <summary>Archives are nested deeper than allowed.</summary>
    TooManyLayers,
    /// <summary>One decompressed file is larger than allowed.</summary>
    DecompressedFileTooLarge,
    /// <summary>An Office 2007+ file has more subfiles than allowed.</summary>
    OfficeTooManySubfiles,
    /// <summary>An Office 2007+ subfile decompresses beyond the allowed ratio.</summary>
    OfficeSubfileRatio,
    /// <summary>The message's MIME structure is broken or exceeds the structural limits.</summary>
    MalformedMessage,
    /// <summary>The message decompresses to more bytes in total than allowed.</summary>
    TotalSizeQuota,
    /// <summary>Inspection ran out of time.</summary>
    TimeBudgetExceeded,
    /// <summary>The message is larger than the inspector accepts.</summary>
    MessageTooLarge,
    /// <summary>A container (archive, document) could not be read; its contents are unknown.</summary>
    UnreadableContent,
}

/// <summary>
/// A scan exception: a typed fact saying that inspection stopped short, and where. It is data returned in
/// <see cref="MessageFacts.ScanExceptions"/>, never thrown.
/// </summary>
/// <param name="Kind">Which trigger fired.</param>
/// <param name="PartPath">The MIME part it happened in (see <see cref="MimePartFacts.Path"/>), or null for the whole message.</param>
/// <param name="ContainerPath">The attachment or archive member path (for example <c>invoice.zip/docs</c>), or null.</param>
/// <param name="Detail">A short developer-facing detail in English (numbers, library error), for logs.</param>
public sealed record ScanException(ScanExceptionKind Kind, string? PartPath, string? ContainerPath, string Detail)
{
    private static readonly ResourceManager Resources = new("Sekisho.Mail.Messages", typeof(ScanException).Assembly);

    /// <summary>Where it happened, for people: the container path, else the part, else "message".</summary>
    public string Location => ContainerPath ?? (PartPath is null ? "message" : "part " + PartPath);

    /// <summary>A sentence for administrators and notifications, in Japanese or English.</summary>
    public string Describe(CultureInfo? culture = null)
    {
        culture ??= CultureInfo.CurrentUICulture;
        var format = Resources.GetString("ScanException_" + Kind, culture) ?? Kind.ToString();
        var where = ContainerPath ?? (PartPath is null
            ? Resources.GetString("Location_Message", culture) ?? "message"
            : string.Format(culture, Resources.GetString("Location_Part", culture) ?? "part {0}", PartPath));
        return string.Format(culture, format, where, Detail);
    }
}
