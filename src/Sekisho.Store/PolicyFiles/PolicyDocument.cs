using Sekisho.Model;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;

namespace Sekisho.Store.PolicyFiles;

/// <summary>
/// The policy file (<c>sekisho policy export/import</c>): an organization's whole policy with a schema header.
/// The schema is documented in docs/policy-file.md; YAML and JSON carry the same document.
/// </summary>
public sealed record PolicyDocument
{
    public const string CurrentSchema = "sekisho.policy/1";

    public string Schema { get; init; } = CurrentSchema;
    public string? Organization { get; init; }
    public DateTimeOffset? ExportedAt { get; init; }
    public IReadOnlyList<ManagedDomain> Domains { get; init; } = [];
    public IReadOnlyList<AddressGroup> AddressGroups { get; init; } = [];
    public IReadOnlyList<KeywordList> KeywordLists { get; init; } = [];
    public IReadOnlyList<Notification> Notifications { get; init; } = [];
    public IReadOnlyList<Stamp> Stamps { get; init; } = [];
    public IReadOnlyList<DlpIdentifier> DlpIdentifiers { get; init; } = [];
    public IReadOnlyList<DlpTemplate> DlpTemplates { get; init; } = [];
    public GatewaySettings Settings { get; init; } = GatewaySettings.Default;
    public IReadOnlyList<Rule> Rules { get; init; } = [];

    public static PolicyDocument From(PolicySnapshot p, string? organization, DateTimeOffset exportedAt) => new()
    {
        Organization = organization, ExportedAt = exportedAt, Domains = p.Domains, AddressGroups = p.AddressGroups,
        KeywordLists = p.KeywordLists, Notifications = p.Notifications, Stamps = p.Stamps, DlpIdentifiers = p.DlpIdentifiers,
        DlpTemplates = p.DlpTemplates, Settings = p.Settings, Rules = p.Rules,
    };

    public PolicySnapshot ToSnapshot() => new()
    {
        Domains = Domains, AddressGroups = AddressGroups, KeywordLists = KeywordLists, Notifications = Notifications, Stamps = Stamps,
        DlpIdentifiers = DlpIdentifiers, DlpTemplates = DlpTemplates, Settings = Settings, Rules = Rules,
    };
}

/// <summary>File formats of the policy file.</summary>
public enum PolicyFileFormat
{
    Yaml,
    Json,
}

/// <summary>One problem in a policy file: where (path and line) and what to do.</summary>
public sealed record PolicyFileProblem(string Path, int? Line, LocalizedText Message)
{
    public string Render(string language, string file) =>
        $"{file}{(Line is null ? "" : $":{Line}")}: {Path}: {Message.For(language)}";
}

/// <summary>A policy file that cannot be used; nothing was changed.</summary>
public sealed class PolicyFileException(IReadOnlyList<PolicyFileProblem> problems)
    : Exception($"{problems.Count} problem(s) in the policy file: " + string.Join("; ", problems.Take(5).Select(p => $"{p.Path}{(p.Line is null ? "" : $" (line {p.Line})")}: {p.Message.En}")))
{
    public IReadOnlyList<PolicyFileProblem> Problems { get; } = problems;
}
