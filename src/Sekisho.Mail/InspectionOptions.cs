namespace Sekisho.Mail;

/// <summary>
/// Limits for one inspection. The archive defaults are the scan-exception triggers of the gateway
/// (353 files, ratio 100, 20 layers, 60 MB per decompressed file, 353 Office subfiles); the rest bound
/// the work a hostile message can cause.
/// </summary>
public sealed record InspectionOptions
{
    /// <summary>The defaults.</summary>
    public static InspectionOptions Default { get; } = new();

    /// <summary>Messages larger than this are not parsed; the facts carry a <see cref="ScanExceptionKind.MessageTooLarge"/> exception.</summary>
    public long MaxMessageBytes { get; init; } = 150L * 1024 * 1024;

    /// <summary>Header fields read per message or embedded message.</summary>
    public int MaxHeaders { get; init; } = 1000;

    /// <summary>MIME entities walked in the whole message, embedded messages included.</summary>
    public int MaxParts { get; init; } = 1000;

    /// <summary>Nesting depth of multiparts and embedded messages.</summary>
    public int MaxMimeDepth { get; init; } = 32;

    /// <summary>Members in one archive; more is a <see cref="ScanExceptionKind.TooManyFiles"/> exception.</summary>
    public int MaxArchiveFiles { get; init; } = 353;

    /// <summary>Decompressed size divided by compressed size; above it is a <see cref="ScanExceptionKind.CompressionRatio"/> exception.</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary>
    /// The ratio is only judged once a member decompresses to at least this many bytes, so that a tiny
    /// repetitive text file is not mistaken for a bomb.
    /// </summary>
    public long CompressionRatioMinimumBytes { get; init; } = 1024 * 1024;

    /// <summary>Nested decompression layers (an archive in an archive is two); more is a <see cref="ScanExceptionKind.TooManyLayers"/> exception.</summary>
    public int MaxArchiveLayers { get; init; } = 20;

    /// <summary>Largest single decompressed file; larger is a <see cref="ScanExceptionKind.DecompressedFileTooLarge"/> exception.</summary>
    public long MaxDecompressedFileBytes { get; init; } = 60L * 1024 * 1024;

    /// <summary>Parts of one Office 2007+ (OOXML) package; more is a <see cref="ScanExceptionKind.OfficeTooManySubfiles"/> exception.</summary>
    public int MaxOfficeSubfiles { get; init; } = 353;

    /// <summary>Ratio of one OOXML part; above it is a <see cref="ScanExceptionKind.OfficeSubfileRatio"/> exception.</summary>
    public double MaxOfficeSubfileRatio { get; init; } = 100;

    /// <summary>All bytes decompressed for one message; beyond it is a <see cref="ScanExceptionKind.TotalSizeQuota"/> exception.</summary>
    public long MaxTotalDecompressedBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Attachments listed (archive members included); more is a <see cref="ScanExceptionKind.TooManyFiles"/> exception.</summary>
    public int MaxAttachments { get; init; } = 5000;

    /// <summary>Wall-clock budget; when it runs out the facts gathered so far come back with a <see cref="ScanExceptionKind.TimeBudgetExceeded"/> exception.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Characters of text kept per part or attachment (subject, body part, attachment).</summary>
    public int MaxTextCharsPerPart { get; init; } = 1_000_000;

    /// <summary>Distinct URLs kept.</summary>
    public int MaxUrls { get; init; } = 5000;

    /// <summary>Pages of one PDF read for text.</summary>
    public int MaxPdfPages { get; init; } = 200;

    /// <summary>Whether attachment text is extracted (body and subject text always are).</summary>
    public bool ExtractAttachmentText { get; init; } = true;

    internal void Validate()
    {
        if (MaxMessageBytes <= 0 || MaxHeaders <= 0 || MaxParts <= 0 || MaxMimeDepth <= 0 || MaxArchiveFiles <= 0
            || MaxCompressionRatio <= 0 || MaxArchiveLayers < 0 || MaxDecompressedFileBytes <= 0 || MaxOfficeSubfiles <= 0
            || MaxOfficeSubfileRatio <= 0 || MaxTotalDecompressedBytes <= 0 || MaxAttachments <= 0 || TimeBudget <= TimeSpan.Zero
            || MaxTextCharsPerPart <= 0 || MaxUrls < 0 || MaxPdfPages < 0 || CompressionRatioMinimumBytes < 0)
            throw new ArgumentException("Inspection limits must be positive.", "options");
    }
}
