using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Sekisho.Scanning.Dns;

/// <summary>Where and how the resolver asks: servers (none = the system's), timeout, retries, cache bounds.</summary>
public sealed record DnsResolverOptions
{
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);
    public int Retries { get; init; } = 1;
    public int MaxCacheEntries { get; init; } = 100_000;
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(1);
    /// <summary>How long NXDOMAIN and empty answers are remembered.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Parses <c>HOST:PORT</c> (or a bare address, port 53).</summary>
    public static IPEndPoint ParseServer(string value)
    {
        if (IPEndPoint.TryParse(value, out var ep))
            return ep.Port == 0 ? new IPEndPoint(ep.Address, 53) : ep;
        throw new FormatException($"'{value}' is not an IP address with an optional port (e.g. 127.0.0.1:53)");
    }
}

/// <summary>
/// The one resolver of the scanners (DnsClient): answers are cached by their TTL (bounded), failures are not
/// cached, every query has a timeout. Thread-safe; share one instance.
/// </summary>
public sealed class CachingDnsResolver : IDnsLookup
{
    private readonly LookupClient _client;
    private readonly DnsResolverOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (object Answer, DateTimeOffset Expires)> _cache = new();

    public CachingDnsResolver(DnsResolverOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new DnsResolverOptions();
        _time = time ?? TimeProvider.System;
        var lookupOptions = _options.Servers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions(_options.Servers.ToArray());
        lookupOptions.UseCache = false;
        lookupOptions.Timeout = _options.Timeout;
        lookupOptions.Retries = _options.Retries;
        lookupOptions.ThrowDnsErrors = false;
        lookupOptions.ContinueOnDnsError = false;
        lookupOptions.ContinueOnEmptyResponse = false;
        lookupOptions.UseTcpFallback = true;
        _client = new LookupClient(lookupOptions);
    }

    /// <summary>Queries sent to a server (cache misses), for diagnostics and benchmarks.</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);
    private long _queriesSent;

    public ValueTask<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct) =>
        QueryAsync(name, QueryType.TXT, r => r.OfType<TxtRecord>().Select(t => string.Concat(t.Text)), ct);

    public ValueTask<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken ct) =>
        family == AddressFamily.InterNetworkV6
            ? QueryAsync(name, QueryType.AAAA, r => r.OfType<AaaaRecord>().Select(a => a.Address), ct)
            : QueryAsync(name, QueryType.A, r => r.OfType<ARecord>().Select(a => a.Address), ct);

    public ValueTask<DnsAnswer<MxRecord>> MxAsync(string name, CancellationToken ct) =>
        QueryAsync(name, QueryType.MX, r => r.OfType<DnsClient.Protocol.MxRecord>()
            .Select(m => new MxRecord(m.Preference, m.Exchange.Value.TrimEnd('.'))), ct);

    public ValueTask<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken ct) =>
        QueryAsync(DnsNames.ReverseName(address), QueryType.PTR, r => r.OfType<PtrRecord>().Select(p => p.PtrDomainName.Value.TrimEnd('.')), ct);

    private async ValueTask<DnsAnswer<T>> QueryAsync<T>(string name, QueryType type, Func<IEnumerable<DnsResourceRecord>, IEnumerable<T>> select, CancellationToken ct)
    {
        if (!DnsNames.IsQueryable(name))
            return DnsAnswer<T>.Failed($"'{name}' is not a valid DNS name");
        var key = type + ":" + name.TrimEnd('.').ToLowerInvariant();
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var hit) && hit.Expires > now)
            return (DnsAnswer<T>)hit.Answer;

        DnsAnswer<T> answer;
        uint ttl;
        try
        {
            Interlocked.Increment(ref _queriesSent);
            var response = await _client.QueryAsync(name, type, QueryClass.IN, ct).ConfigureAwait(false);
            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            {
                answer = new(DnsStatus.NxDomain, []);
                ttl = (uint)_options.NegativeTtl.TotalSeconds;
            }
            else if (response.HasError)
                return DnsAnswer<T>.Failed($"{name} {type}: {response.ErrorMessage}");
            else
            {
                var records = select(response.Answers).ToList();
                answer = new(DnsStatus.Ok, records);
                ttl = records.Count == 0
                    ? (uint)_options.NegativeTtl.TotalSeconds
                    : response.Answers.Select(a => (uint)Math.Max(0, a.InitialTimeToLive)).DefaultIfEmpty(0u).Min();
            }
        }
        catch (DnsResponseException e)
        {
            return DnsAnswer<T>.Failed($"{name} {type}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return DnsAnswer<T>.Failed($"{name} {type}: {e.Message}");
        }
        catch (SocketException e)
        {
            return DnsAnswer<T>.Failed($"{name} {type}: {e.Message}");
        }

        var lifetime = TimeSpan.FromSeconds(Math.Min(ttl, _options.MaxTtl.TotalSeconds));
        if (lifetime > TimeSpan.Zero)
        {
            if (_cache.Count >= _options.MaxCacheEntries) _cache.Clear();
            _cache[key] = (answer, now + lifetime);
        }
        return answer;
    }
}

/// <summary>
/// A per-message budget over a shared resolver: at most <c>maxQueries</c> lookups and a deadline; beyond that
/// every lookup fails (temperror), so one hostile message cannot stall the pipeline.
/// </summary>
public sealed class BudgetedDnsLookup(IDnsLookup inner, int maxQueries, TimeSpan deadline, TimeProvider? time = null) : IDnsLookup
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly DateTimeOffset _end = (time ?? TimeProvider.System).GetUtcNow() + deadline;
    private int _used;

    /// <summary>Lookups spent so far.</summary>
    public int Used => Volatile.Read(ref _used);

    private string? Refuse()
    {
        if (Interlocked.Increment(ref _used) > maxQueries) return $"DNS budget of {maxQueries} lookups per message exhausted";
        if (_time.GetUtcNow() > _end) return $"DNS time budget of {deadline.TotalSeconds:0.#} s per message exhausted";
        return null;
    }

    public ValueTask<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct) =>
        Refuse() is { } e ? ValueTask.FromResult(DnsAnswer<string>.Failed(e)) : inner.TxtAsync(name, ct);

    public ValueTask<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken ct) =>
        Refuse() is { } e ? ValueTask.FromResult(DnsAnswer<IPAddress>.Failed(e)) : inner.AddressesAsync(name, family, ct);

    public ValueTask<DnsAnswer<MxRecord>> MxAsync(string name, CancellationToken ct) =>
        Refuse() is { } e ? ValueTask.FromResult(DnsAnswer<MxRecord>.Failed(e)) : inner.MxAsync(name, ct);

    public ValueTask<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken ct) =>
        Refuse() is { } e ? ValueTask.FromResult(DnsAnswer<string>.Failed(e)) : inner.PtrAsync(address, ct);
}
