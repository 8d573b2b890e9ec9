namespace Sekisho.Migration.Source;

/// <summary>Policy → Policy Objects and the approved lists (<c>policy/objects.xml</c>).</summary>
/// <param name="AddressGroups">Address groups.</param>
/// <param name="KeywordLists">Keywords &amp; Expressions lists.</param>
/// <param name="Notifications">Notifications.</param>
/// <param name="Stamps">Stamps.</param>
/// <param name="DkimApprovedList">DKIM Approved List domains.</param>
/// <param name="WebReputationApprovedList">Web Reputation Approved List.</param>
/// <param name="UrlKeywordList">URL keyword list entries.</param>
/// <param name="DlpDataIdentifiers">DLP data identifiers of the three kinds.</param>
/// <param name="DlpTemplates">DLP compliance templates.</param>
public sealed record PolicyObjects(
    IReadOnlyList<AddressGroup> AddressGroups,
    IReadOnlyList<KeywordList> KeywordLists,
    IReadOnlyList<Notification> Notifications,
    IReadOnlyList<Stamp> Stamps,
    IReadOnlyList<string> DkimApprovedList,
    WebReputationApprovedList WebReputationApprovedList,
    IReadOnlyList<string> UrlKeywordList,
    IReadOnlyList<DlpDataIdentifier> DlpDataIdentifiers,
    IReadOnlyList<DlpTemplate> DlpTemplates)
{
    /// <summary>No objects at all.</summary>
    public static PolicyObjects Empty { get; } = new([], [], [], [], [], new WebReputationApprovedList([], []), [], [], []);
}

/// <summary>An address group: named addresses with <c>*</c> wildcards.</summary>
public sealed record AddressGroup(string Id, string Name, IReadOnlyList<string> Addresses, SourceLocation At);

/// <summary>"Match" of a keyword list.</summary>
public enum KeywordMatch
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Any specified.</summary>
    Any,
    /// <summary>All specified.</summary>
    All,
    /// <summary>Not the specified.</summary>
    Not,
    /// <summary>Only when the combined score exceeds the threshold.</summary>
    Score,
}

/// <summary>A Keywords &amp; Expressions list.</summary>
/// <param name="Id">Source id.</param>
/// <param name="Name">List name.</param>
/// <param name="Match">How expressions combine.</param>
/// <param name="Threshold">Total message score to trigger, for <see cref="KeywordMatch.Score"/>.</param>
/// <param name="Expressions">Expressions in the eManager dialect (see <c>Sekisho.Migration.Keywords</c>).</param>
/// <param name="At">Location.</param>
public sealed record KeywordList(string Id, string Name, KeywordMatch Match, int? Threshold, IReadOnlyList<KeywordExpression> Expressions, SourceLocation At);

/// <summary>One keyword expression, as written (eManager dialect), with its case flag and score.</summary>
public sealed record KeywordExpression(string Text, bool CaseSensitive, int Score, SourceLocation At);

/// <summary>A notification message (policy notification).</summary>
/// <param name="Id">Source id.</param>
/// <param name="Name">Name.</param>
/// <param name="Type">Kind, e.g. <c>policy</c> (kept as given).</param>
/// <param name="Charset">Character set of the message, e.g. <c>ISO-2022-JP</c>.</param>
/// <param name="From">Sender.</param>
/// <param name="To">Recipients (may contain variables).</param>
/// <param name="Subject">Subject (may contain variables).</param>
/// <param name="Body">Body (may contain variables).</param>
/// <param name="AttachOriginal">Attach the original message.</param>
/// <param name="Variables">Distinct <c>%NAME%</c> tokens of From, To, Subject and Body, in order of appearance.</param>
/// <param name="At">Location.</param>
public sealed record Notification(string Id, string Name, string? Type, string? Charset, string From, string To, string Subject, string Body,
    bool AttachOriginal, IReadOnlyList<string> Variables, SourceLocation At);

/// <summary>Where a stamp goes in the body.</summary>
public enum StampPosition
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Beginning of the body.</summary>
    Beginning,
    /// <summary>End of the body.</summary>
    End,
}

/// <summary>Stamp text format.</summary>
public enum StampFormat
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Plain text.</summary>
    Text,
    /// <summary>HTML.</summary>
    Html,
}

/// <summary>A stamp: text inserted in message bodies.</summary>
/// <param name="Id">Source id.</param>
/// <param name="Name">Name.</param>
/// <param name="Position">Beginning or end.</param>
/// <param name="SkipSigned">Do not stamp signed or TNEF messages.</param>
/// <param name="Format">Text or HTML.</param>
/// <param name="Text">Stamp text (may contain variables).</param>
/// <param name="Variables">Distinct <c>%NAME%</c> tokens of the text.</param>
/// <param name="At">Location.</param>
public sealed record Stamp(string Id, string Name, StampPosition Position, bool SkipSigned, StampFormat Format, string Text, IReadOnlyList<string> Variables, SourceLocation At);

/// <summary>Web Reputation Approved List: domains and URLs.</summary>
public sealed record WebReputationApprovedList(IReadOnlyList<string> Domains, IReadOnlyList<string> Urls);

/// <summary>A DLP data identifier.</summary>
public abstract record DlpDataIdentifier(string Id, string Name, bool Predefined, SourceLocation At);

/// <summary>DLP expression identifier (PCRE, not the keyword dialect).</summary>
public sealed record DlpExpressionIdentifier(string Id, string Name, bool Predefined, string? Pattern, SourceLocation At) : DlpDataIdentifier(Id, Name, Predefined, At);

/// <summary>DLP file attribute identifier.</summary>
/// <param name="Id">Source id.</param>
/// <param name="Name">Name.</param>
/// <param name="Predefined">Trend Micro predefined.</param>
/// <param name="Except">True: the selected types are excluded; false: included.</param>
/// <param name="Types">True file types.</param>
/// <param name="Extensions">Extra extensions (<c>*.csv</c>).</param>
/// <param name="MinBytes">Minimum size.</param>
/// <param name="MaxBytes">Maximum size.</param>
/// <param name="At">Location.</param>
public sealed record DlpFileAttributeIdentifier(string Id, string Name, bool Predefined, bool Except, IReadOnlyList<string> Types, IReadOnlyList<string> Extensions,
    long? MinBytes, long? MaxBytes, SourceLocation At) : DlpDataIdentifier(Id, Name, Predefined, At);

/// <summary>DLP keyword list identifier, with its keywords when the export lists them.</summary>
public sealed record DlpKeywordListIdentifier(string Id, string Name, bool Predefined, IReadOnlyList<string> Keywords, SourceLocation At) : DlpDataIdentifier(Id, Name, Predefined, At);

/// <summary>A DLP compliance template.</summary>
/// <param name="Id">Source id.</param>
/// <param name="Name">Name.</param>
/// <param name="Predefined">Trend Micro predefined.</param>
/// <param name="ConditionText">The condition statement as written, e.g. <c>[DX1] Or [DK1] Except [DF1]</c>.</param>
/// <param name="Condition">The parsed condition, or null when it does not parse (see <see cref="ConditionError"/>).</param>
/// <param name="ConditionError">Why the condition does not parse, or null.</param>
/// <param name="At">Location.</param>
public sealed record DlpTemplate(string Id, string Name, bool Predefined, string ConditionText, DlpTemplateCondition? Condition, string? ConditionError, SourceLocation At);
