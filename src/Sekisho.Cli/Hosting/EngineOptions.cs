using System.Net;
using Sekisho.Cli.Localization;
using Sekisho.Scanning.Authentication;
using Sekisho.Scanning.Dns;

namespace Sekisho.Cli.Hosting;

/// <summary>The engine options the commands share (<c>serve</c>, <c>policy test</c>, <c>auth check</c>), parsed and built one way.</summary>
internal static class EngineOptions
{
    /// <summary>rspamd worker URLs (http or https), or a one-line user error naming the bad one.</summary>
    public static List<Uri> RspamdEndpoints(IEnumerable<string>? values)
    {
        var uris = new List<Uri>();
        foreach (var u in values ?? [])
            uris.Add(Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri : throw new CliUserException(CliText.T("error.serve.rspamd-url", u)));
        return uris;
    }

    /// <summary>The sender authenticator the gateway uses, asking <paramref name="resolver"/> (or the system's resolvers).</summary>
    public static SenderAuthenticator Authenticator(IPEndPoint? resolver, TimeProvider time) =>
        new(new CachingDnsResolver(new DnsResolverOptions { Servers = resolver is null ? [] : [resolver] }, time),
            new SenderAuthenticatorOptions { AuthServId = Dns.GetHostName() }, time);
}
