using System.Net;
using DnsClient;

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
}
