using System.Globalization;
using MailKit.Net.Smtp;
using MimeKit;
using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Ports;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>The quarantine sink of the running gateway and of a release: the store's quarantine with the organization's retention.</summary>
public sealed class StoreQuarantineSink(QuarantineStore quarantine, Func<PolicySnapshot> snapshot) : IQuarantineSink
{
    public Task<string> QuarantineAsync(QuarantineRequest r, CancellationToken ct) =>
        quarantine.AddAsync(new NewQuarantinedMessage(r.Recipient, r.Sender, r.Direction, r.Subject, r.Message, r.RuleId, r.RuleName, r.Reason, r.Area,
            r.TraceJson, r.ReceivedAt, r.QueueId), snapshot().Settings.Retention.QuarantineDays, ct);
}

/// <summary>What a release did: the remaining rules' decision and, when delivered, to whom and through which server.</summary>
public sealed record ReleaseOutcome(ReleaseDecision Decision, IReadOnlyList<string> DeliveredTo, (string Host, int Port)? Hop);

/// <summary>A release that could not be delivered (the message stays in quarantine): no server to deliver to (<see cref="DeliveryError"/> null) or delivery failed.</summary>
public sealed class QuarantineReleaseException(string targets, string? deliveryError, Exception? inner = null)
    : Exception(deliveryError is null ? $"No server to deliver to {targets}." : $"Delivery to {targets} failed: {deliveryError}", inner)
{
    public string Targets { get; } = targets;
    public string? DeliveryError { get; } = deliveryError;
}

/// <summary>Release from quarantine and where a released message goes (shared by <c>sekisho quarantine release</c> and the console).</summary>
public static class QuarantineDelivery
{
    /// <summary>
    /// Releases <paramref name="m"/>: the remaining rules decide (<see cref="QuarantineRelease"/>); when they let it through it is delivered
    /// (through <paramref name="via"/> or the domain's inbound servers) and then removed, audited as released by <paramref name="actor"/>;
    /// when another rule keeps or deletes it the old entry goes at once. Throws <see cref="QuarantineReleaseException"/> (nothing removed) when it cannot be delivered.
    /// </summary>
    /// <param name="gateway">The running gateway's queue (inside <c>serve</c>): used when <paramref name="via"/> is not given; the gateway then delivers, with retries.</param>
    public static async Task<ReleaseOutcome> ReleaseAsync(QuarantineStore store, PolicySnapshot snapshot, QuarantinedMessage m, byte[] raw, string? via, string actor,
        TimeProvider time, CancellationToken ct, Sekisho.Smtp.IGeneratedMailSubmitter? gateway = null)
    {
        var decision = await QuarantineRelease.DecideAsync(snapshot, raw, m.Sender, m.Recipient, m.Direction, m.RuleId, m.Received, m.QueueId,
            new StoreQuarantineSink(store, () => snapshot), time, ct);
        var r = decision.Recipient;
        if (!decision.Deliver)
        {
            // Another rule keeps it (now quarantined under that rule) or deletes it: the old entry goes either way.
            await store.RemoveAsync(m.Id, released: true, actor, ct);
            return new(decision, [], null);
        }
        var content = r.Content ?? raw;
        IReadOnlyList<string> targets = r.ChangedTo.Count > 0 ? r.ChangedTo : [m.Recipient];
        if (r.RouteHost is null && string.IsNullOrWhiteSpace(via) && gateway is not null)
        {
            // Safely in the gateway's spool before the quarantine entry goes; the gateway routes, retries and tracks it.
            await gateway.SubmitAsync(new OutgoingMessage(OutgoingKind.Released, m.Sender, targets, content, m.RuleName), ct);
            foreach (var o in decision.Outgoing) await gateway.SubmitAsync(o, ct);
            await store.RemoveAsync(m.Id, released: true, actor, ct);
            return new(decision, targets, null);
        }
        var hop = r.RouteHost is { } h ? (h, r.RoutePort == 0 ? 25 : r.RoutePort) : Route(via, snapshot, m.Recipient) ?? throw new QuarantineReleaseException(m.Recipient, null);
        try
        {
            await DeliverAsync(hop, m.Sender, targets, content, ct);
            foreach (var o in decision.Outgoing) await DeliverAsync(hop, o.Sender, o.Recipients, o.Content, ct);
        }
        catch (Exception e) when (IsDeliveryFailure(e))
        {
            throw new QuarantineReleaseException(string.Join(", ", targets), e.Message, e);
        }
        await store.RemoveAsync(m.Id, released: true, actor, ct);
        return new(decision, targets, hop);
    }

    /// <summary>The next hop: <paramref name="via"/> (<c>HOST[:PORT]</c>) when given, else the recipient domain's first inbound server; null when there is none.</summary>
    public static (string Host, int Port)? Route(string? via, PolicySnapshot snapshot, string recipient)
    {
        if (!string.IsNullOrWhiteSpace(via))
        {
            var v = via.Trim();
            int colon = v.LastIndexOf(':');
            if (colon > 0 && int.TryParse(v[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
                return (v[..colon], port);
            return (v, 25);
        }
        var domain = DomainNames.DomainOf(recipient);
        var d = domain is null ? null : snapshot.FindDomain(domain);
        var local = recipient[..recipient.LastIndexOf('@')];
        var server = d is null ? null : InboundRouting.GroupsFor(d, local).SelectMany(g => g).FirstOrDefault();
        return server is null ? null : (server.Host, server.Port);
    }

    /// <summary>Sends the message over SMTP to the hop.</summary>
    public static async Task DeliverAsync((string Host, int Port) hop, string sender, IReadOnlyList<string> recipients, byte[] content, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = 60_000 };
        await client.ConnectAsync(hop.Host, hop.Port, MailKit.Security.SecureSocketOptions.None, ct);
        using var s = new MemoryStream(content, writable: false);
        var message = await MimeMessage.LoadAsync(s, ct);
        await client.SendAsync(message, sender.Length == 0 ? new MailboxAddress("", "") : MailboxAddress.Parse(sender), recipients.Select(MailboxAddress.Parse), ct);
        await client.DisconnectAsync(true, ct);
    }

    private static bool IsDeliveryFailure(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.CommandException;
}
