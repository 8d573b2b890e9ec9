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

/// <summary>Where and how a released message goes (shared by <c>sekisho quarantine release</c> and the console).</summary>
public static class QuarantineDelivery
{
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

    /// <summary>True for the errors a failed delivery raises (the message then stays in quarantine).</summary>
    public static bool IsDeliveryFailure(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.CommandException;
}
