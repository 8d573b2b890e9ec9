using Sekisho.Cli.Localization;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;

namespace Sekisho.Cli.Commands;

/// <summary>How rules read in lists and details: labels for statuses, actions, levels and scopes.</summary>
internal static class RuleDescriptions
{
    public static string Direction(Direction d) => CliText.T("dir." + ModelJson.EnumName(d));
    public static string Type(RuleType t) => CliText.T("type." + ModelJson.EnumName(t));
    public static string Level(RuleLevel l) => CliText.T("level." + ModelJson.EnumName(l));
    public static string MigrationStatus(MigrationStatus? s) => s is null ? "-" : CliText.T("ms." + ModelJson.EnumName(s.Value));

    /// <summary>The list's action column: the intercept action, or the first other action followed by "..." (as the console shows it).</summary>
    public static string ActionSummary(RuleActions a)
    {
        if (a.Intercept.IsTerminal) return CliText.T("action." + CriterionNames.Of(a.Intercept));
        var others = a.Modify.Cast<object>().Concat(a.Monitor).ToList();
        if (others.Count == 0) return CliText.T("action.do-not-intercept");
        return CliText.T("action." + CriterionNames.Of(others[0])) + (others.Count > 1 ? " ..." : "");
    }

    public static string Participants(Participants p, PolicySnapshot policy) => p.Mode switch
    {
        ParticipantsMode.Anyone => CliText.T("show.anyone"),
        ParticipantsMode.MyOrganization => CliText.T("show.my-organization"),
        _ => string.Join(", ", p.Entries.Select(e => e switch
        {
            AddressParticipant a => a.Pattern.ToString(),
            DomainParticipant d => "@" + d.Domain,
            AddressGroupParticipant g => "[" + (policy.FindAddressGroup(g.GroupId)?.Name ?? g.GroupId) + "]",
            DirectoryGroupParticipant dg => "ldap:" + dg.Name,
            _ => e.ToString(),
        })),
    };

    /// <summary>One criterion as a line: its name and its settings in the policy file's JSON form, with object ids replaced by names.</summary>
    public static string Criterion(Criterion c, PolicySnapshot policy)
    {
        var json = ModelJson.Serialize(c);
        foreach (var k in policy.KeywordLists) json = json.Replace($"\"{k.Id}\"", $"\"{k.Name}\"");
        foreach (var t in policy.DlpTemplates) json = json.Replace($"\"{t.Id}\"", $"\"{t.Name}\"");
        return $"{CriterionNames.Of(c)} {json}";
    }

    public static string Action(object action, PolicySnapshot policy)
    {
        var json = ModelJson.Serialize(action);
        foreach (var n in policy.Notifications) json = json.Replace($"\"{n.Id}\"", $"\"{n.Name}\"");
        foreach (var s in policy.Stamps) json = json.Replace($"\"{s.Id}\"", $"\"{s.Name}\"");
        return $"{CliText.T("action." + CriterionNames.Of(action))} {json}";
    }
}
