using System.CommandLine;
using System.Globalization;
using System.Net;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Audit;
using Sekisho.Model.Domains;
using Sekisho.Model.Localization;
using Sekisho.Model.Validation;
using Sekisho.Scanning.Dns;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho domain add|list|show|remove|verify</c>.</summary>
internal static class DomainCommands
{
    public static Command Create(CliApp app)
    {
        var domain = new Command("domain", CliText.T("domain.description"));

        var name = new Argument<string>("name");
        var inbound = new Option<string[]>("--inbound") { Description = CliText.T("domain.add.inbound"), AllowMultipleArgumentsPerToken = false };
        var outboundIp = new Option<string[]>("--outbound-ip") { Description = CliText.T("domain.add.outbound-ip") };
        var add = new Command("add", CliText.T("domain.add.description")) { name, inbound, outboundIp };
        add.SetAction(app.Run(async (ctx, ct) =>
        {
            if (!DomainNames.TryNormalize(ctx.Parse.GetValue(name), out var n))
                throw new CliUserException(ModelText.In(ctx.Language, "domain.name.invalid", ctx.Parse.GetValue(name)));
            var servers = (ctx.Parse.GetValue(inbound) ?? []).Select(ParseInbound).ToList();
            var ips = (ctx.Parse.GetValue(outboundIp) ?? []).ToList();
            var d = new ManagedDomain
            {
                Id = Ids.New(), Name = n, InboundServers = servers,
                Outbound = ips.Count > 0 ? new OutboundServers(OutboundProvider.UserDefined, ips) : OutboundServers.None,
                VerificationToken = Ids.New()[..24], Added = ctx.Time.GetUtcNow(),
            };
            ThrowIfInvalid(PolicyValidator.ValidateDomain(d), ctx.Language);
            await using var s = await ctx.BeginAsync(ct);
            await s.AddDomainAsync(d, ct);
            await s.CommitAsync(ct);
            if (ctx.Json) ctx.WriteJson(d);
            else
            {
                ctx.Out.WriteLine(CliText.T("domain.added", d.Name));
                ctx.Out.WriteLine($"  {d.Name}. IN TXT \"{d.VerificationRecord}\"");
            }
            return 0;
        }));
        domain.Subcommands.Add(add);

        var list = new Command("list", CliText.T("domain.list.description"));
        list.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var domains = await s.ListDomainsAsync(ct);
            if (ctx.Json) { ctx.WriteJson(domains); return 0; }
            var t = new TextTable(CliText.T("col.domain"), CliText.T("col.inbound"), CliText.T("col.outbound"), CliText.T("col.added"), CliText.T("col.status"));
            foreach (var d in domains)
                t.Row(d.Name, Inbound(d), Outbound(d), CliContext.When(d.Added), Status(d));
            t.WriteTo(ctx.Out);
            return 0;
        }));
        domain.Subcommands.Add(list);

        var showName = new Argument<string>("name");
        var show = new Command("show", CliText.T("domain.show.description")) { showName };
        show.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var d = await FindAsync(s, ctx.Parse.GetValue(showName)!, ct);
            if (ctx.Json) { ctx.WriteJson(d); return 0; }
            ctx.Out.WriteLine($"{CliText.T("col.domain")}: {d.Name}");
            ctx.Out.WriteLine($"{CliText.T("col.status")}: {Status(d)}");
            ctx.Out.WriteLine($"{CliText.T("txt.record")}: {d.Name}. IN TXT \"{d.VerificationRecord}\"");
            ctx.Out.WriteLine($"{CliText.T("col.inbound")}:");
            foreach (var srv in d.InboundServers.OrderBy(x => x.Preference))
                ctx.Out.WriteLine($"  {srv.Recipient,-10} {srv.Host}:{srv.Port}  pref {srv.Preference}");
            ctx.Out.WriteLine($"{CliText.T("col.outbound")}: {Outbound(d)}");
            ctx.Out.WriteLine($"{CliText.T("col.added")}: {CliContext.When(d.Added)}");
            return 0;
        }));
        domain.Subcommands.Add(show);

        var removeName = new Argument<string>("name");
        var remove = new Command("remove", CliText.T("domain.remove.description")) { removeName };
        remove.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var d = await FindAsync(s, ctx.Parse.GetValue(removeName)!, ct);
            await s.RemoveDomainAsync(d, ct);
            await s.CommitAsync(ct);
            ctx.Out.WriteLine(CliText.T("domain.removed", d.Name));
            return 0;
        }));
        domain.Subcommands.Add(remove);

        var verifyName = new Argument<string>("name");
        var resolver = new Option<string?>("--resolver") { Description = CliText.T("domain.verify.resolver") };
        var verify = new Command("verify", CliText.T("domain.verify.description")) { verifyName, resolver };
        verify.SetAction(app.Run(async (ctx, ct) =>
        {
            var endpoint = ParseResolver(ctx.Parse.GetValue(resolver));
            await using var s = await ctx.BeginAsync(ct);
            var d = await FindAsync(s, ctx.Parse.GetValue(verifyName)!, ct);
            var result = await new DomainOwnershipCheck(endpoint).CheckAsync(d.Name, d.VerificationRecord, ct);
            var (updated, auditEvent) = DomainOwnershipCheck.Apply(d, result, ctx.Time.GetUtcNow());
            await s.UpdateDomainAsync(updated, auditEvent, ct);
            await s.CommitAsync(ct);
            if (ctx.Json) ctx.WriteJson(new { domain = d.Name, outcome = Model.Serialization.ModelJson.EnumName(result.Outcome), txt = result.TxtValues, error = result.Error, status = Model.Serialization.ModelJson.EnumName(updated.Status) });
            switch (result.Outcome)
            {
                case OwnershipCheckOutcome.Verified:
                    if (!ctx.Json) ctx.Out.WriteLine(CliText.T("domain.verified", d.Name));
                    return 0;
                case OwnershipCheckOutcome.RecordMissing:
                    throw new CliUserException(CliText.T("domain.verify.missing", d.Name, d.VerificationRecord, result.TxtValues.Count == 0 ? CliText.T("none") : string.Join(", ", result.TxtValues)));
                default:
                    throw new CliUserException(CliText.T("domain.verify.failed", d.Name, result.Error));
            }
        }));
        domain.Subcommands.Add(verify);
        return domain;
    }

    internal static async Task<ManagedDomain> FindAsync(Store.StoreSession s, string name, CancellationToken ct) =>
        await s.FindDomainAsync(name, ct) ?? throw new CliUserException(CliText.T("error.domain.not-found", name));

    /// <summary>Parses HOST[:PORT][,PREF] or LOCALPART=HOST[:PORT][,PREF] (the console's parser).</summary>
    internal static InboundServer ParseInbound(string text) =>
        InboundServer.TryParse(text.Trim()) ?? throw new CliUserException(CliText.T("error.inbound.format", text));

    internal static IPEndPoint? ParseResolver(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (IPEndPoint.TryParse(text, out var ep) && ep.Port != 0) return ep;
        if (IPAddress.TryParse(text, out var ip)) return new IPEndPoint(ip, 53);
        int colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text[(colon + 1)..], out var port))
        {
            var addresses = Dns.GetHostAddresses(text[..colon]);
            if (addresses.Length > 0) return new IPEndPoint(addresses[0], port);
        }
        throw new CliUserException(CliText.T("error.resolver.format", text));
    }

    internal static void ThrowIfInvalid(IReadOnlyList<ValidationProblem> problems, string language)
    {
        if (problems.Count == 0) return;
        throw new CliUserException(string.Join(Environment.NewLine + "sekisho: ", problems.Select(p => CliText.T("error.validation", p.Path, p.Message.For(language)))));
    }

    private static string Inbound(ManagedDomain d) =>
        string.Join(", ", d.InboundServers.OrderBy(s => s.Preference)
            .Select(s => $"{(s.Recipient == InboundServer.AnyRecipient ? "" : s.Recipient + "=")}{s.Host}:{s.Port}/{s.Preference}"));

    private static string Outbound(ManagedDomain d) => d.Outbound.Provider switch
    {
        OutboundProvider.None => "-",
        OutboundProvider.UserDefined => string.Join(", ", d.Outbound.AllowedIps),
        var p => Model.Serialization.ModelJson.EnumName(p),
    };

    internal static string Status(ManagedDomain d) => d.Status == DomainStatus.Verified
        ? CliText.T("status.verified")
        : $"! {CliText.T("status.needs-setup")} ({CliText.T("reason." + (d.StatusReason ?? DomainStatusReasons.NotVerified))})";
}
