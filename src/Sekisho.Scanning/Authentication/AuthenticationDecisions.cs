using System.Net;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;

namespace Sekisho.Scanning.Authentication;

/// <summary>One action an authentication check asks for, with the reason for the trace.</summary>
/// <param name="Check">sender-ip-match, spf, dkim or dmarc.</param>
public sealed record AuthenticationDecision(string Check, AuthAction Action, string Reason);

/// <summary>
/// Applies <see cref="AuthenticationSettings"/> to a verdict the way cegp-target-model §3.5 describes: per-result SPF
/// actions, DKIM and DMARC rules of the recipient's managed domain (or the default rule), ignored peers (which beat
/// enforced peers), enforced peers, ARC acceptance of forwarded mail, <c>pct</c> sampling. Evaluation stops at the
/// first intercepting decision, as the console's order does. A pure function for the policy engine to call.
/// </summary>
public static class AuthenticationDecisions
{
    public static IReadOnlyList<AuthenticationDecision> Decide(AuthenticationVerdict verdict, MessageEnvelope envelope,
        string? headerFromDomain, AuthenticationSettings settings)
    {
        var decisions = new List<AuthenticationDecision>();
        var senderDomain = DomainOf(envelope.Sender);
        var recipientDomain = envelope.Recipients.Select(DomainOf).FirstOrDefault(d => d.Length > 0) ?? "";
        var client = envelope.ClientIp;

        bool Add(string check, AuthAction action, string reason)
        {
            if (action.Intercept == AuthIntercept.Accept && action.TagSubject is null && action.NotificationIds is null) return false;
            decisions.Add(new(check, action, reason));
            return action.Intercept != AuthIntercept.Accept;
        }

        // 1. Sender IP match
        if (verdict.Findings.FirstOrDefault(f => f.Engine == "sender-ip-match") is { Name: "fail" } ipFail && headerFromDomain is not null)
        {
            var rule = settings.SenderIpMatch.Where(r => DomainPattern.Matches(r.Domain, headerFromDomain))
                .OrderByDescending(r => DomainPattern.Specificity(r.Domain)).FirstOrDefault();
            if (rule is not null && Add("sender-ip-match", rule.Action, ipFail.Detail ?? "sender IP does not match")) return decisions;
        }
        bool ipMatched = verdict.Findings.Any(f => f.Engine == "sender-ip-match" && f.Name == "pass");

        // 2. SPF
        var spf = settings.Spf;
        if (spf.Enabled && !ipMatched && verdict.Spf != SpfResult.Pass && !IsPeer(spf.IgnoredPeers, senderDomain, client)
            && spf.Actions.TryGetValue(verdict.Spf, out var spfAction)
            && Add("spf", spfAction, $"SPF {verdict.Spf.ToString().ToLowerInvariant()}: {verdict.SpfReason}"))
            return decisions;

        // 3. DKIM verification
        var dkimPolicy = PolicyFor(settings.DkimVerification, p => p.Domain, recipientDomain);
        if (dkimPolicy is { Enabled: true } && !(dkimPolicy.SkipBlankEnvelopeSender && envelope.Sender.Length == 0)
            && !IsPeer(dkimPolicy.IgnoredPeers, senderDomain, client))
        {
            var enforced = new[] { senderDomain, dkimPolicy.UseHeaderSenderForEnforced ? headerFromDomain : null }
                .Where(d => !string.IsNullOrEmpty(d) && dkimPolicy.EnforcedPeers.Any(p => DomainPattern.Matches(p, d!)))
                .ToList();
            foreach (var domain in enforced)
                if (!verdict.Dkim.Any(s => s.Result == "pass" && s.Domain.Equals(domain, StringComparison.OrdinalIgnoreCase))
                    && Add("dkim", dkimPolicy.Action, $"{domain} is an enforced peer without a verified DKIM signature"))
                    return decisions;
        }

        // 4. DMARC
        var dmarcPolicy = PolicyFor(settings.Dmarc, p => p.Domain, recipientDomain);
        if (dmarcPolicy is { Enabled: true } && !(dmarcPolicy.SkipBlankEnvelopeSender && envelope.Sender.Length == 0)
            && !IsPeer(dmarcPolicy.IgnoredPeers, senderDomain, client)
            && !dmarcPolicy.ExceptionIps.Any(c => Cidr.TryParse(c, out var n) && n.ContainsAddress(client)))
        {
            var dmarc = verdict.Dmarc;
            bool enforcedPeer = headerFromDomain is not null && dmarcPolicy.EnforcedPeers.Any(p => DomainPattern.Matches(p, headerFromDomain));
            if (dmarc.Result == "pass") return decisions;
            if (dmarc.Result is "fail" or "none" or "permerror" && dmarcPolicy.EnableArc && verdict.Arc == "pass")
                return decisions; // forwarded mail authenticated by a valid ARC chain
            if (enforcedPeer && dmarc.Result != "temperror")
            {
                Add("dmarc", Action(dmarcPolicy, DmarcDisposition.Reject), $"{headerFromDomain} is an enforced peer and DMARC is {dmarc.Result}");
                return decisions;
            }
            if (dmarc.Result == "none")
                Add("dmarc", Action(dmarcPolicy, DmarcDisposition.NoRecord), dmarc.Reason ?? "no DMARC record");
            else if (dmarc.Result == "fail")
            {
                var disposition = dmarc.Sampled ? dmarc.Disposition : Downgrade(dmarc.Disposition);
                Add("dmarc", Action(dmarcPolicy, disposition),
                    $"DMARC fail, policy {dmarc.Disposition.ToString().ToLowerInvariant()}{(dmarc.Sampled ? "" : " (not sampled by pct)")}: {dmarc.Reason}");
            }
        }
        return decisions;
    }

    private static AuthAction Action(DmarcPolicySettings p, DmarcDisposition d) => p.Actions.TryGetValue(d, out var a) ? a : AuthAction.Accept;

    private static DmarcDisposition Downgrade(DmarcDisposition d) => d switch
    {
        DmarcDisposition.Reject => DmarcDisposition.Quarantine,
        DmarcDisposition.Quarantine => DmarcDisposition.None,
        _ => d,
    };

    /// <summary>The rule of the managed domain, else the default rule (<c>Domain</c> null).</summary>
    private static T? PolicyFor<T>(IReadOnlyList<T> rules, Func<T, string?> domain, string recipientDomain) where T : class =>
        rules.FirstOrDefault(r => domain(r) is { } d && DomainPattern.Matches(d, recipientDomain))
        ?? rules.FirstOrDefault(r => domain(r) is null);

    /// <summary>A peer entry is a domain pattern (matched on the envelope sender domain), an IP or a CIDR.</summary>
    private static bool IsPeer(IReadOnlyList<string> peers, string senderDomain, IPAddress client) =>
        peers.Any(p => Cidr.TryParse(p, out var n) ? n.ContainsAddress(client) : senderDomain.Length > 0 && DomainPattern.Matches(p, senderDomain));

    private static string DomainOf(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..].Trim().TrimEnd('.').ToLowerInvariant();
    }
}
