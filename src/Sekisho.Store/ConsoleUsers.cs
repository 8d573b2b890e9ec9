using Microsoft.EntityFrameworkCore;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Serialization;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>What a console user may do: change everything, or only look.</summary>
public enum ConsoleRole
{
    Administrator,
    ReadOnly,
}

/// <summary>A person who signs in to the console (管理者). The password is only ever stored as a hash.</summary>
public sealed record ConsoleUser
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required ConsoleRole Role { get; init; }
    /// <summary>A self-describing hash (algorithm, iterations, salt, hash); see Sekisho.Web.Access.PasswordHashing.</summary>
    public required string PasswordHash { get; init; }
    /// <summary>Base32 TOTP secret when two-step sign-in is on.</summary>
    public string? TotpSecret { get; init; }
    public int FailedLogins { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public required DateTimeOffset Created { get; init; }
    public DateTimeOffset? LastLogin { get; init; }
}

/// <summary>A token for the REST API, owned by a user and acting with the user's role. Only its SHA-256 is stored.</summary>
public sealed record ApiToken(string Id, string UserId, string Name, DateTimeOffset Created, DateTimeOffset? LastUsed);

/// <summary>Audit event names of console access (the console's resources label them).</summary>
public static class ConsoleAuditEvents
{
    public const string UserCreated = "user.created";
    public const string UserSignedIn = "user.signed-in";
    public const string UserLocked = "user.locked";
    public const string TokenCreated = "token.created";
    public const string PasswordChanged = "user.password-changed";
    public const string TokenRevoked = "token.revoked";
    public const string UserUnlocked = "user.unlocked";
    public const string UserRemoved = "user.removed";
}

public sealed partial class StoreSession
{
    public Task<int> CountUsersAsync(CancellationToken ct = default) => _db.ConsoleUsers.CountAsync(u => u.OrganizationId == Org, ct);

    public async Task<ConsoleUser?> FindUserAsync(string name, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.AsNoTracking().FirstOrDefaultAsync(u => u.OrganizationId == Org && u.Name == name, ct);
        return row is null ? null : ToModel(row);
    }

    public async Task<ConsoleUser?> GetUserAsync(string id, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.AsNoTracking().FirstOrDefaultAsync(u => u.OrganizationId == Org && u.Id == id, ct);
        return row is null ? null : ToModel(row);
    }

    public async Task AddUserAsync(ConsoleUser user, CancellationToken ct = default)
    {
        if (await _db.ConsoleUsers.AnyAsync(u => u.OrganizationId == Org && u.Name == user.Name, ct))
            throw new StoreException("user.name.duplicate", new LocalizedText($"ユーザ「{user.Name}」は既に存在します。", $"The user '{user.Name}' already exists."));
        _db.ConsoleUsers.Add(new ConsoleUserRow
        {
            Id = user.Id, OrganizationId = Org, Name = user.Name, Role = ModelJson.EnumName(user.Role), PasswordHash = user.PasswordHash,
            TotpSecret = user.TotpSecret, CreatedUtc = user.Created.UtcDateTime,
        });
        await AuditAsync(ConsoleAuditEvents.UserCreated, user.Name,
            [new("name", user.Name, null), new("role", ModelJson.EnumName(user.Role), null), new("totp", user.TotpSecret is null ? "off" : "on", null)], [], ct);
    }

    /// <summary>Counts a failed sign-in; at <paramref name="maxFailures"/> the user is locked out for <paramref name="lockFor"/> (audited).</summary>
    public async Task<ConsoleUser> RecordFailedLoginAsync(string userId, int maxFailures, TimeSpan lockFor, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.FirstAsync(u => u.OrganizationId == Org && u.Id == userId, ct);
        row.FailedLogins++;
        if (row.FailedLogins >= maxFailures)
        {
            row.FailedLogins = 0;
            row.LockedUntilUtc = (Now + lockFor).UtcDateTime;
            await AuditAsync(ConsoleAuditEvents.UserLocked, row.Name, [new("locked-until", row.LockedUntilUtc.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), null)], [], ct);
        }
        await _db.SaveChangesAsync(ct);
        return ToModel(row);
    }

    /// <summary>Clears the failure count and records the sign-in (audited).</summary>
    public async Task RecordLoginAsync(string userId, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.FirstAsync(u => u.OrganizationId == Org && u.Id == userId, ct);
        row.FailedLogins = 0;
        row.LockedUntilUtc = null;
        row.LastLoginUtc = Now.UtcDateTime;
        await AuditAsync(ConsoleAuditEvents.UserSignedIn, row.Name, [], [], ct);
    }

    /// <summary>Replaces a user's password hash (audited without the hash).</summary>
    public async Task ChangePasswordAsync(string userId, string passwordHash, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.FirstAsync(u => u.OrganizationId == Org && u.Id == userId, ct);
        row.PasswordHash = passwordHash;
        await AuditAsync(ConsoleAuditEvents.PasswordChanged, row.Name, [], [], ct);
    }

    /// <summary>Stores a new token by the SHA-256 of its secret (audited; the secret itself is never stored).</summary>
    public async Task<ApiToken> AddApiTokenAsync(ConsoleUser user, string name, string tokenSha256, CancellationToken ct = default)
    {
        var row = new ApiTokenRow { Id = Ids.New(), OrganizationId = Org, UserId = user.Id, Name = name, TokenSha256 = tokenSha256, CreatedUtc = Now.UtcDateTime };
        _db.ApiTokens.Add(row);
        await AuditAsync(ConsoleAuditEvents.TokenCreated, user.Name, [new("token", name, null), new("role", ModelJson.EnumName(user.Role), null)], [], ct);
        return new ApiToken(row.Id, row.UserId, row.Name, Now, null);
    }

    /// <summary>Deletes a user's tokens of this name (audited); returns how many there were.</summary>
    public async Task<int> RevokeApiTokensAsync(ConsoleUser user, string name, CancellationToken ct = default)
    {
        var rows = await _db.ApiTokens.Where(t => t.OrganizationId == Org && t.UserId == user.Id && t.Name == name).ToListAsync(ct);
        if (rows.Count == 0) return 0;
        _db.ApiTokens.RemoveRange(rows);
        await AuditAsync(ConsoleAuditEvents.TokenRevoked, user.Name, [new("token", null, name)], [], ct);
        return rows.Count;
    }

    /// <summary>The token with this SHA-256 and its user, or null (reads only).</summary>
    public async Task<(ApiToken Token, ConsoleUser User)?> FindApiTokenAsync(string tokenSha256, CancellationToken ct = default)
    {
        var row = await _db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.OrganizationId == Org && t.TokenSha256 == tokenSha256, ct);
        if (row is null) return null;
        var user = await _db.ConsoleUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == row.UserId, ct);
        if (user is null) return null;
        return (new ApiToken(row.Id, row.UserId, row.Name, new DateTimeOffset(row.CreatedUtc, TimeSpan.Zero),
            row.LastUsedUtc is null ? null : new DateTimeOffset(row.LastUsedUtc.Value, TimeSpan.Zero)), ToModel(user));
    }

    /// <summary>The token with this SHA-256 and its user, or null; records its use.</summary>
    public async Task<(ApiToken Token, ConsoleUser User)?> UseApiTokenAsync(string tokenSha256, CancellationToken ct = default)
    {
        var row = await _db.ApiTokens.FirstOrDefaultAsync(t => t.OrganizationId == Org && t.TokenSha256 == tokenSha256, ct);
        if (row is null) return null;
        var user = await _db.ConsoleUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == row.UserId, ct);
        if (user is null) return null;
        row.LastUsedUtc = Now.UtcDateTime;
        await _db.SaveChangesAsync(ct);
        return (new ApiToken(row.Id, row.UserId, row.Name, new DateTimeOffset(row.CreatedUtc, TimeSpan.Zero), Now), ToModel(user));
    }

    /// <summary>Every console user of the organization, by name.</summary>
    public async Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken ct = default) =>
        (await _db.ConsoleUsers.AsNoTracking().Where(u => u.OrganizationId == Org).OrderBy(u => u.Name).ToListAsync(ct)).Select(ToModel).ToList();

    /// <summary>The API tokens of the organization (names and times; the secrets are never stored), by user and name.</summary>
    public async Task<IReadOnlyList<ApiToken>> ListApiTokensAsync(CancellationToken ct = default) =>
        (await _db.ApiTokens.AsNoTracking().Where(t => t.OrganizationId == Org).OrderBy(t => t.UserId).ThenBy(t => t.Name).ToListAsync(ct))
        .Select(t => new ApiToken(t.Id, t.UserId, t.Name, new DateTimeOffset(t.CreatedUtc, TimeSpan.Zero),
            t.LastUsedUtc is null ? null : new DateTimeOffset(t.LastUsedUtc.Value, TimeSpan.Zero))).ToList();

    /// <summary>Lifts a lock-out and clears the failure count (audited).</summary>
    public async Task UnlockUserAsync(string userId, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.FirstAsync(u => u.OrganizationId == Org && u.Id == userId, ct);
        var before = row.LockedUntilUtc;
        row.FailedLogins = 0;
        row.LockedUntilUtc = null;
        await AuditAsync(ConsoleAuditEvents.UserUnlocked, row.Name,
            [new("locked-until", null, before?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))], [], ct);
    }

    /// <summary>Removes a user and the user's API tokens (audited).</summary>
    public async Task RemoveUserAsync(string userId, CancellationToken ct = default)
    {
        var row = await _db.ConsoleUsers.FirstAsync(u => u.OrganizationId == Org && u.Id == userId, ct);
        var tokens = await _db.ApiTokens.Where(t => t.OrganizationId == Org && t.UserId == userId).ToListAsync(ct);
        _db.ApiTokens.RemoveRange(tokens);
        _db.ConsoleUsers.Remove(row);
        await AuditAsync(ConsoleAuditEvents.UserRemoved, row.Name,
            [new("name", null, row.Name), new("role", null, row.Role), new("tokens", null, string.Join(", ", tokens.Select(t => t.Name)))], [], ct);
    }

    private static ConsoleUser ToModel(ConsoleUserRow r) => new()
    {
        Id = r.Id, Name = r.Name, Role = ModelJson.TryParseEnum<ConsoleRole>(r.Role, out var role) ? role : ConsoleRole.ReadOnly,
        PasswordHash = r.PasswordHash, TotpSecret = r.TotpSecret, FailedLogins = r.FailedLogins,
        LockedUntil = r.LockedUntilUtc is null ? null : new DateTimeOffset(r.LockedUntilUtc.Value, TimeSpan.Zero),
        Created = new DateTimeOffset(r.CreatedUtc, TimeSpan.Zero), LastLogin = r.LastLoginUtc is null ? null : new DateTimeOffset(r.LastLoginUtc.Value, TimeSpan.Zero),
    };
}
