using System.CommandLine;
using System.Globalization;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho audit list [--since] [--type]</c>.</summary>
internal static class AuditCommands
{
    public static Command Create(CliApp app)
    {
        var audit = new Command("audit", CliText.T("audit.description"));
        var since = new Option<string?>("--since") { Description = CliText.T("opt.since") };
        var type = new Option<string?>("--type") { Description = CliText.T("opt.event-type") };
        var limit = new Option<int>("--limit") { Description = CliText.T("opt.limit"), DefaultValueFactory = _ => 200 };
        var list = new Command("list", CliText.T("audit.list.description")) { since, type, limit };
        list.SetAction(app.Run(async (ctx, ct) =>
        {
            var from = ctx.Parse.GetValue(since) is { } text ? ParseSince(text, ctx.Time) : (DateTimeOffset?)null;
            await using var s = await ctx.BeginAsync(ct);
            var records = await s.QueryAuditAsync(from, ctx.Parse.GetValue(type), ctx.Parse.GetValue(limit), ct);
            if (ctx.Json) { ctx.WriteJson(records); return 0; }
            foreach (var r in records)
            {
                ctx.Out.WriteLine($"{r.Time.ToLocalTime():yyyy/MM/dd HH:mm:ss}  {r.Actor}  {r.EventType}  {r.Subject}");
                if (r.AffectedDomains.Count > 0) ctx.Out.WriteLine($"  {CliText.T("col.domains")}: {string.Join(", ", r.AffectedDomains)}");
                if (r.Changes.Count == 0) continue;
                var t = new TextTable("  " + CliText.T("col.field"), CliText.T("col.new"), CliText.T("col.previous"));
                foreach (var c in r.Changes) t.Row("  " + c.Field, Short(c.NewValue), Short(c.PreviousValue));
                t.WriteTo(ctx.Out);
            }
            if (records.Count == 0) ctx.Out.WriteLine(CliText.T("empty"));
            return 0;
        }));
        audit.Subcommands.Add(list);
        return audit;
    }

    private static string Short(string? v) => v is null ? "" : v.Length > 80 ? v[..77] + "..." : v;

    /// <summary>An absolute time (date or ISO 8601) or a duration back from now (90m, 24h, 7d).</summary>
    internal static DateTimeOffset ParseSince(string text, TimeProvider time)
    {
        var t = text.Trim();
        if (t.Length >= 2 && int.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            var span = t[^1] switch { 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => (TimeSpan?)null };
            if (span is not null) return time.GetUtcNow() - span.Value;
        }
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at)) return at;
        throw new CliUserException(CliText.T("error.time.format", text));
    }
}
