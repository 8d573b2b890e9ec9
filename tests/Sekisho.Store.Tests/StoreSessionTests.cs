using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Testing;

namespace Sekisho.Store.Tests;

[Collection(DatabaseCollection.Name)]
public class StoreSessionTests(PostgresServer postgres) : StoreTestBase(postgres)
{
    private static async Task SaveAsync(StoreSession s, PolicySnapshot p)
    {
        foreach (var d in p.Domains) await s.AddDomainAsync(d);
        foreach (var o in p.AllObjects) await s.AddObjectAsync(o);
        await s.SaveSettingsAsync(p.Settings);
        foreach (var r in p.Rules) await s.AddRuleAsync(r);
    }

    internal static string Canonical(PolicySnapshot p) => ModelJson.Serialize(p with
    {
        Domains = p.Domains.OrderBy(x => x.Id).ToList(),
        AddressGroups = p.AddressGroups.OrderBy(x => x.Id).ToList(),
        KeywordLists = p.KeywordLists.OrderBy(x => x.Id).ToList(),
        Notifications = p.Notifications.OrderBy(x => x.Id).ToList(),
        Stamps = p.Stamps.OrderBy(x => x.Id).ToList(),
        DlpIdentifiers = p.DlpIdentifiers.OrderBy(x => x.Id).ToList(),
        DlpTemplates = p.DlpTemplates.OrderBy(x => x.Id).ToList(),
        Rules = p.Rules.OrderBy(x => x.Id).ToList(),
    }, indented: true);

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Every_field_of_a_policy_survives_the_store(string database)
    {
        var store = await OpenAsync(database);
        var org = await store.EnsureOrganizationAsync("default", "test");
        var policy = PolicySamples.Full();
        await using (var s = await store.BeginAsync(org, "test"))
        {
            await SaveAsync(s, policy);
            await s.CommitAsync();
        }
        await using var read = await store.BeginAsync(org, "test");
        Assert.Equal(Canonical(policy), Canonical(await read.LoadSnapshotAsync()));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_session_not_committed_changes_nothing_not_even_the_audit_log(string database)
    {
        var store = await OpenAsync(database);
        var org = await store.EnsureOrganizationAsync("default", "test");
        await using (var s = await store.BeginAsync(org, "test"))
        {
            await SaveAsync(s, PolicySamples.Full());
            // disposed without commit: an error half-way through a user action
        }
        await using var read = await store.BeginAsync(org, "test");
        var snapshot = await read.LoadSnapshotAsync();
        Assert.Empty(snapshot.Domains);
        Assert.Empty(snapshot.Rules);
        Assert.Empty(snapshot.AllObjects);
        Assert.DoesNotContain(await read.QueryAuditAsync(), a => a.EventType != AuditEvents.OrganizationCreated);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Each_change_is_audited_with_field_new_and_previous_values(string database)
    {
        var time = new ManualTime(PolicySamples.T0);
        var store = await OpenAsync(database, time);
        var org = await store.EnsureOrganizationAsync("default", "admin@cli");
        var policy = PolicySamples.Full();
        await using (var s = await store.BeginAsync(org, "admin@cli"))
        {
            await SaveAsync(s, policy);
            await s.CommitAsync();
        }
        time.Advance(TimeSpan.FromMinutes(5));
        var rule = policy.Rules[1];
        await using (var s = await store.BeginAsync(org, "hanako"))
        {
            await s.UpdateRuleAsync(rule with { Enabled = false, Notes = "一時停止" }, AuditEvents.RuleDisabled);
            await s.CommitAsync();
        }
        await using var read = await store.BeginAsync(org, "x");
        var last = (await read.QueryAuditAsync())[0];
        Assert.Equal(AuditEvents.RuleDisabled, last.EventType);
        Assert.Equal("hanako", last.Actor);
        Assert.Equal(PolicySamples.T0.AddMinutes(5), last.Time);
        Assert.Equal(rule.Name, last.Subject);
        Assert.Contains(new AuditChange("enabled", "false", "true"), last.Changes);
        Assert.Contains(new AuditChange("notes", "一時停止", ""), last.Changes);
        Assert.Equal(["example.co.jp", "example-group.co.jp"], last.AffectedDomains.Order(StringComparer.Ordinal).Reverse());
        Assert.Contains(await read.QueryAuditAsync(eventType: "rule.*"), a => a.EventType == AuditEvents.RuleCreated);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Conflicts_are_refused_with_a_message_in_both_languages(string database)
    {
        var store = await OpenAsync(database);
        var org = await store.EnsureOrganizationAsync("default", "test");
        var policy = PolicySamples.Full();
        await using (var s = await store.BeginAsync(org, "test"))
        {
            await SaveAsync(s, policy);
            await s.CommitAsync();
        }
        await using var s2 = await store.BeginAsync(org, "test");
        var dup = await Assert.ThrowsAsync<StoreException>(() => s2.AddDomainAsync(policy.Domains[0] with { Id = Ids.New() }));
        Assert.Equal("domain.name.duplicate", dup.Code);
        Assert.Contains("既に登録", dup.Text.Ja);
        var inUse = await Assert.ThrowsAsync<StoreException>(() => s2.DeleteObjectAsync(policy.Stamps[0]));
        Assert.Equal("object.in-use", inUse.Code);
        var sameName = await Assert.ThrowsAsync<StoreException>(() => s2.AddRuleAsync(policy.Rules[0] with { Id = Ids.New() }));
        Assert.Equal("rule.name.duplicate", sameName.Code);
        Assert.Equal(3, await s2.NextRuleOrderAsync(Direction.Inbound, RuleType.Content));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Reopening_an_existing_store_keeps_its_data(string database)
    {
        var store = await OpenAsync(database);
        var org = await store.EnsureOrganizationAsync("default", "test");
        await using (var s = await store.BeginAsync(org, "test"))
        {
            await s.AddObjectAsync(PolicySamples.Full().Stamps[0]);
            await s.CommitAsync();
        }
        var again = await SekishoStore.OpenAsync(store.Options);
        var org2 = await again.EnsureOrganizationAsync("default", "test");
        Assert.Equal(org.Id, org2.Id);
        await using var read = await again.BeginAsync(org2, "test");
        Assert.Single(await read.ListObjectsAsync<Stamp>());
    }
}

