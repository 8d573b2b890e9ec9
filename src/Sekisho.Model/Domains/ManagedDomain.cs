using System.Globalization;

namespace Sekisho.Model.Domains;

/// <summary>Whether a managed domain is ready for mail (console: 設定が必要 / 完了).</summary>
public enum DomainStatus
{
    /// <summary>Something is missing or unverified; <see cref="ManagedDomain.StatusReason"/> says what.</summary>
    NeedsSetup,
    /// <summary>Ownership verified by the TXT record; mail for the domain is accepted.</summary>
    Verified,
}

/// <summary>How a domain came to be in the list.</summary>
public enum DomainOrigin
{
    /// <summary>Added by an administrator.</summary>
    Administrator,
    /// <summary>Proposed by a migration from the source's SMTP routing; unverified until the administrator verifies it.</summary>
    MigrationProposal,
}

/// <summary>Reason codes for <see cref="DomainStatus.NeedsSetup"/> (rendered from resources).</summary>
public static class DomainStatusReasons
{
    public const string NotVerified = "not-verified";
    public const string TxtRecordMissing = "txt-record-missing";
    public const string TxtLookupFailed = "txt-lookup-failed";
    public const string NoInboundServers = "no-inbound-servers";
}

/// <summary>An inbound server of a domain: where accepted mail for <see cref="Recipient"/> is delivered.</summary>
/// <param name="Recipient"><c>*</c> for every recipient, or one local part.</param>
/// <param name="Host">IP address or FQDN (resolving to one address).</param>
/// <param name="Port">1–65535.</param>
/// <param name="Preference">1–100, lower first; equal preferences share the load.</param>
public sealed record InboundServer(string Recipient, string Host, int Port = 25, int Preference = 10)
{
    public const string AnyRecipient = "*";

        /// <summary>One inbound server written <c>HOST[:PORT][,PREF]</c>, <c>[IPv6][:PORT][,PREF]</c> or <c>LOCALPART=…</c>; null when it cannot be read (the console and <c>sekisho domain add</c>).</summary>
        public static InboundServer? TryParse(string text)
        {
            string recipient = InboundServer.AnyRecipient, rest = text;
            int eq = rest.IndexOf('=');
            if (eq > 0) { recipient = rest[..eq].Trim(); rest = rest[(eq + 1)..].Trim(); }
            int pref = 10, port = 25;
            int comma = rest.LastIndexOf(',');
            if (comma > 0)
            {
                if (!int.TryParse(rest[(comma + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out pref)) return null;
                rest = rest[..comma].Trim();
            }
            string host = rest;
            if (rest.StartsWith('['))
            {
                int close = rest.IndexOf(']');
                if (close < 0) return null;
                host = rest[1..close];
                if (close + 1 < rest.Length && (rest[close + 1] != ':' || !int.TryParse(rest[(close + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))) return null;
            }
            else if (rest.Count(c => c == ':') == 1)
            {
                int colon = rest.IndexOf(':');
                host = rest[..colon];
                if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port)) return null;
            }
            return host.Length == 0 || host.Any(char.IsWhiteSpace) ? null : new(recipient, host, port, pref);
        }
}

/// <summary>The kind of mail servers a domain sends from.</summary>
public enum OutboundProvider
{
    /// <summary>Outbound protection off: no outbound mail is accepted from anyone but authenticated users.</summary>
    None,
    /// <summary>The organization's own servers, listed by IP address or CIDR.</summary>
    UserDefined,
    Microsoft365,
    GoogleWorkspace,
}

/// <summary>Who may relay outbound mail for a domain.</summary>
public sealed record OutboundServers(OutboundProvider Provider, IReadOnlyList<string> AllowedIps)
{
    public static readonly OutboundServers None = new(OutboundProvider.None, []);
}

/// <summary>A domain the gateway protects (console: ドメイン).</summary>
public sealed record ManagedDomain
{
    public required string Id { get; init; }
    /// <summary>Lowercase ASCII domain name (the right-hand side of the addresses).</summary>
    public required string Name { get; init; }
    public IReadOnlyList<InboundServer> InboundServers { get; init; } = [];
    public OutboundServers Outbound { get; init; } = OutboundServers.None;
    /// <summary>Random token; the TXT record value is <see cref="VerificationRecord"/>.</summary>
    public required string VerificationToken { get; init; }
    public DomainStatus Status { get; init; } = DomainStatus.NeedsSetup;
    /// <summary>A <see cref="DomainStatusReasons"/> code when <see cref="Status"/> is <see cref="DomainStatus.NeedsSetup"/>.</summary>
    public string? StatusReason { get; init; } = DomainStatusReasons.NotVerified;
    public required DateTimeOffset Added { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public DomainOrigin Origin { get; init; } = DomainOrigin.Administrator;
    public Provenance? Provenance { get; init; }

    /// <summary>The TXT record value that proves ownership: <c>sekisho-verification=&lt;token&gt;</c>.</summary>
    public string VerificationRecord => VerificationRecordPrefix + VerificationToken;

    public const string VerificationRecordPrefix = "sekisho-verification=";

    public bool IsVerified => Status == DomainStatus.Verified;
}
