using Sekisho.Model;

namespace Sekisho.Migration.Mapping;

/// <summary>A domain registered in Sekisho, as the analysis sees it.</summary>
public sealed record ManagedDomainInfo(string Name, bool Verified);

/// <summary>What the mapping needs to know about the Sekisho side: managed domains, the directory, what already exists.</summary>
public sealed record MappingContext
{
    /// <summary>The organization migrated into (part of every generated id); "offline" for an analysis without a store.</summary>
    public string OrganizationId { get; init; } = "offline";

    /// <summary>Registered domains with their verification state (offline: the --domain names, counted as verified).</summary>
    public IReadOnlyList<ManagedDomainInfo> Domains { get; init; } = [];

    public bool DirectoryConfigured { get; init; }

    public MigrationMode Mode { get; init; } = MigrationMode.Merge;

    /// <summary>The organization's current policy (empty offline): names taken, earlier migrations, current limits.</summary>
    public PolicySnapshot Existing { get; init; } = PolicySnapshot.Empty;

    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The migration task the plan belongs to (recorded in provenance).</summary>
    public string? TaskId { get; init; }

    /// <summary>Offline analysis with the given domains counted as managed and verified.</summary>
    public static MappingContext Offline(IEnumerable<string> domains, MigrationMode mode, DateTimeOffset now) => new()
    {
        Domains = domains.Select(d => new ManagedDomainInfo(Model.Addresses.DomainNames.NormalizeOrSelf(d), true)).ToList(),
        Mode = mode,
        Now = now,
    };
}
