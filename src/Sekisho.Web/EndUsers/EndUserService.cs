using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Store;
using Sekisho.Web.Access;
using Sekisho.Web.Services;

namespace Sekisho.Web.EndUsers;

/// <summary>Why a message is in quarantine, in words an end user understands (no rule internals, no trace).</summary>
public enum EndUserReason
{
    Spam,
    Virus,
    Content,
    DataLoss,
    Authentication,
    ScanException,
    BlockedSender,
    Other,
}

/// <summary>One quarantined message as its recipient sees it.</summary>
public sealed record EndUserMessage(QuarantinedMessage Message, EndUserReason Reason, bool Releasable);

/// <summary>An approved or blocked sender of one end user.</summary>
public sealed record EndUserSender(SenderListKind List, string Sender);

/// <summary>
/// The end-user quarantine (エンドユーザーコンソール): local accounts with lock-out, each user's own inbound quarantine (only mail
/// addressed to them), release and delete through the console's release path, and their approved and blocked senders — kept in the
/// organization's sender filter with scope <see cref="SenderListScope.Recipient"/> and source <see cref="SenderListSource.EndUser"/>,
/// where the policy engine applies them.
/// </summary>
public sealed class EndUserService(ConsoleContext console, QuarantineService quarantine)
{
    /// <summary>Most approved plus blocked senders one end user may keep.</summary>
    public const int MaxSendersPerUser = 500;

    private readonly QuarantineStore _store = new(console.Store, console.Organization);

    /// <summary>The audit actor of an end user: <c>enduser:ADDRESS</c> (signed in) or <c>enduser-link:ADDRESS</c> (a digest link).</summary>
    public static string Actor(string address, bool viaLink = false) => (viaLink ? "enduser-link:" : "enduser:") + address;

    /// <summary>The address in canonical form (lower case), or a 400 problem.</summary>
    public static string Normalize(string? address)
    {
        var a = (address ?? "").Trim().ToLowerInvariant();
        if (a.Length is 0 or > 254 || a.LastIndexOf('@') is var at && at <= 0 || !DomainNames.TryNormalize(a[(at + 1)..], out _) || a.Any(c => c <= ' ' || c is '<' or '>' or '"' or ','))
            throw new ConsoleProblem("enduser.address.invalid", new LocalizedText($"メールアドレス「{address}」は使えません。", $"'{address}' is not a mail address."));
        return a;
    }

    // ---------------------------------------------------------------- accounts

    public async Task<EndUser> CreateAsync(string address, string? password, string actor, CancellationToken ct, int iterations = PasswordHashing.Iterations)
    {
        var a = Normalize(address);
        if (password is not null && PasswordHashing.TooShort(password) is { } tooShort) throw tooShort;
        var user = new EndUser { Id = Ids.New(), Address = a, PasswordHash = password is null ? null : PasswordHashing.Hash(password, iterations), Created = console.Time.GetUtcNow() };
        await using var s = await console.BeginAsync(actor, ct);
        try { await s.AddEndUserAsync(user, ct); }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
        return user;
    }

    public async Task RemoveAsync(string address, string actor, CancellationToken ct)
    {
        var a = Normalize(address);
        await using var s = await console.BeginAsync(actor, ct);
        if (!await s.RemoveEndUserAsync(a, ct)) throw NotFoundUser(a);
        await s.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<EndUser>> ListAsync(string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return await s.ListEndUsersAsync(ct);
    }

    /// <summary>Password sign-in with the console's lock-out; one answer for unknown addresses and wrong passwords.</summary>
    public async Task<SignInResult> SignInAsync(string address, string password, CancellationToken ct)
    {
        var a = (address ?? "").Trim().ToLowerInvariant();
        await using var s = await console.BeginAsync(Actor(a), ct);
        var user = a.Length is > 0 and <= 254 ? await s.FindEndUserAsync(a, ct) : null;
        if (user?.PasswordHash is null)
        {
            PasswordHashing.Decoy(password);
            return new(SignInOutcome.Invalid);
        }
        var now = console.Time.GetUtcNow();
        if (user.LockedUntil is { } until && until > now) return new(SignInOutcome.LockedOut, null, until);
        if (!PasswordHashing.Verify(password, user.PasswordHash))
        {
            var after = await s.RecordEndUserFailedLoginAsync(user.Id, console.Options.LockoutFailures, console.Options.LockoutDuration, ct);
            await s.CommitAsync(ct);
            return after.LockedUntil is { } locked && locked > now ? new(SignInOutcome.LockedOut, null, locked) : new(SignInOutcome.Invalid);
        }
        await s.RecordEndUserLoginAsync(a, "password", ct);
        await s.CommitAsync(ct);
        return new(SignInOutcome.Succeeded);
    }

    /// <summary>Records a sign-in through a verified digest link (the link is bound to the address).</summary>
    public async Task SignInByLinkAsync(string address, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(Actor(address, true), ct);
        await s.RecordEndUserLoginAsync(address, "link", ct);
        await s.CommitAsync(ct);
    }

    // ---------------------------------------------------------------- quarantine

    /// <summary>The user's inbound quarantined messages, newest first.</summary>
    public async Task<IReadOnlyList<EndUserMessage>> MessagesAsync(string address, CancellationToken ct)
    {
        var list = (await _store.QueryAsync(new QuarantineQuery { Recipient = address, Limit = 1000 }, ct)).Where(m => m.Direction == Direction.Inbound).ToList();
        var (settings, types) = await RuleTypesAsync(list.Select(m => m.RuleId), ct);
        return list.Select(m => Describe(m, settings, types)).ToList();
    }

    /// <summary>One of the user's messages; 404 for any other (another recipient's message looks exactly like a missing one).</summary>
    public async Task<EndUserMessage> GetAsync(string address, string id, CancellationToken ct)
    {
        var m = string.IsNullOrWhiteSpace(id) ? null : await _store.FindAsync(id.Trim(), ct);
        if (m is null || m.Id != id.Trim() || m.Direction != Direction.Inbound || !string.Equals(m.Recipient, address, StringComparison.OrdinalIgnoreCase))
            throw NotFound(id);
        var (settings, types) = await RuleTypesAsync([m.RuleId], ct);
        return Describe(m, settings, types);
    }

    /// <summary>Releases one of the user's messages through the console's release path (the remaining rules decide); 403 when its reason does not allow it.</summary>
    public async Task<QuarantineReleaseResult> ReleaseAsync(string address, string id, string actor, CancellationToken ct)
    {
        var m = await GetAsync(address, id, ct);
        if (!m.Releasable) RefuseRelease();
        return await quarantine.ReleaseAsync(m.Message.Id, actor, ct);
    }

    /// <summary>Throws the 403 problem for a message whose reason end users may not release.</summary>
    public static void RefuseRelease() => throw new ConsoleProblem("enduser.release.not-allowed", new LocalizedText(
        "このメッセージは安全上の理由により配信できません。管理者にお問い合わせください。",
        "This message cannot be released for safety reasons. Please ask your administrator."), 403);

    public async Task DeleteAsync(string address, string id, string actor, CancellationToken ct)
    {
        var m = await GetAsync(address, id, ct);
        await quarantine.DeleteAsync(m.Message.Id, actor, ct);
    }

    private async Task<(EndUserQuarantineSettings Settings, IReadOnlyDictionary<string, RuleType> Types)> RuleTypesAsync(IEnumerable<string> ruleIds, CancellationToken ct)
    {
        await using var s = await console.ReadAsync("enduser", ct);
        var settings = (await s.GetSettingsAsync(ct)).EndUserQuarantine;
        var types = new Dictionary<string, RuleType>(StringComparer.Ordinal);
        foreach (var id in ruleIds.Distinct())
            if (await s.GetRuleAsync(id, ct) is { } rule) types[id] = rule.Type;
        return (settings, types);
    }

    private static EndUserMessage Describe(QuarantinedMessage m, EndUserQuarantineSettings settings, IReadOnlyDictionary<string, RuleType> types)
    {
        RuleType? type = types.TryGetValue(m.RuleId, out var t) ? t : null;
        var reason = type switch
        {
            RuleType.Spam => EndUserReason.Spam,
            RuleType.Virus => EndUserReason.Virus,
            RuleType.Content => EndUserReason.Content,
            RuleType.Dlp => EndUserReason.DataLoss,
            _ when m.RuleId.StartsWith("authentication:", StringComparison.Ordinal) => EndUserReason.Authentication,
            _ when m.RuleId.StartsWith("scan-exception:", StringComparison.Ordinal) => EndUserReason.ScanException,
            _ when m.RuleId.StartsWith("sender-filter", StringComparison.Ordinal) => EndUserReason.BlockedSender,
            _ => EndUserReason.Other,
        };
        return new(m, reason, type is { } rt && settings.ReleasableRuleTypes.Contains(rt));
    }

    // ---------------------------------------------------------------- approved and blocked senders

    public async Task<IReadOnlyList<EndUserSender>> SendersAsync(string address, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(Actor(address), ct);
        return Own((await s.GetSettingsAsync(ct)).SenderFilter, address).Select(e => new EndUserSender(e.List, e.Sender.ToString())).ToList();
    }

    /// <summary>Adds a sender (address or <c>*@domain</c>) to the user's approved or blocked list; it leaves the other list. Audited as a settings change.</summary>
    public async Task AddSenderAsync(string address, SenderListKind list, string? sender, string actor, CancellationToken ct)
    {
        if (!AddressPattern.TryParse(sender, out var pattern, out _) || pattern!.DomainMatch == DomainMatch.Any)
            throw new ConsoleProblem("enduser.sender.invalid", new LocalizedText(
                $"送信者「{sender}」は使えません。user@example.com または *@example.com の形で入力してください。",
                $"'{sender}' cannot be used as a sender: write user@example.com or *@example.com."));
        await ChangeSendersAsync(address, actor, ct, entries =>
        {
            var others = entries.Where(e => !(IsOwn(e, address) && e.Sender.ToString() == pattern.ToString())).ToList();
            if (others.Count(e => IsOwn(e, address)) >= MaxSendersPerUser)
                throw new ConsoleProblem("enduser.sender.too-many", new LocalizedText($"送信者は {MaxSendersPerUser} 件まで登録できます。", $"At most {MaxSendersPerUser} senders can be kept."));
            others.Add(new SenderListEntry(list, SenderListScope.Recipient, address, pattern, SenderListSource.EndUser));
            return others;
        });
    }

    /// <summary>Removes a sender from the user's approved or blocked list; 404 when it is not there.</summary>
    public async Task RemoveSenderAsync(string address, SenderListKind list, string? sender, string actor, CancellationToken ct)
    {
        await ChangeSendersAsync(address, actor, ct, entries =>
        {
            var kept = entries.Where(e => !(IsOwn(e, address) && e.List == list && string.Equals(e.Sender.ToString(), sender?.Trim(), StringComparison.OrdinalIgnoreCase))).ToList();
            if (kept.Count == entries.Count)
                throw new ConsoleProblem("enduser.sender.not-found", new LocalizedText($"送信者「{sender}」は登録されていません。", $"The sender '{sender}' is not on the list."), 404);
            return kept;
        });
    }

    private async Task ChangeSendersAsync(string address, string actor, CancellationToken ct, Func<IReadOnlyList<SenderListEntry>, List<SenderListEntry>> change)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var settings = await s.GetSettingsAsync(ct);
        var entries = change(settings.SenderFilter.Entries);
        await s.SaveSettingsAsync(settings with { SenderFilter = settings.SenderFilter with { Entries = entries } }, ct);
        await s.CommitAsync(ct);
    }

    private static IEnumerable<SenderListEntry> Own(SenderFilter filter, string address) => filter.Entries.Where(e => IsOwn(e, address));

    private static bool IsOwn(SenderListEntry e, string address) =>
        e.Source == SenderListSource.EndUser && e.Scope == SenderListScope.Recipient && string.Equals(e.ScopeValue, address, StringComparison.OrdinalIgnoreCase);

    private static ConsoleProblem NotFound(string id) => QuarantineService.NotFound(id);

    private static ConsoleProblem NotFoundUser(string a) => new("enduser.not-found",
        new LocalizedText($"エンドユーザ「{a}」はありません。", $"There is no end user '{a}'."), 404);
}
