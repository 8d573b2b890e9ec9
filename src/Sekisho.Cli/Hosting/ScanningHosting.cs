using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Cli.Localization;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Antispam;
using Sekisho.Scanning.Antivirus;
using Sekisho.Scanning.Authentication;
using Sekisho.Scanning.Dkim;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.Reputation;
using Sekisho.Scanning.WebReputation;
using Sekisho.Smtp;
using Sekisho.Smtp.Routing;

namespace Sekisho.Cli.Hosting;

/// <summary>What <c>sekisho serve</c> was told about the engines and DNS.</summary>
internal sealed record ScanningHostOptions
{
    public IReadOnlyList<string> ClamdEndpoints { get; init; } = [];
    public string? ClamdConfig { get; init; }
    public IReadOnlyList<Uri> RspamdEndpoints { get; init; } = [];
    public bool FailOpen { get; init; }
    public IPEndPoint? Resolver { get; init; }
    public IReadOnlyList<string> UriBlocklists { get; init; } = [];
    public string? RecipientsFile { get; init; }
    public required string HostName { get; init; }
    public required Uri PublicUrl { get; init; }
    public required string DataDirectory { get; init; }
    public bool AcceptUnverified { get; init; }
    public bool CheckSenderDomain { get; init; }
    public bool RejectMissingPtr { get; init; }
    public bool RejectInvalidPtr { get; init; }
    /// <summary><c>DOMAIN[:SELECTOR]</c>: seal inbound copies with ARC using the stored DKIM key of that domain.</summary>
    public string? ArcSeal { get; init; }
}

/// <summary>
/// Registers the scanners of <c>Sekisho.Scanning</c> behind the policy's ports from the settings and the serve options,
/// and puts connection filtering in front of the SMTP relay authority. Call before <c>AddSekishoSmtp</c>.
/// </summary>
internal static class ScanningHosting
{
    /// <param name="current">The settings in force (the policy view's latest snapshot): connection filtering (with end users' sender
    /// lists), Sender IP Match, DKIM signing keys, the ARC key, the web reputation approved list and URL keyword exceptions follow it
    /// while the gateway runs.</param>
    public static IServiceCollection AddSekishoScanning(this IServiceCollection services, ScanningHostOptions options, Func<GatewaySettings> current)
    {
        var settings = current();
        var dns = new CachingDnsResolver(new DnsResolverOptions { Servers = options.Resolver is null ? [] : [options.Resolver] });
        services.AddSingleton<IDnsLookup>(dns);
        services.AddSingleton<ISenderAuthenticator>(sp => new LiveSenderAuthenticator(new SettingsBound<ISenderAuthenticator>(current,
            s => SettingsBound<ISenderAuthenticator>.Of(s.Authentication.SenderIpMatch),
            s => new SenderAuthenticator(dns, new SenderAuthenticatorOptions
            {
                AuthServId = options.HostName, SenderIpMatch = s.Authentication.SenderIpMatch,
            }, sp.GetRequiredService<TimeProvider>()))));
        services.AddSingleton<IOutboundSigner>(new LiveOutboundSigner(new SettingsBound<IOutboundSigner>(current,
            s => SettingsBound<IOutboundSigner>.Of(s.Authentication.DkimSigning), s => new DkimOutboundSigner(s.Authentication.DkimSigning))));
        if (options.ArcSeal is { } arc)
        {
            // The key must exist when serve starts; later it follows the stored keys (a removed key stops sealing with a warning).
            _ = ArcKey(arc, settings.Authentication.DkimSigning);
            services.AddSingleton<IArcSealer>(sp =>
            {
                var log = sp.GetService<ILoggerFactory>()?.CreateLogger("Sekisho.Arc");
                return new LiveArcSealer(new SettingsBound<ArcSealerChoice>(current, s => SettingsBound<ArcSealerChoice>.Of(s.Authentication.DkimSigning), s =>
                {
                    try
                    {
                        return new ArcSealerChoice(new ArcSealer(ArcKey(arc, s.Authentication.DkimSigning)));
                    }
                    catch (CliUserException e)
                    {
                        log?.LogWarning("ARC sealing stopped: {Reason}", e.Message);
                        return new ArcSealerChoice(null);
                    }
                }));
            });
        }
        if (options.ClamdEndpoints.Count > 0)
        {
            services.AddSingleton(sp => new ClamdScanner(new ClamdOptions
            {
                Endpoints = options.ClamdEndpoints, ConfigFile = options.ClamdConfig, FailOpen = options.FailOpen,
            }, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IVirusScanner>(sp => sp.GetRequiredService<ClamdScanner>());
            services.AddHostedService<ClamdHealthCheck>();
        }
        if (options.RspamdEndpoints.Count > 0)
            services.AddSingleton<ISpamScanner>(new RspamdScanner(new RspamdOptions
            {
                Endpoints = options.RspamdEndpoints, FailOpen = options.FailOpen, MtaName = options.HostName,
            }));
        IRecipientDirectory? recipients = options.RecipientsFile is null ? null : ImportedRecipientList.Load(options.RecipientsFile);
        services.AddSingleton<IConnectionFilter>(sp => new LiveConnectionFilter(new SettingsBound<IConnectionFilter>(current,
            s => SettingsBound<IConnectionFilter>.Of(s.ConnectionFiltering, s.SenderFilter),
            s => new ConnectionFilter(s.ConnectionFiltering, s.SenderFilter, dns, recipients,
                sp.GetRequiredService<TimeProvider>(), options.CheckSenderDomain,
                [new ReverseDnsRule(ReverseDnsRule.Default, options.RejectMissingPtr, options.RejectInvalidPtr),
                 new ReverseDnsRule(ReverseDnsRule.EmptySender, options.RejectMissingPtr, options.RejectInvalidPtr)]))));
        services.AddSingleton<IRelayAuthority>(sp => new FilteringRelayAuthority(
            new ManagedDomainRelayAuthority(sp.GetRequiredService<IManagedDomainCatalog>(), options.AcceptUnverified),
            sp.GetRequiredService<IConnectionFilter>()));
        var blocklists = options.UriBlocklists.Select(z => new UriBlocklist(z, UriBlocklist.SurblMulti)).ToList();
        var urls = new LiveUrlReputation(new SettingsBound<IUrlReputation>(current,
            s => SettingsBound<IUrlReputation>.Of(s.WebReputationApprovedList, s.UrlKeywordExceptions),
            s => new UrlReputationChecker(dns, blocklists, s.WebReputationApprovedList, s.UrlKeywordExceptions)));
        services.AddSingleton<IUrlReputation>(urls);
        var clickKey = ClickKey(options.DataDirectory);
        services.AddSingleton(sp => new ClickProtection(options.PublicUrl, clickKey, urls, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IClickProtection>(sp => sp.GetRequiredService<ClickProtection>());
        return services;
    }

    /// <summary>The stored DKIM key that seals ARC sets: <c>DOMAIN</c> (its only key) or <c>DOMAIN:SELECTOR</c>.</summary>
    private static DkimSigningKey ArcKey(string text, IReadOnlyList<DkimSigningKey> keys)
    {
        var colon = text.IndexOf(':');
        var domain = (colon < 0 ? text : text[..colon]).Trim().TrimEnd('.');
        var selector = colon < 0 ? null : text[(colon + 1)..].Trim();
        var candidates = keys.Where(k => k.Domain.Equals(domain, StringComparison.OrdinalIgnoreCase)
            && (selector is null || k.Selector.Equals(selector, StringComparison.OrdinalIgnoreCase))).ToList();
        return candidates.Count == 1 ? candidates[0] : throw new CliUserException(CliText.T("error.serve.arc-key", text, domain, selector ?? "arc"));
    }

    /// <summary>The HMAC key of click links: 32 random bytes in <c>click.key</c> of the data directory, created once (mode 600).</summary>
    public static byte[] ClickKey(string dataDirectory) => Scanning.Signing.LinkSigner.LoadOrCreateKey(dataDirectory, "click.key");

    /// <summary>Maps <c>GET /click</c>: a signed link redirects when the URL is still clean, else shows the warning or block page.</summary>
    public static IEndpointRouteBuilder MapSekishoClick(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/click", async (HttpContext http, ClickProtection protection, CancellationToken ct) =>
        {
            var q = http.Request.Query;
            var decision = await protection.DecideAsync(q["u"], q["r"], q["t"], q["s"], ct);
            return decision.Action switch
            {
                ClickAction.Redirect => Results.Redirect(decision.Url!),
                ClickAction.Invalid => Results.Content(ClickProtection.Page(decision), "text/html; charset=utf-8", statusCode: 400),
                ClickAction.Block => Results.Content(ClickProtection.Page(decision), "text/html; charset=utf-8", statusCode: 403),
                _ => Results.Content(ClickProtection.Page(decision), "text/html; charset=utf-8"),
            };
        });
        return endpoints;
    }
}

/// <summary>PINGs every clamd endpoint every 30 s so a recovered clamd rejoins the pool and a dead one is logged.</summary>
internal sealed class ClamdHealthCheck(ClamdScanner scanner, ILogger<ClamdHealthCheck> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        do
        {
            foreach (var status in await scanner.CheckHealthAsync(stoppingToken))
                if (!status.Healthy) log.LogWarning("clamd {Endpoint} is not answering: {Error}", status.Endpoint, status.Error);
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
