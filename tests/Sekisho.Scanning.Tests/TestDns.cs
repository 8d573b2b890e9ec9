using System.Net;
using Sekisho.Scanning.Dns;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests;

/// <summary>The scanners' resolver pointed at a test's in-process DNS server (no retries: the server answers at once).</summary>
internal static class TestDns
{
    public static CachingDnsResolver Resolver(this FakeDnsServer server, TimeProvider? time = null) =>
        new(new DnsResolverOptions { Servers = [new IPEndPoint(IPAddress.Loopback, server.Port)], Retries = 0 }, time);
}
