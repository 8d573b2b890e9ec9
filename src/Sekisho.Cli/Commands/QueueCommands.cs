using System.CommandLine;
using System.Globalization;
using Sekisho.Cli.Localization;
using Sekisho.Smtp;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho queue list|show|retry|hold|release|delete</c>: through the running gateway, or on the spool when none runs.</summary>
internal static class QueueCommands
{
    public static Command Create(CliApp app)
    {
        var queue = new Command("queue", CliText.T("queue.description"));
        var list = new Command("list", CliText.T("queue.list.description"));
        list.SetAction(app.Run((ctx, ct) =>
        {
            var admin = Open(ctx);
            var items = admin.List();
            ctx.Out.Write(ctx.Json ? SmtpCliFormat.QueueJson(items) + "\n" : SmtpCliFormat.QueueText(items, Culture(ctx)));
            return Task.FromResult(0);
        }));
        queue.Subcommands.Add(list);

        var showId = new Argument<string>("id");
        var show = new Command("show", CliText.T("queue.show.description")) { showId };
        show.SetAction(app.Run((ctx, ct) =>
        {
            var id = ctx.Parse.GetValue(showId)!;
            var detail = Open(ctx).Show(id) ?? throw new CliUserException(CliText.T("queue.not-found", id));
            ctx.Out.WriteLine(SmtpCliFormat.QueueJson(detail));
            return Task.FromResult(0);
        }));
        queue.Subcommands.Add(show);

        var retryId = new Argument<string?>("id") { Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = CliText.T("opt.queue.all") };
        var retry = new Command("retry", CliText.T("queue.retry.description")) { retryId, all };
        retry.SetAction(app.Run((ctx, ct) =>
        {
            var id = ctx.Parse.GetValue(retryId);
            if (id is null && !ctx.Parse.GetValue(all)) throw new CliUserException(CliText.T("queue.not-found", "-"));
            int n = Open(ctx).Retry(id);
            if (id is not null && n == 0) throw new CliUserException(CliText.T("queue.not-found", id));
            ctx.Out.WriteLine(CliText.T("queue.retried", n));
            return Task.FromResult(0);
        }));
        queue.Subcommands.Add(retry);

        foreach (var (verb, act) in new (string, Func<IQueueAdministration, string, bool>)[]
                 {
                     ("hold", (a, id) => a.Hold(id)), ("release", (a, id) => a.Release(id)), ("delete", (a, id) => a.Delete(id)),
                 })
        {
            var id = new Argument<string>("id");
            var c = new Command(verb, CliText.T($"queue.{verb}.description")) { id };
            c.SetAction(app.Run((ctx, ct) =>
            {
                var qid = ctx.Parse.GetValue(id)!;
                if (!act(Open(ctx), qid)) throw new CliUserException(CliText.T("queue.not-found", qid));
                ctx.Out.WriteLine(CliText.T("queue.done", qid, verb));
                return Task.FromResult(0);
            }));
            queue.Subcommands.Add(c);
        }
        return queue;
    }

    private static IQueueAdministration Open(CliContext ctx) => QueueAdministrationAccess.Open(Path.Combine(ctx.DataDirectory, "spool"));

    internal static CultureInfo Culture(CliContext ctx) => ctx.Language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture;
}

/// <summary><c>sekisho log mail</c>: mail tracking records.</summary>
internal static class LogCommands
{
    public static Command Create(CliApp app)
    {
        var log = new Command("log", CliText.T("log.description"));
        var since = new Option<string?>("--since") { Description = CliText.T("opt.since") };
        var sender = new Option<string?>("--sender") { Description = CliText.T("opt.log.address") };
        var recipient = new Option<string?>("--recipient") { Description = CliText.T("opt.log.address") };
        var subject = new Option<string?>("--subject") { Description = CliText.T("opt.log.subject") };
        var status = new Option<string?>("--status") { Description = CliText.T("opt.log.status") };
        var limit = new Option<int>("--limit") { Description = CliText.T("opt.limit"), DefaultValueFactory = _ => 1000 };
        var mail = new Command("mail", CliText.T("log.mail.description")) { since, sender, recipient, subject, status, limit };
        mail.SetAction(app.Run(async (ctx, ct) =>
        {
            var p = ctx.Parse;
            var query = new MailTrackingQuery
            {
                Since = p.GetValue(since) is { } s ? AuditCommands.ParseSince(s, ctx.Time) : null,
                Sender = p.GetValue(sender), Recipient = p.GetValue(recipient), Subject = p.GetValue(subject),
                Status = p.GetValue(status) is { } st ? CliContext.ParseEnum<TrackingAction>(st, "--status") : null,
                Limit = p.GetValue(limit),
            };
            await using var sink = new JsonLinesMailTrackingSink(Path.Combine(ctx.DataDirectory, "spool", "tracking"));
            var records = new List<MailTrackingRecord>();
            await foreach (var r in sink.QueryAsync(query, ct)) records.Add(r);
            ctx.Out.Write(ctx.Json ? SmtpCliFormat.TrackingJson(records) + "\n" : SmtpCliFormat.TrackingText(records, QueueCommands.Culture(ctx)));
            return 0;
        }));
        log.Subcommands.Add(mail);
        return log;
    }
}
