using System.Net;
using System.Net.Sockets;
using Sekisho.Model.Settings;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Authentication;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.Reputation;

/// <summary>
/// Connection filtering (cegp-target-model §3.4): approved then blocked IPs (CIDR; an approved IP wins even inside a
/// blocked range), DNS blocklists consulted by reputation level, per-client-IP and per-recipient rate limits (4xx),
/// recipient validation, and approved/blocked senders by scope in the documented order (end-user blocked,
/// administrator blocked, end-user approved, administrator approved). Optionally the unknown-sender-domain check:
/// the envelope sender's domain must have an MX or an address record (organization-wide approved senders skip it).
/// </summary>
public sealed class ConnectionFilter : IConnectionFilter
{
    private readonly ConnectionFiltering _settings;
    private readonly SenderFilter _senders;
    private readonly IDnsLookup _dns;
    private readonly IRecipientDirectory? _directory;
    private readonly List<(IPNetwork Net, string Text)> _approved;
    private readonly List<(IPNetwork Net, string Text)> _blocked;
    private readonly RateLimiter _perClient;
    private readonly RateLimiter _perRecipient;
    private readonly bool _checkSenderDomain;
    private readonly IReadOnlyList<ReverseDnsRule> _reverseDns;

    public ConnectionFilter(ConnectionFiltering settings, SenderFilter senders, IDnsLookup dns, IRecipientDirectory? directory = null, TimeProvider? time = null,
        bool checkSenderDomain = false, IReadOnlyList<ReverseDnsRule>? reverseDnsRules = null)
    {
        _checkSenderDomain = checkSenderDomain;
        _reverseDns = reverseDnsRules ?? [];
        _settings = settings;
        _senders = senders;
        _dns = dns;
        _directory = directory;
        _approved = Parse(settings.ApprovedIps);
        _blocked = Parse(settings.BlockedIps);
        var t = time ?? TimeProvider.System;
        _perClient = new RateLimiter(settings.RateLimitPerClientIpPerMinute, t);
        _perRecipient = new RateLimiter(settings.RateLimitPerRecipientPerMinute, t);
    }

    private static List<(IPNetwork, string)> Parse(IEnumerable<IpListEntry> entries) =>
        entries.Select(e => (Ok: Cidr.TryParse(e.Cidr, out var n), Net: n, e.Cidr)).Where(x => x.Ok).Select(x => (x.Net, x.Cidr)).ToList();

    public async ValueTask<ConnectionVerdict> CheckClientAsync(IPAddress client, CancellationToken ct)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        if (_approved.FirstOrDefault(a => a.Net.Contains(client)) is { Text: not null } approved)
            return new(ConnectionDecision.Approved, $"Sender IP {client} is approved ({approved.Text})", [new("ip-reputation", "approved-ip", Detail: approved.Text)]);
        if (_blocked.FirstOrDefault(b => b.Net.Contains(client)) is { Text: not null } blocked)
            return new(ConnectionDecision.Reject, $"Sender IP {client} found in block list", [new("ip-reputation", "blocked-ip", Detail: blocked.Text)]);
        if (!_settings.IpReputationEnabled) return ConnectionVerdict.Continue;

        var findings = new List<EngineFinding>();
        foreach (var list in _settings.DnsBlocklists)
        {
            bool enforce = _settings.IpReputationLevel >= list.MinimumLevel && _settings.IpReputationLevel > 0;
            var name = DnsNames.ReverseName(client, list.Zone.Trim().TrimEnd('.'));
            var answer = await _dns.AddressesAsync(name, AddressFamily.InterNetwork, ct).ConfigureAwait(false);
            if (answer.Status == DnsStatus.Error)
            {
                findings.Add(new("dnsbl", "untested", Detail: $"{list.Zone}: {answer.Error}"));
                continue;
            }
            var codes = answer.Records.Where(a => IsListedCode(a, list.ReturnCodes)).ToList();
            if (codes.Count == 0) continue;
            findings.Add(new("dnsbl", list.Zone, Detail: string.Join(", ", codes)));
            if (enforce)
                return new(ConnectionDecision.Reject, $"Sender IP {client} found in {list.Zone}", findings);
        }
        return findings.Count == 0 ? ConnectionVerdict.Continue : new(ConnectionDecision.Continue, "", findings);
    }

    private static bool IsListedCode(IPAddress answer, IReadOnlyList<string>? codes)
    {
        var b = answer.GetAddressBytes();
        if (b.Length != 4 || b[0] != 127) return false;
        return codes is null || codes.Count == 0 || codes.Any(c => c.Trim() == answer.ToString());
    }

    public async ValueTask<ConnectionVerdict> CheckSenderAsync(IPAddress client, string sender, CancellationToken ct)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        if (!_perClient.TryAcquire(client.ToString()))
            return new ConnectionVerdict(ConnectionDecision.Defer,
                $"Message count limit reached for {client}, try again later", [new("rate-limit", "client-ip", Detail: client.ToString())]);
        if (ReverseDnsRuleFor(sender) is { } rule && (rule.RejectMissingPtr || rule.RejectInvalidPtr)
            && !_approved.Any(a => a.Net.Contains(client)))
        {
            var rdns = await new ReverseDnsCheck(_dns).CheckAsync(client, ct).ConfigureAwait(false);
            if (rdns.Result == "fail" && (rdns.PtrFound ? rule.RejectInvalidPtr : rule.RejectMissingPtr))
                return new(ConnectionDecision.Reject, $"Reverse DNS validation failed: {rdns.Reason}",
                    [new("reverse-dns", rdns.PtrFound ? "invalid-ptr" : "missing-ptr", Detail: rule.SenderDomain)]);
        }
        if (_checkSenderDomain && sender.LastIndexOf('@') is var at and > 0
            && !_senders.Entries.Any(e => e.List == SenderListKind.Approved && e.Scope == SenderListScope.Organization && e.Sender.Matches(sender)))
            return await CheckSenderDomainAsync(sender[(at + 1)..].TrimEnd('.'), ct).ConfigureAwait(false);
        return ConnectionVerdict.Continue;
    }

    /// <summary>The most specific reverse DNS rule for the envelope sender, or null when none applies.</summary>
    private ReverseDnsRule? ReverseDnsRuleFor(string sender)
    {
        if (_reverseDns.Count == 0) return null;
        if (sender.Length == 0)
            return _reverseDns.FirstOrDefault(r => r.SenderDomain == ReverseDnsRule.EmptySender)
                ?? _reverseDns.FirstOrDefault(r => r.SenderDomain == ReverseDnsRule.Default);
        var domain = sender[(sender.LastIndexOf('@') + 1)..];
        return _reverseDns.Where(r => r.SenderDomain is not ReverseDnsRule.Default and not ReverseDnsRule.EmptySender && DomainPattern.Matches(r.SenderDomain, domain))
                   .OrderByDescending(r => DomainPattern.Specificity(r.SenderDomain)).FirstOrDefault()
               ?? _reverseDns.FirstOrDefault(r => r.SenderDomain == ReverseDnsRule.Default);
    }

    /// <summary>The unknown-sender-domain check: an MX (other than the null MX) or an A/AAAA record must exist.</summary>
    private async Task<ConnectionVerdict> CheckSenderDomainAsync(string domain, CancellationToken ct)
    {
        ConnectionVerdict NotFound(string why) => new(ConnectionDecision.Reject, $"Sender domain {domain} not found ({why})",
            [new("sender-domain", "not-found", Detail: domain)]);
        ConnectionVerdict Trouble(string? error) => new(ConnectionDecision.Defer, $"Sender domain {domain} cannot be checked now, try again later",
            [new("sender-domain", "temperror", Detail: error)]);
        if (!DnsNames.IsQueryable(domain)) return NotFound("malformed");
        var mx = await _dns.MxAsync(domain, ct).ConfigureAwait(false);
        if (mx.Status == DnsStatus.Error) return Trouble(mx.Error);
        if (mx.Records.Count > 0)
            return mx.Records.All(r => r.Exchange.Length == 0) ? NotFound("null MX: the domain sends no mail") : ConnectionVerdict.Continue;
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var a = await _dns.AddressesAsync(domain, family, ct).ConfigureAwait(false);
            if (a.Status == DnsStatus.Error) return Trouble(a.Error);
            if (a.Records.Count > 0) return ConnectionVerdict.Continue;
        }
        return NotFound("no MX or address record");
    }

    public async ValueTask<ConnectionVerdict> CheckRecipientAsync(IPAddress client, string sender, string recipient, TrafficDirection direction, CancellationToken ct)
    {
        if (direction != TrafficDirection.Inbound) return ConnectionVerdict.Continue;
        if (_settings.ValidateRecipients && _directory is not null && !await _directory.ExistsAsync(recipient, ct).ConfigureAwait(false))
            return new(ConnectionDecision.Reject, $"Recipient {recipient} invalid", [new("recipient-filter", "recipient-invalid", Detail: recipient)]);

        var listed = EvaluateSenderLists(sender, recipient);
        if (listed is not null) return listed;

        if (!_perRecipient.TryAcquire(recipient))
            return new(ConnectionDecision.Defer, $"Message count limit reached for {recipient}, try again later",
                [new("rate-limit", "recipient", Detail: recipient)]);
        return ConnectionVerdict.Continue;
    }

    /// <summary>The sender lists applying to this recipient, in the documented order (<see cref="SenderLists"/>); null when none matches.</summary>
    public ConnectionVerdict? EvaluateSenderLists(string sender, string recipient)
    {
        if (sender.Length == 0) return null;
        var hit = SenderLists.Find(_senders, sender, null, recipient);
        if (hit is null) return null;
        var who = hit.Source == SenderListSource.EndUser ? "end-user" : "administrator";
        return hit.List == SenderListKind.Blocked
            ? new(ConnectionDecision.Reject, $"Sender {sender} blocked (block list)", [new("sender-filter", "blocked-" + who, Detail: hit.Sender.ToString())])
            : new(ConnectionDecision.Approved, $"Sender {sender} approved", [new("sender-filter", "approved-" + who, Detail: hit.Sender.ToString())]);
    }
}
