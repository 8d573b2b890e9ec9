using System.Net;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.Reputation;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Reputation;

public sealed class ConnectionFilterTests : IDisposable
{
    private readonly FakeDnsServer _dns = new FakeDnsServer()
        .A("10.113.0.203.kss.test", "127.0.0.2")
        .A("10.113.0.203.dul.test", "127.0.0.3")
        .ServerFailure("11.113.0.203.kss.test");

    private ConnectionFilter Filter(int level, params DnsBlocklist[] lists) => new(
        new ConnectionFiltering { IpReputationLevel = level, DnsBlocklists = lists }, new SenderFilter(),
        _dns.Resolver());

    [Fact]
    public async Task A_list_applies_from_its_minimum_level_and_level_zero_only_reports()
    {
        var ip = IPAddress.Parse("203.0.113.10");
        var lists = new[] { new DnsBlocklist("kss.test", MinimumLevel: 3), new DnsBlocklist("dul.test", MinimumLevel: 4) };

        var atTwo = await Filter(2, lists).CheckClientAsync(ip, default);
        Assert.Equal(ConnectionDecision.Continue, atTwo.Decision);
        Assert.Equal(["kss.test", "dul.test"], atTwo.Findings.Select(f => f.Name));

        var atThree = await Filter(3, lists).CheckClientAsync(ip, default);
        Assert.Equal(ConnectionDecision.Reject, atThree.Decision);
        Assert.Contains("kss.test", atThree.Reason);

        var off = await Filter(0, lists).CheckClientAsync(ip, default);
        Assert.Equal(ConnectionDecision.Continue, off.Decision);
        Assert.Equal(2, off.Findings.Count);
    }

    [Fact]
    public async Task A_list_that_cannot_be_asked_is_reported_untested_and_does_not_refuse()
    {
        var verdict = await Filter(4, new DnsBlocklist("kss.test")).CheckClientAsync(IPAddress.Parse("203.0.113.11"), default);
        Assert.Equal(ConnectionDecision.Continue, verdict.Decision);
        Assert.Equal("untested", Assert.Single(verdict.Findings).Name);
        Assert.Equal(ConnectionDecision.Continue, (await Filter(4, new DnsBlocklist("kss.test")).CheckClientAsync(IPAddress.Parse("203.0.113.12"), default)).Decision);
    }

    [Fact]
    public async Task Recipients_are_counted_per_minute()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var filter = new ConnectionFilter(new ConnectionFiltering { RateLimitPerRecipientPerMinute = 2 }, new SenderFilter(), new CachingDnsResolver(), null, time);
        var ip = IPAddress.Parse("192.0.2.1");
        for (int i = 0; i < 2; i++)
            Assert.Equal(ConnectionDecision.Continue, (await filter.CheckRecipientAsync(ip, "a@x.example", "bob@managed.example", TrafficDirection.Inbound, default)).Decision);
        Assert.Equal(ConnectionDecision.Defer, (await filter.CheckRecipientAsync(ip, "a@x.example", "BOB@managed.example", TrafficDirection.Inbound, default)).Decision);
        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckRecipientAsync(ip, "a@x.example", "carol@managed.example", TrafficDirection.Inbound, default)).Decision);
        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckRecipientAsync(ip, "a@x.example", "bob@managed.example", TrafficDirection.Outbound, default)).Decision);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckRecipientAsync(ip, "a@x.example", "bob@managed.example", TrafficDirection.Inbound, default)).Decision);
    }

    [Fact]
    public async Task The_unknown_sender_domain_check_wants_an_mx_or_an_address_unless_the_sender_is_approved()
    {
        _dns.Mx("mx.example", 10, "mail.mx.example").A("a-only.example", "192.0.2.7").Mx("nullmx.example", 0, ".")
            .ServerFailure("broken.example");
        var senders = new SenderFilter { Entries = [new(SenderListKind.Approved, SenderListScope.Organization, null, Model.Addresses.AddressPattern.Parse("*@nowhere.example"))] };
        var filter = new ConnectionFilter(new ConnectionFiltering(), senders,
            _dns.Resolver(), checkSenderDomain: true);
        var ip = IPAddress.Parse("192.0.2.1");

        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckSenderAsync(ip, "a@mx.example", default)).Decision);
        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckSenderAsync(ip, "a@a-only.example", default)).Decision);
        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckSenderAsync(ip, "", default)).Decision);
        Assert.Equal(ConnectionDecision.Continue, (await filter.CheckSenderAsync(ip, "boss@nowhere.example", default)).Decision);
        var missing = await filter.CheckSenderAsync(ip, "a@other.nowhere.example", default);
        Assert.Equal(ConnectionDecision.Reject, missing.Decision);
        Assert.Contains("not found", missing.Reason);
        Assert.Equal(ConnectionDecision.Reject, (await filter.CheckSenderAsync(ip, "a@nullmx.example", default)).Decision);
        Assert.Equal(ConnectionDecision.Defer, (await filter.CheckSenderAsync(ip, "a@broken.example", default)).Decision);
    }

    [Fact]
    public async Task Reverse_dns_rules_refuse_missing_or_invalid_ptr_by_the_most_specific_sender_domain_rule()
    {
        _dns.Ptr("192.0.2.50", "mail.good.example").A("mail.good.example", "192.0.2.50")
            .Ptr("192.0.2.51", "spoofed.example").A("spoofed.example", "198.51.100.1");
        var rules = new[]
        {
            new ReverseDnsRule(ReverseDnsRule.Default, RejectMissingPtr: true, RejectInvalidPtr: false),
            new ReverseDnsRule("*.strict.example", RejectMissingPtr: true, RejectInvalidPtr: true),
            new ReverseDnsRule("lenient.strict.example", RejectMissingPtr: false, RejectInvalidPtr: false),
            new ReverseDnsRule(ReverseDnsRule.EmptySender, RejectMissingPtr: false, RejectInvalidPtr: false),
        };
        var filter = new ConnectionFilter(new ConnectionFiltering { ApprovedIps = [new("192.0.2.99")] }, new SenderFilter(), _dns.Resolver(), reverseDnsRules: rules);
        async Task<ConnectionDecision> Check(string ip, string sender) => (await filter.CheckSenderAsync(IPAddress.Parse(ip), sender, default)).Decision;

        Assert.Equal(ConnectionDecision.Continue, await Check("192.0.2.50", "a@any.example"));
        Assert.Equal(ConnectionDecision.Reject, await Check("192.0.2.52", "a@any.example"));      // no PTR, default rule
        Assert.Equal(ConnectionDecision.Continue, await Check("192.0.2.52", ""));                 // empty-sender rule
        Assert.Equal(ConnectionDecision.Continue, await Check("192.0.2.51", "a@any.example"));    // invalid PTR allowed by default
        Assert.Equal(ConnectionDecision.Reject, await Check("192.0.2.51", "a@mail.strict.example"));
        Assert.Equal(ConnectionDecision.Continue, await Check("192.0.2.51", "a@lenient.strict.example"));
        Assert.Equal(ConnectionDecision.Continue, await Check("192.0.2.99", "a@any.example"));    // approved IPs skip reverse DNS
        var refused = await filter.CheckSenderAsync(IPAddress.Parse("192.0.2.51"), "a@x.strict.example", default);
        Assert.Equal("invalid-ptr", refused.Findings[0].Name);
        Assert.Contains("Reverse DNS validation failed", refused.Reason);
    }

    public void Dispose() => _dns.Dispose();
}
