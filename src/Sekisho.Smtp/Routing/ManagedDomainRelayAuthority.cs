using Sekisho.Smtp.Protocol;

namespace Sekisho.Smtp.Routing;

/// <summary>
/// The relay rules of the gateway over the managed-domain view:
/// inbound, only recipients of managed, verified domains (or unverified ones with <c>--accept-unverified</c>);
/// outbound, only senders of a managed domain coming from that domain's outbound servers or from
/// authenticated users. Local parts that carry routing (<c>%</c>, <c>!</c>, <c>@</c>), quoted local parts,
/// address literals, source routes and bare <c>postmaster</c> are refused, so the gateway is never an open relay.
/// </summary>
public sealed class ManagedDomainRelayAuthority(IManagedDomainCatalog catalog, bool acceptUnverified) : IRelayAuthority
{
    public ManagedDomainView Domains => catalog.Current;

    public ValueTask<SmtpReply?> CheckClientAsync(SessionFacts session, CancellationToken ct) => ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<SenderDecision> CheckSenderAsync(SessionFacts session, SmtpMailbox? sender, CancellationToken ct)
    {
        var view = catalog.Current;
        if (session.AuthenticatedUser is not null)
        {
            // Submission: the sender must be a managed domain the user may use.
            if (sender is null) return Decided(SmtpReply.Server.SenderNotOwned);
            var domain = view.Find(sender.AsciiDomain);
            if (domain is null || sender.IsAddressLiteral || !UserMay(session, sender)) return Decided(SmtpReply.Server.SenderNotOwned);
            return ValueTask.FromResult(new SenderDecision(null, domain.Name));
        }
        if (session.Listener == ListenerKind.Submission) return Decided(SmtpReply.Server.AuthRequired);

        var outboundFor = view.OutboundDomainsOf(session.Client.Address).ToList();
        if (outboundFor.Count > 0)
        {
            // An outbound server may send for its own domains, and bounces (null sender).
            if (sender is null) return ValueTask.FromResult(new SenderDecision(null, outboundFor[0].Name));
            var own = outboundFor.FirstOrDefault(d => string.Equals(d.Name, sender.AsciiDomain, StringComparison.OrdinalIgnoreCase));
            if (own is not null) return ValueTask.FromResult(new SenderDecision(null, own.Name));
        }
        // Everyone else may only send inbound; recipients decide.
        return ValueTask.FromResult(SenderDecision.Inbound);
    }

    public ValueTask<RecipientDecision> CheckRecipientAsync(SessionFacts session, SmtpMailbox? sender, SenderDecision senderDecision, SmtpMailbox recipient, CancellationToken ct)
    {
        if (recipient.IsBarePostmaster) return Refused(SmtpReply.Server.PostmasterRefused);
        if (recipient.IsAddressLiteral) return Refused(SmtpReply.Server.RelayDenied);
        if (recipient.IsQuotedLocalPart || recipient.LocalPart.AsSpan().IndexOfAny("%!@") >= 0)
            return Refused(SmtpReply.Server.RecipientSyntaxRefused);

        var view = catalog.Current;
        var managed = view.Find(recipient.AsciiDomain);
        if (managed is not null)
        {
            if (!managed.Verified && !acceptUnverified)
                return Refused(new SmtpReply(550, "5.7.1", $"Recipient address rejected: domain {managed.Name} is not verified yet"));
            return ValueTask.FromResult(new RecipientDecision(null, MailDirection.Inbound));
        }
        if (senderDecision.OutboundDomain is not null) return ValueTask.FromResult(new RecipientDecision(null, MailDirection.Outbound));
        return Refused(SmtpReply.Server.RelayDenied);
    }

    private static bool UserMay(SessionFacts session, SmtpMailbox sender)
    {
        if (session.AuthorizedSenders.Count == 0) return true;
        foreach (var allowed in session.AuthorizedSenders)
        {
            if (allowed.Contains('@'))
            {
                if (string.Equals(allowed, sender.Address, StringComparison.OrdinalIgnoreCase)) return true;
            }
            else if (string.Equals(allowed.TrimStart('@'), sender.AsciiDomain, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static ValueTask<SenderDecision> Decided(SmtpReply r) => ValueTask.FromResult(new SenderDecision(r, null));
    private static ValueTask<RecipientDecision> Refused(SmtpReply r) => ValueTask.FromResult(RecipientDecision.Refuse(r));
}
