using System.Net;
using MimeKit;
using MimeKit.Cryptography;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Dkim;
using Sekisho.Scanning.Dmarc;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.Spf;

namespace Sekisho.Scanning.Authentication;

/// <summary>Settings of the authenticator: the authserv-id of its headers and the DNS budget of one message.</summary>
public sealed record SenderAuthenticatorOptions
{
    /// <summary>The host name that stamps <c>Authentication-Results</c> (RFC 8601 authserv-id).</summary>
    public string AuthServId { get; init; } = "sekisho";
    public int MaxDnsQueriesPerMessage { get; init; } = 60;
    public TimeSpan DnsTimePerMessage { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Sender IP match pairs (header From domain → allowed IPs/CIDRs).</summary>
    public IReadOnlyList<SenderIpMatch> SenderIpMatch { get; init; } = [];
    public SpfOptions Spf { get; init; } = new();
}

/// <summary>
/// Evaluates sender authentication for one message in the order of cegp-target-model §3.5: sender IP match, SPF,
/// DKIM, DMARC, plus ARC and forward-confirmed reverse DNS, and writes the <c>Authentication-Results</c> value.
/// It only evaluates; actions come from the policy (<see cref="AuthenticationDecisions"/>).
/// </summary>
public sealed class SenderAuthenticator(IDnsLookup dns, SenderAuthenticatorOptions? options = null, TimeProvider? time = null,
    PublicSuffixList? suffixes = null, Func<int>? percentRoll = null) : ISenderAuthenticator
{
    private readonly SenderAuthenticatorOptions _options = options ?? new SenderAuthenticatorOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async ValueTask<AuthenticationVerdict> AuthenticateAsync(ReadOnlyMemory<byte> message, MessageEnvelope envelope, CancellationToken ct)
    {
        var budget = new BudgetedDnsLookup(dns, _options.MaxDnsQueriesPerMessage, _options.DnsTimePerMessage, _time);
        MimeMessage parsed;
        try
        {
            using var stream = new MemoryStream(message.ToArray(), writable: false);
            parsed = await MimeMessage.LoadAsync(stream, ct).ConfigureAwait(false);
        }
        catch (FormatException)
        {
            parsed = new MimeMessage(); // no parsable header: no From, no signatures; SPF and iprev still apply
        }
        var fromDomain = HeaderFromDomain(parsed);
        var client = envelope.ClientIp.IsIPv4MappedToIPv6 ? envelope.ClientIp.MapToIPv4() : envelope.ClientIp;
        var findings = new List<EngineFinding>();

        SpfCheck spf;
        var ipMatch = MatchSenderIp(fromDomain, client);
        if (ipMatch is { } pair && pair.Allowed)
        {
            spf = new(SpfResult.Pass, fromDomain!, $"sender IP match: {client} is listed for {pair.Rule.Domain}");
            findings.Add(new("sender-ip-match", "pass", Detail: pair.Rule.Domain));
        }
        else
        {
            if (ipMatch is { } failed) findings.Add(new("sender-ip-match", "fail", Detail: $"{client} is not listed for {failed.Rule.Domain}"));
            spf = await new SpfEvaluator(budget, _options.Spf, _time).CheckAsync(client, envelope.Sender, envelope.HeloName, ct).ConfigureAwait(false);
        }
        findings.Add(new("spf", spf.Result.ToString().ToLowerInvariant(), Detail: spf.Reason));

        var dkim = await new DkimVerification(budget, _time).VerifyAsync(parsed, ct).ConfigureAwait(false);
        findings.AddRange(dkim.Select(d => new EngineFinding("dkim", d.Result, Detail: $"d={d.Domain} s={d.Selector} {d.Reason}".Trim())));

        var dmarc = await new DmarcEvaluator(budget, suffixes, percentRoll)
            .EvaluateAsync(fromDomain, new SpfIdentity(spf.Result, spf.Domain), dkim, ct).ConfigureAwait(false);
        findings.Add(new("dmarc", dmarc.Result.Result, Detail: dmarc.Result.Reason));

        var (arc, sealers) = await VerifyArcAsync(parsed, budget, ct).ConfigureAwait(false);
        findings.Add(new("arc", arc, Detail: sealers.Count > 0 ? "sealed by " + string.Join(", ", sealers) : null));

        var rdns = await new ReverseDnsCheck(budget).CheckAsync(client, ct).ConfigureAwait(false);
        findings.Add(new("iprev", rdns.Result, Detail: rdns.Reason));

        return new AuthenticationVerdict(spf.Result, spf.Reason, dkim, dmarc.Result)
        {
            Arc = arc,
            ArcSealers = sealers,
            ReverseDns = rdns.Result,
            ReverseDnsName = rdns.Name,
            AuthenticationResults = AuthenticationResultsHeader.Format(_options.AuthServId, spf, dkim, dmarc.Result, arc, rdns.Result, client, rdns.Name),
            ReceivedSpf = AuthenticationResultsHeader.ReceivedSpf(spf, client, envelope.Sender, envelope.HeloName),
            Findings = findings,
        };
    }

    /// <summary>The RFC5322.From domain when the message has exactly one From domain, else null.</summary>
    public static string? HeaderFromDomain(MimeMessage message)
    {
        var domains = message.From.Mailboxes.Select(m => m.Domain?.Trim().TrimEnd('.').ToLowerInvariant())
            .Where(d => !string.IsNullOrEmpty(d)).Distinct().ToList();
        return domains.Count == 1 ? domains[0] : null;
    }

    private (SenderIpMatch Rule, bool Allowed)? MatchSenderIp(string? fromDomain, IPAddress client)
    {
        if (fromDomain is null) return null;
        var rule = _options.SenderIpMatch
            .Where(r => DomainPattern.Matches(r.Domain, fromDomain))
            .OrderByDescending(r => DomainPattern.Specificity(r.Domain)).FirstOrDefault();
        if (rule is null) return null;
        return (rule, rule.Ips.Any(cidr => Cidr.TryParse(cidr, out var c) && c.ContainsAddress(client)));
    }

    private static async Task<(string Result, IReadOnlyList<string> Sealers)> VerifyArcAsync(MimeMessage message, IDnsLookup dns, CancellationToken ct)
    {
        if (!message.Headers.Contains(HeaderId.ArcSeal)) return ("none", []);
        try
        {
            var result = await new ArcVerifier(new DnsDkimKeyLocator(dns)).VerifyAsync(message, ct).ConfigureAwait(false);
            return result.Chain switch
            {
                ArcSignatureValidationResult.Pass => ("pass", (result.Seals ?? []).Select(s => DkimVerification.ParseTags(s.Header.Value).GetValueOrDefault("d", "")).Where(d => d.Length > 0).ToList()),
                ArcSignatureValidationResult.Fail => ("fail", []),
                _ => ("none", []),
            };
        }
        catch (Exception e) when (e is DkimKeyException or FormatException or ParseException)
        {
            return ("fail", []);
        }
    }
}
