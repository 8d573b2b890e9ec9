using Microsoft.EntityFrameworkCore;
using Sekisho.Model;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>A person who signs in to the end-user quarantine (エンドユーザーコンソール) with the address their mail is quarantined for.</summary>
public sealed record EndUser
{
    public required string Id { get; init; }
    /// <summary>The mail address, lower case.</summary>
    public required string Address { get; init; }
    /// <summary>A self-describing password hash (see Sekisho.Web.Access.PasswordHashing); null when the user signs in only with digest links.</summary>
    public string? PasswordHash { get; init; }
    public int FailedLogins { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public required DateTimeOffset Created { get; init; }
    public DateTimeOffset? LastLogin { get; init; }
}

/// <summary>Audit event names of the end-user quarantine.</summary>
public static class EndUserAuditEvents
{
    public const string Created = "enduser.created";
    public const string Removed = "enduser.removed";
    public const string SignedIn = "enduser.signed-in";
    public const string Locked = "enduser.locked";
    public const string DigestSent = "enduser.digest-sent";
}

public sealed partial class StoreSession
{
    public async Task<IReadOnlyList<EndUser>> ListEndUsersAsync(CancellationToken ct = default) =>
        (await _db.Set<EndUserRow>().AsNoTracking().Where(u => u.OrganizationId == Org).OrderBy(u => u.Address).ToListAsync(ct)).Select(ToModel).ToList();

    public async Task<EndUser?> FindEndUserAsync(string address, CancellationToken ct = default)
    {
        var a = address.Trim().ToLowerInvariant();
        var row = await _db.Set<EndUserRow>().AsNoTracking().FirstOrDefaultAsync(u => u.OrganizationId == Org && u.Address == a, ct);
        return row is null ? null : ToModel(row);
    }

    /// <summary>Adds an account (audited without the hash); a StoreException when the address already has one.</summary>
    public async Task AddEndUserAsync(EndUser user, CancellationToken ct = default)
    {
        var a = user.Address.ToLowerInvariant();
        if (await _db.Set<EndUserRow>().AnyAsync(u => u.OrganizationId == Org && u.Address == a, ct))
            throw new StoreException("enduser.duplicate", new LocalizedText($"エンドユーザ「{a}」は既に存在します。", $"The end user '{a}' already exists."));
        _db.Set<EndUserRow>().Add(new EndUserRow { Id = user.Id, OrganizationId = Org, Address = a, PasswordHash = user.PasswordHash, CreatedUtc = user.Created.UtcDateTime });
        await AuditAsync(EndUserAuditEvents.Created, a, [new("address", a, null), new("password", user.PasswordHash is null ? "none" : "set", null)], DomainOf(a), ct);
    }

    /// <summary>Removes an account (audited); false when there is none.</summary>
    public async Task<bool> RemoveEndUserAsync(string address, CancellationToken ct = default)
    {
        var a = address.Trim().ToLowerInvariant();
        var row = await _db.Set<EndUserRow>().FirstOrDefaultAsync(u => u.OrganizationId == Org && u.Address == a, ct);
        if (row is null) return false;
        _db.Set<EndUserRow>().Remove(row);
        await AuditAsync(EndUserAuditEvents.Removed, a, [new("address", null, a)], DomainOf(a), ct);
        return true;
    }

    /// <summary>Counts a failed sign-in; at <paramref name="maxFailures"/> the account is locked for <paramref name="lockFor"/> (audited).</summary>
    public async Task<EndUser> RecordEndUserFailedLoginAsync(string id, int maxFailures, TimeSpan lockFor, CancellationToken ct = default)
    {
        var row = await _db.Set<EndUserRow>().FirstAsync(u => u.OrganizationId == Org && u.Id == id, ct);
        row.FailedLogins++;
        if (row.FailedLogins >= maxFailures)
        {
            row.FailedLogins = 0;
            row.LockedUntilUtc = (Now + lockFor).UtcDateTime;
            await AuditAsync(EndUserAuditEvents.Locked, row.Address, [new("locked-until", row.LockedUntilUtc.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), null)], DomainOf(row.Address), ct);
        }
        await _db.SaveChangesAsync(ct);
        return ToModel(row);
    }

    /// <summary>Clears the failure count and records the sign-in (audited with how: <c>password</c> or <c>link</c>).</summary>
    public async Task RecordEndUserLoginAsync(string address, string method, CancellationToken ct = default)
    {
        var a = address.ToLowerInvariant();
        var row = await _db.Set<EndUserRow>().FirstOrDefaultAsync(u => u.OrganizationId == Org && u.Address == a, ct);
        if (row is not null)
        {
            row.FailedLogins = 0;
            row.LockedUntilUtc = null;
            row.LastLoginUtc = Now.UtcDateTime;
        }
        await AuditAsync(EndUserAuditEvents.SignedIn, a, [new("method", method, null)], DomainOf(a), ct);
    }

    /// <summary>Marks a single-use link as used; false when it was used before. Forgets used links that have expired anyway.</summary>
    public async Task<bool> UseLinkOnceAsync(string nonce, DateTimeOffset expires, CancellationToken ct = default)
    {
        var now = Now.UtcDateTime;
        await _db.Set<EndUserUsedLinkRow>().Where(x => x.ExpiresUtc < now).ExecuteDeleteAsync(ct);
        if (await _db.Set<EndUserUsedLinkRow>().AnyAsync(x => x.Nonce == nonce, ct)) return false;
        _db.Set<EndUserUsedLinkRow>().Add(new EndUserUsedLinkRow { Nonce = nonce, OrganizationId = Org, UsedUtc = now, ExpiresUtc = expires.UtcDateTime });
        await _db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>When each recipient last got a digest.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> DigestTimesAsync(CancellationToken ct = default) =>
        (await _db.Set<EndUserDigestRow>().AsNoTracking().Where(x => x.OrganizationId == Org).ToListAsync(ct))
            .ToDictionary(x => x.Recipient, x => new DateTimeOffset(x.LastSentUtc, TimeSpan.Zero), StringComparer.Ordinal);

    /// <summary>Records that <paramref name="recipient"/> got a digest listing <paramref name="count"/> messages up to <paramref name="upTo"/> (audited).</summary>
    public async Task RecordDigestAsync(string recipient, DateTimeOffset upTo, int count, CancellationToken ct = default)
    {
        var r = recipient.ToLowerInvariant();
        var row = await _db.Set<EndUserDigestRow>().FirstOrDefaultAsync(x => x.OrganizationId == Org && x.Recipient == r, ct);
        if (row is null) _db.Set<EndUserDigestRow>().Add(new EndUserDigestRow { OrganizationId = Org, Recipient = r, LastSentUtc = upTo.UtcDateTime });
        else row.LastSentUtc = upTo.UtcDateTime;
        await AuditAsync(EndUserAuditEvents.DigestSent, r, [new("messages", count.ToString(System.Globalization.CultureInfo.InvariantCulture), null)], DomainOf(r), ct);
    }

    private static IReadOnlyList<string> DomainOf(string address) => Model.Addresses.DomainNames.DomainOf(address) is { } d ? [d] : [];

    private static EndUser ToModel(EndUserRow r) => new()
    {
        Id = r.Id, Address = r.Address, PasswordHash = r.PasswordHash, FailedLogins = r.FailedLogins,
        LockedUntil = r.LockedUntilUtc is null ? null : new DateTimeOffset(r.LockedUntilUtc.Value, TimeSpan.Zero),
        Created = new DateTimeOffset(r.CreatedUtc, TimeSpan.Zero), LastLogin = r.LastLoginUtc is null ? null : new DateTimeOffset(r.LastLoginUtc.Value, TimeSpan.Zero),
    };
}
