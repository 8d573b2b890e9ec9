using System.Text;
using Sekisho.Model.Rules;
using Sekisho.Testing;

namespace Sekisho.Store.Tests;

[Collection(DatabaseCollection.Name)]
public class QuarantineStoreTests(PostgresServer postgres) : StoreTestBase(postgres)
{
    private static NewQuarantinedMessage Message(string recipient, string subject) => new(
        recipient, "alice@partner.example", Direction.Inbound, subject,
        Encoding.UTF8.GetBytes($"From: alice@partner.example\r\nTo: {recipient}\r\nSubject: {subject}\r\n\r\nbody\r\n"),
        "rule-1", "高リスク添付ファイル", "attachment-true-type (exe)", "default", "{\"recipient\":\"" + recipient + "\"}",
        new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), "Q123");

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Quarantine_keeps_queries_releases_deletes_and_purges(string database)
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var store = await OpenAsync(database, time);
        var org = await store.EnsureOrganizationAsync("default", "test");
        var q = new QuarantineStore(store, org);
        var a = await q.AddAsync(Message("Bob@example.co.jp", "請求書"), 30);
        time.Advance(TimeSpan.FromMinutes(1));
        var b = await q.AddAsync(Message("carol@example.co.jp", "Invoice"), 30);

        var all = await q.QueryAsync();
        Assert.Equal([b, a], all.Select(x => x.Id));
        Assert.Equal("bob@example.co.jp", (await q.QueryAsync(new QuarantineQuery { Recipient = "BOB@example.co.jp" })).Single().Recipient);
        Assert.Equal(a, (await q.QueryAsync(new QuarantineQuery { Subject = "請求" })).Single().Id);
        Assert.Equal(2, (await q.QueryAsync(new QuarantineQuery { Rule = "高リスク添付ファイル" })).Count);

        var found = await q.FindAsync(a[..10]);
        Assert.Equal(("rule-1", "attachment-true-type (exe)", "Q123"), (found!.RuleId, found.Reason, found.QueueId));
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 9, 0, 0, TimeSpan.Zero), found.Expires);
        Assert.Contains("Subject: 請求書", Encoding.UTF8.GetString((await q.ReadContentAsync(a))!));

        Assert.True(await q.RemoveAsync(a, released: true, "cli:test"));
        Assert.False(await q.RemoveAsync(a, released: true, "cli:test"));
        await using (var s = await store.BeginAsync(org, "test"))
        {
            var audit = await s.QueryAuditAsync(eventType: QuarantineEvents.Released);
            Assert.Equal(["example.co.jp"], audit.Single().AffectedDomains);
        }

        time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await q.PurgeAsync());
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await q.PurgeAsync());
        Assert.Empty(await q.QueryAsync());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Quarantine_is_per_organization(string database)
    {
        var store = await OpenAsync(database);
        var one = new QuarantineStore(store, await store.EnsureOrganizationAsync("one", "test"));
        var two = new QuarantineStore(store, await store.EnsureOrganizationAsync("two", "test"));
        var id = await one.AddAsync(Message("bob@example.co.jp", "x"), 30);
        Assert.Empty(await two.QueryAsync());
        Assert.Null(await two.FindAsync(id));
        Assert.False(await two.RemoveAsync(id, released: false, "test"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Quarantining_the_same_queued_message_again_after_a_crash_keeps_one_entry(string database)
    {
        var store = await OpenAsync(database);
        var q = new QuarantineStore(store, await store.EnsureOrganizationAsync("default", "test"));
        var first = await q.AddAsync(Message("bob@example.co.jp", "請求書"), 30);
        Assert.Equal(first, await q.AddAsync(Message("Bob@example.co.jp", "請求書"), 30));
        Assert.Single(await q.QueryAsync());
        // Another recipient, another rule, or another queued message is another entry.
        var carol = await q.AddAsync(Message("carol@example.co.jp", "請求書"), 30);
        var otherRule = await q.AddAsync(Message("bob@example.co.jp", "請求書") with { RuleId = "rule-2" }, 30);
        var otherMessage = await q.AddAsync(Message("bob@example.co.jp", "請求書") with { QueueId = "Q124" }, 30);
        var unqueued = await q.AddAsync(Message("bob@example.co.jp", "請求書") with { QueueId = null }, 30);
        Assert.Equal(5, new[] { first, carol, otherRule, otherMessage, unqueued }.Distinct().Count());
        Assert.Equal(5, (await q.QueryAsync()).Count);
    }
}
