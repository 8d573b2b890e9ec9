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
        var stageNames = r.Stages.Select(s => CliText.T("trace.stage." + ModelJson.EnumName(s.Stage))).ToList();
        int width = stageNames.Count == 0 ? 0 : stageNames.Max(TextTable.Width);
        for (int i = 0; i < r.Stages.Count; i++)
        {
            var s = r.Stages[i];
            // Pad by display width: Japanese characters take two columns.
            o.WriteLine($"    {stageNames[i]}{new string(' ', width - TextTable.Width(stageNames[i]) + 2)}{CliText.T("trace.status." + ModelJson.EnumName(s.Status))}{(string.IsNullOrEmpty(s.Detail) ? "" : ": " + s.Detail)}");
        }
        o.WriteLine("  " + CliText.T("trace.rules"));
        if (r.Rules.Count == 0) o.WriteLine("    " + CliText.T("empty"));
        foreach (var rule in r.Rules)
        {
            var mark = rule.Disposition switch { RuleDisposition.Matched => "✔", RuleDisposition.NotMatched => "✖", _ => "–" };
            o.WriteLine($"    {mark} [{CliText.T("trace.stage." + ModelJson.EnumName(rule.Type))}] {rule.Order}. {rule.RuleName}: {CliText.T("trace.disposition." + ModelJson.EnumName(rule.Disposition))}");
            foreach (var c in rule.Criteria)
            {
                o.WriteLine($"        {(c.Matched ? "✔" : "✖")} {c.Criterion}{(c.Summary.Length > 0 ? " (" + c.Summary + ")" : "")}{(c.Note is null ? "" : " — " + Note(c.Note))}");
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

    /// <summary>A note code ("regex-timeout: list") in the user's language.</summary>
    private static string Note(string note)
    {
        var colon = note.IndexOf(": ", StringComparison.Ordinal);
        var code = colon < 0 ? note : note[..colon];
        var detail = colon < 0 ? "" : note[(colon + 2)..];
        return code switch
        {
            TraceNotes.NotSupported or TraceNotes.UnknownKeywordList or TraceNotes.RegexTimeout or TraceNotes.EngineNotConfigured or TraceNotes.EngineUnavailable =>
                CliText.T("trace.note." + code, detail),
            _ => note,
        };
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
