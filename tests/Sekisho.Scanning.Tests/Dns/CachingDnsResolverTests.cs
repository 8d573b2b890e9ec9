using System.Net;
using System.Net.Sockets;
using Sekisho.Scanning.Dns;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Dns;

public sealed class CachingDnsResolverTests : IDisposable
{
    private readonly FakeDnsServer _dns = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));

    private CachingDnsResolver Resolver() => _dns.Resolver(_time);

    [Fact]
    public async Task Answers_are_cached_for_their_ttl_and_asked_again_after()
    {
        _dns.Txt("example.com", "v=spf1 -all");
        var resolver = Resolver();

        var first = await resolver.TxtAsync("example.com", default);
        var second = await resolver.TxtAsync("EXAMPLE.com.", default);
        Assert.Equal(["v=spf1 -all"], first.Records);
        Assert.Same(first, second);
        Assert.Equal(1, resolver.QueriesSent);

        _time.Advance(TimeSpan.FromSeconds(301));
        await resolver.TxtAsync("example.com", default);
        Assert.Equal(2, resolver.QueriesSent);
    }

    [Fact]
    public async Task Nxdomain_empty_answers_and_failures_are_told_apart()
    {
        _dns.A("host.example.com", "192.0.2.1").ServerFailure("broken.example.com");
        var resolver = Resolver();

        Assert.Equal(DnsStatus.NxDomain, (await resolver.TxtAsync("missing.example.com", default)).Status);
        var empty = await resolver.AddressesAsync("host.example.com", AddressFamily.InterNetworkV6, default);
        Assert.True(empty.Status == DnsStatus.Ok && empty.IsVoid);
        Assert.Equal(DnsStatus.Error, (await resolver.MxAsync("broken.example.com", default)).Status);
        Assert.Equal(DnsStatus.Error, (await resolver.TxtAsync("bad..name", default)).Status);
    }

    [Fact]
    public async Task A_message_budget_refuses_lookups_beyond_its_limit()
    {
        _dns.A("host.example.com", "192.0.2.1");
        var budget = new BudgetedDnsLookup(Resolver(), maxQueries: 2, TimeSpan.FromSeconds(30), _time);

        Assert.Equal(DnsStatus.Ok, (await budget.AddressesAsync("host.example.com", AddressFamily.InterNetwork, default)).Status);
        Assert.Equal(DnsStatus.Ok, (await budget.AddressesAsync("host.example.com", AddressFamily.InterNetwork, default)).Status);
        var refused = await budget.AddressesAsync("host.example.com", AddressFamily.InterNetwork, default);
        Assert.Equal(DnsStatus.Error, refused.Status);
        Assert.Contains("budget", refused.Error);
    }

    public void Dispose() => _dns.Dispose();
}
