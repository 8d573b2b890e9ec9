namespace Sekisho.Migration.Source;

/// <summary>Policy → Internal Addresses.</summary>
/// <param name="Mode">How internal addresses are given, e.g. <c>domains</c> (kept as given).</param>
/// <param name="Domains">Internal domains.</param>
/// <param name="LdapGroups">Internal LDAP groups.</param>
/// <param name="At">Location.</param>
public sealed record InternalAddresses(string? Mode, IReadOnlyList<string> Domains, IReadOnlyList<LdapGroupEntry> LdapGroups, SourceLocation At);

/// <summary>Kind of scanning exception.</summary>
public enum ScanningExceptionKind
{
    /// <summary>Security settings violations.</summary>
    SecurityViolation,
    /// <summary>Encryption exceptions.</summary>
    Encryption,
    /// <summary>Malformed messages.</summary>
    Malformed,
}

/// <summary>One scanning exception with its settings (kept as given) and actions.</summary>
public sealed record ScanningException(ScanningExceptionKind Kind, IReadOnlyList<RawXmlAttribute> Settings, RuleActions Actions, SourceLocation At);

/// <summary>Policy → Scanning Exceptions.</summary>
public sealed record ScanningExceptions(IReadOnlyList<ScanningException> Items, SourceLocation At);

/// <summary>Canonicalisation algorithm of a DKIM signature.</summary>
public enum DkimCanonicalization
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>simple.</summary>
    Simple,
    /// <summary>relaxed.</summary>
    Relaxed,
}

/// <summary>A DKIM signing setting. The private key is kept as given and never printed.</summary>
/// <param name="Domain">Signing domain (d=).</param>
/// <param name="Selector">Selector (s=).</param>
/// <param name="KeyBits">Key size.</param>
/// <param name="HeaderCanonicalization">Header canonicalisation.</param>
/// <param name="BodyCanonicalization">Body canonicalisation.</param>
/// <param name="Headers">Signed headers.</param>
/// <param name="ExpireDays">Signature expiry in days (0 = none).</param>
/// <param name="BodyLength">Body length limit (0 = whole body).</param>
/// <param name="Auid">Agent or user identifier (i=), empty when none.</param>
/// <param name="PrivateKeyPem">The PEM as given.</param>
/// <param name="ExemptDomains">Recipient domains not signed for.</param>
/// <param name="At">Location.</param>
public sealed record DkimSignature(string Domain, string Selector, int? KeyBits, DkimCanonicalization HeaderCanonicalization,
    DkimCanonicalization BodyCanonicalization, IReadOnlyList<string> Headers, int? ExpireDays, long? BodyLength, string Auid,
    SensitiveText PrivateKeyPem, IReadOnlyList<string> ExemptDomains, SourceLocation At);

/// <summary>LDAP server type.</summary>
public enum LdapServerType
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Microsoft Active Directory.</summary>
    ActiveDirectory,
    /// <summary>Microsoft AD Global Catalog.</summary>
    ActiveDirectoryGlobalCatalog,
    /// <summary>OpenLDAP.</summary>
    OpenLdap,
    /// <summary>Domino.</summary>
    Domino,
    /// <summary>Sun iPlanet Directory.</summary>
    IPlanet,
}

/// <summary>An LDAP server.</summary>
public sealed record LdapServer(string Host, int? Port, bool Enabled, SourceLocation At);

/// <summary>LDAP settings. A password is never kept: <see cref="PasswordSet"/> says whether one was configured.</summary>
/// <param name="ServerType">Server type.</param>
/// <param name="Servers">LDAP 1 and LDAP 2.</param>
/// <param name="AdminAccount">Admin account.</param>
/// <param name="BaseDn">Base DN.</param>
/// <param name="PasswordSet">A password is configured on the source.</param>
/// <param name="AuthMethod">Authentication method, <c>simple</c> or <c>kerberos</c> (kept as given).</param>
/// <param name="At">Location.</param>
public sealed record LdapSettings(LdapServerType ServerType, IReadOnlyList<LdapServer> Servers, string? AdminAccount, string? BaseDn,
    bool PasswordSet, string? AuthMethod, SourceLocation At);

/// <summary>One end user's approved senders.</summary>
public sealed record EuqUserApprovedSenders(string User, IReadOnlyList<string> Addresses, SourceLocation At);

/// <summary>Administration → End-User Quarantine, with users' approved senders.</summary>
public sealed record EndUserQuarantine(bool Enabled, int? DaysToKeep, int? MaxApprovedSenders, IReadOnlyList<EuqUserApprovedSenders> UserApprovedSenders, SourceLocation At);

/// <summary>Kind of mail area.</summary>
public enum AreaKind
{
    /// <summary>Quarantine area.</summary>
    Quarantine,
    /// <summary>Archive area.</summary>
    Archive,
}

/// <summary>A quarantine or archive area.</summary>
public sealed record Area(string Id, AreaKind Kind, string Name, int? Days, SourceLocation At);

/// <summary>Mail Areas &amp; Queues: quarantine and archive areas.</summary>
public sealed record Areas(IReadOnlyList<Area> Quarantine, IReadOnlyList<Area> Archive);

/// <summary>An <c>admin/*.xml</c> screen: listed by name (the mapping reports each as not supported), content kept as read.</summary>
/// <param name="Name">Screen name: the file name without <c>.xml</c>.</param>
/// <param name="Entry">Entry name.</param>
/// <param name="Content">The document's root element.</param>
public sealed record AdminScreen(string Name, string Entry, RawXmlElement Content);
