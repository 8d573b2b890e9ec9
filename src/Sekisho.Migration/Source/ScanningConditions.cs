namespace Sekisho.Migration.Source;

/// <summary>"Take rule action when".</summary>
public enum ConditionMatch
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Any condition matched (OR).</summary>
    Any,
    /// <summary>All conditions matched (AND).</summary>
    All,
}

/// <summary>Step 2: the scanning conditions of a rule.</summary>
/// <param name="Match">Any or all; null when not given (antivirus rules).</param>
/// <param name="Items">Conditions in document order, unknown elements included as <see cref="UnknownCondition"/>.</param>
/// <param name="At">Where <c>&lt;Conditions&gt;</c> starts.</param>
public sealed record ScanningConditions(ConditionMatch? Match, IReadOnlyList<ScanningCondition> Items, SourceLocation At);

/// <summary>One check box of step 2.</summary>
public abstract record ScanningCondition(SourceLocation At);

/// <summary>A condition element the reader does not know; the mapping must never treat a rule with it as matching everything.</summary>
public sealed record UnknownCondition(RawXmlElement Element, SourceLocation At) : ScanningCondition(At);

// ---- Antivirus rules (§4.1)

/// <summary>"Files to Scan" mode.</summary>
public enum FilesToScanMode
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>All scannable files.</summary>
    All,
    /// <summary>IntelliScan: true file type.</summary>
    IntelliScan,
    /// <summary>Specific file types.</summary>
    Specific,
}

/// <summary>Files to Scan; with <see cref="FilesToScanMode.Specific"/>, the categories and extensions chosen.</summary>
/// <param name="Mode">All, IntelliScan or specific.</param>
/// <param name="Categories">Specific: <c>executables</c>, <c>documents</c>, <c>compressed</c>.</param>
/// <param name="Extensions">Specific: file extensions (no leading period, <c>*</c> allowed).</param>
/// <param name="At">Location.</param>
public sealed record FilesToScan(FilesToScanMode Mode, IReadOnlyList<string> Categories, IReadOnlyList<string> Extensions, SourceLocation At) : ScanningCondition(At);

/// <summary>IntelliTrap settings.</summary>
public sealed record IntelliTrap(bool Enabled, bool SendSamples, SourceLocation At) : ScanningCondition(At);

/// <summary>Spyware/Grayware scan categories (<c>spyware</c>, <c>adware</c>, <c>dialer</c>, …).</summary>
public sealed record SpywareGrayware(IReadOnlyList<string> Categories, SourceLocation At) : ScanningCondition(At);

/// <summary>Security level of the Virtual Analyzer, web reputation and similar sliders.</summary>
public enum SecurityLevel
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Low.</summary>
    Low,
    /// <summary>Medium.</summary>
    Medium,
    /// <summary>High.</summary>
    High,
}

/// <summary>Advanced threats: ATSE and Virtual Analyzer submission.</summary>
public sealed record AdvancedThreats(bool Atse, bool VirtualAnalyzer, SecurityLevel? Level, SourceLocation At) : ScanningCondition(At);

// ---- "Other" rules (§4.2)

/// <summary>Spam catch rate.</summary>
public enum SpamCatchRate
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>High.</summary>
    High,
    /// <summary>Medium (default).</summary>
    Medium,
    /// <summary>Low.</summary>
    Low,
    /// <summary>A detection threshold (3.0–10.0) is given instead.</summary>
    Threshold,
}

/// <summary>Header area a text exemption rule scans.</summary>
public enum TextScanArea
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Subject.</summary>
    Subject,
    /// <summary>From.</summary>
    From,
    /// <summary>To.</summary>
    To,
    /// <summary>Reply-To.</summary>
    ReplyTo,
    /// <summary>All headers.</summary>
    AllHeaders,
}

/// <summary>A spam text exemption rule.</summary>
/// <param name="Name">Rule name.</param>
/// <param name="ScanArea">Where it looks.</param>
/// <param name="CaseSensitive">Items are case sensitive.</param>
/// <param name="LineBeginning">"Line beginning" string, or null.</param>
/// <param name="LineEnd">"Line end" string, or null.</param>
/// <param name="StringsToMatch">Element text (strings to match), or null.</param>
/// <param name="At">Location.</param>
public sealed record TextExemption(string Name, TextScanArea ScanArea, bool CaseSensitive, string? LineBeginning, string? LineEnd, string? StringsToMatch, SourceLocation At);

/// <summary>Spam detection settings, with the rule's approved and blocked sender lists and text exemptions.</summary>
public sealed record Spam(SpamCatchRate CatchRate, decimal? Threshold, IReadOnlyList<string> ApprovedSenders, IReadOnlyList<string> BlockedSenders,
    IReadOnlyList<TextExemption> TextExemptions, SourceLocation At) : ScanningCondition(At);

/// <summary>Phishing.</summary>
public sealed record Phishing(SourceLocation At) : ScanningCondition(At);

/// <summary>Social engineering attack.</summary>
public sealed record SocialEngineering(SourceLocation At) : ScanningCondition(At);

/// <summary>Graymail categories (<c>marketing</c>, <c>social</c>, <c>forum</c>, <c>bulk</c>) and the exception IP list.</summary>
public sealed record Graymail(IReadOnlyList<string> Categories, IReadOnlyList<string> ExceptionIps, SourceLocation At) : ScanningCondition(At);

/// <summary>Action for URLs not tested by Trend Micro.</summary>
public enum UntestedUrlAction
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Bypass.</summary>
    Bypass,
    /// <summary>Apply the policy action.</summary>
    ApplyAction,
    /// <summary>Submit to Virtual Analyzer.</summary>
    SubmitToVirtualAnalyzer,
}

/// <summary>Time-of-Click Protection scope.</summary>
public enum TimeOfClick
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Off.</summary>
    Off,
    /// <summary>URLs not tested by Trend Micro.</summary>
    Untested,
    /// <summary>URLs with smart flags.</summary>
    SmartFlags,
    /// <summary>All URLs.</summary>
    All,
}

/// <summary>Web Reputation settings.</summary>
public sealed record WebReputation(SecurityLevel Level, UntestedUrlAction Untested, TimeOfClick TimeOfClick, bool SignedMessages, bool UseApprovedList, SourceLocation At) : ScanningCondition(At);

/// <summary>Whether an attachment list matches the selected items or the ones not selected.</summary>
public enum AttachmentSelection
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Selected items.</summary>
    Selected,
    /// <summary>Items not selected.</summary>
    NotSelected,
}

/// <summary>Attachment true file type (vocabulary of <see cref="TrueFileTypes"/>).</summary>
public sealed record AttachmentTrueFileType(AttachmentSelection Select, IReadOnlyList<string> Types, SourceLocation At) : ScanningCondition(At);

/// <summary>Attachment name or extension patterns (<c>*.exe</c>, <c>invoice*.pdf</c>).</summary>
public sealed record AttachmentName(AttachmentSelection Select, IReadOnlyList<string> Patterns, SourceLocation At) : ScanningCondition(At);

/// <summary>Attachment MIME content types.</summary>
public sealed record AttachmentMimeType(AttachmentSelection Select, IReadOnlyList<string> Types, SourceLocation At) : ScanningCondition(At);

/// <summary>Comparison of a size or count condition (gt, lt, eq).</summary>
public enum ComparisonOperator
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Greater than.</summary>
    GreaterThan,
    /// <summary>Less than.</summary>
    LessThan,
    /// <summary>Equal to.</summary>
    EqualTo,
}

/// <summary>Attachment size.</summary>
public sealed record AttachmentSize(ComparisonOperator Op, long Bytes, SourceLocation At) : ScanningCondition(At);

/// <summary>Number of attachments.</summary>
public sealed record AttachmentCount(ComparisonOperator Op, int Value, SourceLocation At) : ScanningCondition(At);

/// <summary>Where keyword expressions are looked for.</summary>
public enum KeywordArea
{
    /// <summary>Subject.</summary>
    Subject,
    /// <summary>Body.</summary>
    Body,
    /// <summary>Named headers.</summary>
    Header,
    /// <summary>Attachment content.</summary>
    AttachmentContent,
}

/// <summary>Content → Subject / Body / Header / Attachment content keyword expressions.</summary>
/// <param name="Area">Where.</param>
/// <param name="ListIds">Referenced keyword lists, by id.</param>
/// <param name="Headers">Header names for <see cref="KeywordArea.Header"/>, else empty.</param>
/// <param name="At">Location.</param>
public sealed record ContentKeywords(KeywordArea Area, IReadOnlyList<string> ListIds, IReadOnlyList<string> Headers, SourceLocation At) : ScanningCondition(At);

/// <summary>Size → Message size.</summary>
public sealed record MessageSize(ComparisonOperator Op, long Bytes, SourceLocation At) : ScanningCondition(At);

/// <summary>Others → Number of recipients.</summary>
public sealed record RecipientCount(ComparisonOperator Op, int Value, SourceLocation At) : ScanningCondition(At);

/// <summary>Others → Received time range.</summary>
public sealed record ReceivedTimeRange(IReadOnlyList<DayOfWeek> Days, TimeOnly From, TimeOnly To, SourceLocation At) : ScanningCondition(At);

/// <summary>Others → Password protected zip files (unscannable).</summary>
public sealed record PasswordProtectedZip(SourceLocation At) : ScanningCondition(At);

/// <summary>Others → Spoofed internal messages, with the trusted internal IP list.</summary>
public sealed record SpoofedInternal(IReadOnlyList<string> TrustedIps, SourceLocation At) : ScanningCondition(At);

/// <summary>Others → Unable to decrypt messages.</summary>
public sealed record UnableToDecrypt(SourceLocation At) : ScanningCondition(At);

/// <summary>C&amp;C Email.</summary>
public sealed record CnCEmail(SourceLocation At) : ScanningCondition(At);

/// <summary>DLP compliance templates, by id.</summary>
public sealed record Dlp(IReadOnlyList<string> TemplateIds, SourceLocation At) : ScanningCondition(At);

/// <summary>The true file type vocabulary of the format (§6).</summary>
public static class TrueFileTypes
{
    /// <summary>Every known true file type.</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "exe", "dll", "msi", "lnk", "com", "elf", "java_class", "jar", "vbs", "js", "wsf", "bat", "ps1", "hta",
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "docm", "xlsm", "pptm", "rtf", "pdf", "odf",
        "zip", "rar", "7z", "gz", "bz2", "xz", "tar", "cab", "lzh", "arj", "iso",
        "jpeg", "png", "gif", "bmp", "tiff", "html", "xml", "eml", "tnef", "mp3", "mp4", "wav", "avi",
    };
}
