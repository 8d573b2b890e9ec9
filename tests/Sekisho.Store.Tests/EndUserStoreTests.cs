using Sekisho.Model;
using Sekisho.Testing;

namespace Sekisho.Store.Tests;

/// <summary>End users, single-use links and digest times (migration M0005) on both databases.</summary>
[Collection(DatabaseCollection.Name)]
public class EndUserStoreTests(PostgresServer postgres) : StoreTestBase(postgres)
{
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task End_users_lock_out_links_work_once_and_digest_times_are_kept_per_recipient(string database)
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var store = await OpenAsync(database, time);
        var org = await store.EnsureOrganizationAsync("default", "test");
        var bob = new EndUser { Id = Ids.New(), Address = "Bob@Example.co.jp", PasswordHash = "pbkdf2-sha256$1$AA==$AA==", Created = time.GetUtcNow() };
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            await s.AddEndUserAsync(bob);
            await s.AddEndUserAsync(new EndUser { Id = Ids.New(), Address = "links@example.co.jp", Created = time.GetUtcNow() });
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            Assert.Equal("enduser.duplicate", (await Assert.ThrowsAsync<StoreException>(() => s.AddEndUserAsync(bob with { Id = Ids.New(), Address = "bob@example.co.jp" }))).Code);
        }
        await using (var s = await store.BeginAsync(org, "enduser:bob@example.co.jp"))
        {
            var found = (await s.FindEndUserAsync(" BOB@example.co.jp "))!;
            Assert.Equal("bob@example.co.jp", found.Address);
            await s.RecordEndUserFailedLoginAsync(found.Id, 2, TimeSpan.FromMinutes(15));
            Assert.Equal(time.GetUtcNow().AddMinutes(15), (await s.RecordEndUserFailedLoginAsync(found.Id, 2, TimeSpan.FromMinutes(15))).LockedUntil);
            await s.CommitAsync();
        }
        var expires = time.GetUtcNow().AddDays(7);
        await using (var s = await store.BeginAsync(org, "enduser-link:bob@example.co.jp"))
        {
            Assert.True(await s.UseLinkOnceAsync("nonce-1", expires));
            Assert.False(await s.UseLinkOnceAsync("nonce-1", expires));
            await s.RecordDigestAsync("bob@example.co.jp", time.GetUtcNow(), 3);
            await s.CommitAsync();
        }
        time.Advance(TimeSpan.FromDays(1));
        await using (var s = await store.BeginAsync(org, "system:digest"))
        {
            Assert.False(await s.UseLinkOnceAsync("nonce-1", expires));
            await s.RecordDigestAsync("bob@example.co.jp", time.GetUtcNow(), 1);
            await s.RecordEndUserLoginAsync("bob@example.co.jp", "link");
            Assert.True(await s.RemoveEndUserAsync("links@example.co.jp"));
            Assert.False(await s.RemoveEndUserAsync("links@example.co.jp"));
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "test"))
        {
            Assert.Equal(time.GetUtcNow(), (await s.DigestTimesAsync())["bob@example.co.jp"]);
            var users = await s.ListEndUsersAsync();
            var back = Assert.Single(users);
            Assert.Equal((null, 0, time.GetUtcNow()), (back.LockedUntil, back.FailedLogins, back.LastLogin));
            var events = (await s.QueryAuditAsync()).Select(a => a.EventType).ToList();
            Assert.Contains(EndUserAuditEvents.Locked, events);
            Assert.Equal(2, events.Count(e => e == EndUserAuditEvents.DigestSent));
            Assert.Contains(EndUserAuditEvents.Removed, events);
        }
        // Past their expiry, used links are forgotten.
        time.Advance(TimeSpan.FromDays(7));
        await using (var s = await store.BeginAsync(org, "test"))
            Assert.True(await s.UseLinkOnceAsync("nonce-1", time.GetUtcNow().AddDays(7)));
    }
}
