using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Src = Sekisho.Migration.Source;

namespace Sekisho.Migration.Mapping;

public sealed partial class ImsvaMapper
{
    private readonly List<IpListEntry> _approvedIps = [];
    private readonly List<IpListEntry> _blockedIps = [];
    private readonly List<string> _dkimIgnored = [];
    private readonly List<DmarcPolicySettings> _dmarc = [];
    private readonly List<DkimSigningKey> _dkimKeys = [];
    private readonly List<TlsPeer> _tlsPeers = [];
    private readonly List<WebReputationApprovedItem> _wrsApproved = [];
    private readonly List<string> _urlKeywords = [];
    private readonly List<ManagedDomain> _proposedDomains = [];
    private int? _ipReputationLevel;
    private bool? _ipReputationEnabled;
    private long? _maxMessageSize;
    private int? _maxRecipients;

    // ------------------------------------------------------------------ prerequisites

    private void MapPrerequisites()
    {
        var info = _export.Info;
        var findings = new List<MigrationFinding>();
        if (info.IsBelowBuildFloor)
            findings.Add(Findings.Error("build-below-floor", info.FullVersion, info.Product == Src.ImsvaProduct.Imsva ? "IMSVA" : "IMSS", $"{info.Version}.0.{info.BuildFloor}"));
        foreach (var d in _ctx.Domains.Where(d => !d.Verified).OrderBy(d => d.Name, StringComparer.Ordinal))
            findings.Add(Findings.Warning("domain-unverified", d.Name));
        AddItem("setting:prerequisites", "setting", L("前提条件", "Prerequisites").For(Language), "Administration > Import/Export", [], findings, created: true);
    }

    // ------------------------------------------------------------------ approved lists of Policy Objects

    private void MapApprovedLists()
    {
        var o = _export.Objects;
        if (o.DkimApprovedList.Count > 0)
        {
            _dkimIgnored.AddRange(o.DkimApprovedList.Select(DomainNames.NormalizeOrSelf));
            AddItem("setting:dkim-approved-list", "setting", "DKIM Approved List", "Policy > Policy Objects > DKIM Approved List",
                [new("dkim-verification", null, "Default", null)], [Findings.Warning("dkim-ignored-peer-matching", string.Join(", ", o.DkimApprovedList))], created: true);
        }
        if (o.WebReputationApprovedList.Domains.Count + o.WebReputationApprovedList.Urls.Count > 0)
        {
            foreach (var d in o.WebReputationApprovedList.Domains)
                _wrsApproved.Add(new WebReputationApprovedItem(IPAddress.TryParse(d, out _) ? ApprovedUrlKind.Ip : ApprovedUrlKind.Domain, d));
            foreach (var u in o.WebReputationApprovedList.Urls) _wrsApproved.Add(new WebReputationApprovedItem(ApprovedUrlKind.Url, u));
            AddItem("setting:wrs-approved-list", "setting", "Web Reputation Approved List", "Policy > Policy Objects > Web Reputation Approved List",
                [new("web-reputation-approved-list", null, "Web Reputation Approved List", null)], [], created: true);
        }
        if (o.UrlKeywordList.Count > 0)
        {
            var findings = new List<MigrationFinding>();
            foreach (var k in o.UrlKeywordList)
            {
                if (Regex.IsMatch(k, "^[A-Za-z0-9_]{3,256}$", RegexOptions.None, TimeSpan.FromSeconds(1)) && _urlKeywords.Count < Model.Validation.PolicyValidator.MaxUrlKeywords) _urlKeywords.Add(k);
                else findings.Add(Findings.Error("url-keyword-invalid", k));
            }
            AddItem("setting:url-keyword-list", "setting", "URL Keyword List", "Policy > Policy Objects > URL Keyword List",
                [new("url-keyword-exception-list", null, "URL Keyword Exception List", null)], findings, created: _urlKeywords.Count > 0);
        }
    }

    // ------------------------------------------------------------------ sender filtering

    private void MapSenderFiltering()
    {
        var sf = _export.SenderFiltering;
        if (sf is null) return;
        bool imsva = _export.Info.Product == Src.ImsvaProduct.Imsva;

        if (sf.ApprovedList is { } approved)
        {
            var findings = new List<MigrationFinding>();
            bool created = false;
            if (!approved.Enabled) findings.Add(Findings.NotSupported("ip-list-disabled"));
            else if (imsva && !approved.ApplyToErsIpProfiler) findings.Add(Findings.NotSupported("approved-ip-not-applied"));
            else
            {
                foreach (var ip in approved.Ips) created |= AddIp(_approvedIps, ip, "Approved List", findings);
                foreach (var g in approved.ComputerGroups)
                    foreach (var ip in g.Ips) created |= AddIp(_approvedIps, ip, g.Name, findings);
                foreach (var d in approved.Domains) findings.Add(Findings.NotSupported("ip-list-domain-entry", d));
            }
            AddItem("setting:sender-filtering.approved", "setting", "Approved List", "Sender Filtering > Approved List",
                created ? [new("approved-ip", null, "Approved IP addresses", null)] : [], findings, created);
        }
        if (sf.BlockedList is { } blocked)
        {
            var findings = new List<MigrationFinding>();
            bool created = false;
            if (!blocked.Enabled) findings.Add(Findings.NotSupported("ip-list-disabled"));
            else
                foreach (var e in blocked.Entries)
                {
                    if (e.Action == Src.BlockAction.BlockPermanently) created |= AddIp(_blockedIps, e.Ip, "Blocked List", findings);
                    else findings.Add(Findings.NotSupported("ip-block-temporary", e.Ip, e.Minutes?.ToString(CultureInfo.InvariantCulture) ?? "?"));
                }
            AddItem("setting:sender-filtering.blocked", "setting", "Blocked List", "Sender Filtering > Blocked List",
                created ? [new("blocked-ip", null, "Blocked IP addresses", null)] : [], findings, created);
        }
        if (sf.EmailReputation is { } ers)
        {
            if (ers.Enabled)
            {
                _ipReputationEnabled = true;
                _ipReputationLevel = ers.Level == Src.ErsLevel.Advanced ? 3 : 2;
                AddItem("setting:email-reputation", "setting", "Email Reputation Services", "Sender Filtering > Email Reputation",
                    [new("ip-reputation", null, "IP reputation", null)], [Findings.Warning("ers-mapped-to-dnsbl", ers.Level.ToString().ToLowerInvariant(), _ipReputationLevel)], created: true);
            }
            else
                AddItem("setting:email-reputation", "setting", "Email Reputation Services", "Sender Filtering > Email Reputation", [], [Findings.NotSupported("ip-list-disabled")], created: false);
        }
        if (sf.IpProfilerRules.Count > 0 || sf.SuspiciousIp is not null)
            AddItem("setting:ip-profiler", "setting", "IP Profiler", "Sender Filtering > Rules / Suspicious IP", [], [Findings.NotSupported("ip-profiler")], created: false);
        if (sf.Dmarc is { } dmarc) MapDmarc(dmarc);
    }

    private static bool AddIp(List<IpListEntry> list, string ip, string description, List<MigrationFinding> findings)
    {
        var t = ip.Trim();
        if (!Model.Validation.PolicyValidator.IsIpOrCidr(t)) { findings.Add(Findings.Warning("ip-invalid", ip)); return false; }
        if (!list.Any(e => e.Cidr == t)) list.Add(new IpListEntry(t, description));
        return true;
    }

    private void MapDmarc(Src.DmarcSettings s)
    {
        var findings = new List<MigrationFinding> { Findings.Warning("dmarc-enforced-peer-matching") };
        if (s.DailyReports) findings.Add(Findings.NotSupported("unknown-setting", L("DMARC 日次レポート", "DMARC daily reports"), "true", "DMARC"));
        var actions = new Dictionary<DmarcDisposition, AuthAction>(DmarcPolicySettings.DefaultPolicy.Actions);
        foreach (var a in s.Actions)
        {
            DmarcDisposition? policy = a.Policy switch
            {
                Src.DmarcPolicy.None => DmarcDisposition.None,
                Src.DmarcPolicy.Quarantine => DmarcDisposition.Quarantine,
                Src.DmarcPolicy.Reject => DmarcDisposition.Reject,
                Src.DmarcPolicy.NoRecord => DmarcDisposition.NoRecord,
                _ => null,
            };
            if (policy is null) continue;
            actions[policy.Value] = a.Do switch
            {
                Src.DmarcDisposition.Quarantine => new AuthAction(AuthIntercept.Quarantine),
                Src.DmarcDisposition.Reject => new AuthAction(AuthIntercept.Reject),
                _ => AuthAction.Accept,
            };
        }
        var exceptions = s.ExceptionIps.Where(Model.Validation.PolicyValidator.IsIpOrCidr).ToList();
        bool all = s.VerificationDomains.Count == 0 || s.VerificationDomains.Any(d => d.Trim() == "*");
        var prov = Prov("dmarc");
        _dmarc.Add(DmarcPolicySettings.DefaultPolicy with
        {
            Enabled = s.Enabled && all, InsertHeader = s.InsertXHeader, Actions = actions, ExceptionIps = exceptions, Provenance = prov,
        });
        if (!all)
            foreach (var d in s.VerificationDomains)
                _dmarc.Add(new DmarcPolicySettings { Domain = DomainNames.NormalizeOrSelf(d), Enabled = s.Enabled, InsertHeader = s.InsertXHeader, Actions = actions, ExceptionIps = exceptions, Provenance = prov });
        AddItem("setting:dmarc", "setting", "DMARC", "Sender Filtering > DMARC", [new("dmarc", null, "DMARC", null)], findings, created: true);
    }

    // ------------------------------------------------------------------ DKIM signing

    private void MapDkimSignatures()
    {
        if (_export.DkimSignatures is not { Count: > 0 } signatures) return;
        var findings = new List<MigrationFinding>();
        foreach (var s in signatures)
        {
            var pem = ToPkcs8(s.PrivateKeyPem.Reveal());
            if (pem is null) { findings.Add(Findings.Error("dkim-key-invalid", s.Domain, s.Selector)); continue; }
            if (s.ExemptDomains.Count > 0) findings.Add(Findings.Warning("dkim-exempt-domains-dropped", s.Domain, string.Join(", ", s.ExemptDomains)));
            _dkimKeys.Add(new DkimSigningKey
            {
                Domain = DomainNames.NormalizeOrSelf(s.Domain), Selector = s.Selector, KeyBits = s.KeyBits ?? 2048, PrivateKeyPem = pem,
                HeaderCanonicalization = s.HeaderCanonicalization == Src.DkimCanonicalization.Simple ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed,
                BodyCanonicalization = s.BodyCanonicalization == Src.DkimCanonicalization.Simple ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed,
                SignedHeaders = s.Headers.Count > 0 ? s.Headers : ["From", "To", "Subject", "Date"],
                ExpireDays = Math.Max(0, s.ExpireDays ?? 0), BodyLength = Math.Max(0, s.BodyLength ?? 0), Auid = s.Auid,
                Provenance = Prov("dkim:" + s.Domain + ":" + s.Selector),
            });
        }
        AddItem("setting:dkim-signature", "setting", "DKIM Signature", "Administration > IMSVA Configuration > DKIM Signature",
            _dkimKeys.Select(k => new AnalysisTarget("dkim-signing", Direction.Outbound, $"{k.Domain} ({k.Selector})", null)).ToList(), findings, created: _dkimKeys.Count > 0);
    }

    /// <summary>A private key in PKCS#8 PEM (the form Sekisho stores), converting PKCS#1 RSA keys; null when unreadable.</summary>
    private static string? ToPkcs8(string pem)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa.ExportPkcs8PrivateKeyPem() + "\n";
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    // ------------------------------------------------------------------ SMTP routing and TLS

    private void MapSmtpRouting()
    {
        var r = _export.SmtpRouting;
        if (r is null) return;
        var findings = new List<MigrationFinding>();
        var targets = new List<AnalysisTarget>();
        var relaySenders = r.PermittedRelaySenders?.Ips.Where(Model.Validation.PolicyValidator.IsIpOrCidr).ToList() ?? [];
        var existing = _ctx.Existing.Domains.Select(d => d.Name).Concat(_managed).ToHashSet(StringComparer.Ordinal);
        var routeDomains = r.RelayDomains.Concat(r.Delivery.Select(d => d.Target)).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in routeDomains)
        {
            if (raw.Contains('*')) { findings.Add(Findings.NotSupported("relay-domain-wildcard", raw)); continue; }
            if (!DomainNames.TryNormalize(raw, out var name)) { findings.Add(Findings.Warning("ip-invalid", raw)); continue; }
            var route = r.Delivery.FirstOrDefault(d => string.Equals(d.Target, raw, StringComparison.OrdinalIgnoreCase));
            var servers = route?.Method == Src.DeliveryMethod.Static
                ? route.Servers.Select(s => new InboundServer(InboundServer.AnyRecipient, s.Host, s.Port is >= 1 and <= 65535 ? s.Port : 25, Math.Clamp(s.Preference, 1, 100))).ToList()
                : [];
            var serversText = servers.Count == 0 ? "-" : string.Join(", ", servers.Select(s => $"{s.Host}:{s.Port}/{s.Preference}"));
            if (existing.Contains(name)) { findings.Add(Findings.Info("domain-exists", name, serversText)); continue; }
            if (route?.Method == Src.DeliveryMethod.Mx) findings.Add(Findings.Warning("delivery-route-mx", name));
            _proposedDomains.Add(new ManagedDomain
            {
                Id = NewId("domain", name), Name = name, InboundServers = servers,
                Outbound = relaySenders.Count > 0 ? new OutboundServers(OutboundProvider.UserDefined, relaySenders) : OutboundServers.None,
                VerificationToken = NewId("domain-token", name)[..24], Status = DomainStatus.NeedsSetup, StatusReason = DomainStatusReasons.NotVerified,
                Added = _ctx.Now, Origin = DomainOrigin.MigrationProposal, Provenance = Prov("domain:" + name),
            });
            findings.Add(Findings.Warning("domain-proposed", name, serversText));
            targets.Add(new AnalysisTarget("domain", null, name, null, NewId("domain", name)));
        }
        if (relaySenders.Count > 0 && _proposedDomains.Count > 0) findings.Add(Findings.Warning("outbound-servers-proposed", string.Join(", ", relaySenders)));
        if (r.MessageRule is { } rule)
        {
            if (rule.MaxMessageSizeMb is { } mb) ProposeMaxSize(mb * GatewayLimits.MegaByte, findings);
            if (rule.MaxRecipients is { } n) ProposeMaxRecipients(n, findings);
        }
        if (r.Connections is { } c && (c.Allow.Count > 0 || c.Deny.Count > 0))
            findings.Add(Findings.NotSupported("unknown-setting", L("接続の許可/拒否", "Connection allow/deny lists"), $"{c.Allow.Count}/{c.Deny.Count}", "SMTP Routing > Connections"));
        AddItem("setting:smtp-routing", "setting", "SMTP Routing", "Administration > IMSVA Configuration > SMTP Routing", targets, findings, created: true);

        if (r.Tls is { } tls)
        {
            var tf = new List<MigrationFinding>();
            foreach (var p in tls.Peers)
            {
                TlsLevel? level = p.Level switch
                {
                    Src.TlsLevel.Never => TlsLevel.None,
                    Src.TlsLevel.Opportunistic => TlsLevel.Opportunistic,
                    Src.TlsLevel.Must => TlsLevel.Mandatory,
                    Src.TlsLevel.Verify => TlsLevel.MandatoryVerify,
                    _ => null,
                };
                if (level is null) { tf.Add(Findings.NotSupported("unknown-setting", "TLS", p.Match, "level")); continue; }
                _tlsPeers.Add(new TlsPeer(Direction.Outbound, p.Match, level.Value, null, Prov("tls:" + p.Match)));
            }
            if (tls.OnlyTls)
            {
                _tlsPeers.Add(new TlsPeer(Direction.Inbound, "*", TlsLevel.Mandatory, null, Prov("tls:incoming")));
                tf.Add(Findings.Warning("tls-inbound-required"));
            }
            AddItem("setting:tls", "setting", "Transport Layer Security", "Administration > IMSVA Configuration > Transport Layer Security",
                _tlsPeers.Select(p => new AnalysisTarget("tls-peer", p.Direction, p.Peer, null)).ToList(), tf, created: true);
        }
    }

    // ------------------------------------------------------------------ limits and global settings

    /// <summary>The gateway's maximum message size once the migration's limits are applied.</summary>
    private long EffectiveMaxMessageSize
    {
        get
        {
            var current = _ctx.Existing.Settings.Limits.MaxMessageSizeBytes;
            var proposed = new[] { _export.GlobalSettings.Smtp.MaxMessageSizeKb * 1024, _export.SmtpRouting?.MessageRule?.MaxMessageSizeMb * GatewayLimits.MegaByte }
                .Where(x => x is > 0).Select(x => Math.Min(x!.Value, GatewayLimits.MaxAllowedMessageSize)).DefaultIfEmpty(current).Max();
            return _ctx.Mode == MigrationMode.Merge ? Math.Max(current, proposed) : proposed;
        }
    }

    private void ProposeMaxSize(long bytes, List<MigrationFinding> findings)
    {
        bytes = Math.Min(bytes, GatewayLimits.MaxAllowedMessageSize);
        var current = _maxMessageSize ?? _ctx.Existing.Settings.Limits.MaxMessageSizeBytes;
        if (bytes > current || _ctx.Mode == MigrationMode.Overwrite && _maxMessageSize is null)
        {
            _maxMessageSize = Math.Max(bytes, _maxMessageSize ?? 0);
            if (bytes != current) AddOnce(findings, Findings.Info("limits-raised", L("最大メッセージサイズ", "maximum message size"), FormatSize(_maxMessageSize.Value)));
        }
        else if (bytes < current) AddOnce(findings, Findings.Info("limits-kept", L("最大メッセージサイズ", "maximum message size"), FormatSize(bytes), FormatSize(current)));
    }

    private void ProposeMaxRecipients(int n, List<MigrationFinding> findings)
    {
        n = Math.Clamp(n, 1, 100000);
        var current = _maxRecipients ?? _ctx.Existing.Settings.Limits.MaxRecipients;
        if (n > current || _ctx.Mode == MigrationMode.Overwrite && _maxRecipients is null)
        {
            _maxRecipients = Math.Max(n, _maxRecipients ?? 0);
            if (n != current) AddOnce(findings, Findings.Info("limits-raised", L("最大受信者数", "maximum number of recipients"), _maxRecipients.Value));
        }
        else if (n < current) AddOnce(findings, Findings.Info("limits-kept", L("最大受信者数", "maximum number of recipients"), n, current));
    }

    private void MapGlobalSettings()
    {
        var g = _export.GlobalSettings;
        var findings = new List<MigrationFinding>();
        if (g.Smtp.MaxMessageSizeKb is { } kb) ProposeMaxSize(kb * 1024, findings);
        if (g.Smtp.MaxRecipients is { } n) ProposeMaxRecipients(n, findings);
        foreach (var d in g.Disagreements)
            findings.Add(Findings.Warning("global-setting-disagreement", $"{d.Section}/{d.Name}", d.IniValue ?? "-", d.DatabaseValue ?? "-"));
        foreach (var u in g.Unknown)
            findings.Add(Findings.NotSupported("global-setting-unknown", $"[{u.Section}] {u.Name}={u.Value}"));
        AddItem("setting:global-settings", "setting", "imss.ini / tb_global_setting", "Administration (imss.ini)", [], findings, created: true);
    }

    // ------------------------------------------------------------------ screens that are not migrated, and unknowns

    private static readonly (string Id, string Name, string ReasonJa, string ReasonEn)[] NotMigratedScreens =
    [
        ("dashboard", "Dashboard", "ダッシュボードは過去の統計の要約です。Sekisho のログとレポートを使用してください。", "The dashboard summarises past traffic; use Sekisho's logs and reports."),
        ("system-status", "System Status", "システムステータスは移行する設定を持ちません。", "System status holds no settings to migrate."),
        ("cloud-pre-filter", "Cloud Pre-Filter", "Sekisho 自体がゲートウェイとして動作するため不要です。", "Sekisho itself is the gateway; the pre-filter is not needed."),
        ("scan-engine", "Policy > Scan Engine", "Sekisho は clamd と rspamd を使用します。", "Sekisho uses clamd and rspamd."),
        ("smart-protection", "Policy > Smart Protection", "Sekisho は設定した DNS ブロックリストを使用します。", "Sekisho uses the DNS blocklists you configure."),
        ("encryption", "Policy > Encryption Settings", "メール暗号化の設定は移行されません。", "Encryption settings are not migrated."),
        ("reports", "Reports", "Sekisho のレポート機能を使用してください。", "Use Sekisho's reports."),
        ("logs", "Logs", "Sekisho のメール追跡と監査ログを使用してください。", "Use Sekisho's mail tracking and audit log."),
    ];

    private void MapOtherScreens()
    {
        if (_export.Ldap is { } ldap)
        {
            var findings = new List<MigrationFinding>
            {
                Findings.NotSupported("screen-not-supported", "LDAP",
                    L("LDAP の接続設定は移行されません (パスワードはエクスポートに含まれません)。", "LDAP connection settings are not migrated (the export holds no password)."),
                    L("Sekisho でディレクトリを設定してください。", "Configure the directory in Sekisho.")),
            };
            if (ldap.Servers.Any(s => s.Enabled) && !_ctx.DirectoryConfigured)
                findings.Add(Findings.NotSupported("ldap-directory-missing", string.Join(", ", ldap.Servers.Where(s => s.Enabled).Select(s => s.Host))));
            AddItem("setting:ldap", "setting", "LDAP", "Administration > Connections > LDAP", [], findings, created: false);
        }
        if (_export.InternalAddresses is not null)
            AddItem("setting:internal-addresses", "setting", "Internal Addresses", "Policy > Internal Addresses", [],
                [Findings.NotSupported("screen-not-supported", "Internal Addresses",
                    L("Sekisho は管理対象ドメインと受信/送信の別で方向を決めます。", "Sekisho derives direction from the managed domains and its separate inbound and outbound rules."),
                    L("管理対象ドメインが揃っていることを確認してください。", "Check that every domain of yours is a managed domain."))], created: false);
        if (_export.ScanningExceptions is not null)
            AddItem("setting:scanning-exceptions", "setting", "Scanning Exceptions", "Policy > Scanning Exceptions", [],
                [Findings.NotSupported("screen-not-supported", "Scanning Exceptions",
                    L("検索の例外は設定方法が異なるため移行されません。", "Scan exceptions work differently and are not migrated."),
                    L("Sekisho の検索の例外の処理を設定してください。", "Configure Sekisho's scan exception actions."))], created: false);
        if (_export.EndUserQuarantine is { } euq)
        {
            var findings = new List<MigrationFinding>
            {
                Findings.NotSupported("screen-not-supported", "End-User Quarantine",
                    L("EUQ 管理コンソールの設定は移行されません。", "Settings of the EUQ console are not migrated."),
                    L("Sekisho のエンドユーザ隔離を設定してください。", "Configure Sekisho's end-user quarantine.")),
            };
            int users = 0;
            foreach (var u in euq.UserApprovedSenders)
            {
                if (!AddressPattern.TryParse(u.User, out var user, out _) || !user!.IsSingleAddress) continue;
                foreach (var a in u.Addresses)
                    if (AddressPattern.TryParse(a, out var p, out _))
                        _senderEntries.Add(new SenderListEntry(SenderListKind.Approved, SenderListScope.Recipient, user.ToString(), p!, SenderListSource.EndUser, Prov("euq:" + u.User)));
                users++;
            }
            if (users > 0) findings.Add(Findings.Info("euq-approved-senders", users));
            AddItem("setting:euq", "setting", "End-User Quarantine", "Administration > End-User Quarantine",
                users > 0 ? [new("sender-filter", Direction.Inbound, "End-user approved senders", null)] : [], findings, created: users > 0);
        }
        if (_export.Areas is not null)
            AddItem("setting:mail-areas", "setting", "Mail Areas & Queues", "Mail Areas & Queues", [],
                [Findings.NotSupported("screen-not-supported", "Mail Areas & Queues",
                    L("隔離エリアとアーカイブエリアは、ルールの隔離/アーカイブのタグとして残ります。", "Quarantine and archive areas remain as the tags of the rules' quarantine and archive actions."),
                    L("隔離の保存期間を確認してください。", "Check the quarantine retention."))], created: false);
        foreach (var screen in _export.AdminScreens)
            AddItem("setting:admin." + screen.Name, "setting", screen.Name, "Administration > " + screen.Name, [],
                [Findings.NotSupported("screen-not-supported", screen.Name,
                    L("管理画面の設定は移行されません (DKIM 署名を除く)。", "Administration settings are not migrated (except DKIM signatures)."),
                    L("必要な設定は Sekisho で行ってください。", "Configure what you need in Sekisho."))], created: false);
        foreach (var (id, name, ja, en) in NotMigratedScreens)
            AddItem("setting:" + id, "setting", name, name, [],
                [Findings.NotSupported("screen-not-supported", name, L(ja, en), L("対応は不要です。", "Nothing to do."))], created: false);
        foreach (var e in _export.UnknownEntries)
            AddItem("setting:unknown-entry." + e.Name, "setting", e.Name, e.Name, [], [Findings.NotSupported("unknown-entry", e.Name)], created: false);
        foreach (var u in _export.UnknownXml.Where(u => u.OwnerId is null))
            AddItem($"setting:unknown.{u.At.Entry}:{u.At.Line}:{u.Name}", "setting", u.Name, u.At.ToString(), [],
                [Findings.NotSupported("unknown-setting", u.Kind.ToString(), u.Name, u.At.ToString())], created: false);
    }
}
