using System.CommandLine;
using Sekisho.Cli.Localization;
using Sekisho.Store;
using Sekisho.Web;
using Sekisho.Web.Access;
using Sekisho.Web.Services;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho admin create USER</c> (console users), <c>sekisho admin token USER</c> and <c>sekisho admin revoke USER NAME</c> (REST API tokens).</summary>
internal static class AdminCommands
{
    public static Command Create(CliApp app)
    {
        var admin = new Command("admin", CliText.T("admin.description"));

        var user = new Argument<string>("user");
        var passwordFile = new Option<string?>("--password-file") { Description = CliText.T("opt.admin.password-file") };
        var role = new Option<string>("--role") { Description = CliText.T("opt.admin.role"), DefaultValueFactory = _ => "administrator" };
        var totp = new Option<bool>("--totp") { Description = CliText.T("opt.admin.totp") };
        var create = new Command("create", CliText.T("admin.create.description")) { user, passwordFile, role, totp };
        create.SetAction(app.Run(async (ctx, ct) =>
        {
            var r = ctx.Parse.GetValue(role) switch
            {
                "administrator" => ConsoleRole.Administrator,
                "read-only" => ConsoleRole.ReadOnly,
                var other => throw new CliUserException(CliText.T("error.enum", other, "--role", "administrator, read-only")),
            };
            string password;
            if (ctx.Parse.GetValue(passwordFile) is { } file)
            {
                if (!File.Exists(file)) throw new CliUserException(CliText.T("error.file.not-found", file));
                password = (await File.ReadAllTextAsync(file, ct)).TrimEnd('\r', '\n');
            }
            else
            {
                password = await AskAsync(ctx, CliText.T("admin.password.prompt"), ct);
                if (await AskAsync(ctx, CliText.T("admin.password.again"), ct) != password) throw new CliUserException(CliText.T("admin.password.mismatch"));
            }
            var access = await AccessAsync(ctx, ct);
            var created = await Guard(ctx, () => access.CreateUserAsync(ctx.Parse.GetValue(user)!, password, r, ctx.Parse.GetValue(totp), ctx.Actor, ct));
            ctx.Out.WriteLine(CliText.T("admin.created", created.Name, r == ConsoleRole.Administrator ? "administrator" : "read-only"));
            if (created.TotpSecret is not null) ctx.Out.WriteLine(CliText.T("admin.totp", ConsoleAccess.TotpUri(created)));
            return 0;
        }));
        admin.Subcommands.Add(create);

        var tokenUser = new Argument<string>("user");
        var name = new Option<string>("--name") { Description = CliText.T("opt.admin.token-name"), DefaultValueFactory = _ => "api" };
        var token = new Command("token", CliText.T("admin.token.description")) { tokenUser, name };
        token.SetAction(app.Run(async (ctx, ct) =>
        {
            var access = await AccessAsync(ctx, ct);
            var secret = await Guard(ctx, () => access.CreateTokenAsync(ctx.Parse.GetValue(tokenUser)!, ctx.Parse.GetValue(name)!, ctx.Actor, ct));
            ctx.Out.WriteLine(secret);
            ctx.Err.WriteLine(CliText.T("admin.token.created"));
            return 0;
        }));
        admin.Subcommands.Add(token);

        var revokeUser = new Argument<string>("user");
        var revokeName = new Argument<string>("token-name");
        var revoke = new Command("revoke", CliText.T("admin.revoke.description")) { revokeUser, revokeName };
        revoke.SetAction(app.Run(async (ctx, ct) =>
        {
            var access = await AccessAsync(ctx, ct);
            await Guard(ctx, async () => { await access.RevokeTokenAsync(ctx.Parse.GetValue(revokeUser)!, ctx.Parse.GetValue(revokeName)!, ctx.Actor, ct); return 0; });
            ctx.Out.WriteLine(CliText.T("admin.revoked", ctx.Parse.GetValue(revokeName), ctx.Parse.GetValue(revokeUser)));
            return 0;
        }));
        admin.Subcommands.Add(revoke);
        return admin;
    }

    private static async Task<ConsoleAccess> AccessAsync(CliContext ctx, CancellationToken ct) =>
        new(new ConsoleContext(await ctx.StoreAsync(ct), await ctx.OrganizationAsync(ct), ctx.Time, new ConsoleOptions()));

    internal static async Task<T> Guard<T>(CliContext ctx, Func<Task<T>> action)
    {
        try { return await action(); }
        catch (ConsoleProblem p) { throw new CliUserException(p.Text.For(ctx.Language)); }
    }

    /// <summary>Reads a password: without echo on a terminal, as a line otherwise.</summary>
    internal static async Task<string> AskAsync(CliContext ctx, string prompt, CancellationToken ct)
    {
        ctx.Err.Write(prompt + " ");
        if (ctx.Input is null) throw new CliUserException(CliText.T("admin.password.needs-file"));
        if (ReferenceEquals(ctx.Input, Console.In) && !Console.IsInputRedirected)
        {
            var chars = new System.Text.StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter) break;
                if (key.Key == ConsoleKey.Backspace) { if (chars.Length > 0) chars.Length--; continue; }
                chars.Append(key.KeyChar);
            }
            ctx.Err.WriteLine();
            return chars.ToString();
        }
        return (await ctx.Input.ReadLineAsync(ct)) ?? throw new CliUserException(CliText.T("admin.password.needs-file"));
    }
}
