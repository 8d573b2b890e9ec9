using System.Text.Json.Serialization;

namespace Sekisho.Model.Rules;

/// <summary>
/// One scanning criterion. Content criteria follow the cloud product's "Advanced" list; spam, virus and DLP
/// criteria its other rule types; received time window and spoofed internal are kept from InterScan.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "criterion")]
// content
[JsonDerivedType(typeof(EnvelopeSenderBlank), "envelope-sender-blank")]
[JsonDerivedType(typeof(HeaderSenderDiffersFromEnvelopeSender), "header-sender-differs-from-envelope-sender")]
[JsonDerivedType(typeof(HeaderSenderDiffersFromReplyTo), "header-sender-differs-from-reply-to")]
[JsonDerivedType(typeof(HeaderMatches), "header-matches")]
[JsonDerivedType(typeof(SubjectMatches), "subject-matches")]
[JsonDerivedType(typeof(SubjectBlank), "subject-blank")]
[JsonDerivedType(typeof(BodyMatches), "body-matches")]
[JsonDerivedType(typeof(BodyBlank), "body-blank")]
[JsonDerivedType(typeof(AttachmentContentMatches), "attachment-content-matches")]
[JsonDerivedType(typeof(AttachmentName), "attachment-name")]
[JsonDerivedType(typeof(AttachmentMimeType), "attachment-mime-type")]
[JsonDerivedType(typeof(AttachmentTrueType), "attachment-true-type")]
[JsonDerivedType(typeof(AttachmentSize), "attachment-size")]
[JsonDerivedType(typeof(AttachmentCount), "attachment-count")]
[JsonDerivedType(typeof(AttachmentPasswordProtected), "attachment-password-protected")]
[JsonDerivedType(typeof(AttachmentActiveContent), "attachment-active-content")]
[JsonDerivedType(typeof(MessageSize), "message-size")]
[JsonDerivedType(typeof(RecipientCount), "recipient-count")]
[JsonDerivedType(typeof(ReceivedTimeWindow), "received-time-window")]
[JsonDerivedType(typeof(SpoofedInternal), "spoofed-internal")]
// spam
[JsonDerivedType(typeof(SpamDetection), "spam")]
[JsonDerivedType(typeof(Phishing), "phishing")]
[JsonDerivedType(typeof(Bec), "bec")]
[JsonDerivedType(typeof(Graymail), "graymail")]
[JsonDerivedType(typeof(SocialEngineering), "social-engineering")]
[JsonDerivedType(typeof(WebReputation), "web-reputation")]
// virus
[JsonDerivedType(typeof(MalwareDetection), "malware")]
// dlp
[JsonDerivedType(typeof(DlpMatch), "dlp")]
public abstract record Criterion
{
    /// <summary>The rule type this criterion belongs to.</summary>
    [JsonIgnore]
    public abstract RuleType Family { get; }
}

/// <summary>Comparison operators of size and count criteria.</summary>
public enum Comparison
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Equal,
}

/// <summary>Whether a list criterion matches the listed items or anything else.</summary>
public enum Selection
{
    Selected,
    NotSelected,
}

/// <summary>A criterion of content filtering.</summary>
public abstract record ContentCriterion : Criterion
{
    public override RuleType Family => RuleType.Content;
}

public sealed record EnvelopeSenderBlank : ContentCriterion;
public sealed record HeaderSenderDiffersFromEnvelopeSender : ContentCriterion;
public sealed record HeaderSenderDiffersFromReplyTo : ContentCriterion;
/// <summary>The named headers match keyword expression lists.</summary>
public sealed record HeaderMatches(IReadOnlyList<string> Headers, IReadOnlyList<string> KeywordListIds) : ContentCriterion;
public sealed record SubjectMatches(IReadOnlyList<string> KeywordListIds) : ContentCriterion;
public sealed record SubjectBlank : ContentCriterion;
public sealed record BodyMatches(IReadOnlyList<string> KeywordListIds) : ContentCriterion;
public sealed record BodyBlank : ContentCriterion;
public sealed record AttachmentContentMatches(IReadOnlyList<string> KeywordListIds) : ContentCriterion;
/// <summary>Attachment file name or extension patterns (<c>*.exe</c>, <c>invoice*.pdf</c>; full-name match).</summary>
public sealed record AttachmentName(Selection Selection, IReadOnlyList<string> Patterns) : ContentCriterion;
/// <summary>Declared MIME content types (<c>application/x-msdownload</c>).</summary>
public sealed record AttachmentMimeType(Selection Selection, IReadOnlyList<string> Types) : ContentCriterion;
/// <summary>True file types, detected from content (vocabulary in <see cref="TrueFileTypes"/>).</summary>
public sealed record AttachmentTrueType(Selection Selection, IReadOnlyList<string> Types) : ContentCriterion;
public sealed record AttachmentSize(Comparison Comparison, long Bytes) : ContentCriterion;
public sealed record AttachmentCount(Comparison Comparison, int Count) : ContentCriterion;
public sealed record AttachmentPasswordProtected : ContentCriterion;
public sealed record AttachmentActiveContent : ContentCriterion;
/// <summary>Total message size including attachments.</summary>
public sealed record MessageSize(Comparison Comparison, long Bytes) : ContentCriterion;
public sealed record RecipientCount(Comparison Comparison, int Count) : ContentCriterion;
/// <summary>Received on one of the days between two local times (InterScan: Received time range).</summary>
/// <param name="TimeZone">IANA time zone id; null = the gateway's local zone.</param>
public sealed record ReceivedTimeWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly From, TimeOnly To, string? TimeZone = null) : ContentCriterion;
/// <summary>Header sender's domain is managed but the sending IP is not one of the trusted ones.</summary>
public sealed record SpoofedInternal(IReadOnlyList<string> TrustedIps) : ContentCriterion;

/// <summary>Spam catch rate, lowest (fewest detections) to highest.</summary>
public enum SpamLevel
{
    Lowest,
    Low,
    ModeratelyLow,
    ModeratelyHigh,
    High,
    Highest,
}

/// <summary>A criterion of spam filtering.</summary>
public abstract record SpamCriterion : Criterion
{
    public override RuleType Family => RuleType.Spam;
}

public sealed record SpamDetection(SpamLevel Level) : SpamCriterion;
public sealed record Phishing : SpamCriterion;

/// <summary>How business email compromise is detected.</summary>
public enum BecMode
{
    DetectedByEngine,
    DetectedByWritingStyle,
    SuspectedByEngine,
}

public sealed record Bec(IReadOnlyList<BecMode> Modes) : SpamCriterion;

public enum GraymailCategory
{
    Marketing,
    SocialNetwork,
    Forum,
    Bulk,
}

public sealed record Graymail(IReadOnlyList<GraymailCategory> Categories, IReadOnlyList<string> ExceptionIps) : SpamCriterion;
public sealed record SocialEngineering : SpamCriterion;

/// <summary>Web reputation security level.</summary>
public enum WebReputationLevel
{
    Lowest,
    Low,
    ModeratelyLow,
    ModeratelyHigh,
    High,
    Highest,
}

/// <summary>What happens to URLs the reputation service has not rated.</summary>
public enum UntestedUrlAction
{
    Bypass,
    ApplyAction,
}

/// <summary>Which URLs are rewritten for time-of-click protection (inbound only).</summary>
public enum TimeOfClickMode
{
    Off,
    UntestedUrls,
    RiskyUrls,
    AllUrls,
}

public sealed record WebReputation(
    WebReputationLevel Level,
    UntestedUrlAction Untested = UntestedUrlAction.Bypass,
    TimeOfClickMode TimeOfClick = TimeOfClickMode.Off,
    bool ApplyToSignedMessages = false,
    bool UseApprovedList = true,
    bool UseUrlKeywordExceptions = false) : SpamCriterion;

/// <summary>Kinds of malware a virus rule acts on.</summary>
public enum DetectionType
{
    /// <summary>Cleanable malware or malicious code.</summary>
    Cleanable,
    /// <summary>Uncleanable, with mass-mailing behaviour.</summary>
    MassMailing,
    /// <summary>Uncleanable without mass-mailing behaviour (spyware, dialers, hacking tools, …).</summary>
    Uncleanable,
    /// <summary>Compressed executables caught by heuristics (InterScan IntelliTrap).</summary>
    IntelliTrap,
}

/// <summary>Virus scan detection (the criterion of virus rules).</summary>
/// <param name="SpywareCategories">Grayware categories also acted on (spyware, adware, dialer, hacking_tool, joke, remote_access, password_cracker, other).</param>
public sealed record MalwareDetection(IReadOnlyList<DetectionType> Types, IReadOnlyList<string> SpywareCategories) : Criterion
{
    public override RuleType Family => RuleType.Virus;

    public static readonly MalwareDetection All = new([DetectionType.Cleanable, DetectionType.MassMailing, DetectionType.Uncleanable], []);
}

/// <summary>Fields a DLP rule scans.</summary>
public enum DlpField
{
    Subject,
    Body,
    Headers,
    Attachments,
}

/// <summary>DLP compliance templates (ids of <c>DlpTemplate</c>, custom or predefined).</summary>
public sealed record DlpMatch(IReadOnlyList<string> TemplateIds, IReadOnlyList<DlpField> Fields) : Criterion
{
    public override RuleType Family => RuleType.Dlp;
}
