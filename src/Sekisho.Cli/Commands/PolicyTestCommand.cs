using System.CommandLine;
using System.Globalization;
using System.Net;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;
using Sekisho.Mail;
using Sekisho.Model.Addresses;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Antispam;
using Sekisho.Scanning.Antivirus;
using Sekisho.Cli.Hosting;

namespace Sekisho.Cli.Commands;

/// <summary>
/// <c>sekisho policy test MESSAGE.eml --from A --to B [--to C] [--client-ip IP] [--helo NAME] [--direction D] [--at T]
/// [--authenticate [--resolver HOST:PORT]] [--clamd HOST:PORT]... [--rspamd URL]... [--json]</c>: the explain mode.
/// Engines are asked only when named, so the trace shows what the gateway would decide with them; nothing is changed.
/// </summary>
internal static class PolicyTestCommand
{
    /// <summary>The JSON answer: the plan of every recipient with its trace.</summary>
    internal sealed record TestResult(string Message, string Sender, string Direction, PolicyPlan Plan);

    public static Command Create(CliApp app)
    {
        var message = new Argument<string>("message") { Description = CliText.T("arg.message") };
        var from = new Option<string?>("--from") { Description = CliText.T("opt.test.from") };
        var to = new Option<string[]>("--to") { Description = CliText.T("opt.test.to"), AllowMultipleArgumentsPerToken = false };
        var clientIp = new Option<string?>("--client-ip") { Description = CliText.T("opt.test.client-ip") };
        var direction = new Option<string?>("--direction") { Description = CliText.T("opt.test.direction") };
        var at = new Option<string?>("--at") { Description = CliText.T("opt.test.at") };
        var helo = new Option<string?>("--helo") { Description = CliText.T("auth.check.helo") };
        var authenticate = new Option<bool>("--authenticate") { Description = CliText.T("opt.test.authenticate") };
        var resolver = new Option<string?>("--resolver") { Description = CliText.T("opt.serve.resolver") };
        var clamd = new Option<string[]>("--clamd") { Description = CliText.T("opt.serve.clamd") };
        var rspamd = new Option<string[]>("--rspamd") { Description = CliText.T("opt.serve.rspamd") };
        var cmd = new Command("test", CliText.T("policy.test.description")) { message, from, to, clientIp, helo, direction, at, authenticate, resolver, clamd, rspamd };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var p = ctx.Parse;
            var path = p.GetValue(message)!;
            if (!File.Exists(path)) throw new CliUserException(CliText.T("error.file.not-found", path));
            var recipients = (p.GetValue(to) ?? []).Select(Address).ToList();
            if (recipients.Count == 0) throw new CliUserException(CliText.T("error.test.to-required"));
            var ipText = p.GetValue(clientIp) ?? "127.0.0.1";
            if (!IPAddress.TryParse(ipText, out var ip)) throw new CliUserException(CliText.T("error.ip.format", ipText));
            DateTimeOffset? receivedAt = null;
            if (p.GetValue(at) is { } atText)
                receivedAt = DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var t) ? t : throw new CliUserException(CliText.T("error.time.format", atText));

            var inspector = new MessageInspector();
            if (new FileInfo(path).Length > inspector.Options.MaxMessageBytes)
                throw new CliUserException(CliText.T("error.message.too-large", path, inspector.Options.MaxMessageBytes));
            var raw = await File.ReadAllBytesAsync(path, ct);
            var facts = inspector.Inspect(raw, ct);
            var sender = p.GetValue(from) is { } f ? (f.Length == 0 || f == "<>" ? "" : Address(f)) : facts.Headers.From.FirstOrDefault()?.Address ?? "";

            await using var s = await ctx.BeginAsync(ct);
            var snapshot = await s.LoadSnapshotAsync(ct);
            using var rspamdScanner = EngineOptions.RspamdEndpoints(p.GetValue(rspamd)) is { Count: > 0 } rspamdUrls
                ? new RspamdScanner(new RspamdOptions { Endpoints = rspamdUrls }) : null;
            var ports = new PolicyPorts
            {
                Authenticator = p.GetValue(authenticate) ? EngineOptions.Authenticator(DomainCommands.ParseResolver(p.GetValue(resolver)), ctx.Time) : null,
                Virus = (p.GetValue(clamd) ?? []) is { Length: > 0 } clamdEndpoints ? new ClamdScanner(new ClamdOptions { Endpoints = clamdEndpoints }, ctx.Time) : null,
                Spam = rspamdScanner,
            };
            var engine = new PolicyEngine(snapshot, ports, ctx.Time);
            TrafficDirection dir = p.GetValue(direction) is { } d
                ? CliContext.ParseEnum<TrafficDirection>(d, "--direction")
                : recipients.Any(engine.Scope.IsManaged) || !engine.Scope.IsManaged(sender) ? TrafficDirection.Inbound : TrafficDirection.Outbound;
            var envelope = new MessageEnvelope(ip, p.GetValue(helo) ?? "policy-test", sender, recipients, dir);
            var plan = await engine.EvaluateAsync(facts, envelope, raw, new EvaluationOptions { ReceivedAt = receivedAt }, ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new TestResult(Path.GetFileName(path), sender, Model.Serialization.ModelJson.EnumName(dir), plan));
                return 0;
            }
            ctx.Out.WriteLine($"{Path.GetFileName(path)}: {sender} → {string.Join(", ", recipients)} ({Model.Serialization.ModelJson.EnumName(dir)}, {facts.SizeBytes} B, \"{facts.Subject}\")");
            ctx.Out.WriteLine(CliText.T("trace.scans", plan.Scans.Virus ?? CliText.T("trace.not-configured"), plan.Scans.Spam ?? CliText.T("trace.not-configured"),
                plan.Scans.Authentication ?? CliText.T("trace.not-configured")));
            foreach (var r in plan.Recipients)
            {
                ctx.Out.WriteLine();
                TraceText.Write(ctx.Out, r, id => snapshot.AllObjects.FirstOrDefault(o => o.Id == id)?.Name);
            }
            return 0;
        }));
        return cmd;
    }

    private static string Address(string text)
    {
        var t = text.Trim().Trim('<', '>');
        return AddressPattern.TryParse(t, out var pattern, out _) && pattern!.IsSingleAddress ? t : throw new CliUserException(CliText.T("error.address.format", text));
    }
}
