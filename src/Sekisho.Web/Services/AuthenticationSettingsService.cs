using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;
using Sekisho.Model.Validation;
using Sekisho.Scanning.Dkim;

namespace Sekisho.Web.Services;

/// <summary>SPF (送信者認証): per-result intercept (<c>accept</c>, <c>delete</c>, <c>quarantine</c>, <c>reject</c>; pass always accepts) and ignored peers.</summary>
public sealed record SpfDto(bool? Enabled = null, bool? InsertHeader = null, IReadOnlyDictionary<string, string>? Actions = null, IReadOnlyList<string>? IgnoredPeers = null);

/// <summary>The default DKIM verification policy (for unspecified domains).</summary>
public sealed record DkimVerificationDto(bool? Enabled = null, bool? SkipBlankEnvelopeSender = null, bool? InsertHeader = null, string? Action = null,
    IReadOnlyList<string>? EnforcedPeers = null, IReadOnlyList<string>? IgnoredPeers = null, bool? UseHeaderSenderForEnforced = null);

/// <summary>The default DMARC policy: intercept per published policy (<c>none</c>, <c>quarantine</c>, <c>reject</c>, <c>no-record</c>) and ARC.</summary>
public sealed record DmarcDto(bool? Enabled = null, bool? SkipBlankEnvelopeSender = null, bool? EnableArc = null, bool? InsertHeader = null,
    IReadOnlyDictionary<string, string>? Actions = null, IReadOnlyList<string>? EnforcedPeers = null, IReadOnlyList<string>? IgnoredPeers = null,
    IReadOnlyList<string>? ExceptionIps = null);

/// <summary>A DKIM signing key (the private key never leaves the store) with the TXT record to publish.</summary>
public sealed record DkimKeyDto(string Domain, string Selector, string Algorithm, int KeyBits, bool Enabled, string RecordName, string? RecordValue, string? ZoneLine);

/// <summary>Domain-based authentication as the screen and the API see it. In a change, parts left out keep their value; <see cref="SigningKeys"/> is read only.</summary>
public sealed record AuthenticationSettingsDto(SpfDto? Spf = null, DkimVerificationDto? DkimVerification = null, DmarcDto? Dmarc = null,
    IReadOnlyList<DkimKeyDto>? SigningKeys = null, int? DomainPolicies = null)
{
    public static AuthenticationSettingsDto From(AuthenticationSettings a)
    {
        var dkim = AuthenticationSettingsService.DefaultDkim(a);
        var dmarc = AuthenticationSettingsService.DefaultDmarc(a);
        return new(
            new SpfDto(a.Spf.Enabled, a.Spf.InsertHeader,
                AuthenticationSettingsService.SpfResults.ToDictionary(ModelJson.EnumName, r => ModelJson.EnumName(a.Spf.Actions.GetValueOrDefault(r, AuthAction.Accept).Intercept)),
                a.Spf.IgnoredPeers),
            new DkimVerificationDto(dkim.Enabled, dkim.SkipBlankEnvelopeSender, dkim.InsertHeader, ModelJson.EnumName(dkim.Action.Intercept), dkim.EnforcedPeers, dkim.IgnoredPeers,
                dkim.UseHeaderSenderForEnforced),
            new DmarcDto(dmarc.Enabled, dmarc.SkipBlankEnvelopeSender, dmarc.EnableArc, dmarc.InsertHeader,
                Enum.GetValues<DmarcDisposition>().ToDictionary(ModelJson.EnumName, d => ModelJson.EnumName(dmarc.Actions.GetValueOrDefault(d, AuthAction.Accept).Intercept)),
                dmarc.EnforcedPeers, dmarc.IgnoredPeers, dmarc.ExceptionIps),
            a.DkimSigning.Select(Key).ToList(),
            a.DkimVerification.Count(p => p.Domain is not null) + a.Dmarc.Count(p => p.Domain is not null));
    }

    private static DkimKeyDto Key(DkimSigningKey k)
    {
        var record = DkimKeyGenerator.RecordFor(k);
        return new(k.Domain, k.Selector, k.Algorithm == DkimAlgorithm.Ed25519Sha256 ? "ed25519-sha256" : "rsa-sha256", k.KeyBits, k.Enabled,
            $"{k.Selector}._domainkey.{k.Domain}", record?.RecordValue, record is null ? null : $"{record.RecordName}. IN TXT ( {record.QuotedRecordValue} )");
    }
}

/// <summary>
/// The domain-based authentication screen and API (ドメインベースの認証): SPF, DKIM verification, DMARC with ARC (the default policies),
/// and DKIM signing keys per managed domain (generated here as <c>sekisho dkim keygen</c> does, with the TXT record to publish).
/// Changes are audited (<c>settings.updated</c>) and a running gateway picks them up within seconds.
/// </summary>
public sealed class AuthenticationSettingsService(ConsoleContext console)
{
    /// <summary>The SPF results with a configurable action (pass always accepts).</summary>
    public static readonly IReadOnlyList<SpfResult> SpfResults = [.. Enum.GetValues<SpfResult>().Where(r => r != SpfResult.Pass)];

    public async Task<AuthenticationSettings> GetAsync(string actor, CancellationToken ct) => (await console.ReadSettingsAsync(actor, ct)).Authentication;

    /// <summary>Applies a change of SPF, DKIM verification and DMARC; 400 with every problem and no change when any value is wrong.</summary>
    public async Task<AuthenticationSettings> SaveAsync(AuthenticationSettingsDto change, string actor, CancellationToken ct)
    {
        var saved = await console.UpdateSettingsAsync(actor, settings => settings with { Authentication = Apply(settings.Authentication, change) }, ct);
        return saved.Authentication;
    }

    /// <summary>Generates a signing key for a managed domain (replacing one with the same selector) and returns it with its TXT record.</summary>
    public async Task<DkimKeyDto> GenerateKeyAsync(string? domain, string? selector, string? algorithm, int? bits, string actor, CancellationToken ct)
    {
        if (!DomainNames.TryNormalize(domain, out var name))
            throw Bad("settings.dkim.domain", $"「{domain}」はドメイン名ではありません。", $"'{domain}' is not a domain name.");
        var sel = (selector ?? "").Trim();
        if (sel.Length is 0 or > 63 || !sel.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || sel[0] == '.' || sel[^1] == '.')
            throw Bad("settings.dkim.selector", $"セレクタ「{sel}」には英数字、ハイフン、アンダースコア、ピリオドだけを使えます (63 文字まで)。",
                $"The selector '{sel}' may only contain letters, digits, hyphens, underscores and dots (63 characters at most).");
        var alg = (algorithm ?? "rsa").Trim().ToLowerInvariant() switch
        {
            "rsa" or "rsa-sha256" => DkimAlgorithm.RsaSha256,
            "ed25519" or "ed25519-sha256" => DkimAlgorithm.Ed25519Sha256,
            var other => throw Bad("settings.dkim.algorithm", $"アルゴリズム「{other}」は rsa か ed25519 で指定してください。", $"The algorithm '{other}' must be rsa or ed25519."),
        };
        int n = bits ?? 2048;
        if (alg == DkimAlgorithm.RsaSha256 && n is not (1024 or 2048 or 3072 or 4096))
            throw Bad("settings.dkim.bits", $"鍵長 {n} は 1024, 2048, 3072, 4096 のいずれかで指定してください。", $"The key length {n} must be 1024, 2048, 3072 or 4096.");

        await using var s = await console.BeginAsync(actor, ct);
        if (!(await s.ListDomainsAsync(ct)).Any(d => d.Name == name))
            throw Bad("settings.dkim.not-managed", $"{name} は管理対象のドメインではありません。先にドメインを追加してください。",
                $"{name} is not a managed domain. Add the domain first.");
        var pair = DkimKeyGenerator.Generate(name, sel, alg, n);
        var key = new DkimSigningKey
        {
            Domain = name, Selector = sel, Algorithm = alg, KeyBits = alg == DkimAlgorithm.RsaSha256 ? n : 256, PrivateKeyPem = pair.PrivateKeyPem,
        };
        var settings = await s.GetSettingsAsync(ct);
        var keys = settings.Authentication.DkimSigning.Where(k => !Same(k, name, sel)).Append(key).ToList();
        await s.SaveSettingsAsync(settings with { Authentication = settings.Authentication with { DkimSigning = keys } }, ct);
        await s.CommitAsync(ct);
        return AuthenticationSettingsDto.From(settings.Authentication with { DkimSigning = [key] }).SigningKeys![0];
    }

    /// <summary>Switches a signing key on or off; 404 when there is none.</summary>
    public Task SetKeyEnabledAsync(string domain, string selector, bool enabled, string actor, CancellationToken ct) =>
        ChangeKeysAsync(domain, selector, actor, keys => keys.Select(k => Same(k, domain, selector) ? k with { Enabled = enabled } : k).ToList(), ct);

    /// <summary>Removes a signing key; 404 when there is none.</summary>
    public Task RemoveKeyAsync(string domain, string selector, string actor, CancellationToken ct) =>
        ChangeKeysAsync(domain, selector, actor, keys => keys.Where(k => !Same(k, domain, selector)).ToList(), ct);

    private async Task ChangeKeysAsync(string domain, string selector, string actor, Func<IReadOnlyList<DkimSigningKey>, List<DkimSigningKey>> change, CancellationToken ct)
    {
        await console.UpdateSettingsAsync(actor, settings =>
        {
            if (!settings.Authentication.DkimSigning.Any(k => Same(k, domain, selector)))
                throw new ConsoleProblem("settings.dkim.not-found", new LocalizedText($"{domain} のセレクタ {selector} の署名鍵はありません。",
                    $"There is no signing key with selector {selector} for {domain}."), 404);
            return settings with { Authentication = settings.Authentication with { DkimSigning = change(settings.Authentication.DkimSigning) } };
        }, ct);
    }

    private static bool Same(DkimSigningKey k, string domain, string selector) =>
        k.Domain.Equals(domain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) && k.Selector.Equals(selector, StringComparison.OrdinalIgnoreCase);

    internal static DkimVerificationPolicy DefaultDkim(AuthenticationSettings a) => a.DkimVerification.FirstOrDefault(p => p.Domain is null) ?? DkimVerificationPolicy.DefaultPolicy;

    internal static DmarcPolicySettings DefaultDmarc(AuthenticationSettings a) => a.Dmarc.FirstOrDefault(p => p.Domain is null) ?? DmarcPolicySettings.DefaultPolicy;

    /// <summary>The settings with the change applied to the default policies; throws a <see cref="ConsoleProblem"/> listing every wrong value.</summary>
    public static AuthenticationSettings Apply(AuthenticationSettings current, AuthenticationSettingsDto change)
    {
        var problems = new List<LocalizedText>();
        var spf = current.Spf;
        if (change.Spf is { } sc)
            spf = spf with
            {
                Enabled = sc.Enabled ?? spf.Enabled, InsertHeader = sc.InsertHeader ?? spf.InsertHeader,
                Actions = sc.Actions is null ? spf.Actions : Actions(sc.Actions, spf.Actions, "SPF", problems),
                IgnoredPeers = sc.IgnoredPeers is null ? spf.IgnoredPeers : Peers(sc.IgnoredPeers, true, "SPF", problems),
            };
        var dkim = DefaultDkim(current);
        if (change.DkimVerification is { } dc)
            dkim = dkim with
            {
                Enabled = dc.Enabled ?? dkim.Enabled, SkipBlankEnvelopeSender = dc.SkipBlankEnvelopeSender ?? dkim.SkipBlankEnvelopeSender,
                InsertHeader = dc.InsertHeader ?? dkim.InsertHeader,
                Action = dc.Action is null ? dkim.Action : Intercept(dc.Action, "DKIM", problems) is { } i ? dkim.Action with { Intercept = i } : dkim.Action,
                EnforcedPeers = dc.EnforcedPeers is null ? dkim.EnforcedPeers : Peers(dc.EnforcedPeers, false, "DKIM", problems),
                IgnoredPeers = dc.IgnoredPeers is null ? dkim.IgnoredPeers : Peers(dc.IgnoredPeers, true, "DKIM", problems),
                UseHeaderSenderForEnforced = dc.UseHeaderSenderForEnforced ?? dkim.UseHeaderSenderForEnforced,
            };
        var dmarc = DefaultDmarc(current);
        if (change.Dmarc is { } mc)
            dmarc = dmarc with
            {
                Enabled = mc.Enabled ?? dmarc.Enabled, SkipBlankEnvelopeSender = mc.SkipBlankEnvelopeSender ?? dmarc.SkipBlankEnvelopeSender,
                EnableArc = mc.EnableArc ?? dmarc.EnableArc, InsertHeader = mc.InsertHeader ?? dmarc.InsertHeader,
                Actions = mc.Actions is null ? dmarc.Actions : Actions(mc.Actions, dmarc.Actions, "DMARC", problems),
                EnforcedPeers = mc.EnforcedPeers is null ? dmarc.EnforcedPeers : Peers(mc.EnforcedPeers, false, "DMARC", problems),
                IgnoredPeers = mc.IgnoredPeers is null ? dmarc.IgnoredPeers : Peers(mc.IgnoredPeers, true, "DMARC", problems),
                ExceptionIps = mc.ExceptionIps is null ? dmarc.ExceptionIps : Ips(mc.ExceptionIps, problems),
            };
        if (problems.Count > 0)
            throw new ConsoleProblem("settings.authentication.invalid", new LocalizedText(
                string.Join(" ", problems.Take(20).Select(p => p.Ja)), string.Join(" ", problems.Take(20).Select(p => p.En))));
        return current with
        {
            Spf = spf,
            DkimVerification = [dkim, .. current.DkimVerification.Where(p => p.Domain is not null)],
            Dmarc = [dmarc, .. current.Dmarc.Where(p => p.Domain is not null)],
        };
    }

    private static Dictionary<T, AuthAction> Actions<T>(IReadOnlyDictionary<string, string> input, IReadOnlyDictionary<T, AuthAction> previous, string check,
        List<LocalizedText> problems) where T : struct, Enum
    {
        var result = new Dictionary<T, AuthAction>(previous);
        foreach (var (key, value) in input)
        {
            if (!ModelJson.TryParseEnum<T>(key, out var k) || (k is SpfResult r && r == SpfResult.Pass))
            {
                problems.Add(new($"{check} の結果「{key}」はありません。", $"There is no {check} result '{key}'."));
                continue;
            }
            if (Intercept(value, check, problems) is { } i)
                result[k] = previous.TryGetValue(k, out var p) ? p with { Intercept = i } : new AuthAction(i);
        }
        return result;
    }

    private static AuthIntercept? Intercept(string? value, string check, List<LocalizedText> problems)
    {
        if (ModelJson.TryParseEnum<AuthIntercept>(value, out var i)) return i;
        problems.Add(new($"{check} の処理「{value}」は accept, delete, quarantine, reject のいずれかで指定してください。",
            $"The {check} action '{value}' must be accept, delete, quarantine or reject."));
        return null;
    }

    private static List<string> Peers(IReadOnlyList<string> input, bool ipsAllowed, string check, List<LocalizedText> problems)
    {
        var list = new List<string>();
        foreach (var raw in input.Take(ConnectionSettingsService.MaxEntries))
        {
            var peer = (raw ?? "").Trim();
            if (peer.Length == 0) continue;
            if (ipsAllowed && PolicyValidator.IsIpOrCidr(peer)) list.Add(peer);
            else if (!System.Net.IPAddress.TryParse(peer, out _) && !peer.Contains('/') && DomainNames.TryNormalize(peer.StartsWith("*.", StringComparison.Ordinal) ? peer[2..] : peer, out var d))
                list.Add(peer.StartsWith("*.", StringComparison.Ordinal) ? "*." + d : d);
            else
                problems.Add(ipsAllowed
                    ? new($"{check} のピア「{peer}」はドメイン名、IP アドレス、CIDR のいずれでもありません。", $"The {check} peer '{peer}' is not a domain name, IP address or CIDR range.")
                    : new($"{check} の強制ピア「{peer}」はドメイン名ではありません。", $"The {check} enforced peer '{peer}' is not a domain name."));
        }
        return list;
    }

    private static List<string> Ips(IReadOnlyList<string> input, List<LocalizedText> problems)
    {
        var list = new List<string>();
        foreach (var raw in input.Take(ConnectionSettingsService.MaxEntries))
        {
            var ip = (raw ?? "").Trim();
            if (ip.Length == 0) continue;
            if (PolicyValidator.IsIpOrCidr(ip)) list.Add(ip);
            else problems.Add(new($"DMARC の例外 IP「{ip}」は IP アドレスでも CIDR でもありません。", $"The DMARC exception IP '{ip}' is neither an IP address nor a CIDR range."));
        }
        return list;
    }

    private static ConsoleProblem Bad(string code, string ja, string en) => new(code, new LocalizedText(ja, en));
}
