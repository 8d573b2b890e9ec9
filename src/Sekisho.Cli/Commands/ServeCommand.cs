using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Cli.Hosting;
using Sekisho.Cli.Localization;
using Sekisho.Smtp;
using Sekisho.Smtp.Hosting;
using Sekisho.Smtp.Server;
using Sekisho.Web;
using Sekisho.Web.Access;

namespace Sekisho.Cli.Commands;

/// <summary>Warnings of the policy view go to standard error as one line each.</summary>
internal sealed class PolicyViewLog : ILogger<StorePolicyView>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Console.Error.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {logLevel}: {formatter(state, exception)} {exception?.Message}");
}

/// <summary><c>sekisho serve</c>: the composition root of the running gateway.</summary>
internal static class ServeCommand
{
    public static Command Create(CliApp app)
    {
        var smtp = new Option<string[]>("--smtp") { Description = CliText.T("opt.serve.smtp") };
        var submission = new Option<string[]>("--submission") { Description = CliText.T("opt.serve.submission") };
        var web = new Option<string?>("--web") { Description = CliText.T("opt.serve.web") };
        var service = new Option<bool>("--service") { Description = CliText.T("opt.serve.service") };
        var acceptUnverified = new Option<bool>("--accept-unverified") { Description = CliText.T("opt.serve.accept-unverified") };
        var smartHost = new Option<string?>("--smart-host") { Description = CliText.T("opt.serve.smart-host") };
        var tlsCert = new Option<string?>("--tls-cert") { Description = CliText.T("opt.serve.tls-cert") };
        var tlsKey = new Option<string?>("--tls-key") { Description = CliText.T("opt.serve.tls-key") };
        var webTls = new Option<bool>("--web-tls") { Description = CliText.T("opt.serve.web-tls") };
        var hostname = new Option<string?>("--hostname") { Description = CliText.T("opt.serve.hostname") };
        var clamd = new Option<string[]>("--clamd") { Description = CliText.T("opt.serve.clamd") };
        var clamdConfig = new Option<string?>("--clamd-config") { Description = CliText.T("opt.serve.clamd-config") };
        var rspamd = new Option<string[]>("--rspamd") { Description = CliText.T("opt.serve.rspamd") };
        var failOpen = new Option<bool>("--scan-fail-open") { Description = CliText.T("opt.serve.scan-fail-open") };
        var resolver = new Option<string?>("--resolver") { Description = CliText.T("opt.serve.resolver") };
        var uribl = new Option<string[]>("--uribl") { Description = CliText.T("opt.serve.uribl") };
        var recipients = new Option<string?>("--recipients") { Description = CliText.T("opt.serve.recipients") };
        var publicUrl = new Option<string?>("--public-url") { Description = CliText.T("opt.serve.public-url") };
        var checkSenderDomain = new Option<bool>("--check-sender-domain") { Description = CliText.T("opt.serve.check-sender-domain") };
        var rejectNoPtr = new Option<bool>("--reject-no-ptr") { Description = CliText.T("opt.serve.reject-no-ptr") };
        var rejectInvalidPtr = new Option<bool>("--reject-invalid-ptr") { Description = CliText.T("opt.serve.reject-invalid-ptr") };
        var arcSeal = new Option<string?>("--arc-seal") { Description = CliText.T("opt.serve.arc-seal"), HelpName = "DOMAIN[:SELECTOR]" };
        var releaseVia = new Option<string?>("--release-via") { Description = CliText.T("opt.serve.release-via") };
        var cmd = new Command("serve", CliText.T("serve.description")) { smtp, submission, web, service, acceptUnverified, smartHost, tlsCert, tlsKey, webTls, hostname,
            clamd, clamdConfig, rspamd, failOpen, resolver, uribl, recipients, publicUrl, checkSenderDomain, rejectNoPtr, rejectInvalidPtr, arcSeal, releaseVia };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var p = ctx.Parse;
            bool asService = p.GetValue(service);
            var listeners = new List<ListenerOptions>();
            try
            {
                listeners.AddRange((p.GetValue(smtp) ?? []).Select(s => new ListenerOptions(ListenerKind.Mta, ListenerOptions.ParseEndpoint(s))));
                listeners.AddRange((p.GetValue(submission) ?? []).Select(s => new ListenerOptions(ListenerKind.Submission, ListenerOptions.ParseEndpoint(s))));
            }
            catch (FormatException e) { throw new CliUserException(e.Message); }
            var defaults = asService ? ListenerOptions.ServiceDefaults : ListenerOptions.EmbeddedDefaults;
            if (!listeners.Any(l => l.Kind == ListenerKind.Mta)) listeners.Add(defaults.First(l => l.Kind == ListenerKind.Mta));
            if (!listeners.Any(l => l.Kind == ListenerKind.Submission)) listeners.Add(defaults.First(l => l.Kind == ListenerKind.Submission));
            IPEndPoint webEndpoint;
            try { webEndpoint = ListenerOptions.ParseEndpoint(p.GetValue(web) ?? (asService ? ":8025" : "127.0.0.1:8025")); }
            catch (FormatException e) { throw new CliUserException(e.Message); }

            var dnsResolver = DomainCommands.ParseResolver(p.GetValue(resolver));
            var store = await ctx.StoreAsync(ct);
            var org = await ctx.OrganizationAsync(ct);
            var spool = Path.Combine(ctx.DataDirectory, "spool");

            // The content root is the program's folder, never the data directory: no file watcher on the spool.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
            builder.Logging.ClearProviders();
            if (Console.IsOutputRedirected) builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
            else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ "; });
            // The console over HTTPS: the SMTP certificate (--tls-cert/--tls-key), else the gateway's self-signed one.
            var webCertificate = !p.GetValue(webTls) ? null : p.GetValue(tlsCert) is { } certFile && p.GetValue(tlsKey) is { } keyFile
                ? SelfSignedCertificate.LoadPem(certFile, keyFile)
                : SelfSignedCertificate.CreateOrLoad(Path.Combine(spool, "tls"), p.GetValue(hostname) ?? Dns.GetHostName(), ctx.Time);
            builder.WebHost.ConfigureKestrel(k => k.Listen(webEndpoint, l => { if (webCertificate is not null) l.UseHttps(webCertificate); }));
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton(ctx.Time);
            // One view of the policy, read before the gateway listens and refreshed while it runs.
            var view = new StorePolicyView(store, org, new PolicyViewLog());
            await view.RefreshAsync(ct);
            builder.Services.AddSingleton(view);
            builder.Services.AddHostedService(sp => sp.GetRequiredService<StorePolicyView>());
            builder.Services.AddSingleton<IManagedDomainCatalog>(view);
            builder.Services.AddSingleton<ITlsPolicyProvider>(view);
            builder.Services.AddSekishoPolicy(store, org, view, ctx.DataDirectory, p.GetValue(hostname));
            var limits = view.Snapshot.Settings.Limits;
            var scanning = ScanningOptions(p, webEndpoint, ctx.DataDirectory);
            builder.Services.AddSekishoScanning(scanning, () => view.Snapshot.Settings);
            // Released mail and quarantine digests go into this gateway's own queue (unless --release-via names a server).
            builder.Services.AddSingleton<IGeneratedMailSubmitter>(sp => new GatewayMailSubmitter(() => sp.GetRequiredService<SmtpGateway>(), view,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IRandomSource>()));
            builder.Services.AddSekishoSmtp(o =>
            {
                o.Listeners = listeners;
                o.SpoolDirectory = spool;
                o.AcceptUnverifiedDomains = p.GetValue(acceptUnverified);
                o.TlsCertificateFile = p.GetValue(tlsCert);
                o.TlsKeyFile = p.GetValue(tlsKey);
                if (p.GetValue(hostname) is { } h) o.HostName = h;
                o.Limits.MaxMessageSize = limits.MaxMessageSizeBytes;
                o.Limits.MaxRecipients = Math.Clamp(limits.MaxRecipients, 1, 10000);
                o.Delivery.SmartHost = p.GetValue(smartHost);
            });
            builder.Services.AddSekishoConsole(store, org, o =>
            {
                o.DnsResolver = dnsResolver;
                o.MailTrackingDirectory = Path.Combine(spool, "tracking");
                o.PolicyEventsDirectory = Path.Combine(spool, "policy-events");
                o.PublicUrl = scanning.PublicUrl;
                o.ReleaseVia = p.GetValue(releaseVia);
                o.DigestSchedule = true;
            });
            await using var web_ = builder.Build();
            web_.MapSekishoSmtpEndpoints();
            web_.MapSekishoConsole();
            var firstPassword = await web_.Services.GetRequiredService<ConsoleAccess>().EnsureFirstAdministratorAsync("admin", ctx.Actor, ct);
            web_.MapSekishoClick();
            await web_.StartAsync(ct);
            var gateway = web_.Services.GetRequiredService<SmtpGateway>();
            ctx.Out.WriteLine(CliText.T("serve.started", typeof(Program).Assembly.GetName().Version?.ToString(3), org.Name, ctx.DataDirectory));
            foreach (var (kind, endpoint) in gateway.Endpoints)
                ctx.Out.WriteLine(CliText.T("serve.listening", kind == ListenerKind.Mta ? "smtp" : "submission", endpoint));
            ctx.Out.WriteLine(CliText.T("serve.web", webEndpoint, webCertificate is null ? "http" : "https"));
            if (firstPassword is not null) ctx.Out.WriteLine(CliText.T("serve.first-admin", "admin", firstPassword));
            if (view.Snapshot.Domains.Count == 0) ctx.Out.WriteLine(CliText.T("serve.no-domains"));
            ctx.Out.WriteLine(CliText.T("serve.stop"));
            ctx.Out.Flush();
            await web_.WaitForShutdownAsync(ct);
            return 0;
        }));
        return cmd;

        ScanningHostOptions ScanningOptions(ParseResult p, IPEndPoint webEndpoint, string dataDirectory)
        {
            var rspamdUris = EngineOptions.RspamdEndpoints(p.GetValue(rspamd));
            var recipientsFile = p.GetValue(recipients);
            if (recipientsFile is not null && !File.Exists(recipientsFile)) throw new CliUserException(CliText.T("error.file.not-found", recipientsFile));
            var clamdConfigFile = p.GetValue(clamdConfig);
            if (clamdConfigFile is not null && !File.Exists(clamdConfigFile)) throw new CliUserException(CliText.T("error.file.not-found", clamdConfigFile));
            var publicText = p.GetValue(publicUrl) ?? $"{(p.GetValue(webTls) ? "https" : "http")}://{webEndpoint}/";
            if (!Uri.TryCreate(publicText, UriKind.Absolute, out var publicUri)) throw new CliUserException(CliText.T("error.serve.rspamd-url", publicText));
            var clamdEndpoints = (p.GetValue(clamd) ?? []).ToList();
            if (clamdEndpoints.Count == 0 && clamdConfigFile is not null) clamdEndpoints.Add("127.0.0.1:3310");
            return new ScanningHostOptions
            {
                ClamdEndpoints = clamdEndpoints,
                ClamdConfig = clamdConfigFile,
                RspamdEndpoints = rspamdUris,
                FailOpen = p.GetValue(failOpen),
                Resolver = DomainCommands.ParseResolver(p.GetValue(resolver)),
                UriBlocklists = p.GetValue(uribl) ?? [],
                RecipientsFile = recipientsFile,
                HostName = p.GetValue(hostname) ?? Dns.GetHostName(),
                PublicUrl = publicUri,
                DataDirectory = dataDirectory,
                AcceptUnverified = p.GetValue(acceptUnverified),
                CheckSenderDomain = p.GetValue(checkSenderDomain),
                RejectMissingPtr = p.GetValue(rejectNoPtr),
                RejectInvalidPtr = p.GetValue(rejectInvalidPtr),
                ArcSeal = p.GetValue(arcSeal),
            };
        }
    }
}
