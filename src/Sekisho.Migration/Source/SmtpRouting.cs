namespace Sekisho.Migration.Source;

/// <summary>Administration → IMSVA Configuration → SMTP Routing (<c>smtp_routing.xml</c>).</summary>
public sealed record SmtpRouting(
    SmtpConnections? Connections, MessageRule? MessageRule, IReadOnlyList<string> RelayDomains,
    PermittedRelaySenders? PermittedRelaySenders, IReadOnlyList<DeliveryRoute> Delivery, TlsSettings? Tls, SourceLocation At);

/// <summary>Connections tab: port, limits and the accept/deny lists.</summary>
/// <param name="Port">SMTP listening port.</param>
/// <param name="MaxConnections">Simultaneous connections (null = no limit).</param>
/// <param name="IdleMinutes">Disconnect after this many idle minutes.</param>
/// <param name="Allow">"Deny all, except the following list".</param>
/// <param name="Deny">"Accept all, except the following list".</param>
/// <param name="At">Location.</param>
public sealed record SmtpConnections(int? Port, int? MaxConnections, int? IdleMinutes, IReadOnlyList<string> Allow, IReadOnlyList<string> Deny, SourceLocation At);

/// <summary>Message Rule tab limits.</summary>
public sealed record MessageRule(int? MaxMessageSizeMb, int? MaxRecipients, SourceLocation At);

/// <summary>Permitted senders of relayed mail.</summary>
public enum RelaySenderMode
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Host only.</summary>
    Host,
    /// <summary>Same subnet as the host.</summary>
    Subnet,
    /// <summary>Same IP class as the host.</summary>
    Class,
    /// <summary>Specified IP addresses.</summary>
    Specified,
}

/// <summary>Permitted senders of relayed mail.</summary>
public sealed record PermittedRelaySenders(RelaySenderMode Mode, IReadOnlyList<string> Ips, SourceLocation At);

/// <summary>Delivery method of a route.</summary>
public enum DeliveryMethod
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Static routing to the listed servers.</summary>
    Static,
    /// <summary>MX record lookup.</summary>
    Mx,
}

/// <summary>A destination server of a static route.</summary>
public sealed record DeliveryServer(string Host, int Port, int Preference, SourceLocation At);

/// <summary>A Message Delivery entry: a recipient domain or address and how mail for it is delivered.</summary>
public sealed record DeliveryRoute(string Target, DeliveryMethod Method, IReadOnlyList<DeliveryServer> Servers, SourceLocation At);

/// <summary>TLS security level for a peer.</summary>
public enum TlsLevel
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Never.</summary>
    Never,
    /// <summary>Opportunistic.</summary>
    Opportunistic,
    /// <summary>Must.</summary>
    Must,
    /// <summary>Verify the certificate.</summary>
    Verify,
}

/// <summary>A TLS peer entry (IP, subnet or domain).</summary>
public sealed record TlsPeer(string Match, TlsLevel Level, SourceLocation At);

/// <summary>Transport Layer Security settings.</summary>
public sealed record TlsSettings(bool Incoming, bool OnlyTls, IReadOnlyList<TlsPeer> Peers, SourceLocation At);
