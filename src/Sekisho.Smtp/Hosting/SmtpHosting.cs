using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sekisho.Smtp.Routing;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp.Hosting;

/// <summary>Registration of the SMTP gateway for a generic host (<c>sekisho serve</c>).</summary>
public static class SmtpServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway and its hosted service. Register <see cref="IManagedDomainCatalog"/> (or a whole
    /// <see cref="IRelayAuthority"/>) before or after; the other ports get defaults: system clock and
    /// randomness, DnsClient resolver, opportunistic TLS, pass-through content policy, JSON-lines tracking in the spool,
    /// no submission users.
    /// </summary>
    public static IServiceCollection AddSekishoSmtp(this IServiceCollection services, Action<SmtpGatewayOptions> configure)
    {
        services.AddOptions<SmtpGatewayOptions>().Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRandomSource>(SystemRandomSource.Instance);
        services.TryAddSingleton<IDnsResolver>(_ => new DnsClientResolver());
        services.TryAddSingleton<ITlsPolicyProvider>(new UniformTlsPolicy(TlsPolicy.Opportunistic));
        services.TryAddSingleton<IContentPolicy, PassThroughContentPolicy>();
        // Files in the spool until the Store provides a database-backed sink; `sekisho log mail` can read them offline.
        services.TryAddSingleton<IMailTrackingSink>(sp => new JsonLinesMailTrackingSink(
            Path.Combine(sp.GetRequiredService<IOptions<SmtpGatewayOptions>>().Value.SpoolDirectory, "tracking")));
        services.TryAddSingleton<IRelayAuthority>(sp => new ManagedDomainRelayAuthority(
            sp.GetRequiredService<IManagedDomainCatalog>(), sp.GetRequiredService<IOptions<SmtpGatewayOptions>>().Value.AcceptUnverifiedDomains));
        services.TryAddSingleton<INextHopResolver>(sp => new GatewayNextHopResolver(
            sp.GetRequiredService<IManagedDomainCatalog>(), sp.GetRequiredService<IDnsResolver>(), sp.GetRequiredService<ITlsPolicyProvider>(),
            sp.GetRequiredService<IRandomSource>(), sp.GetRequiredService<IOptions<SmtpGatewayOptions>>().Value.Delivery.SmartHost,
            sp.GetRequiredService<IOptions<SmtpGatewayOptions>>().Value.Delivery.MxPort));
        services.TryAddSingleton(sp => new SmtpGateway(
            sp.GetRequiredService<IOptions<SmtpGatewayOptions>>().Value,
            new SmtpGatewayPorts(
                sp.GetRequiredService<IRelayAuthority>(),
                sp.GetRequiredService<INextHopResolver>(),
                sp.GetRequiredService<ITlsPolicyProvider>(),
                sp.GetRequiredService<IContentPolicy>(),
                sp.GetRequiredService<IMailTrackingSink>(),
                sp.GetRequiredService<IDnsResolver>(),
                sp.GetService<ISubmissionAuthenticator>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IRandomSource>()),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService<SmtpGatewayHostedService>();
        return services;
    }

    /// <summary>Maps <c>/healthz</c> (200 while listening and the spool is open, 503 otherwise) and <c>/metrics</c> (Prometheus text).</summary>
    public static IEndpointRouteBuilder MapSekishoSmtpEndpoints(this IEndpointRouteBuilder endpoints, string metricsPath = "/metrics", string healthPath = "/healthz")
    {
        endpoints.MapGet(metricsPath, (SmtpGateway g) => Results.Text(g.Metrics.ToPrometheusText(), "text/plain; version=0.0.4; charset=utf-8"));
        endpoints.MapGet(healthPath, (SmtpGateway g) => g.IsRunning
            ? Results.Text($"ok\nqueue {g.Metrics.QueueMessages}\nconnections {g.Metrics.ActiveConnections}\n")
            : Results.Text("stopped\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return endpoints;
    }
}

/// <summary>Starts the gateway with the host; on SIGTERM the host stops it gracefully (open transactions finish).</summary>
public sealed class SmtpGatewayHostedService(SmtpGateway gateway, ILogger<SmtpGatewayHostedService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await gateway.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (kind, ep) in gateway.Endpoints)
            log.LogInformation("Sekisho SMTP {Kind} listener ready on {Endpoint}", kind, ep);
    }

    public Task StopAsync(CancellationToken cancellationToken) => gateway.StopAsync(cancellationToken);
}
