using Sekisho.Cli.Localization;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Engine;

namespace Sekisho.Cli.Output;

/// <summary>Writes a recipient's policy trace for people (policy test, quarantine show).</summary>
internal static class TraceText
{
    public static string Outcome(FinalAction a) => CliText.T("trace.outcome." + ModelJson.EnumName(a));

    /// <param name="names">Resolves policy object ids (notifications, stamps) to names, when the policy is at hand.</param>
    public static void Write(TextWriter o, RecipientPlan r, Func<string, string?>? names = null)
    {
        string Name(string id) => names?.Invoke(id) ?? id;
        o.WriteLine(CliText.T("trace.recipient", r.Recipient));
        o.WriteLine("  " + CliText.T("trace.outcome", Outcome(r.Outcome) + (r.Intercept is Model.Rules.DeliverNow { Host: { } h } dn ? $" → {h}:{dn.Port}" : "")
            + (r.Intercept is Model.Rules.ChangeRecipient cr ? " → " + string.Join(", ", cr.Recipients) : "")));
        if (r.DecidedBy is { } by) o.WriteLine("  " + CliText.T("trace.decided", by.Name, r.Reason ?? ""));
        o.WriteLine("  " + CliText.T("trace.stages"));
        foreach (var s in r.Stages)
            o.WriteLine($"    {CliText.T("trace.stage." + ModelJson.EnumName(s.Stage)),-22} {CliText.T("trace.status." + ModelJson.EnumName(s.Status))}{(string.IsNullOrEmpty(s.Detail) ? "" : ": " + s.Detail)}");
        o.WriteLine("  " + CliText.T("trace.rules"));
        if (r.Rules.Count == 0) o.WriteLine("    " + CliText.T("empty"));
        foreach (var rule in r.Rules)
        {
            var mark = rule.Disposition switch { RuleDisposition.Matched => "✔", RuleDisposition.NotMatched => "✖", _ => "–" };
            o.WriteLine($"    {mark} [{CliText.T("trace.stage." + ModelJson.EnumName(rule.Type))}] {rule.Order}. {rule.RuleName}: {CliText.T("trace.disposition." + ModelJson.EnumName(rule.Disposition))}");
            foreach (var c in rule.Criteria)
            {
                o.WriteLine($"        {(c.Matched ? "✔" : "✖")} {c.Criterion}{(c.Summary.Length > 0 ? " (" + c.Summary + ")" : "")}{(c.Note is null ? "" : " — " + c.Note)}");
                foreach (var e in c.Evidence.Take(10))
                {
                    var parts = new List<string> { e.Where };
                    if (e.FileName is not null) parts.Add(e.FileName);
                    if (e.TrueType is not null) parts.Add(e.TrueType);
                    if (e.Keyword is not null) parts.Add(e.Keyword);
                    if (e.Score is not null) parts.Add("score " + e.Score);
                    if (e.Detail is not null) parts.Add(e.Detail);
                    o.WriteLine("            · " + string.Join(" | ", parts));
                }
            }
            if (rule.PlannedActions.Count > 0) o.WriteLine("        → " + CliText.T("trace.rule.actions", string.Join(", ", rule.PlannedActions)));
        }
        o.WriteLine("  " + CliText.T("trace.planned"));
        var planned = r.Modify.Select(m => $"{CriterionNames.Of(m.Action)} {Describe(m.Action, Name)} ({m.Source.Name})")
            .Concat(r.Monitor.Select(m => $"{CriterionNames.Of(m.Action)} {Describe(m.Action, Name)} ({m.Source.Name})")).ToList();
        if (planned.Count == 0) o.WriteLine("    " + CliText.T("empty"));
        foreach (var p in planned) o.WriteLine("    " + p.TrimEnd());
    }

    private static string Describe(object action, Func<string, string> name) => action switch
    {
        Model.Rules.TagSubject t => t.Tag,
        Model.Rules.InsertXHeader x => $"{x.Name}: {x.Value}",
        Model.Rules.InsertStamp s => name(s.StampId),
        Model.Rules.InsertSafeStamp s => name(s.StampId),
        Model.Rules.DeleteAttachments d => ModelJson.EnumName(d.Scope),
        Model.Rules.DeliverAt d => d.At.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) + (d.TimeZone is null ? "" : " " + d.TimeZone),
        Model.Rules.Notify n => name(n.NotificationId),
        Model.Rules.Bcc b => string.Join(", ", b.Recipients),
        Model.Rules.Archive a => a.Tag ?? "",
        _ => "",
    };
}
