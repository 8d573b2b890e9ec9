using Sekisho.Model;
using Sekisho.Testing;

namespace Sekisho.Store.Tests;

/// <summary>Console users and API tokens (migration M0004) on both databases.</summary>
[Collection(DatabaseCollection.Name)]
public class ConsoleUserStoreTests(PostgresServer postgres) : StoreTestBase(postgres)
{
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Users_lock_out_after_failures_and_tokens_resolve_by_hash(string database)
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var store = await OpenAsync(database, time);
        var org = await store.EnsureOrganizationAsync("default", "test");
        var user = new ConsoleUser { Id = Ids.New(), Name = "yamada", Role = ConsoleRole.ReadOnly, PasswordHash = "pbkdf2-sha256$1$AA==$AA==", Created = time.GetUtcNow() };
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            await s.AddUserAsync(user);
            await s.AddApiTokenAsync(user, "script", new string('a', 64));
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "cli:root"))
        {
            var dup = await Assert.ThrowsAsync<StoreException>(() => s.AddUserAsync(user with { Id = Ids.New() }));
            Assert.Equal("user.name.duplicate", dup.Code);
        }
        await using (var s = await store.BeginAsync(org, "web:yamada"))
        {
            Assert.Equal(1, (await s.RecordFailedLoginAsync(user.Id, 2, TimeSpan.FromMinutes(15))).FailedLogins);
            var locked = await s.RecordFailedLoginAsync(user.Id, 2, TimeSpan.FromMinutes(15));
            Assert.Equal(time.GetUtcNow().AddMinutes(15), locked.LockedUntil);
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "api"))
        {
            var found = await s.UseApiTokenAsync(new string('a', 64));
            Assert.Equal(("script", "yamada", ConsoleRole.ReadOnly), (found!.Value.Token.Name, found.Value.User.Name, found.Value.User.Role));
            Assert.Null(await s.UseApiTokenAsync(new string('b', 64)));
            await s.RecordLoginAsync(user.Id);
            await s.CommitAsync();
        }
        await using (var s = await store.BeginAsync(org, "test"))
        {
            var back = (await s.FindUserAsync("yamada"))!;
            Assert.Null(back.LockedUntil);
            Assert.Equal(0, back.FailedLogins);
            Assert.Equal(time.GetUtcNow(), back.LastLogin);
            var events = (await s.QueryAuditAsync()).Select(a => (a.EventType, a.Actor)).ToList();
            Assert.Contains((ConsoleAuditEvents.UserCreated, "cli:root"), events);
            Assert.Contains((ConsoleAuditEvents.TokenCreated, "cli:root"), events);
            Assert.Contains((ConsoleAuditEvents.UserLocked, "web:yamada"), events);
            Assert.Contains((ConsoleAuditEvents.UserSignedIn, "api"), events);
        }
    }
}
