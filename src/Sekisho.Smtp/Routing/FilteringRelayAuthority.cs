using Sekisho.Policy.Ports;
using Sekisho.Smtp.Protocol;

namespace Sekisho.Smtp.Routing;

/// <summary>
/// Puts connection filtering (IP reputation, sender lists, recipient validation, rate limits — an
/// <see cref="IConnectionFilter"/>) in front of another relay authority: the inner authority's relay rules are asked
/// first, then the filter; the filter's rejections become 5xx replies and its deferrals 4xx replies. Outbound mail from
/// the organization's own servers and authenticated users is not filtered.
/// </summary>
public sealed class FilteringRelayAuthority(IRelayAuthority inner, IConnectionFilter filter) : IRelayAuthority
{
    public ManagedDomainView Domains => inner.Domains;

    public async ValueTask<SmtpReply?> CheckClientAsync(SessionFacts session, CancellationToken ct)
    {
        var refusal = await inner.CheckClientAsync(session, ct).ConfigureAwait(false);
        if (refusal is not null || session.Listener == ListenerKind.Submission) return refusal;
        if (inner.Domains.OutboundDomainsOf(session.Client.Address).Any()) return null;
        var verdict = await filter.CheckClientAsync(session.Client.Address, ct).ConfigureAwait(false);
        return Reply(verdict, "5.7.1", "4.7.1");
    }

    public async ValueTask<SenderDecision> CheckSenderAsync(SessionFacts session, SmtpMailbox? sender, CancellationToken ct)
    {
        var decision = await inner.CheckSenderAsync(session, sender, ct).ConfigureAwait(false);
        if (decision.Reject is not null || decision.OutboundDomain is not null) return decision;
        var verdict = await filter.CheckSenderAsync(session.Client.Address, sender?.Address ?? "", ct).ConfigureAwait(false);
        return Reply(verdict, "5.7.1", "4.7.1") is { } reply ? decision with { Reject = reply } : decision;
    }

    public async ValueTask<RecipientDecision> CheckRecipientAsync(SessionFacts session, SmtpMailbox? sender, SenderDecision senderDecision, SmtpMailbox recipient, CancellationToken ct)
    {
        var decision = await inner.CheckRecipientAsync(session, sender, senderDecision, recipient, ct).ConfigureAwait(false);
        if (decision.Reject is not null || decision.Direction != MailDirection.Inbound) return decision;
        var verdict = await filter.CheckRecipientAsync(session.Client.Address, sender?.Address ?? "", recipient.Address,
            TrafficDirection.Inbound, ct).ConfigureAwait(false);
        bool invalid = verdict.Findings.Any(f => f.Name == "recipient-invalid");
        return Reply(verdict, invalid ? "5.1.1" : "5.7.1", "4.7.1") is { } reply ? decision with { Reject = reply } : decision;
    }

    private static SmtpReply? Reply(ConnectionVerdict verdict, string permanent, string transient) => verdict.Decision switch
    {
        ConnectionDecision.Reject => new SmtpReply(550, permanent, verdict.Reason),
        ConnectionDecision.Defer => new SmtpReply(450, transient, verdict.Reason),
        _ => null,
    };
}
