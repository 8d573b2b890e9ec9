using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;

namespace Sekisho.Model;

/// <summary>
/// Everything that makes up an organization's policy at one moment: domains, policy objects, settings and rules.
/// The engine evaluates a snapshot; the policy file is a snapshot written out.
/// </summary>
public sealed record PolicySnapshot
{
    public IReadOnlyList<ManagedDomain> Domains { get; init; } = [];
    public IReadOnlyList<AddressGroup> AddressGroups { get; init; } = [];
    public IReadOnlyList<KeywordList> KeywordLists { get; init; } = [];
    public IReadOnlyList<Notification> Notifications { get; init; } = [];
    public IReadOnlyList<Stamp> Stamps { get; init; } = [];
    public IReadOnlyList<DlpIdentifier> DlpIdentifiers { get; init; } = [];
    public IReadOnlyList<DlpTemplate> DlpTemplates { get; init; } = [];
    public GatewaySettings Settings { get; init; } = GatewaySettings.Default;
    public IReadOnlyList<Rule> Rules { get; init; } = [];

    public static readonly PolicySnapshot Empty = new();

    /// <summary>The names of the managed domains (verified or not).</summary>
    public IEnumerable<string> ManagedDomainNames => Domains.Select(d => d.Name);

    /// <summary>All policy objects, of every kind.</summary>
    public IEnumerable<IPolicyObject> AllObjects =>
        AddressGroups.Cast<IPolicyObject>().Concat(KeywordLists).Concat(Notifications).Concat(Stamps)
            .Concat(DlpIdentifiers).Concat(DlpTemplates);

    public AddressGroup? FindAddressGroup(string id) => AddressGroups.FirstOrDefault(g => g.Id == id);
    public KeywordList? FindKeywordList(string id) => KeywordLists.FirstOrDefault(k => k.Id == id);
    public Notification? FindNotification(string id) => Notifications.FirstOrDefault(n => n.Id == id);
    public Stamp? FindStamp(string id) => Stamps.FirstOrDefault(s => s.Id == id);
    public DlpIdentifier? FindDlpIdentifier(string id) => DlpIdentifiers.FirstOrDefault(i => i.Id == id) ?? PredefinedDlp.FindIdentifier(id);
    public DlpTemplate? FindDlpTemplate(string id) => DlpTemplates.FirstOrDefault(t => t.Id == id) ?? PredefinedDlp.FindTemplate(id);
    public ManagedDomain? FindDomain(string name) => Domains.FirstOrDefault(d => d.Name == Addresses.DomainNames.NormalizeOrSelf(name));

    /// <summary>Rules of one type and direction in evaluation order.</summary>
    public IEnumerable<Rule> RulesOf(Direction direction, RuleType type) =>
        Rules.Where(r => r.Direction == direction && r.Type == type).OrderBy(r => r.Order).ThenBy(r => r.Created);
}
