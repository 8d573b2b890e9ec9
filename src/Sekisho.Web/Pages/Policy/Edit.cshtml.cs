using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.Editing;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Policy;

/// <summary>
/// ルールの追加 / 編集 with the tabs of the cloud console as sections (基本情報, 受信者と送信者, 検索条件, 処理), plus copy and delete.
/// An invalid rule changes nothing: every problem is shown next to its field in the user's language.
/// </summary>
public sealed class RuleEditModel(RuleService rules) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Id { get; set; }
    [BindProperty] public RuleForm Input { get; set; } = new();

    public RuleFormObjects Objects { get; private set; } = new([], [], []);
    public FieldErrors Errors { get; } = new();
    public Rule? Current { get; private set; }
    public bool IsNew => string.IsNullOrEmpty(Id);
    public bool Writable => CanWrite;
    public RuleType RuleType { get; private set; } = RuleType.Content;
    public Direction RuleDirection { get; private set; } = Direction.Inbound;

    public async Task<IActionResult> OnGetAsync(string? direction, string? type)
    {
        Objects = await rules.FormObjectsAsync(Actor, HttpContext.RequestAborted);
        if (IsNew)
        {
            if (!Parse(direction, type)) return NotFound();
            Input = RuleForm.From(Blank(), Objects);
            Input.Order = "";
            return Page();
        }
        try { Current = await rules.GetAsync(Id!, Actor, HttpContext.RequestAborted); }
        catch (ConsoleProblem) { return NotFound(); }
        (RuleDirection, RuleType) = (Current.Direction, Current.Type);
        Input = RuleForm.From(Current, Objects);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Objects = await rules.FormObjectsAsync(Actor, HttpContext.RequestAborted);
        Rule baseRule;
        if (IsNew)
        {
            if (!Parse(Input.Direction, Input.Type)) return NotFound();
            baseRule = Blank();
        }
        else
        {
            try { Current = baseRule = await rules.GetAsync(Id!, Actor, HttpContext.RequestAborted); }
            catch (ConsoleProblem) { return NotFound(); }
            (RuleDirection, RuleType) = (Current.Direction, Current.Type);
        }
        var rule = Input.ToRule(baseRule, Objects, Errors);
        if (rule is null) return Refused();
        try
        {
            var saved = IsNew ? await rules.AddAsync(rule with { Id = "" }, Actor, HttpContext.RequestAborted) : await rules.UpdateAsync(rule, Actor, HttpContext.RequestAborted);
            Notice(ConsoleText.T(IsNew ? "RuleEdit.added" : "RuleEdit.saved", saved.Name));
            return Redirect(ListLink(saved));
        }
        catch (RuleEditException e) when (e.Failure == RuleEditFailure.Invalid)
        {
            foreach (var p in e.Problems) Errors.Add(RuleForm.FieldOf(p), ConsoleText.For(p.Message));
            return Refused();
        }
        catch (ConsoleProblem p)
        {
            ViewData["Error"] = ConsoleText.For(p.Text);
            Response.StatusCode = p.Status;
            return Page();
        }
    }

    public Task<IActionResult> OnPostCopyAsync() => ChangeAsync(async () =>
    {
        var copy = await rules.CopyAsync(Id ?? "", ConsoleText.Language, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("RuleEdit.copied", copy.Name));
        return Redirect("/policy/edit?id=" + Uri.EscapeDataString(copy.Id));
    }, ReloadAsync);

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        var deleted = await rules.DeleteAsync(Id ?? "", Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("RuleEdit.deleted", deleted.Name));
        return Redirect(ListLink(deleted));
    }, ReloadAsync);

    /// <summary>The list this rule belongs to.</summary>
    public static string ListLink(Rule r) => $"/policy/{ModelJson.EnumName(r.Direction)}?type={ModelJson.EnumName(r.Type)}";

    private async Task<IActionResult> ReloadAsync()
    {
        var status = Response.StatusCode;
        var result = await OnGetAsync(null, null);
        if (result is Microsoft.AspNetCore.Mvc.RazorPages.PageResult) Response.StatusCode = status;
        return result;
    }

    private IActionResult Refused()
    {
        ViewData["Error"] = ConsoleText.T("RuleEdit.error.summary", Errors.Count);
        Response.StatusCode = 400;
        return Page();
    }

    private bool Parse(string? direction, string? type)
    {
        if (!ModelJson.TryParseEnum<Direction>(direction, out var d) || !ModelJson.TryParseEnum<RuleType>(type, out var t)) return false;
        (RuleDirection, RuleType) = (d, t);
        return true;
    }

    // A new rule: protects the organization's side (inbound recipients, outbound senders) and intercepts nothing.
    private Rule Blank()
    {
        var now = DateTimeOffset.UtcNow;
        var scope = RuleDirection == Direction.Inbound ? RuleScope.Default : new RuleScope(Participants.Anyone, Participants.MyOrganization, []);
        return new Rule { Id = "", Direction = RuleDirection, Type = RuleType, Name = "", Scope = scope, Created = now, Modified = now };
    }
}
