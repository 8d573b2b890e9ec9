using System.CommandLine;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;
using Sekisho.Scanning.Signing;
using Sekisho.Web;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Services;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho enduser create|list|remove</c> (local end-user accounts of the end-user quarantine) and <c>sekisho enduser digest</c> (send the due digests now).</summary>
internal static class EndUserCommands
{
    public static Command Create(CliApp app)
    {
        var cmd = new Command("enduser", CliText.T("enduser.description"));

        var address = new Argument<string>("address");
        var passwordFile = new Option<string?>("--password-file") { Description = CliText.T("opt.admin.password-file") };
        var linkOnly = new Option<bool>("--link-only") { Description = CliText.T("opt.enduser.link-only") };
        var create = new Command("create", CliText.T("enduser.create.description")) { address, passwordFile, linkOnly };
        create.SetAction(app.Run(async (ctx, ct) =>
        {
            string? password = null;
            if (ctx.Parse.GetValue(passwordFile) is { } file)
            {
                if (!File.Exists(file)) throw new CliUserException(CliText.T("error.file.not-found", file));
                password = (await File.ReadAllTextAsync(file, ct)).TrimEnd('\r', '\n');
            }
            else if (!ctx.Parse.GetValue(linkOnly))
            {
                password = await AdminCommands.AskAsync(ctx, CliText.T("admin.password.prompt"), ct);
                if (await AdminCommands.AskAsync(ctx, CliText.T("admin.password.again"), ct) != password) throw new CliUserException(CliText.T("admin.password.mismatch"));
            }
            var (users, _) = await ServicesAsync(ctx, null, ct);
            var u = await AdminCommands.Guard(ctx, () => users.CreateAsync(ctx.Parse.GetValue(address)!, password, ctx.Actor, ct));
            ctx.Out.WriteLine(CliText.T(u.PasswordHash is null ? "enduser.created.link-only" : "enduser.created", u.Address));
            return 0;
        }));
        cmd.Subcommands.Add(create);

        var list = new Command("list", CliText.T("enduser.list.description"));
        list.SetAction(app.Run(async (ctx, ct) =>
        {
            var (users, _) = await ServicesAsync(ctx, null, ct);
            var all = await users.ListAsync(ctx.Actor, ct);
            if (ctx.Json) { ctx.WriteJson(all.Select(u => new { u.Address, hasPassword = u.PasswordHash is not null, u.Created, u.LastLogin, u.LockedUntil })); return 0; }
            if (all.Count == 0) { ctx.Out.WriteLine(CliText.T("empty")); return 0; }
            var table = new TextTable(CliText.T("col.address"), CliText.T("col.password"), CliText.T("col.last-login"));
            foreach (var u in all) table.Row(u.Address, u.PasswordHash is null ? "-" : "✔", CliContext.When(u.LastLogin));
            table.WriteTo(ctx.Out);
            return 0;
        }));
        cmd.Subcommands.Add(list);

        var removeAddress = new Argument<string>("address");
        var remove = new Command("remove", CliText.T("enduser.remove.description")) { removeAddress };
        remove.SetAction(app.Run(async (ctx, ct) =>
        {
            var (users, _) = await ServicesAsync(ctx, null, ct);
            await AdminCommands.Guard(ctx, async () => { await users.RemoveAsync(ctx.Parse.GetValue(removeAddress)!, ctx.Actor, ct); return 0; });
            ctx.Out.WriteLine(CliText.T("enduser.removed", ctx.Parse.GetValue(removeAddress)));
            return 0;
        }));
        cmd.Subcommands.Add(remove);

        var via = new Option<string?>("--via") { Description = CliText.T("opt.enduser.via") };
        var publicUrl = new Option<string?>("--public-url") { Description = CliText.T("opt.serve.public-url") };
        var digest = new Command("digest", CliText.T("enduser.digest.description")) { via, publicUrl };
        digest.SetAction(app.Run(async (ctx, ct) =>
        {
            Uri? url = null;
            if (ctx.Parse.GetValue(publicUrl) is { } text && !Uri.TryCreate(text, UriKind.Absolute, out url)) throw new CliUserException(CliText.T("error.serve.rspamd-url", text));
            var (_, digests) = await ServicesAsync(ctx, o => { o.ReleaseVia = ctx.Parse.GetValue(via); o.PublicUrl = url; }, ct);
            var run = await digests.RunAsync(ct);
            foreach (var s in run.Sent) ctx.Out.WriteLine(CliText.T("enduser.digest.sent", s.Recipient, s.NewMessages, s.Route));
            foreach (var (recipient, error) in run.Failed) ctx.Err.WriteLine(CliText.T("enduser.digest.failed", recipient, error));
            if (run.Sent.Count == 0 && run.Failed.Count == 0) ctx.Out.WriteLine(CliText.T("enduser.digest.none"));
            return run.Failed.Count == 0 ? 0 : 1;
        }));
        cmd.Subcommands.Add(digest);
        return cmd;
    }

    private static async Task<(EndUserService Users, DigestService Digests)> ServicesAsync(CliContext ctx, Action<ConsoleOptions>? configure, CancellationToken ct)
    {
        var options = new ConsoleOptions();
        configure?.Invoke(options);
        var console = new ConsoleContext(await ctx.StoreAsync(ct), await ctx.OrganizationAsync(ct), ctx.Time, options);
        var users = new EndUserService(console, new QuarantineService(console));
        var links = new EndUserLinks(new LinkSigner(LinkSigner.LoadOrCreateKey(ctx.DataDirectory, "enduser.key")), ctx.Time);
        return (users, new DigestService(console, links, users));
    }
}
