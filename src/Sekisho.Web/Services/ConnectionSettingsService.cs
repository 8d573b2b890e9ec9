using System.Net;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;
using Sekisho.Model.Validation;

namespace Sekisho.Web.Services;

/// <summary>An approved or blocked IP address or CIDR range with a description.</summary>
public sealed record IpEntryDto(string Cidr, string? Description = null);

/// <summary>A DNS blocklist zone, the reputation level from which it rejects (1–4), and the answers that count as listed (empty = any 127.x).</summary>
public sealed record DnsBlocklistDto(string Zone, int MinimumLevel = 1, IReadOnlyList<string>? ReturnCodes = null);

/// <summary>An administrator's approved or blocked sender: <c>list</c> approved|blocked, <c>scope</c> organization|domain|recipient (with <c>scopeValue</c>).</summary>
public sealed record SenderEntryDto(string List, string Sender, string? Scope = null, string? ScopeValue = null);

/// <summary>
/// Connection filtering (接続フィルタ) as the screen and the API see it. In a change, a field left out (null) keeps its value;
/// <see cref="Senders"/> replaces the administrator's sender entries (end users' entries are kept).
/// </summary>
public sealed record ConnectionSettingsDto
{
    public IReadOnlyList<IpEntryDto>? ApprovedIps { get; init; }
    public IReadOnlyList<IpEntryDto>? BlockedIps { get; init; }
    public bool? IpReputationEnabled { get; init; }
    /// <summary>0 (query only) … 4 (most aggressive).</summary>
    public int? IpReputationLevel { get; init; }
    public IReadOnlyList<DnsBlocklistDto>? DnsBlocklists { get; init; }
    public bool? BypassSpamForApprovedIps { get; init; }
    public bool? ValidateRecipients { get; init; }
    /// <summary>Messages per minute per client IP before 4xx; 0 = unlimited.</summary>
    public int? RateLimitPerClientIpPerMinute { get; init; }
    /// <summary>Messages per minute per recipient before 4xx; 0 = unlimited.</summary>
    public int? RateLimitPerRecipientPerMinute { get; init; }
    public IReadOnlyList<SenderEntryDto>? Senders { get; init; }
    public bool? MatchHeaderAddresses { get; init; }
    /// <summary>Read only: how many approved/blocked senders end users added themselves.</summary>
    public int? EndUserSenders { get; init; }

    public static ConnectionSettingsDto From(GatewaySettings s) => new()
    {
        ApprovedIps = s.ConnectionFiltering.ApprovedIps.Select(e => new IpEntryDto(e.Cidr, e.Description)).ToList(),
        BlockedIps = s.ConnectionFiltering.BlockedIps.Select(e => new IpEntryDto(e.Cidr, e.Description)).ToList(),
        IpReputationEnabled = s.ConnectionFiltering.IpReputationEnabled,
        IpReputationLevel = s.ConnectionFiltering.IpReputationLevel,
        DnsBlocklists = s.ConnectionFiltering.DnsBlocklists.Select(b => new DnsBlocklistDto(b.Zone, b.MinimumLevel, b.ReturnCodes ?? [])).ToList(),
        BypassSpamForApprovedIps = s.ConnectionFiltering.BypassSpamForApprovedIps,
        ValidateRecipients = s.ConnectionFiltering.ValidateRecipients,
        RateLimitPerClientIpPerMinute = s.ConnectionFiltering.RateLimitPerClientIpPerMinute,
        RateLimitPerRecipientPerMinute = s.ConnectionFiltering.RateLimitPerRecipientPerMinute,
        Senders = s.SenderFilter.Entries.Where(e => e.Source == SenderListSource.Administrator)
            .Select(e => new SenderEntryDto(ModelJson.EnumName(e.List), e.Sender.ToString(), ModelJson.EnumName(e.Scope), e.ScopeValue)).ToList(),
        MatchHeaderAddresses = s.SenderFilter.MatchHeaderAddresses,
        EndUserSenders = s.SenderFilter.Entries.Count(e => e.Source == SenderListSource.EndUser),
    };
}

/// <summary>
/// The connection filtering screen and API (接続フィルタ): approved and blocked IPs, IP reputation with DNS blocklists by level,
/// approved and blocked senders, recipient validation, rate limits. Everything is checked before anything is saved; a change is
/// audited (<c>settings.updated</c>) and a running gateway picks it up within seconds.
/// </summary>
public sealed class ConnectionSettingsService(ConsoleContext console)
{
    /// <summary>Most entries in one list.</summary>
    public const int MaxEntries = 10_000;
    public const int MaxRateLimit = 1_000_000;

    public Task<GatewaySettings> GetAsync(string actor, CancellationToken ct) => console.ReadSettingsAsync(actor, ct);

    /// <summary>Applies a change; 400 with every problem (in Japanese and English) and no change when any value is wrong.</summary>
    public Task<GatewaySettings> SaveAsync(ConnectionSettingsDto change, string actor, CancellationToken ct) =>
        console.UpdateSettingsAsync(actor, current => Apply(current, change), ct);

    /// <summary>The settings with the change applied; throws a <see cref="ConsoleProblem"/> listing every wrong value.</summary>
    public static GatewaySettings Apply(GatewaySettings current, ConnectionSettingsDto change)
    {
        var problems = new List<LocalizedText>();
        var cf = current.ConnectionFiltering;
        var approved = change.ApprovedIps is null ? cf.ApprovedIps : Ips(change.ApprovedIps, cf.ApprovedIps, problems);
        var blocked = change.BlockedIps is null ? cf.BlockedIps : Ips(change.BlockedIps, cf.BlockedIps, problems);
        var level = change.IpReputationLevel ?? cf.IpReputationLevel;
        if (level is < 0 or > 4)
            problems.Add(new($"IPレピュテーションのレベル {level} は 0〜4 で指定してください。", $"The IP reputation level {level} must be 0 to 4."));
        var lists = change.DnsBlocklists is null ? cf.DnsBlocklists : Blocklists(change.DnsBlocklists, problems);
        var perClient = Rate(change.RateLimitPerClientIpPerMinute ?? cf.RateLimitPerClientIpPerMinute, "クライアントIPごと", "per client IP", problems);
        var perRecipient = Rate(change.RateLimitPerRecipientPerMinute ?? cf.RateLimitPerRecipientPerMinute, "受信者ごと", "per recipient", problems);
        var entries = current.SenderFilter.Entries;
        if (change.Senders is not null)
            entries = [.. entries.Where(e => e.Source != SenderListSource.Administrator), .. Senders(change.Senders, current.SenderFilter.Entries, problems)];
        if (problems.Count > 0)
            throw new ConsoleProblem("settings.connection.invalid", new LocalizedText(
                string.Join(" ", problems.Take(20).Select(p => p.Ja)), string.Join(" ", problems.Take(20).Select(p => p.En))));
        return current with
        {
            ConnectionFiltering = cf with
            {
                ApprovedIps = approved, BlockedIps = blocked, IpReputationEnabled = change.IpReputationEnabled ?? cf.IpReputationEnabled,
                IpReputationLevel = level, DnsBlocklists = lists,
                BypassSpamForApprovedIps = change.BypassSpamForApprovedIps ?? cf.BypassSpamForApprovedIps,
                ValidateRecipients = change.ValidateRecipients ?? cf.ValidateRecipients,
                RateLimitPerClientIpPerMinute = perClient, RateLimitPerRecipientPerMinute = perRecipient,
            },
            SenderFilter = current.SenderFilter with { Entries = entries, MatchHeaderAddresses = change.MatchHeaderAddresses ?? current.SenderFilter.MatchHeaderAddresses },
        };
    }

    private static List<IpListEntry> Ips(IReadOnlyList<IpEntryDto> input, IReadOnlyList<IpListEntry> previous, List<LocalizedText> problems)
    {
        if (input.Count > MaxEntries) problems.Add(TooMany(input.Count));
        var list = new List<IpListEntry>();
        foreach (var e in input.Take(MaxEntries))
        {
            var cidr = (e?.Cidr ?? "").Trim();
            if (!PolicyValidator.IsIpOrCidr(cidr) || (cidr.Contains('/') && !IPNetwork.TryParse(cidr, out _)))
            {
                problems.Add(new($"「{cidr}」は IP アドレスでも CIDR でもありません。", $"'{cidr}' is neither an IP address nor a CIDR range."));
                continue;
            }
            var description = (e!.Description ?? "").Trim();
            if (description.Length > 200) problems.Add(new($"{cidr} の説明が長すぎます (200 文字まで)。", $"The description of {cidr} is too long (200 characters at most)."));
            // An entry that stays keeps where it came from (e.g. migrated from InterScan).
            var provenance = previous.FirstOrDefault(p => p.Cidr == cidr)?.Provenance;
            list.Add(new IpListEntry(cidr, description, provenance));
        }
        return list;
    }

    private static List<DnsBlocklist> Blocklists(IReadOnlyList<DnsBlocklistDto> input, List<LocalizedText> problems)
    {
        if (input.Count > 100) problems.Add(TooMany(input.Count));
        var list = new List<DnsBlocklist>();
        foreach (var b in input.Take(100))
        {
            var zone = (b?.Zone ?? "").Trim();
            if (!DomainNames.TryNormalize(zone, out var normalized))
            {
                problems.Add(new($"DNS ブロックリスト「{zone}」はホスト名ではありません。", $"The DNS blocklist '{zone}' is not a host name."));
                continue;
            }
            if (b!.MinimumLevel is < 1 or > 4)
                problems.Add(new($"DNS ブロックリスト {normalized} のレベル {b.MinimumLevel} は 1〜4 で指定してください。", $"The level {b.MinimumLevel} of the DNS blocklist {normalized} must be 1 to 4."));
            var codes = (b.ReturnCodes ?? []).Select(c => (c ?? "").Trim()).Where(c => c.Length > 0).ToList();
            foreach (var c in codes)
                if (!IPAddress.TryParse(c, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || ip.GetAddressBytes()[0] != 127)
                    problems.Add(new($"DNS ブロックリスト {normalized} の応答コード「{c}」は 127.0.0.0/8 のアドレスではありません。",
                        $"The return code '{c}' of the DNS blocklist {normalized} is not an address in 127.0.0.0/8."));
            list.Add(new DnsBlocklist(normalized, b.MinimumLevel, codes.Count == 0 ? null : codes));
        }
        return list;
    }

    private static int Rate(int value, string ja, string en, List<LocalizedText> problems)
    {
        if (value is < 0 or > MaxRateLimit)
            problems.Add(new($"{ja}の上限 {value} は 0〜{MaxRateLimit:N0} (0 は無制限) で指定してください。",
                $"The limit {en} {value} must be 0 to {MaxRateLimit:N0} (0 = unlimited)."));
        return value;
    }

    private static List<SenderListEntry> Senders(IReadOnlyList<SenderEntryDto> input, IReadOnlyList<SenderListEntry> previous, List<LocalizedText> problems)
    {
        if (input.Count > MaxEntries) problems.Add(TooMany(input.Count));
        var list = new List<SenderListEntry>();
        foreach (var e in input.Take(MaxEntries))
        {
            if (e is null) continue;
            var text = (e.Sender ?? "").Trim();
            if (!ModelJson.TryParseEnum<SenderListKind>(e.List, out var kind))
            {
                problems.Add(new($"送信者リスト「{e.List}」は approved か blocked で指定してください。", $"The sender list '{e.List}' must be approved or blocked."));
                continue;
            }
            if (!AddressPattern.TryParse(text, out var pattern, out _))
            {
                problems.Add(new($"送信者「{text}」はメールアドレスのパターン (user@example.com, *@example.com, *@*.example.com) ではありません。",
                    $"The sender '{text}' is not an address pattern (user@example.com, *@example.com, *@*.example.com)."));
                continue;
            }
            var value = string.IsNullOrWhiteSpace(e.ScopeValue) ? null : e.ScopeValue.Trim();
            SenderListScope scope;
            if (e.Scope is null) scope = value is null ? SenderListScope.Organization : value.Contains('@') ? SenderListScope.Recipient : SenderListScope.Domain;
            else if (!ModelJson.TryParseEnum(e.Scope, out scope))
            {
                problems.Add(new($"適用範囲「{e.Scope}」は organization, domain, recipient のいずれかで指定してください。", $"The scope '{e.Scope}' must be organization, domain or recipient."));
                continue;
            }
            switch (scope)
            {
                case SenderListScope.Organization:
                    value = null;
                    break;
                case SenderListScope.Domain when value is null || !DomainNames.TryNormalize(value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value, out _):
                    problems.Add(new($"送信者 {text} の適用先ドメイン「{value}」はドメイン名ではありません。", $"The domain '{value}' the sender {text} applies to is not a domain name."));
                    continue;
                case SenderListScope.Domain:
                    value = value.ToLowerInvariant();
                    break;
                case SenderListScope.Recipient when value is null || !AddressPattern.TryParse(value, out var r, out _) || !r!.IsSingleAddress:
                    problems.Add(new($"送信者 {text} の適用先受信者「{value}」はメールアドレスではありません。", $"The recipient '{value}' the sender {text} applies to is not an email address."));
                    continue;
            }
            var provenance = previous.FirstOrDefault(p => p.Source == SenderListSource.Administrator && p.List == kind && p.Scope == scope
                && string.Equals(p.ScopeValue, value, StringComparison.OrdinalIgnoreCase) && p.Sender.ToString() == pattern!.ToString())?.Provenance;
            list.Add(new SenderListEntry(kind, scope, value, pattern!, SenderListSource.Administrator, provenance));
        }
        return list;
    }

    private static LocalizedText TooMany(int n) => new($"項目が多すぎます ({n:N0} 件。1 つのリストは {MaxEntries:N0} 件まで)。", $"Too many entries ({n:N0}; at most {MaxEntries:N0} in one list).");
}
