using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>A managed domain and three inbound content rules (first, second, third) for the rule editing tests.</summary>
internal static class RuleSeeds
{
    public static async Task<IReadOnlyList<Rule>> SeedAsync(ConsoleHost host)
    {
        var now = DateTimeOffset.UtcNow;
        var rules = new[] { "first", "second", "third" }.Select((name, i) => new Rule
        {
            Id = Ids.New(), Direction = Direction.Inbound, Type = RuleType.Content, Name = name, Order = i + 1, Created = now, Modified = now,
            Scope = new RuleScope(Participants.Of(new AddressParticipant(AddressPattern.Parse("*@example.co.jp"))), Participants.Anyone, []),
            Criteria = CriteriaSet.AnyOf(new AttachmentName(Selection.Selected, ["*.exe"])),
            Actions = new RuleActions(new Quarantine(), [], []),
        }).ToList();
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        await s.AddDomainAsync(PolicySamples.Domain("example.co.jp"));
        foreach (var r in rules) await s.AddRuleAsync(r);
        await s.CommitAsync();
        return rules;
    }

    public static async Task<IReadOnlyList<Rule>> InboundContentAsync(ConsoleHost host)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return (await s.ListRulesAsync()).Where(r => r.Direction == Direction.Inbound && r.Type == RuleType.Content).OrderBy(r => r.Order).ToList();
    }

    /// <summary>Audit records of people (console, API), newest first, without the seeding's.</summary>
    public static async Task<IReadOnlyList<Model.Audit.AuditRecord>> AuditAsync(ConsoleHost host, string eventType)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return (await s.QueryAuditAsync(eventType: eventType)).Where(a => a.Actor != "test").ToList(); // not the seeding
    }
}

/// <summary>Model records hold lists, so tests compare them as the store writes them.</summary>
internal static class JsonOf
{
    public static string J<T>(T value) => Sekisho.Model.Serialization.ModelJson.Serialize(value);
}
