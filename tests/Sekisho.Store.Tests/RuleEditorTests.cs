using Microsoft.EntityFrameworkCore;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;
using Sekisho.Store.Editing;
using Sekisho.Testing;

namespace Sekisho.Store.Tests;

/// <summary>The one rule-editing path (command line, console, API): validated, audited, orders 1..n, and what the gateway loads.</summary>
[Collection(DatabaseCollection.Name)]
public class RuleEditorTests(PostgresServer postgres) : StoreTestBase(postgres)
{
    private async Task<(SekishoStore Store, Organization Org)> SampleAsync(string database)
    {
        var store = await OpenAsync(database);
        var org = await store.EnsureOrganizationAsync("default", "test");
        var p = PolicySamples.Full();
        await using var s = await store.BeginAsync(org, "test");
        foreach (var d in p.Domains) await s.AddDomainAsync(d);
        foreach (var o in p.AllObjects) await s.AddObjectAsync(o);
        await s.SaveSettingsAsync(p.Settings);
        foreach (var r in p.Rules) await s.AddRuleAsync(r);
        await s.CommitAsync();
        return (store, org);
    }

    private static List<Rule> InboundContent(PolicySnapshot p) =>
        p.Rules.Where(r => r.Direction == Direction.Inbound && r.Type == RuleType.Content).OrderBy(r => r.Order).ToList();

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task An_edited_rule_is_what_the_gateway_loads_next(string database)
    {
        var (store, org) = await SampleAsync(database);
        await using (var s = await store.BeginAsync(org, "web:admin"))
        {
            var current = await s.GetRuleAsync("r-content2");
            var saved = await new RuleEditor(s).UpdateAsync(current! with
            {
                Name = "請求書", Order = 1, Criteria = CriteriaSet.AnyOf(new SubjectMatches(["kw2"])),
                Actions = new RuleActions(new Quarantine("invoices"), [], []),
                Created = PolicySamples.T0.AddYears(-5), // the editor keeps the stored creation time
            });
            Assert.Equal(1, saved.Order);
            await s.CommitAsync();
        }
        await using var read = await store.BeginReadAsync(org, "gateway");
        var snapshot = await read.LoadSnapshotAsync();
        var rules = InboundContent(snapshot);
        Assert.Equal(["請求書", "全部入り"], rules.Select(r => r.Name));
        Assert.Equal([1, 2], rules.Select(r => r.Order));
        var edited = rules[0];
        Assert.Equal(new Quarantine("invoices"), edited.Actions.Intercept);
        Assert.Equal(["kw2"], Assert.IsType<SubjectMatches>(Assert.Single(edited.Criteria.Items)).KeywordListIds);
        Assert.Equal(PolicySamples.T0, edited.Created);
        Assert.True(edited.IsActive);
        var audit = await read.QueryAuditAsync(eventType: "rule.*");
        Assert.Equal((AuditEvents.RuleUpdated, "web:admin", "請求書"), (audit[0].EventType, audit[0].Actor, audit[0].Subject));
        // The move is one record naming the edited rule (the other rule shifted in the same statement, without a record of its own).
        Assert.Equal((AuditEvents.RuleMoved, "請求書"), (audit[1].EventType, audit[1].Subject));
        Assert.Equal([("order", "1", "2"), ("shifted", "1", null)], audit[1].Changes.Select(c => (c.Field, c.NewValue, c.PreviousValue)));
        Assert.Equal(2, audit.Count(a => a.Actor == "web:admin"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_move_is_one_audit_record_with_the_old_and_new_order_and_the_shift_count(string database)
    {
        var (store, org) = await SampleAsync(database);
        string lastId;
        await using (var s = await store.BeginAsync(org, "api:admin/t"))
        {
            var editor = new RuleEditor(s);
            var template = (await s.GetRuleAsync("r-content2"))!;
            foreach (var name in new[] { "三", "四", "五" }) await editor.AddAsync(template with { Id = "", Name = name, Order = 99 });
            lastId = (await editor.AddAsync(template with { Id = "", Name = "最後", Order = 99 })).Id;
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            var moved = await new RuleEditor(s).MoveAsync(lastId, 1);
            Assert.Equal(1, moved.Order);
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            Assert.Equal(4, (await new RuleEditor(s).MoveByAsync(lastId, 3)).Order);
            await s.CommitAsync();
        }
        await using var read = await store.BeginReadAsync(org, "test");
        var rules = InboundContent(await read.LoadSnapshotAsync());
        Assert.Equal(["全部入り", "削除", "三", "最後", "四", "五"], rules.Select(r => r.Name));
        Assert.Equal([1, 2, 3, 4, 5, 6], rules.Select(r => r.Order));
        Assert.Equal(4, (await read.GetRuleAsync(lastId))!.Order);
        var moves = (await read.QueryAuditAsync(eventType: AuditEvents.RuleMoved)).Where(a => a.Actor == "cli:root").ToList();
        Assert.Equal(2, moves.Count);
        Assert.All(moves, m => Assert.Equal("最後", m.Subject));
        Assert.Equal([("order", "4", "1"), ("shifted", "3", null)], moves[0].Changes.Select(c => (c.Field, c.NewValue, c.PreviousValue)));
        Assert.Equal([("order", "1", "6"), ("shifted", "5", null)], moves[1].Changes.Select(c => (c.Field, c.NewValue, c.PreviousValue)));
        // Adding with a position shifts the others without a record per rule: only the four rule.created records.
        Assert.Equal(4, (await read.QueryAuditAsync(eventType: "rule.*")).Count(a => a.Actor == "api:admin/t"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_list_whose_orders_are_not_consecutive_is_renumbered_before_a_move(string database)
    {
        var (store, org) = await SampleAsync(database);
        await using (var s = await store.BeginAsync(org, "test"))
        {
            var editor = new RuleEditor(s);
            var template = (await s.GetRuleAsync("r-content2"))!;
            await editor.AddAsync(template with { Id = "", Name = "三", Order = 99 });
            await editor.AddAsync(template with { Id = "", Name = "四", Order = 99 });
            // An older store or a hand-edited database: gaps (10, 20, 30, 40) in the order column.
            await s.Db.Database.ExecuteSqlRawAsync("UPDATE rules SET order_number = order_number * 10 WHERE direction = 'inbound' AND type = 'content'");
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            var four = (await s.ListRulePlacesAsync(Direction.Inbound, RuleType.Content)).Single(p => p.Name == "四");
            Assert.Equal(40, four.Order);
            Assert.Equal(2, (await new RuleEditor(s).MoveAsync(four.Id, 2)).Order);
            await s.CommitAsync();
        }
        await using var read = await store.BeginReadAsync(org, "test");
        var rules = InboundContent(await read.LoadSnapshotAsync());
        Assert.Equal(["全部入り", "四", "削除", "三"], rules.Select(r => r.Name));
        Assert.Equal([1, 2, 3, 4], rules.Select(r => r.Order));
        var move = Assert.Single(await read.QueryAuditAsync(eventType: AuditEvents.RuleMoved), a => a.Actor == "cli:root");
        Assert.Equal([("order", "2", "4"), ("shifted", "2", null)], move.Changes.Select(c => (c.Field, c.NewValue, c.PreviousValue)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_rule_validates_against_its_referenced_objects_as_against_the_whole_policy(string database)
    {
        var (store, org) = await SampleAsync(database);
        await using var s = await store.BeginReadAsync(org, "test");
        var policy = await s.LoadSnapshotAsync();
        var broken = policy.Rules.Select(r => r with
        {
            Name = "",
            Scope = r.Scope with { Recipients = new Participants(ParticipantsMode.Specified, [new AddressGroupParticipant("g-missing"), .. r.Scope.Recipients.Entries]) },
            Criteria = CriteriaSet.AnyOf([.. r.Criteria.Items, new SubjectMatches(["kw-missing", .. policy.KeywordLists.Select(k => k.Id)])]),
            Actions = r.Actions with { Monitor = [.. r.Actions.Monitor, new Notify("n-missing"), .. policy.Notifications.Select(n => new Notify(n.Id))],
                                       Modify = [.. r.Actions.Modify, new InsertStamp("s-missing"), .. policy.Stamps.Select(x => new InsertStamp(x.Id))] },
        });
        int withProblems = 0;
        foreach (var rule in policy.Rules.Concat(broken))
        {
            var small = await s.LoadRuleValidationSnapshotAsync(rule);
            Assert.Empty(small.Rules);
            var expected = PolicyValidator.ValidateRule(rule, policy, RuleEditor.ProblemPath);
            Assert.Equal(expected, PolicyValidator.ValidateRule(rule, small, RuleEditor.ProblemPath));
            if (expected.Count > 0) withProblems++;
        }
        Assert.True(withProblems >= policy.Rules.Count, "every broken rule has problems");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task An_invalid_rule_is_refused_before_anything_is_written(string database)
    {
        var (store, org) = await SampleAsync(database);
        string before;
        await using (var s = await store.BeginReadAsync(org, "test")) before = ModelJson.Serialize(await s.LoadSnapshotAsync());
        await using (var s = await store.BeginAsync(org, "web:admin"))
        {
            var editor = new RuleEditor(s);
            var current = (await s.GetRuleAsync("r-content2"))!;
            var e = await Assert.ThrowsAsync<RuleEditException>(() => editor.UpdateAsync(current with
            {
                Name = "全部入り", Order = 1, Criteria = CriteriaSet.AnyOf(new SubjectMatches(["kw-missing"])),
            }));
            Assert.Equal(RuleEditFailure.Invalid, e.Failure);
            Assert.Contains(e.Problems, p => p.Path == "rule.name" && p.Code == "rule.name.duplicate");
            Assert.Contains(e.Problems, p => p.Path == "rule.criteria.items[0].keywordListIds[0]" && p.Code == "rule.criteria.keyword-list.missing");
            var added = await Assert.ThrowsAsync<RuleEditException>(() => editor.AddAsync(current with { Id = "", Name = "", Order = 1 }));
            Assert.Equal("rule.name.empty", added.Code);
            var t = await Assert.ThrowsAsync<RuleEditException>(() => editor.TransitionAsync("r-content2", MigrationStatusTransition.Confirm));
            Assert.Equal(RuleEditFailure.Conflict, t.Failure);
            Assert.Equal(RuleEditFailure.NotFound, (await Assert.ThrowsAsync<RuleEditException>(() => editor.DeleteAsync("nope"))).Failure);
            await s.CommitAsync(); // even committed, the refused changes left nothing behind
        }
        await using var read = await store.BeginReadAsync(org, "test");
        Assert.Equal(before, ModelJson.Serialize(await read.LoadSnapshotAsync()));
        Assert.DoesNotContain(await read.QueryAuditAsync(eventType: "rule.*"), a => a.Actor == "web:admin");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Add_copy_move_and_delete_keep_orders_consecutive(string database)
    {
        var (store, org) = await SampleAsync(database);
        await using (var s = await store.BeginAsync(org, "api:admin/t"))
        {
            var editor = new RuleEditor(s);
            var template = (await s.GetRuleAsync("r-content2"))!;
            var added = await editor.AddAsync(template with { Id = "", Name = "先頭", Order = 1 });
            Assert.Equal(1, added.Order);
            Assert.Null(added.Migration);
            var copy = await editor.CopyAsync("r-content", "ja");
            Assert.Equal(("全部入り のコピー", false, 4, (RuleMigration?)null), (copy.Name, copy.Enabled, copy.Order, copy.Migration));
            Assert.Equal("Copy of 全部入り", (await editor.CopyAsync("r-content", "en")).Name);
            Assert.Equal(5, (await editor.MoveAsync(added.Id, 99)).Order);
            Assert.Equal(4, (await editor.MoveByAsync(added.Id, -1)).Order);
            await editor.DeleteAsync("r-content");
            await s.CommitAsync();
        }
        await using var read = await store.BeginReadAsync(org, "test");
        var rules = InboundContent(await read.LoadSnapshotAsync());
        Assert.Equal(["削除", "全部入り のコピー", "先頭", "Copy of 全部入り"], rules.Select(r => r.Name));
        Assert.Equal([1, 2, 3, 4], rules.Select(r => r.Order));
    }
}
