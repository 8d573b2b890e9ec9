using Sekisho.Model;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;

namespace Sekisho.Migration.Mapping;

/// <summary>How a migration combines the export with what Sekisho holds (統合 / 上書き).</summary>
public enum MigrationMode
{
    /// <summary>統合: keep everything and add what is migrated.</summary>
    Merge,
    /// <summary>上書き: replace rules, policy objects, IP lists and DKIM/DMARC settings with the migrated ones.</summary>
    Overwrite,
}

/// <summary>A Sekisho object an analysed item becomes.</summary>
/// <param name="Kind">virus-rule, spam-rule, content-rule, dlp-rule, address-group, keyword-list, notification, stamp,
/// dlp-template, dlp-identifier, approved-ip, blocked-ip, dkim-verification, dmarc, dkim-signing, domain, sender-filter, tls-peer.</param>
public sealed record AnalysisTarget(string Kind, Direction? Direction, string Name, bool? Enabled, string? Id = null);

/// <summary>One analysed setting: a rule, an object, a list or a screen, with its status and findings.</summary>
/// <param name="Id"><c>rule:R12</c>, <c>address-group:AG1</c>, <c>setting:dmarc</c>, …</param>
/// <param name="Kind">rule, address-group, keyword-list, notification, stamp, dlp-template, dlp-identifier, setting.</param>
/// <param name="Source">Where it is in InterScan, e.g. "Policy > Policy List > name".</param>
public sealed record AnalysisItem(string Id, string Kind, string Name, string Source, FindingStatus Status,
    IReadOnlyList<AnalysisTarget> Targets, IReadOnlyList<MigrationFinding> Findings);

/// <summary>Counts per status.</summary>
public sealed record AnalysisSummary(int NotSupported, int Error, int Warning, int Successful)
{
    public static AnalysisSummary Of(IEnumerable<AnalysisItem> items)
    {
        var list = items.ToList();
        return new(list.Count(i => i.Status == FindingStatus.NotSupported), list.Count(i => i.Status == FindingStatus.Error),
            list.Count(i => i.Status == FindingStatus.Warning), list.Count(i => i.Status == FindingStatus.Successful));
    }

    public int Total => NotSupported + Error + Warning + Successful;
}

/// <summary>What the analysed export is.</summary>
public sealed record AnalysisSource(string Product, string Platform, string Version, int Build, string? Language, string? Hostname,
    DateTimeOffset? ExportedAt, string File, string Sha256)
{
    /// <summary>e.g. "IMSS 9.1 Linux" or "IMSVA 9.1" (as the migration report shows it).</summary>
    public string ProductLabel => Product == "IMSS" ? $"IMSS {Version} Linux" : $"IMSVA {Version}";
}

/// <summary>Settings a migration contributes, merged into the organization's settings on import.</summary>
public sealed record MigratedSettings
{
    public IReadOnlyList<IpListEntry> ApprovedIps { get; init; } = [];
    public IReadOnlyList<IpListEntry> BlockedIps { get; init; } = [];
    public int? IpReputationLevel { get; init; }
    public bool? IpReputationEnabled { get; init; }
    public IReadOnlyList<SenderListEntry> SenderEntries { get; init; } = [];
    /// <summary>Changes to the default DKIM verification policy (enforced peers and action; ignored peers).</summary>
    public IReadOnlyList<string> DkimEnforcedPeers { get; init; } = [];
    public AuthAction? DkimEnforcedAction { get; init; }
    public IReadOnlyList<string> DkimIgnoredPeers { get; init; } = [];
    public IReadOnlyList<DmarcPolicySettings> Dmarc { get; init; } = [];
    public IReadOnlyList<DkimSigningKey> DkimSigning { get; init; } = [];
    public IReadOnlyList<TlsPeer> TlsPeers { get; init; } = [];
    public IReadOnlyList<WebReputationApprovedItem> WebReputationApprovedList { get; init; } = [];
    public IReadOnlyList<string> UrlKeywordExceptions { get; init; } = [];
    public long? MaxMessageSizeBytes { get; init; }
    public int? MaxRecipients { get; init; }
}

/// <summary>Everything a migration would create, ready for the store (ids are deterministic per organization, file and source id).</summary>
public sealed record MigrationPlan
{
    public IReadOnlyList<ManagedDomain> Domains { get; init; } = [];
    public IReadOnlyList<AddressGroup> AddressGroups { get; init; } = [];
    public IReadOnlyList<KeywordList> KeywordLists { get; init; } = [];
    public IReadOnlyList<Notification> Notifications { get; init; } = [];
    public IReadOnlyList<Stamp> Stamps { get; init; } = [];
    public IReadOnlyList<DlpIdentifier> DlpIdentifiers { get; init; } = [];
    public IReadOnlyList<DlpTemplate> DlpTemplates { get; init; } = [];
    public IReadOnlyList<Rule> Rules { get; init; } = [];
    public MigratedSettings Settings { get; init; } = new();

    public IEnumerable<IPolicyObject> AllObjects =>
        AddressGroups.Cast<IPolicyObject>().Concat(KeywordLists).Concat(Notifications).Concat(Stamps).Concat(DlpIdentifiers).Concat(DlpTemplates);
}

/// <summary>The data analysis of an export: items with statuses and findings, and the plan a migration would apply.</summary>
public sealed record MigrationAnalysis(AnalysisSource Source, MigrationMode Mode, DateTimeOffset GeneratedAt, IReadOnlyList<AnalysisItem> Items, MigrationPlan Plan)
{
    public AnalysisSummary Summary => AnalysisSummary.Of(Items);

    public AnalysisItem? Item(string id) => Items.FirstOrDefault(i => i.Id == id);
}
