using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Policy;

/// <summary>受信保護 / 送信保護: the rules of one type with order, status toggle, migration status ("!" → fix, 完了), action, level, times.</summary>
public sealed class PolicyListModel(RuleService rules) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string Direction { get; set; } = "inbound";
    [BindProperty(SupportsGet = true)] public string Type { get; set; } = "content";
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Ms { get; set; }
    [BindProperty(SupportsGet = true)] public string? Name { get; set; }
    [BindProperty(SupportsGet = true)] public string[]? Cols { get; set; }

    public IReadOnlyList<Rule> Rules { get; private set; } = [];
    public bool Writable => CanWrite;

    /// <summary>The migration status column shows unless the filter form was sent without it.</summary>
    public bool ShowMigration => Cols is null || Cols.Length == 0 || Cols.Contains("ms");

    public async Task<IActionResult> OnGetAsync()
    {
        if (!ModelJson.TryParseEnum<RuleType>(Type, out var type)) return NotFound();
        bool? enabled = Status switch { "enabled" => true, "disabled" => false, _ => null };
        var dir = Direction == "outbound" ? global::Sekisho.Model.Rules.Direction.Outbound : global::Sekisho.Model.Rules.Direction.Inbound;
        try
        {
            Rules = await rules.ListAsync(new RuleFilter(dir, type, enabled, string.IsNullOrEmpty(Ms) ? null : Ms, Name), Actor, HttpContext.RequestAborted);
        }
        catch (ConsoleProblem p)
        {
            ViewData["Error"] = ConsoleText.For(p.Text);
        }
        return Page();
    }

    public Task<IActionResult> OnPostToggleAsync(string id, bool enable) => ChangeAsync(async () =>
    {
        var r = await rules.SetEnabledAsync(id, enable, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(enable ? (r.IsActive ? "rule.enabled" : "rule.enabled.inactive") : "rule.disabled", r.Name));
        return Back();
    }, OnGetAsync);

    public Task<IActionResult> OnPostCompleteAsync(string id) => ChangeAsync(async () =>
    {
        var current = await rules.GetAsync(id, Actor, HttpContext.RequestAborted);
        var transition = RuleService.CompletionFor(current) ?? MigrationStatusTransition.MarkFixed;
        var r = await rules.TransitionAsync(id, transition, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(transition == MigrationStatusTransition.MarkFixed ? "rule.marked-fixed" : "rule.confirmed", r.Name));
        return Back();
    }, OnGetAsync);

    public string ActionLabel(Rule r)
    {
        var a = r.Actions;
        if (a.Intercept.IsTerminal) return ConsoleText.T("action." + CriterionNames.Of(a.Intercept));
        var others = a.Modify.Cast<object>().Concat(a.Monitor).ToList();
        if (others.Count == 0) return ConsoleText.T("action.do-not-intercept");
        return ConsoleText.TOr("action." + CriterionNames.Of(others[0]), CriterionNames.Of(others[0])) + (others.Count > 1 ? " ..." : "");
    }

    private IActionResult Back() => Redirect($"/policy/{Direction}?type={Uri.EscapeDataString(Type)}");
}
