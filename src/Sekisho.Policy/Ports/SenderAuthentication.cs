using Sekisho.Model.Settings;

namespace Sekisho.Policy.Ports;

/// <summary>The DKIM result of one signature (RFC 8601 vocabulary: pass, fail, neutral, temperror, permerror, none, policy).</summary>
/// <param name="Domain">The signing domain (<c>d=</c>).</param>
/// <param name="Selector">The selector (<c>s=</c>).</param>
public sealed record DkimSignatureResult(string Result, string Domain, string Selector, string? Reason = null);

/// <summary>The DMARC evaluation (RFC 7489).</summary>
/// <param name="Result">pass, fail, none, temperror, permerror.</param>
/// <param name="Disposition">The published policy applicable to this message (<c>p</c> or <c>sp</c>), or none.</param>
/// <param name="HeaderFromDomain">The RFC5322.From domain evaluated.</param>
/// <param name="Sampled">False when <c>pct</c> excluded this message from the policy.</param>
public sealed record DmarcResult(string Result, DmarcDisposition Disposition, string? HeaderFromDomain, bool Sampled = true, string? Reason = null);

/// <summary>
/// The sender authentication of one message: what the protocols say, with reasons. The policy decides the
/// actions from <c>AuthenticationSettings</c>; the adapter only evaluates.
/// </summary>
public sealed record AuthenticationVerdict(
    SpfResult Spf,
    string? SpfReason,
    IReadOnlyList<DkimSignatureResult> Dkim,
    DmarcResult Dmarc)
{
    /// <summary>ARC chain validation: pass, fail, none.</summary>
    public string Arc { get; init; } = "none";
    /// <summary>The domains that sealed a passing ARC chain (trusted forwarders are decided by the policy).</summary>
    public IReadOnlyList<string> ArcSealers { get; init; } = [];
    /// <summary>Forward-confirmed reverse DNS of the client: pass, fail, temperror, none.</summary>
    public string ReverseDns { get; init; } = "none";
    /// <summary>The PTR name that confirmed, if any.</summary>
    public string? ReverseDnsName { get; init; }
    /// <summary>The <c>Authentication-Results</c> header value (RFC 8601), without the field name.</summary>
    public string AuthenticationResults { get; init; } = "";
    /// <summary>The <c>X-Sekisho-Received-SPF</c> header value (RFC 7208 §9.1 Received-SPF syntax), without the field name.</summary>
    public string ReceivedSpf { get; init; } = "";
    public IReadOnlyList<EngineFinding> Findings { get; init; } = [];
}

/// <summary>Evaluates SPF, DKIM, DMARC, ARC and reverse DNS for one message (original bytes, envelope).</summary>
public interface ISenderAuthenticator
{
    ValueTask<AuthenticationVerdict> AuthenticateAsync(ReadOnlyMemory<byte> message, MessageEnvelope envelope, CancellationToken ct);
}

/// <summary>Signs outbound mail (DKIM) with the sending domain's key; returns the header to prepend, or null when no key applies.</summary>
public interface IOutboundSigner
{
    ValueTask<string?> SignAsync(ReadOnlyMemory<byte> message, string senderDomain, CancellationToken ct);
}

/// <summary>
/// Seals inbound mail with the gateway's ARC set (RFC 8617) recording its Authentication-Results, so that the servers
/// behind the gateway can trust what it verified after its changes broke the original DKIM signatures.
/// </summary>
public interface IArcSealer
{
    /// <summary>The ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results fields (CRLF-terminated) to prepend.</summary>
    ValueTask<string> SealAsync(ReadOnlyMemory<byte> message, string authenticationResults, CancellationToken ct);
}
