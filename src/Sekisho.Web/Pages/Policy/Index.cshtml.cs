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

    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    /// <summary>Column to sort by: order (default), status, rule, migration-status, action, level, modified, last-used.</summary>
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public bool Desc { get; set; }

    /// <summary>The sortable columns, in the list's order.</summary>
    public static readonly string[] SortColumns = ["order", "status", "rule", "migration-status", "action", "level", "modified", "last-used"];

    /// <summary>Rows per page: long migrated lists stay quick to load.</summary>
    public const int PageSize = 200;

    public IReadOnlyList<Rule> Rules { get; private set; } = [];
    public int Total { get; private set; }
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
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
            var all = await rules.ListAsync(new RuleFilter(dir, type, enabled, string.IsNullOrEmpty(Ms) ? null : Ms, Name), Actor, HttpContext.RequestAborted);
            all = Sorted(all);
            Total = all.Count;
            PageNumber = Math.Clamp(PageNumber, 1, Pages);
            Rules = all.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();
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

    public Task<IActionResult> OnPostMoveAsync(string id, int? to, int steps) => ChangeAsync(async () =>
    {
        var r = await rules.MoveAsync(id, to, steps, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("RuleEdit.moved", r.Name, r.Order));
        return Back();
    }, OnGetAsync);

    private IReadOnlyList<Rule> Sorted(IReadOnlyList<Rule> all)
    {
        Func<Rule, IComparable?> key = Sort switch
        {
            "status" => r => r.Enabled,
            "rule" => r => r.Name,
            "migration-status" => r => r.Migration is null ? -1 : (int)r.Migration.Status,
            "action" => r => ActionLabel(r),
            "level" => r => (int)r.Level,
            "modified" => r => r.Modified,
            "last-used" => r => r.LastUsed ?? DateTimeOffset.MinValue,
            _ => r => r.Order,
        };
        var comparer = Comparer<IComparable?>.Create((a, b) => a is string x && b is string y ? string.Compare(x, y, StringComparison.CurrentCulture) : Comparer<IComparable?>.Default.Compare(a, b));
        var ordered = Desc ? all.OrderByDescending(key, comparer) : all.OrderBy(key, comparer);
        return ordered.ThenBy(r => r.Order).ToList();
    }

    /// <summary>The list address sorted by a column (a second click reverses it).</summary>
    public string SortLink(string column)
    {
        bool desc = (Sort ?? "order") == column && !Desc;
        var q = Request.Query.Where(kv => kv.Key is not ("sort" or "desc" or "p")).SelectMany(kv => kv.Value.Select(v => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(v ?? "")));
        return $"/policy/{Direction}?" + string.Join("&", q.Append("sort=" + column).Concat(desc ? ["desc=true"] : []));
    }

    /// <summary>"▲" or "▼" after the column the list is sorted by.</summary>
    public string SortMark(string column) => (Sort ?? "order") == column ? (Desc ? " ▼" : " ▲") : "";

    public string ActionLabel(Rule r)
    {
        var a = r.Actions;
        if (a.Intercept.IsTerminal) return ConsoleText.T("action." + CriterionNames.Of(a.Intercept));
        var others = a.Modify.Cast<object>().Concat(a.Monitor).ToList();
        if (others.Count == 0) return ConsoleText.T("action.do-not-intercept");
        return ConsoleText.TOr("action." + CriterionNames.Of(others[0]), CriterionNames.Of(others[0])) + (others.Count > 1 ? " ..." : "");
    }

    /// <summary>The current list address with another page number.</summary>
    public string PageLink(int page)
    {
        var q = Request.Query.Where(kv => kv.Key != "p").SelectMany(kv => kv.Value.Select(v => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(v ?? "")));
        return $"/policy/{Direction}?" + string.Join("&", q.Append("p=" + page));
    }

    private IActionResult Back() => Redirect($"/policy/{Direction}?type={Uri.EscapeDataString(Type)}"
        + (string.IsNullOrEmpty(Sort) ? "" : "&sort=" + Uri.EscapeDataString(Sort) + (Desc ? "&desc=true" : "")));
}
