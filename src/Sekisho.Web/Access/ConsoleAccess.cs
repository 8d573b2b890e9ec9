using OtpNet;
using Sekisho.Model;
using Sekisho.Store;
using Sekisho.Web.Services;

namespace Sekisho.Web.Access;

/// <summary>How a sign-in attempt ended.</summary>
public enum SignInOutcome
{
    Succeeded,
    /// <summary>Unknown user, wrong password or wrong code (one answer for all, so names cannot be probed).</summary>
    Invalid,
    LockedOut,
}

/// <summary>The result of a sign-in attempt.</summary>
public sealed record SignInResult(SignInOutcome Outcome, ConsoleUser? User = null, DateTimeOffset? LockedUntil = null);

/// <summary>Console users: creation (first administrator, <c>sekisho admin create</c>), sign-in with lock-out and TOTP, API tokens.</summary>
public sealed class ConsoleAccess(ConsoleContext console)
{
    public static readonly System.Text.RegularExpressions.Regex UserName = new("^[A-Za-z0-9._@-]{1,64}$", System.Text.RegularExpressions.RegexOptions.NonBacktracking);

    /// <summary>Creates a user; the password must be at least <see cref="PasswordHashing.MinimumLength"/> characters. Returns the TOTP secret when asked for one.</summary>
    public async Task<ConsoleUser> CreateUserAsync(string name, string password, ConsoleRole role, bool withTotp, string actor, CancellationToken ct, int iterations = PasswordHashing.Iterations)
    {
        if (!UserName.IsMatch(name))
            throw new ConsoleProblem("user.name.invalid", new LocalizedText($"ユーザ名「{name}」は使えません。英数字と . _ @ - で 64 文字以内にしてください。", $"The user name '{name}' is not allowed: use letters, digits and . _ @ - (at most 64)."));
        if (PasswordHashing.TooShort(password) is { } tooShort) throw tooShort;
        var user = new ConsoleUser
        {
            Id = Ids.New(), Name = name, Role = role, PasswordHash = PasswordHashing.Hash(password, iterations),
            TotpSecret = withTotp ? Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)) : null, Created = console.Time.GetUtcNow(),
        };
        await using var s = await console.BeginAsync(actor, ct);
        try { await s.AddUserAsync(user, ct); }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
        return user;
    }

    /// <summary>Creates the first administrator with a random password when the organization has no user yet; returns the password, or null.</summary>
    public async Task<string?> EnsureFirstAdministratorAsync(string name, string actor, CancellationToken ct)
    {
        await using (var s = await console.BeginAsync(actor, ct))
            if (await s.CountUsersAsync(ct) > 0) return null;
        var password = PasswordHashing.RandomPassword();
        await CreateUserAsync(name, password, ConsoleRole.Administrator, false, actor, ct);
        return password;
    }

    public async Task<SignInResult> SignInAsync(string name, string password, string? code, CancellationToken ct)
    {
        await using var s = await console.BeginAsync("web:" + name, ct);
        var user = UserName.IsMatch(name) ? await s.FindUserAsync(name, ct) : null;
        if (user is null)
        {
            // Same work as for a real user, so timing does not reveal which names exist.
            PasswordHashing.Decoy(password);
            return new(SignInOutcome.Invalid);
        }
        var now = console.Time.GetUtcNow();
        if (user.LockedUntil is { } until && until > now) return new(SignInOutcome.LockedOut, null, until);
        bool ok = PasswordHashing.Verify(password, user.PasswordHash) && (user.TotpSecret is null || VerifyCode(user.TotpSecret, code, now));
        if (!ok)
        {
            var after = await s.RecordFailedLoginAsync(user.Id, console.Options.LockoutFailures, console.Options.LockoutDuration, ct);
            await s.CommitAsync(ct);
            return after.LockedUntil is { } locked && locked > now ? new(SignInOutcome.LockedOut, null, locked) : new(SignInOutcome.Invalid);
        }
        await s.RecordLoginAsync(user.Id, ct);
        await s.CommitAsync(ct);
        return new(SignInOutcome.Succeeded, user);
    }

    /// <summary>Changes a user's own password after checking the current one.</summary>
    public async Task ChangePasswordAsync(string userName, string current, string replacement, CancellationToken ct, int iterations = PasswordHashing.Iterations)
    {
        if (PasswordHashing.TooShort(replacement) is { } tooShort) throw tooShort;
        await using var s = await console.BeginAsync("web:" + userName, ct);
        var user = await s.FindUserAsync(userName, ct);
        if (user is null || !PasswordHashing.Verify(current, user.PasswordHash))
            throw new ConsoleProblem("user.password.wrong", new LocalizedText("現在のパスワードが正しくありません。", "The current password is not correct."), 403);
        await s.ChangePasswordAsync(user.Id, PasswordHashing.Hash(replacement, iterations), ct);
        await s.CommitAsync(ct);
    }

    /// <summary>Creates an API token for a user; the secret is returned once and never stored.</summary>
    public async Task<string> CreateTokenAsync(string userName, string tokenName, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var user = await s.FindUserAsync(userName, ct)
                   ?? throw new ConsoleProblem("user.not-found", new LocalizedText($"ユーザ「{userName}」が見つかりません。", $"The user '{userName}' does not exist."), 404);
        var secret = ApiTokens.NewSecret();
        await s.AddApiTokenAsync(user, tokenName, ApiTokens.Sha256(secret), ct);
        await s.CommitAsync(ct);
        return secret;
    }

    /// <summary>Revokes a user's tokens of this name; a ConsoleProblem (404) when there is none.</summary>
    public async Task RevokeTokenAsync(string userName, string tokenName, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var user = await s.FindUserAsync(userName, ct)
                   ?? throw new ConsoleProblem("user.not-found", new LocalizedText($"ユーザ「{userName}」が見つかりません。", $"The user '{userName}' does not exist."), 404);
        if (await s.RevokeApiTokensAsync(user, tokenName, ct) == 0)
            throw new ConsoleProblem("token.not-found", new LocalizedText($"ユーザ「{userName}」にトークン「{tokenName}」はありません。", $"The user '{userName}' has no token named '{tokenName}'."), 404);
        await s.CommitAsync(ct);
    }

    /// <summary>The console users and their API tokens (the 管理者 / Users screen).</summary>
    public async Task<(IReadOnlyList<ConsoleUser> Users, IReadOnlyList<ApiToken> Tokens)> ListAsync(string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return (await s.ListUsersAsync(ct), await s.ListApiTokensAsync(ct));
    }

    /// <summary>Lifts a user's lock-out before it expires.</summary>
    public async Task UnlockAsync(string userName, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var user = await FindAsync(s, userName, ct);
        await s.UnlockUserAsync(user.Id, ct);
        await s.CommitAsync(ct);
    }

    /// <summary>Removes a user with the user's tokens; never the acting user, never the last administrator.</summary>
    public async Task RemoveAsync(string userName, string actingUser, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var user = await FindAsync(s, userName, ct);
        if (user.Name == actingUser)
            throw new ConsoleProblem("user.remove.self", new LocalizedText("自分自身は削除できません。", "You cannot remove yourself."), 409);
        if (user.Role == ConsoleRole.Administrator && (await s.ListUsersAsync(ct)).Count(u => u.Role == ConsoleRole.Administrator) == 1)
            throw new ConsoleProblem("user.remove.last-administrator", new LocalizedText("最後の管理者は削除できません。", "The last administrator cannot be removed."), 409);
        await s.RemoveUserAsync(user.Id, ct);
        await s.CommitAsync(ct);
    }

    private static async Task<ConsoleUser> FindAsync(StoreSession s, string userName, CancellationToken ct) =>
        await s.FindUserAsync(userName, ct)
        ?? throw new ConsoleProblem("user.not-found", new LocalizedText($"ユーザ「{userName}」が見つかりません。", $"The user '{userName}' does not exist."), 404);

    /// <summary>The otpauth URI an authenticator app scans.</summary>
    public static string TotpUri(ConsoleUser user, string issuer = "Sekisho") =>
        new OtpUri(OtpType.Totp, user.TotpSecret!, user.Name, issuer).ToString();

    private static bool VerifyCode(string secret, string? code, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(code)) return false;
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        return totp.VerifyTotp(now.UtcDateTime, code.Trim(), out _, new VerificationWindow(1, 1));
    }
}
