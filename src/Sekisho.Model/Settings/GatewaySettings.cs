using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;

namespace Sekisho.Model.Settings;

/// <summary>An organization's gateway-wide settings (everything that is not a domain, rule or policy object).</summary>
public sealed record GatewaySettings
{
    public GatewayLimits Limits { get; init; } = new();
    public ConnectionFiltering ConnectionFiltering { get; init; } = new();
    public SenderFilter SenderFilter { get; init; } = new();
    public AuthenticationSettings Authentication { get; init; } = new();
    public IReadOnlyList<TlsPeer> TlsPeers { get; init; } = [];
    public IReadOnlyList<WebReputationApprovedItem> WebReputationApprovedList { get; init; } = [];
    /// <summary>Keywords (3–256 characters <c>[A-Za-z0-9_]</c>) whose presence in a URL's path or query skips time-of-click and sandboxing.</summary>
    public IReadOnlyList<string> UrlKeywordExceptions { get; init; } = [];
    public ScanExceptionSettings ScanExceptions { get; init; } = new();
    public RetentionSettings Retention { get; init; } = new();
    public DirectorySettings Directory { get; init; } = new();
    public EndUserQuarantineSettings EndUserQuarantine { get; init; } = new();

    public static readonly GatewaySettings Default = new();
}

/// <summary>Gateway limits (メッセージサイズ).</summary>
public sealed record GatewayLimits
{
    public const long MegaByte = 1024 * 1024;
    public const long MaxAllowedMessageSize = 150 * MegaByte;

    /// <summary>Largest message accepted (SIZE); default 50 MB, at most 150 MB.</summary>
    public long MaxMessageSizeBytes { get; init; } = 50 * MegaByte;

    /// <summary>Most recipients per message.</summary>
    public int MaxRecipients { get; init; } = 1000;
}

/// <summary>Retention of kept data, in days.</summary>
public sealed record RetentionSettings
{
    public int QuarantineDays { get; init; } = 30;
    public int MailTrackingDays { get; init; } = 90;
    public int AuditDays { get; init; } = 180;
}

/// <summary>An IP address or CIDR range with a description (承認済み / ブロックするIPアドレス).</summary>
public sealed record IpListEntry(string Cidr, string Description = "", Provenance? Provenance = null);

/// <summary>A DNS blocklist and the reputation level from which it is consulted.</summary>
/// <param name="Zone">e.g. <c>zen.spamhaus.org</c>.</param>
/// <param name="MinimumLevel">Used when the configured IP reputation level is at least this (1–4).</param>
/// <param name="ReturnCodes">A records that count as listed (empty = any 127.0.0.0/8 answer).</param>
public sealed record DnsBlocklist(string Zone, int MinimumLevel = 1, IReadOnlyList<string>? ReturnCodes = null);

/// <summary>IP reputation (IPレピュテーション): approved and blocked IPs, then DNS blocklists by level.</summary>
public sealed record ConnectionFiltering
{
    public IReadOnlyList<IpListEntry> ApprovedIps { get; init; } = [];
    public IReadOnlyList<IpListEntry> BlockedIps { get; init; } = [];
    public bool IpReputationEnabled { get; init; } = true;
    /// <summary>0 off (query only) … 4 most aggressive; default 2.</summary>
    public int IpReputationLevel { get; init; } = 2;
    public IReadOnlyList<DnsBlocklist> DnsBlocklists { get; init; } = [];
    public bool BypassSpamForApprovedIps { get; init; }
    /// <summary>Reject recipients not known to the directory (when a directory is configured).</summary>
    public bool ValidateRecipients { get; init; }
    /// <summary>Messages per minute per client IP before 4xx (0 = unlimited).</summary>
    public int RateLimitPerClientIpPerMinute { get; init; } = 2000;
    /// <summary>Messages per minute per recipient before 4xx (0 = unlimited).</summary>
    public int RateLimitPerRecipientPerMinute { get; init; } = 200;
}

/// <summary>Where an approved/blocked sender entry applies.</summary>
public enum SenderListScope
{
    Organization,
    Domain,
    Recipient,
}

public enum SenderListKind
{
    Approved,
    Blocked,
}

/// <summary>Who added a sender list entry: administrators' entries outrank end users' approvals.</summary>
public enum SenderListSource
{
    Administrator,
    EndUser,
}

/// <summary>An approved or blocked sender (送信者フィルタ).</summary>
/// <param name="ScopeValue">The domain or recipient address for <see cref="SenderListScope.Domain"/>/<see cref="SenderListScope.Recipient"/>.</param>
public sealed record SenderListEntry(
    SenderListKind List, SenderListScope Scope, string? ScopeValue, AddressPattern Sender,
    SenderListSource Source = SenderListSource.Administrator, Provenance? Provenance = null);

/// <summary>Checks an approved sender skips.</summary>
public enum ApprovedSenderBypass
{
    IpReputation,
    UnknownSenderDomain,
    Spam,
    Bec,
    Phishing,
    Graymail,
    WebReputation,
    SocialEngineering,
}

/// <summary>
/// Approved and blocked senders by scope. Evaluation order: end-user blocked, administrator blocked,
/// end-user approved, administrator approved; an end user's approval never overrides an administrator's block.
/// </summary>
public sealed record SenderFilter
{
    public IReadOnlyList<SenderListEntry> Entries { get; init; } = [];
    /// <summary>Also match header From addresses (envelope addresses always match).</summary>
    public bool MatchHeaderAddresses { get; init; } = true;
    public bool InsertApprovedSenderHeader { get; init; }
    public IReadOnlyList<ApprovedSenderBypass> ApprovedBypass { get; init; } =
    [
        ApprovedSenderBypass.IpReputation, ApprovedSenderBypass.UnknownSenderDomain, ApprovedSenderBypass.Spam,
        ApprovedSenderBypass.Bec, ApprovedSenderBypass.Phishing, ApprovedSenderBypass.Graymail,
        ApprovedSenderBypass.WebReputation, ApprovedSenderBypass.SocialEngineering,
    ];
}

/// <summary>TLS requirement towards a peer.</summary>
public enum TlsLevel
{
    None,
    Opportunistic,
    Mandatory,
    /// <summary>Mandatory with certificate and host name verification.</summary>
    MandatoryVerify,
}

/// <summary>A TLS peer setting (TLSピア). <see cref="Peer"/> is a domain, IP or CIDR, or <c>*</c> for the default.</summary>
public sealed record TlsPeer(Direction Direction, string Peer, TlsLevel Level, string? MinimumVersion = null, Provenance? Provenance = null);

/// <summary>The triggers of scan exceptions (検索の例外).</summary>
public enum ScanExceptionTrigger
{
    TooManyFiles,
    CompressionRatio,
    TooManyLayers,
    FileTooLarge,
    OfficeSubfiles,
    MalformedMessage,
    ScanEngineUnavailable,
}

/// <summary>Actions for one scan exception trigger (intercept, tag subject, X-header, notification).</summary>
public sealed record ScanExceptionAction(ScanExceptionTrigger Trigger, RuleActions Actions);

/// <summary>Scan exception actions per direction; unspecified triggers quarantine.</summary>
public sealed record ScanExceptionSettings
{
    public IReadOnlyList<ScanExceptionAction> Inbound { get; init; } = [];
    public IReadOnlyList<ScanExceptionAction> Outbound { get; init; } = [];
}

/// <summary>The directory the gateway resolves groups and valid recipients from.</summary>
public enum DirectoryKind
{
    None,
    /// <summary>Recipients and groups imported from LDIF/CSV.</summary>
    Imported,
    Ldap,
}

/// <summary>Directory configuration (ディレクトリ管理).</summary>
public sealed record DirectorySettings
{
    public DirectoryKind Kind { get; init; } = DirectoryKind.None;
    public string? LdapServer { get; init; }
    public string? BaseDn { get; init; }
    public bool IsConfigured => Kind != DirectoryKind.None;
}
