using System.CommandLine;
using System.Globalization;
using System.Net;
using MailKit.Net.Smtp;
using MimeKit;
using Sekisho.Cli.Hosting;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Store;
using Sekisho.Web.Services;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho quarantine list|show|release|delete|download|purge</c>.</summary>
internal static class QuarantineCommands
{
    /// <summary>A row of <c>quarantine list --json</c> and the head of <c>quarantine show --json</c>.</summary>
    internal sealed record Item(string Id, DateTimeOffset Quarantined, DateTimeOffset Expires, string Recipient, string Sender, string Subject, string Rule, string RuleId,
        string Reason, string? Area, long Size, string Direction, string? QueueId);

    internal sealed record Detail(Item Message, RecipientPlan? Trace);

    internal sealed record ReleaseResult(string Id, string Outcome, string? DeliveredTo, string? Via, string? QuarantineId);

    public static Command Create(CliApp app)
    {
        var q = new Command("quarantine", CliText.T("quarantine.description"));
        q.Subcommands.Add(List(app));
        q.Subcommands.Add(Show(app));
        q.Subcommands.Add(Release(app));
        q.Subcommands.Add(Delete(app));
        q.Subcommands.Add(Download(app));
        q.Subcommands.Add(Purge(app));
        return q;
    }

    private static Item ToItem(QuarantinedMessage m) => new(m.Id, m.Quarantined, m.Expires, m.Recipient, m.Sender, m.Subject, m.RuleName, m.RuleId, m.Reason, m.Area, m.Size,
        ModelJson.EnumName(m.Direction), m.QueueId);

    private static async Task<QuarantineStore> StoreOf(CliContext ctx, CancellationToken ct) => new(await ctx.StoreAsync(ct), await ctx.OrganizationAsync(ct));

    private static async Task<QuarantinedMessage> Find(QuarantineStore store, string id, CancellationToken ct) =>
        await store.FindAsync(id, ct) ?? throw new CliUserException(CliText.T("error.quarantine.not-found", id));

    private static Command List(CliApp app)
    {
        var recipient = new Option<string?>("--recipient") { Description = CliText.T("opt.q.recipient") };
        var sender = new Option<string?>("--sender") { Description = CliText.T("opt.q.sender") };
        var rule = new Option<string?>("--rule") { Description = CliText.T("opt.q.rule") };
        var subject = new Option<string?>("--subject") { Description = CliText.T("opt.q.subject") };
        var since = new Option<string?>("--since") { Description = CliText.T("opt.since") };
        var limit = new Option<int>("--limit") { Description = CliText.T("opt.limit"), DefaultValueFactory = _ => 100 };
        var cmd = new Command("list", CliText.T("quarantine.list.description")) { recipient, sender, rule, subject, since, limit };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var p = ctx.Parse;
            var store = await StoreOf(ctx, ct);
            var items = await store.QueryAsync(new QuarantineQuery
            {
                Recipient = p.GetValue(recipient), Sender = p.GetValue(sender), Rule = p.GetValue(rule), Subject = p.GetValue(subject),
                Since = p.GetValue(since) is { } s ? AuditCommands.ParseSince(s, ctx.Time) : null, Limit = Math.Max(1, p.GetValue(limit)),
            }, ct);
            if (ctx.Json) { ctx.WriteJson(items.Select(ToItem)); return 0; }
            if (items.Count == 0) { ctx.Out.WriteLine(CliText.T("empty")); return 0; }
            var table = new TextTable("ID", CliText.T("col.quarantined"), CliText.T("col.recipient"), CliText.T("col.sender"), CliText.T("col.message-subject"),
                CliText.T("col.rule"), CliText.T("col.size"), CliText.T("col.expires"));
            foreach (var m in items)
                table.Row(m.Id[..12], CliContext.When(m.Quarantined), m.Recipient, m.Sender.Length == 0 ? "<>" : m.Sender, Short(m.Subject), m.RuleName,
                    m.Size.ToString(CultureInfo.InvariantCulture), CliContext.When(m.Expires));
            table.WriteTo(ctx.Out);
            return 0;
        }));
        return cmd;
    }

    private static string Short(string s) => s.Length > 40 ? s[..37] + "..." : s;

    private static Command Show(CliApp app)
    {
        var id = new Argument<string>("id") { Description = CliText.T("arg.quarantine-id") };
        var cmd = new Command("show", CliText.T("quarantine.show.description")) { id };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var m = await Find(await StoreOf(ctx, ct), ctx.Parse.GetValue(id)!, ct);
            RecipientPlan? trace = null;
            try { trace = ModelJson.Deserialize<RecipientPlan>(m.Trace); }
            catch (System.Text.Json.JsonException) { }
            if (ctx.Json) { ctx.WriteJson(new Detail(ToItem(m), trace)); return 0; }
            ctx.Out.WriteLine($"ID:                {m.Id}");
            ctx.Out.WriteLine($"{CliText.T("col.quarantined")}: {CliContext.When(m.Quarantined)}  ({CliText.T("col.expires")}: {CliContext.When(m.Expires)})");
            ctx.Out.WriteLine($"{CliText.T("col.sender")}: {(m.Sender.Length == 0 ? "<>" : m.Sender)}");
            ctx.Out.WriteLine($"{CliText.T("col.recipient")}: {m.Recipient}");
            ctx.Out.WriteLine($"{CliText.T("col.message-subject")}: {m.Subject}");
            ctx.Out.WriteLine($"{CliText.T("col.rule")}: {m.RuleName}{(m.Area is null ? "" : " [" + m.Area + "]")}");
            ctx.Out.WriteLine($"{CliText.T("col.reason")}: {m.Reason}");
            ctx.Out.WriteLine($"{CliText.T("col.size")}: {m.Size}");
            if (trace is not null)
            {
                PolicySnapshot snapshot;
                await using (var s = await ctx.BeginAsync(ct)) snapshot = await s.LoadSnapshotAsync(ct);
                ctx.Out.WriteLine();
                TraceText.Write(ctx.Out, trace, i => snapshot.AllObjects.FirstOrDefault(o => o.Id == i)?.Name);
            }
            return 0;
        }));
        return cmd;
    }

    private static Command Download(CliApp app)
    {
        var id = new Argument<string>("id") { Description = CliText.T("arg.quarantine-id") };
        var output = new Option<string?>("--output", "-o") { Description = CliText.T("opt.output") };
        var cmd = new Command("download", CliText.T("quarantine.download.description")) { id, output };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var store = await StoreOf(ctx, ct);
            var m = await Find(store, ctx.Parse.GetValue(id)!, ct);
            var content = await store.ReadContentAsync(m.Id, ct) ?? throw new CliUserException(CliText.T("error.quarantine.not-found", m.Id));
            var path = ctx.Parse.GetValue(output) ?? m.Id + ".eml";
            await File.WriteAllBytesAsync(path, content, ct);
            ctx.Out.WriteLine(CliText.T("quarantine.downloaded", path, content.Length));
            return 0;
        }));
        return cmd;
    }

    private static Command Delete(CliApp app)
    {
        var id = new Argument<string>("id") { Description = CliText.T("arg.quarantine-id") };
        var cmd = new Command("delete", CliText.T("quarantine.delete.description")) { id };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var store = await StoreOf(ctx, ct);
            var m = await Find(store, ctx.Parse.GetValue(id)!, ct);
            await store.RemoveAsync(m.Id, released: false, ctx.Actor, ct);
            ctx.Out.WriteLine(CliText.T("quarantine.deleted", m.Id));
            return 0;
        }));
        return cmd;
    }

    private static Command Purge(CliApp app)
    {
        var cmd = new Command("purge", CliText.T("quarantine.purge.description"));
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var n = await (await StoreOf(ctx, ct)).PurgeAsync(ct);
            ctx.Out.WriteLine(CliText.T("quarantine.purged", n));
            return 0;
        }));
        return cmd;
    }

    private static Command Release(CliApp app)
    {
        var id = new Argument<string>("id") { Description = CliText.T("arg.quarantine-id") };
        var via = new Option<string?>("--via") { Description = CliText.T("opt.q.via") };
        var cmd = new Command("release", CliText.T("quarantine.release.description")) { id, via };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var store = await StoreOf(ctx, ct);
            var m = await Find(store, ctx.Parse.GetValue(id)!, ct);
            var raw = await store.ReadContentAsync(m.Id, ct) ?? throw new CliUserException(CliText.T("error.quarantine.not-found", m.Id));
            PolicySnapshot snapshot;
            await using (var s = await ctx.BeginAsync(ct)) snapshot = await s.LoadSnapshotAsync(ct);

            ReleaseOutcome o;
            try
            {
                o = await QuarantineDelivery.ReleaseAsync(store, snapshot, m, raw, ctx.Parse.GetValue(via), ctx.Actor, ctx.Time, ct);
            }
            catch (QuarantineReleaseException e)
            {
                throw new CliUserException(e.DeliveryError is null ? CliText.T("error.release.no-route", e.Targets) : CliText.T("error.release.failed", e.Targets, e.DeliveryError));
            }
            var r = o.Decision.Recipient;
            if (o.Hop is not { } hop)
            {
                if (ctx.Json) ctx.WriteJson(new ReleaseResult(m.Id, ModelJson.EnumName(r.Outcome), null, null, r.QuarantineId));
                else ctx.Out.WriteLine(CliText.T("quarantine.release.kept", TraceText.Outcome(r.Outcome), o.Decision.Plan.Recipients[0].DecidedBy?.Name));
                return 0;
            }
            var targets = o.DeliveredTo;
            if (ctx.Json) ctx.WriteJson(new ReleaseResult(m.Id, ModelJson.EnumName(r.Outcome), string.Join(", ", targets), $"{hop.Item1}:{hop.Item2}", null));
            else ctx.Out.WriteLine(CliText.T("quarantine.released", m.Id, string.Join(", ", targets), $"{hop.Item1}:{hop.Item2}"));
            return 0;
        }));
        return cmd;
    }
}
