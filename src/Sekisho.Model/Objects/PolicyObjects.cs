using System.Text.Json.Serialization;
using Sekisho.Model.Addresses;

namespace Sekisho.Model.Objects;

/// <summary>The kinds of policy objects (管理 → ポリシーオブジェクト).</summary>
public enum PolicyObjectKind
{
    AddressGroup,
    KeywordList,
    Notification,
    Stamp,
    DlpIdentifier,
    DlpTemplate,
}

/// <summary>A named, shared object that rules reference by id.</summary>
public interface IPolicyObject
{
    string Id { get; }
    string Name { get; }
    Provenance? Provenance { get; }
    PolicyObjectKind Kind { get; }
}

/// <summary>An address group entry with its description (≤1024 characters).</summary>
public sealed record AddressGroupEntry(AddressPattern Address, string Description = "");

/// <summary>
/// An address group. An internal group holds only managed domains and addresses and must be used for inbound
/// recipients and outbound senders; a hybrid group may hold anything, including wildcard domains.
/// </summary>
public sealed record AddressGroup : IPolicyObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool Internal { get; init; }
    public IReadOnlyList<AddressGroupEntry> Entries { get; init; } = [];
    public Provenance? Provenance { get; init; }
    [JsonIgnore] public PolicyObjectKind Kind => PolicyObjectKind.AddressGroup;
}

/// <summary>How a keyword list matches.</summary>
public enum KeywordMatch
{
    /// <summary>Any expression matches.</summary>
    Any,
    /// <summary>All expressions match.</summary>
    All,
    /// <summary>No expression matches.</summary>
    Not,
    /// <summary>The total score of matching expressions is greater than the threshold.</summary>
    Score,
}

/// <summary>One expression: a .NET regular expression (translated from InterScan's dialect when migrated).</summary>
/// <param name="Source">The original InterScan expression when migrated, for reference.</param>
public sealed record KeywordExpression(string Pattern, bool CaseSensitive = false, int Score = 0, string Description = "", string? Source = null);

/// <summary>A keyword expression list (キーワードと正規表現).</summary>
public sealed record KeywordList : IPolicyObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public KeywordMatch Match { get; init; } = KeywordMatch.Any;
    /// <summary>For <see cref="KeywordMatch.Score"/>: the list matches when the total score is greater than this.</summary>
    public int Threshold { get; init; }
    public IReadOnlyList<KeywordExpression> Expressions { get; init; } = [];
    public Provenance? Provenance { get; init; }
    [JsonIgnore] public PolicyObjectKind Kind => PolicyObjectKind.KeywordList;
}

public enum TextFormat
{
    Text,
    Html,
}

/// <summary>A notification (通知). Subject and body use %TOKENS%.</summary>
public sealed record Notification : IPolicyObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string From { get; init; }
    /// <summary>Recipients: addresses separated by ';', or tokens such as %SENDER%.</summary>
    public required string To { get; init; }
    public required string Subject { get; init; }
    public required string Body { get; init; }
    public TextFormat Format { get; init; } = TextFormat.Text;
    /// <summary>Charset of the notification message (e.g. UTF-8, ISO-2022-JP).</summary>
    public string Charset { get; init; } = "UTF-8";
    public bool AttachOriginal { get; init; }
    /// <summary>IANA time zone for %DATE&amp;TIME%; null = UTC.</summary>
    public string? TimeZone { get; init; }
    public Provenance? Provenance { get; init; }
    [JsonIgnore] public PolicyObjectKind Kind => PolicyObjectKind.Notification;
}

public enum StampPosition
{
    Beginning,
    End,
}

/// <summary>A stamp (スタンプ) inserted into the text and HTML bodies.</summary>
public sealed record Stamp : IPolicyObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public StampPosition Position { get; init; } = StampPosition.End;
    public required string Text { get; init; }
    /// <summary>The HTML version; null = generated from <see cref="Text"/>.</summary>
    public string? Html { get; init; }
    /// <summary>Do not stamp formats that could break: digitally signed messages and Outlook TNEF.</summary>
    public bool SkipSignedAndTnef { get; init; } = true;
    public string? TimeZone { get; init; }
    public Provenance? Provenance { get; init; }
    [JsonIgnore] public PolicyObjectKind Kind => PolicyObjectKind.Stamp;
}

/// <summary>Check applied to a DLP expression's matches to cut false positives.</summary>
public enum DlpValidator
{
    None,
    /// <summary>Payment card numbers: Luhn checksum.</summary>
    Luhn,
    /// <summary>Japan's individual number (マイナンバー): check digit.</summary>
    JpMyNumber,
    /// <summary>Japan's corporate number (法人番号): check digit.</summary>
    JpCorporateNumber,
    /// <summary>IBAN: mod-97.</summary>
    Iban,
}

/// <summary>A DLP data identifier (expression, file attribute or keyword list).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "identifier")]
[JsonDerivedType(typeof(DlpExpression), "expression")]
[JsonDerivedType(typeof(DlpFileAttribute), "file-attribute")]
[JsonDerivedType(typeof(DlpKeywordList), "keyword-list")]
public abstract record DlpIdentifier : IPolicyObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public Provenance? Provenance { get; init; }
    [JsonIgnore] public PolicyObjectKind Kind => PolicyObjectKind.DlpIdentifier;
}

/// <summary>Structured data found by a regular expression, optionally validated.</summary>
public sealed record DlpExpression : DlpIdentifier
{
    public required string Pattern { get; init; }
    public DlpValidator Validator { get; init; } = DlpValidator.None;
    public bool CaseSensitive { get; init; }
}

/// <summary>Attachments by true type, name pattern and size. <see cref="Except"/> inverts the type/name test.</summary>
public sealed record DlpFileAttribute : DlpIdentifier
{
    public IReadOnlyList<string> TrueTypes { get; init; } = [];
    public IReadOnlyList<string> NamePatterns { get; init; } = [];
    public long MinBytes { get; init; }
    public long MaxBytes { get; init; } = long.MaxValue;
    public bool Except { get; init; }
}

/// <summary>Keywords (literal, case-insensitive) with a match mode.</summary>
public sealed record DlpKeywordList : DlpIdentifier
{
    public IReadOnlyList<string> Keywords { get; init; } = [];
    public KeywordMatch Match { get; init; } = KeywordMatch.Any;
    public int Threshold { get; init; }
}

/// <summary>How a template term combines with the result so far (evaluated left to right).</summary>
public enum DlpOperator
{
    /// <summary>The first term.</summary>
    First,
    And,
    Or,
    Except,
}

public sealed record DlpTemplateTerm(DlpOperator Operator, string IdentifierId);

/// <summary>A DLP compliance template: identifiers combined with And / Or / Except, left to right.</summary>
public sealed record DlpTemplate : IPolicyObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<DlpTemplateTerm> Terms { get; init; } = [];
    public Provenance? Provenance { get; init; }
    [JsonIgnore] public PolicyObjectKind Kind => PolicyObjectKind.DlpTemplate;
}

/// <summary>Kinds of web reputation approved list items.</summary>
public enum ApprovedUrlKind
{
    Domain,
    Ip,
    Url,
}

/// <summary>An item of the web reputation approved list (Webレピュテーション承認済みリスト).</summary>
public sealed record WebReputationApprovedItem(ApprovedUrlKind Type, string Value, string Description = "", bool BypassWebReputation = true);
