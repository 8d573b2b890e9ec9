using System.Net;
using System.Security.Authentication;
using Sekisho.Smtp.Protocol;

namespace Sekisho.Smtp;

/// <summary>Which listener a session came in on.</summary>
public enum ListenerKind
{
    /// <summary>The MTA port (25): mail from the Internet and from the organization's outbound servers.</summary>
    Mta,
    /// <summary>The submission port (587): authenticated users only, after STARTTLS.</summary>
    Submission,
}

/// <summary>Which way a recipient's mail travels through the gateway.</summary>
public enum MailDirection
{
    /// <summary>To a managed domain: delivered to the domain's inbound servers.</summary>
    Inbound,
    /// <summary>From a managed domain: delivered to the recipient's MX or the smart host.</summary>
    Outbound,
}

/// <summary>What the gateway knows about the client of one SMTP session.</summary>
public sealed record SessionFacts(
    string SessionId,
    ListenerKind Listener,
    IPEndPoint Client,
    IPEndPoint Local,
    DateTimeOffset ConnectedAt)
{
    /// <summary>The EHLO/HELO argument, as sent.</summary>
    public string? HeloName { get; init; }
    /// <summary>TLS protocol of the session (e.g. <c>TLSv1.3</c>) or null when plaintext.</summary>
    public string? TlsProtocol { get; init; }
    public string? TlsCipher { get; init; }
    /// <summary>The user name accepted by AUTH, or null.</summary>
    public string? AuthenticatedUser { get; init; }
    /// <summary>Sender domains or addresses the authenticated user may use; empty means any managed domain.</summary>
    public IReadOnlyList<string> AuthorizedSenders { get; init; } = [];
}

// ---------------------------------------------------------------- relay authority

/// <summary>One inbound server of a managed domain (cegp-target-model §3.2.1).</summary>
/// <param name="Recipient"><c>*</c> or an exact local part.</param>
/// <param name="Preference">1–100; lower is preferred; equal values are load-balanced.</param>
public sealed record InboundServer(string Recipient, string Host, int Port, int Preference);

/// <summary>A domain the organization manages, as the SMTP layer needs to see it.</summary>
public sealed record ManagedDomain(
    string Name,
    bool Verified,
    IReadOnlyList<InboundServer> InboundServers,
    IReadOnlyList<IPNetwork> OutboundServers);

/// <summary>An immutable snapshot of the managed domains, indexed for the dialogue's hot path.</summary>
public sealed class ManagedDomainView
{
    private readonly Dictionary<string, ManagedDomain> _byName;

    public ManagedDomainView(IEnumerable<ManagedDomain> domains)
    {
        _byName = new Dictionary<string, ManagedDomain>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in domains) _byName[NormalizeName(d.Name)] = d;
    }

    public static ManagedDomainView Empty { get; } = new([]);

    public IReadOnlyCollection<ManagedDomain> Domains => _byName.Values;

    /// <summary>The managed domain with this exact name (ASCII, case-insensitive); subdomains are not implied.</summary>
    public ManagedDomain? Find(string asciiDomain) => _byName.GetValueOrDefault(asciiDomain);

    /// <summary>Managed domains for which <paramref name="client"/> is a configured outbound server.</summary>
    public IEnumerable<ManagedDomain> OutboundDomainsOf(IPAddress client)
    {
        var c = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (var d in _byName.Values)
            foreach (var net in d.OutboundServers)
                if (net.Contains(c)) { yield return d; break; }
    }

    private static string NormalizeName(string name) =>
        new System.Globalization.IdnMapping().GetAscii(name.TrimEnd('.')).ToLowerInvariant();
}

/// <summary>The managed-domain view, kept current by whoever owns the configuration (the Store).</summary>
public interface IManagedDomainCatalog
{
    ManagedDomainView Current { get; }
}

/// <summary>A catalog over a fixed list (tests, the test host, embedded configuration).</summary>
public sealed class StaticManagedDomainCatalog(IEnumerable<ManagedDomain> domains) : IManagedDomainCatalog
{
    private volatile ManagedDomainView _current = new(domains);
    public ManagedDomainView Current => _current;
    public void Replace(IEnumerable<ManagedDomain> domains) => _current = new ManagedDomainView(domains);
}

/// <summary>The sender's standing: decided at MAIL FROM.</summary>
/// <param name="OutboundDomain">Set when the session may send outbound mail for this managed domain.</param>
public sealed record SenderDecision(SmtpReply? Reject, string? OutboundDomain)
{
    public static SenderDecision Inbound { get; } = new(null, null);
}

/// <summary>The recipient's standing: decided at RCPT TO.</summary>
public sealed record RecipientDecision(SmtpReply? Reject, MailDirection Direction)
{
    public static RecipientDecision Refuse(SmtpReply reply) => new(reply, MailDirection.Inbound);
}

/// <summary>
/// Who may connect and who may send what. The gateway asks it at connect, MAIL and RCPT; it must never
/// let an unmanaged recipient through from an unauthorized client (no open relay).
/// </summary>
public interface IRelayAuthority
{
    /// <summary>Null to accept the connection, or the reply to close it with (e.g. a blocked IP).</summary>
    ValueTask<SmtpReply?> CheckClientAsync(SessionFacts session, CancellationToken ct);

    ValueTask<SenderDecision> CheckSenderAsync(SessionFacts session, SmtpMailbox? sender, CancellationToken ct);

    ValueTask<RecipientDecision> CheckRecipientAsync(SessionFacts session, SmtpMailbox? sender, SenderDecision senderDecision, SmtpMailbox recipient, CancellationToken ct);

    /// <summary>The managed domains, for routing.</summary>
    ManagedDomainView Domains { get; }
}

// ---------------------------------------------------------------- submission

/// <summary>The result of checking a submission user's credentials.</summary>
public sealed record AuthenticationResult(bool Succeeded, bool Temporary, string? UserName, IReadOnlyList<string> AuthorizedSenders)
{
    public static AuthenticationResult Failed { get; } = new(false, false, null, []);
    public static AuthenticationResult TemporaryFailure { get; } = new(false, true, null, []);
    public static AuthenticationResult Success(string user, params string[] senders) => new(true, false, user, senders);
}

/// <summary>Checks user and password for AUTH on the submission port (only ever called after STARTTLS).</summary>
public interface ISubmissionAuthenticator
{
    ValueTask<AuthenticationResult> AuthenticateAsync(string userName, string password, SessionFacts session, CancellationToken ct);
}

// ---------------------------------------------------------------- routing and TLS

/// <summary>How much TLS a delivery to a peer requires (cegp-target-model §3.4.5).</summary>
public enum TlsSecurityLevel
{
    /// <summary>Never use TLS.</summary>
    None,
    /// <summary>STARTTLS when offered, without checking the certificate; plaintext otherwise.</summary>
    Opportunistic,
    /// <summary>STARTTLS must succeed (encryption required, certificate not checked); defer otherwise.</summary>
    Mandatory,
    /// <summary>STARTTLS must succeed with a certificate that chains to a trusted root and names the host.</summary>
    MandatoryVerify,
}

/// <summary>The TLS requirement for one peer.</summary>
public sealed record TlsPolicy(TlsSecurityLevel Level, SslProtocols MinimumProtocol = SslProtocols.None)
{
    public static TlsPolicy Opportunistic { get; } = new(TlsSecurityLevel.Opportunistic);
}

/// <summary>One host to try for a delivery.</summary>
public sealed record NextHop(string Host, int Port, int Preference, TlsPolicy Tls)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>Where a recipient's mail goes: hosts to try in order, or why there is none.</summary>
public sealed record RouteResolution(IReadOnlyList<NextHop> Hops, SmtpReply? Failure)
{
    public static RouteResolution To(IReadOnlyList<NextHop> hops) => new(hops, null);
    public static RouteResolution Fail(SmtpReply reply) => new([], reply);
}

/// <summary>Resolves the next hops of a recipient (inbound servers, MX, smart host).</summary>
public interface INextHopResolver
{
    ValueTask<RouteResolution> ResolveAsync(MailDirection direction, SmtpMailbox recipient, CancellationToken ct);
}

/// <summary>TLS policy per peer domain and direction.</summary>
public interface ITlsPolicyProvider
{
    TlsPolicy ForPeer(MailDirection direction, string recipientDomain);
}

/// <summary>One policy for every peer.</summary>
public sealed class UniformTlsPolicy(TlsPolicy policy) : ITlsPolicyProvider
{
    public TlsPolicy ForPeer(MailDirection direction, string recipientDomain) => policy;
}

// ---------------------------------------------------------------- DNS and randomness

/// <summary>The outcome class of a DNS question.</summary>
public enum DnsStatus { Ok, NxDomain, NoData, TemporaryFailure }

/// <summary>An MX record.</summary>
public sealed record MxHost(int Preference, string Host);

/// <summary>An answer with its status.</summary>
public sealed record DnsAnswer<T>(DnsStatus Status, IReadOnlyList<T> Records);

/// <summary>The DNS questions the gateway asks.</summary>
public interface IDnsResolver
{
    ValueTask<DnsAnswer<MxHost>> ResolveMxAsync(string domain, CancellationToken ct);
    ValueTask<DnsAnswer<IPAddress>> ResolveAddressesAsync(string host, CancellationToken ct);
}

/// <summary>Randomness, injectable so tests can fix load-balancing and identifiers.</summary>
public interface IRandomSource
{
    int Next(int maxExclusive);
    void NextBytes(Span<byte> buffer);
}

/// <summary>The shared thread-safe generator.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static SystemRandomSource Instance { get; } = new();
    public int Next(int maxExclusive) => Random.Shared.Next(maxExclusive);
    public void NextBytes(Span<byte> buffer) => Random.Shared.NextBytes(buffer);
}
