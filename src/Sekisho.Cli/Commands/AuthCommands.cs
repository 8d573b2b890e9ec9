using System.CommandLine;
using System.Net;
using Sekisho.Cli.Localization;
using Sekisho.Policy.Ports;

using Sekisho.Cli.Hosting;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho auth check MESSAGE --client-ip IP --helo NAME --from ADDRESS [--resolver HOST:PORT]</c>.</summary>
internal static class AuthCommands
{
    /// <summary>Largest message file the diagnostic reads.</summary>
    private const long MaxMessageBytes = 150L * 1024 * 1024;

    public static Command Create(CliApp app)
    {
        var auth = new Command("auth", CliText.T("auth.description"));
        var file = new Argument<string>("message") { Description = CliText.T("auth.check.message") };
        var clientIp = new Option<string>("--client-ip") { Description = CliText.T("auth.check.client-ip"), Required = true };
        var helo = new Option<string?>("--helo") { Description = CliText.T("auth.check.helo") };
        var from = new Option<string?>("--from") { Description = CliText.T("auth.check.from") };
        var resolver = new Option<string?>("--resolver") { Description = CliText.T("domain.verify.resolver") };
        var check = new Command("check", CliText.T("auth.check.description")) { file, clientIp, helo, from, resolver };
        check.SetAction(app.Run(async (ctx, ct) =>
        {
            var path = ctx.Parse.GetValue(file)!;
            if (!File.Exists(path)) throw new CliUserException(CliText.T("error.file.not-found", path));
            if (new FileInfo(path).Length > MaxMessageBytes) throw new CliUserException(CliText.T("auth.check.too-large", path, MaxMessageBytes));
            var ipText = ctx.Parse.GetValue(clientIp)!;
            if (!IPAddress.TryParse(ipText, out var ip)) throw new CliUserException(CliText.T("auth.check.ip-invalid", ipText));
            var server = DomainCommands.ParseResolver(ctx.Parse.GetValue(resolver));
            var authenticator = EngineOptions.Authenticator(server, ctx.Time);
            var envelope = new MessageEnvelope(ip, ctx.Parse.GetValue(helo), ctx.Parse.GetValue(from) ?? "", [], TrafficDirection.Inbound);
            var verdict = await authenticator.AuthenticateAsync(await File.ReadAllBytesAsync(path, ct), envelope, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new
                {
                    spf = new { result = Lower(verdict.Spf), reason = verdict.SpfReason },
                    dkim = verdict.Dkim.Select(d => new { result = d.Result, domain = d.Domain, selector = d.Selector, reason = d.Reason }),
                    dmarc = new { result = verdict.Dmarc.Result, policy = Lower(verdict.Dmarc.Disposition), from = verdict.Dmarc.HeaderFromDomain, sampled = verdict.Dmarc.Sampled, reason = verdict.Dmarc.Reason },
                    arc = new { result = verdict.Arc, sealers = verdict.ArcSealers },
                    iprev = new { result = verdict.ReverseDns, name = verdict.ReverseDnsName },
                    authenticationResults = verdict.AuthenticationResults,
                    receivedSpf = verdict.ReceivedSpf,
                });
                return 0;
            }
            var o = ctx.Out;
            o.WriteLine($"SPF    {Lower(verdict.Spf),-10} {verdict.SpfReason}");
            if (verdict.Dkim.Count == 0) o.WriteLine($"DKIM   {"none",-10} {CliText.T("auth.check.no-signature")}");
            foreach (var d in verdict.Dkim) o.WriteLine($"DKIM   {d.Result,-10} d={d.Domain} s={d.Selector}{(d.Reason is null ? "" : " — " + d.Reason)}");
            o.WriteLine($"DMARC  {verdict.Dmarc.Result,-10} {CliText.T("auth.check.policy", Lower(verdict.Dmarc.Disposition))}{(verdict.Dmarc.Reason is null ? "" : " — " + verdict.Dmarc.Reason)}");
            var arcFinding = verdict.Findings.FirstOrDefault(f => f.Engine == "arc")?.Detail;
            o.WriteLine($"ARC    {verdict.Arc,-10} {arcFinding}".TrimEnd());
            o.WriteLine($"iprev  {verdict.ReverseDns,-10} {verdict.Findings.FirstOrDefault(f => f.Engine == "iprev")?.Detail}".TrimEnd());
            o.WriteLine();
            o.WriteLine("Authentication-Results: " + verdict.AuthenticationResults);
            return 0;
        }));
        auth.Subcommands.Add(check);
        return auth;
    }

    private static string Lower<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();
}
