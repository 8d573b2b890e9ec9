using System.Net;

namespace Sekisho.Policy.Ports;

/// <summary>The connection-level decision for one client, sender or recipient (cegp-target-model §3.4).</summary>
public enum ConnectionDecision
{
    /// <summary>Go on with the next check.</summary>
    Continue,
    /// <summary>Approved: skip the remaining reputation checks.</summary>
    Approved,
    /// <summary>Refuse permanently (5xx).</summary>
    Reject,
    /// <summary>Refuse for now (4xx): rate limit, DNS trouble.</summary>
    Defer,
}

/// <summary>A connection-filter answer with the reason shown in the reply and the trace.</summary>
public sealed record ConnectionVerdict(ConnectionDecision Decision, string Reason, IReadOnlyList<EngineFinding> Findings)
{
    public static ConnectionVerdict Continue { get; } = new(ConnectionDecision.Continue, "", []);
}

/// <summary>
/// IP reputation, sender lists, recipient validation and rate limits, asked during the SMTP dialogue
/// (the gateway's relay authority calls it at connect, MAIL and RCPT).
/// </summary>
public interface IConnectionFilter
{
    ValueTask<ConnectionVerdict> CheckClientAsync(IPAddress client, CancellationToken ct);
    ValueTask<ConnectionVerdict> CheckSenderAsync(IPAddress client, string sender, CancellationToken ct);
    ValueTask<ConnectionVerdict> CheckRecipientAsync(IPAddress client, string sender, string recipient, TrafficDirection direction, CancellationToken ct);
}

/// <summary>The reputation of one URL.</summary>
/// <param name="Listed">True when a URI blocklist lists it (and no approved entry exempts it).</param>
/// <param name="Category">The blocklist's category, e.g. <c>phishing</c>, <c>malware</c>, <c>spam</c>.</param>
/// <param name="Untested">True when no list could be asked (DNS trouble).</param>
public sealed record UrlReputation(string Url, bool Listed, string? Category, bool Untested = false, string? ListedBy = null);

/// <summary>URI blocklists (SURBL/URIBL style), with the approved list and URL keyword exceptions applied.</summary>
public interface IUrlReputation
{
    ValueTask<IReadOnlyList<UrlReputation>> CheckAsync(IReadOnlyList<string> urls, CancellationToken ct);
}

/// <summary>Time-of-click protection: rewrites a URL to a signed gateway link.</summary>
public interface IClickProtection
{
    /// <summary>The signed link that replaces <paramref name="url"/> in a message to <paramref name="recipient"/>.</summary>
    string Rewrite(string url, string recipient);
}
