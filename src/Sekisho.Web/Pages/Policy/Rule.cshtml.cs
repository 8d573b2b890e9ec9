using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Policy;

/// <summary>One rule in full (read-only): scope, criteria, actions, migration findings and how to fix them.</summary>
public sealed class RuleDetailModel(RuleService rules) : ConsolePage
{
    private IReadOnlyDictionary<string, string> _groups = new Dictionary<string, string>();

    public Rule Rule { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        try
        {
            (Rule, _groups) = await rules.GetWithNamesAsync(id, Actor, HttpContext.RequestAborted);
            return Page();
        }
        catch (ConsoleProblem) { return NotFound(); }
    }

    public string Participants(Participants p) => p.Mode switch
    {
        ParticipantsMode.Anyone => ConsoleText.T("rule.anyone"),
        ParticipantsMode.MyOrganization => ConsoleText.T("rule.my-organization"),
        _ => string.Join(", ", p.Entries.Select(e => e switch
        {
            AddressParticipant a => a.Pattern.ToString(),
            DomainParticipant d => "@" + d.Domain,
            AddressGroupParticipant g => "[" + (_groups.TryGetValue(g.GroupId, out var name) ? name : g.GroupId) + "]",
            DirectoryGroupParticipant dg => "ldap:" + dg.Name,
            _ => e.ToString() ?? "",
        })),
    };
}
