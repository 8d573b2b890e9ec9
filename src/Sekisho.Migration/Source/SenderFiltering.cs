namespace Sekisho.Migration.Source;

/// <summary>Sender Filtering (<c>sender_filtering.xml</c>): approved/blocked lists, ERS, IP Profiler, suspicious IPs, DMARC.</summary>
public sealed record SenderFiltering(
    ApprovedIpList? ApprovedList, BlockedIpList? BlockedList, EmailReputation? EmailReputation,
    IReadOnlyList<IpProfilerRule> IpProfilerRules, SuspiciousIpList? SuspiciousIp, DmarcSettings? Dmarc, SourceLocation At);

/// <summary>A named group of IP addresses on the approved list.</summary>
public sealed record ComputerGroup(string Name, IReadOnlyList<string> Ips, SourceLocation At);

/// <summary>Sender Filtering → Approved List.</summary>
/// <param name="Enabled">List enabled.</param>
/// <param name="ApplyToErsIpProfiler">IMSVA: the list also bypasses ERS and IP Profiler.</param>
/// <param name="Ips">IPs and CIDR ranges.</param>
/// <param name="Domains">Domain entries (resolved by IP Profiler only).</param>
/// <param name="ComputerGroups">Named IP groups.</param>
/// <param name="At">Location.</param>
public sealed record ApprovedIpList(bool Enabled, bool ApplyToErsIpProfiler, IReadOnlyList<string> Ips, IReadOnlyList<string> Domains,
    IReadOnlyList<ComputerGroup> ComputerGroups, SourceLocation At);

/// <summary>What a blocked-list entry or an IP Profiler rule does.</summary>
public enum BlockAction
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Block temporarily (the sender may retry after the block duration).</summary>
    BlockTemporarily,
    /// <summary>Block permanently.</summary>
    BlockPermanently,
}

/// <summary>One blocked-list entry.</summary>
public sealed record BlockedIpEntry(string Ip, BlockAction Action, int? Minutes, SourceLocation At);

/// <summary>Sender Filtering → Blocked List.</summary>
public sealed record BlockedIpList(bool Enabled, IReadOnlyList<BlockedIpEntry> Entries, SourceLocation At);

/// <summary>Email Reputation Services level.</summary>
public enum ErsLevel
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Standard.</summary>
    Standard,
    /// <summary>Advanced.</summary>
    Advanced,
}

/// <summary>Email Reputation Services, with the customized SMTP reply when set.</summary>
public sealed record EmailReputation(bool Enabled, ErsLevel Level, int? CustomCode, string? CustomText, SourceLocation At);

/// <summary>IP Profiler rule tab.</summary>
public enum IpProfilerKind
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Spam.</summary>
    Spam,
    /// <summary>Virus.</summary>
    Virus,
    /// <summary>DHA attack.</summary>
    DirectoryHarvest,
    /// <summary>Bounced mail.</summary>
    Bounced,
    /// <summary>SMTP traffic throttling by IP.</summary>
    ThrottleIp,
    /// <summary>SMTP traffic throttling by sender.</summary>
    ThrottleSender,
}

/// <summary>An IP Profiler rule (Sender Filtering → Rules).</summary>
/// <param name="Kind">Tab.</param>
/// <param name="Enabled">Enabled.</param>
/// <param name="Hours">Duration to monitor.</param>
/// <param name="Rate">Rate (%).</param>
/// <param name="Total">Total messages.</param>
/// <param name="Action">Triggering action.</param>
/// <param name="BlockMinutes">Block duration for a temporary block.</param>
/// <param name="At">Location.</param>
public sealed record IpProfilerRule(IpProfilerKind Kind, bool Enabled, int? Hours, int? Rate, int? Total, BlockAction? Action, int? BlockMinutes, SourceLocation At);

/// <summary>Sender Filtering → Suspicious IP: IPs blocked by IP Profiler.</summary>
public sealed record SuspiciousIpList(IReadOnlyList<string> Ips, SourceLocation At);

/// <summary>DMARC policy tag of the sender domain.</summary>
public enum DmarcPolicy
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>p=none.</summary>
    None,
    /// <summary>p=quarantine.</summary>
    Quarantine,
    /// <summary>p=reject.</summary>
    Reject,
    /// <summary>No DMARC record.</summary>
    NoRecord,
}

/// <summary>What IMSVA does for a DMARC policy.</summary>
public enum DmarcDisposition
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Deliver.</summary>
    Deliver,
    /// <summary>Quarantine.</summary>
    Quarantine,
    /// <summary>Reject.</summary>
    Reject,
}

/// <summary>One DMARC action row.</summary>
public sealed record DmarcAction(DmarcPolicy Policy, DmarcDisposition Do, SourceLocation At);

/// <summary>Sender Filtering → DMARC.</summary>
public sealed record DmarcSettings(bool Enabled, bool InsertXHeader, bool DailyReports, IReadOnlyList<string> VerificationDomains,
    IReadOnlyList<string> ExceptionIps, IReadOnlyList<DmarcAction> Actions, SourceLocation At);
