using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Audit;
using Sekisho.Model.Domains;
using Sekisho.Model.Localization;
using Sekisho.Model.Validation;
using Sekisho.Scanning.Dns;
using Sekisho.Smtp.Delivery;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>What an administrator enters for a domain (ドメインの追加 / 編集).</summary>
/// <param name="InboundServers">One per line: <c>HOST[:PORT][,PREF]</c> or <c>LOCALPART=HOST[:PORT][,PREF]</c>.</param>
/// <param name="OutboundIps">IP addresses or CIDR ranges of the organization's outbound servers, separated by lines, spaces or commas.</param>
public sealed record DomainInput(string Name, string? InboundServers, string? OutboundIps);

/// <summary>The outcome of a 確認 (ownership check) with the domain as it now stands.</summary>
public sealed record DomainVerification(ManagedDomain Domain, OwnershipCheckOutcome Outcome, IReadOnlyList<string> TxtValues, string? Error);

/// <summary>The domains screen and API: list, add, edit, verify ownership by the TXT record. Every change is audited.</summary>
public sealed class DomainService(ConsoleContext console)
{
    public async Task<IReadOnlyList<ManagedDomain>> ListAsync(string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return await s.ListDomainsAsync(ct);
    }

    public async Task<ManagedDomain> GetAsync(string name, string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return await FindAsync(s, name, ct);
    }

    public async Task<ManagedDomain> AddAsync(DomainInput input, string actor, CancellationToken ct)
    {
        if (!DomainNames.TryNormalize(input.Name?.Trim(), out var name))
            throw new ConsoleProblem("domain.name.invalid", ModelText.Get("domain.name.invalid", input.Name));
        var domain = new ManagedDomain
        {
            Id = Ids.New(), Name = name, InboundServers = ParseInbound(input.InboundServers), Outbound = ParseOutbound(input.OutboundIps),
            VerificationToken = Ids.New()[..24], Added = console.Time.GetUtcNow(),
        };
        ThrowIfInvalid(PolicyValidator.ValidateDomain(domain));
        await using var s = await console.BeginAsync(actor, ct);
        try { await s.AddDomainAsync(domain, ct); }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
        return domain;
    }

    public async Task<ManagedDomain> UpdateAsync(string name, DomainInput input, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var current = await FindAsync(s, name, ct);
        var updated = current with { InboundServers = ParseInbound(input.InboundServers), Outbound = ParseOutbound(input.OutboundIps) };
        if (updated.IsVerified)
            updated = updated with { StatusReason = updated.InboundServers.Count == 0 ? DomainStatusReasons.NoInboundServers : null };
        ThrowIfInvalid(PolicyValidator.ValidateDomain(updated));
        await s.UpdateDomainAsync(updated, AuditEvents.DomainUpdated, ct);
        await s.CommitAsync(ct);
        return updated;
    }

    /// <summary>Removes a domain (audited); mail for it is refused from then on.</summary>
    public async Task RemoveAsync(string name, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        await s.RemoveDomainAsync(await FindAsync(s, name, ct), ct);
        await s.CommitAsync(ct);
    }

    /// <summary>Looks up the TXT record (with the configured resolver) and records the result, as <c>sekisho domain verify</c> does.</summary>
    public async Task<DomainVerification> VerifyAsync(string name, string actor, CancellationToken ct)
    {
        await using var s = await console.BeginAsync(actor, ct);
        var d = await FindAsync(s, name, ct);
        var result = await new DomainOwnershipCheck(console.Options.DnsResolver).CheckAsync(d.Name, d.VerificationRecord, ct);
        var (updated, auditEvent) = DomainOwnershipCheck.Apply(d, result, console.Time.GetUtcNow());
        await s.UpdateDomainAsync(updated, auditEvent, ct);
        await s.CommitAsync(ct);
        return new(updated, result.Outcome, result.TxtValues, result.Error);
    }

    /// <summary>
    /// 接続テスト: connects to each inbound server of the domain as a delivery would (greeting, EHLO, STARTTLS when
    /// offered) and says QUIT; nothing is sent and nothing changes. Host names are resolved with the console's resolver.
    /// </summary>
    public async Task<IReadOnlyList<InboundServerProbeResult>> TestConnectionAsync(string name, string actor, CancellationToken ct)
    {
        ManagedDomain d;
        await using (var s = await console.ReadAsync(actor, ct)) d = await FindAsync(s, name, ct);
        if (d.InboundServers.Count == 0)
            throw new ConsoleProblem("domain.inbound.none", new LocalizedText(
                $"ドメイン「{d.Name}」には受信サーバがありません。先に受信サーバを追加してください。",
                $"The domain '{d.Name}' has no inbound servers; add one first."));
        var dns = new CachingDnsResolver(new DnsResolverOptions { Servers = console.Options.DnsResolver is { } r ? [r] : [] });
        var timeout = console.Options.ConnectionTestTimeout;
        var results = new List<InboundServerProbeResult>();
        foreach (var server in d.InboundServers.OrderBy(x => x.Preference).DistinctBy(x => (x.Host.ToLowerInvariant(), x.Port)))
        {
            var host = server.Host.Trim('[', ']');
            if (IPAddress.TryParse(host, out var ip))
            {
                results.Add(await InboundServerProbe.ProbeAsync(server.Host, server.Port, ip, console.Options.HeloName, timeout, ct));
                continue;
            }
            var v4 = await dns.AddressesAsync(host, AddressFamily.InterNetwork, ct);
            var addresses = v4.Records.Count > 0 ? v4 : await dns.AddressesAsync(host, AddressFamily.InterNetworkV6, ct);
            if (addresses.Records.Count == 0)
            {
                results.Add(new InboundServerProbeResult(server.Host, server.Port, null, false, null, 0,
                    $"{host}: {(addresses.Status == DnsStatus.Error ? addresses.Error ?? "DNS lookup failed" : "no address record")}"));
                continue;
            }
            results.Add(await InboundServerProbe.ProbeAsync(server.Host, server.Port, addresses.Records[0], console.Options.HeloName, timeout, ct));
        }
        return results;
    }

    private static async Task<ManagedDomain> FindAsync(StoreSession s, string name, CancellationToken ct) =>
        await s.FindDomainAsync(name, ct) ?? throw new ConsoleProblem("domain.not-found",
            new LocalizedText($"ドメイン「{name}」が見つかりません。", $"The domain '{name}' does not exist."), 404);

    /// <summary>Parses the inbound server lines; a line that cannot be read is an error naming it.</summary>
    public static IReadOnlyList<InboundServer> ParseInbound(string? text)
    {
        var servers = new List<InboundServer>();
        foreach (var raw in (text ?? "").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            servers.Add(InboundServer.TryParse(line) ?? throw new ConsoleProblem("domain.inbound.format", new LocalizedText(
                $"受信サーバ「{line}」を読み取れません。「ホスト[:ポート][,優先度]」の形式で入力してください (例: mail.example.co.jp:25,10)。",
                $"The inbound server '{line}' cannot be read; write HOST[:PORT][,PREFERENCE], e.g. mail.example.co.jp:25,10.")));
        }
        return servers;
    }

    private static OutboundServers ParseOutbound(string? text)
    {
        var ips = (text ?? "").Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        return ips.Count > 0 ? new OutboundServers(OutboundProvider.UserDefined, ips) : OutboundServers.None;
    }

    private static void ThrowIfInvalid(IReadOnlyList<ValidationProblem> problems)
    {
        if (problems.Count == 0) return;
        throw new ConsoleProblem(problems[0].Code, new LocalizedText(
            string.Join(" ", problems.Select(p => p.Message.Ja)), string.Join(" ", problems.Select(p => p.Message.En))));
    }
}
