using System.Net;
using DnsClient;
using Sekisho.Model.Audit;
using Sekisho.Model.Domains;

namespace Sekisho.Scanning.Dns;

/// <summary>The outcome of looking up a domain's verification TXT record.</summary>
public enum OwnershipCheckOutcome
{
    /// <summary>A TXT record holds exactly the expected value.</summary>
    Verified,
    /// <summary>The domain answered, but no TXT record holds the value.</summary>
    RecordMissing,
    /// <summary>The lookup failed (timeout, SERVFAIL, NXDOMAIN); try again later.</summary>
    LookupFailed,
}

/// <summary>What the lookup found: the outcome, the TXT values seen, and the error when it failed.</summary>
public sealed record OwnershipCheckResult(OwnershipCheckOutcome Outcome, IReadOnlyList<string> TxtValues, string? Error);

/// <summary>
/// Verifies domain ownership by the TXT record shown in the console (<c>sekisho-verification=…</c>),
/// asking the system resolver or a given DNS server.
/// </summary>
public sealed class DomainOwnershipCheck(IPEndPoint? nameServer = null, TimeSpan? timeout = null)
{
    private readonly LookupClient _client = nameServer is null
        ? new LookupClient(new LookupClientOptions { UseCache = false, Timeout = timeout ?? TimeSpan.FromSeconds(5), Retries = 1 })
        : new LookupClient(new LookupClientOptions(nameServer) { UseCache = false, Timeout = timeout ?? TimeSpan.FromSeconds(5), Retries = 1 });

    public async Task<OwnershipCheckResult> CheckAsync(string domain, string expectedRecord, CancellationToken ct = default)
    {
        try
        {
            var response = await _client.QueryAsync(domain, QueryType.TXT, QueryClass.IN, ct);
            if (response.HasError)
                return new(OwnershipCheckOutcome.LookupFailed, [], response.ErrorMessage);
            // A TXT record may be split into several strings; they are joined without separators (RFC 7208 §3.3).
            var values = response.Answers.TxtRecords().Select(t => string.Concat(t.Text)).ToList();
            return new(values.Any(v => v.Trim() == expectedRecord) ? OwnershipCheckOutcome.Verified : OwnershipCheckOutcome.RecordMissing, values, null);
        }
        catch (DnsResponseException e)
        {
            return new(OwnershipCheckOutcome.LookupFailed, [], e.Message);
        }
    }

    /// <summary>The domain after an ownership check, and the audit event to record (for <c>sekisho domain verify</c> and the console).</summary>
    public static (ManagedDomain Domain, string AuditEvent) Apply(ManagedDomain d, OwnershipCheckResult result, DateTimeOffset now)
    {
        var updated = result.Outcome switch
        {
            OwnershipCheckOutcome.Verified => d with { Status = DomainStatus.Verified, StatusReason = d.InboundServers.Count == 0 ? DomainStatusReasons.NoInboundServers : null, VerifiedAt = now },
            OwnershipCheckOutcome.RecordMissing => d with { Status = DomainStatus.NeedsSetup, StatusReason = DomainStatusReasons.TxtRecordMissing },
            _ => d with { Status = DomainStatus.NeedsSetup, StatusReason = DomainStatusReasons.TxtLookupFailed },
        };
        if (d.IsVerified && result.Outcome == OwnershipCheckOutcome.LookupFailed) updated = d; // a transient DNS failure keeps an earlier verification
        return (updated, result.Outcome == OwnershipCheckOutcome.Verified ? AuditEvents.DomainVerified : AuditEvents.DomainVerificationFailed);
    }
}
