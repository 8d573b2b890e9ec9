using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Serialization;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>One expression row of the keyword list form.</summary>
public sealed class ExpressionRow
{
    public string? Pattern { get; set; }
    public bool CaseSensitive { get; set; }
    public int Score { get; set; }
    public string? Description { get; set; }
    /// <summary>The original InterScan expression of a migrated expression (kept on save).</summary>
    public string? Source { get; set; }
}

/// <summary>キーワードと正規表現の追加 / 編集 with the test box (the engine's matcher, on the form as it stands).</summary>
public sealed class KeywordModel(PolicyObjectService objects) : ConsolePage
{
    private const int BlankRows = 3;

    [BindProperty(Name = "id")] public string? Id { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty(Name = "Match")] public string? MatchName { get; set; }
    [BindProperty] public int Threshold { get; set; }
    [BindProperty] public List<ExpressionRow> Rows { get; set; } = [];
    [BindProperty] public string? TestText { get; set; }

    public KeywordMatch Match => ModelJson.TryParseEnum<KeywordMatch>(MatchName, out var m) ? m : KeywordMatch.Any;
    public KeywordTest? Test { get; private set; }
    public bool IsNew => string.IsNullOrEmpty(Id);
    public bool Writable => CanWrite;

    public async Task<IActionResult> OnGetAsync(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            try { Show(await objects.GetAsync<KeywordList>(id, Actor, HttpContext.RequestAborted)); }
            catch (ConsoleProblem) { return NotFound(); }
        }
        Pad();
        return Page();
    }

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var list = FromForm();
        var saved = IsNew ? await objects.AddAsync(list, Actor, HttpContext.RequestAborted) : await objects.UpdateAsync(Id!, list, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(IsNew ? "objects.added" : "objects.saved", saved.Name));
        return Redirect("/objects/keywords");
    }, Again);

    /// <summary>Runs the test box on the form's expressions; nothing is saved.</summary>
    public Task<IActionResult> OnPostTestAsync() => ChangeAsync(() =>
    {
        var list = FromForm();
        PolicyObjectService.ThrowIfInvalid(Sekisho.Model.Validation.PolicyValidator.ValidateKeywordList(list with { Name = "test" }));
        Test = ObjectTesting.TestKeywords(list, TestText);
        Pad();
        return Task.FromResult<IActionResult>(Page());
    }, Again);

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        var k = await objects.GetAsync<KeywordList>(Id ?? "", Actor, ct);
        await objects.DeleteAsync<KeywordList>(k.Id, Actor, ct);
        Notice(ConsoleText.T("objects.deleted", k.Name));
        return Redirect("/objects/keywords");
    }, async () =>
    {
        try { Show(await objects.GetAsync<KeywordList>(Id ?? "", Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { }
        Pad();
        return Page();
    });

    private Task<IActionResult> Again()
    {
        Pad();
        return Task.FromResult<IActionResult>(Page());
    }

    private KeywordList FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "", Match = Match, Threshold = Threshold,
        Expressions = Rows.Where(r => !string.IsNullOrEmpty(r.Pattern))
            .Select(r => new KeywordExpression(r.Pattern!, r.CaseSensitive, r.Score, r.Description ?? "", string.IsNullOrEmpty(r.Source) ? null : r.Source)).ToList(),
    };

    private void Show(KeywordList k)
    {
        Id = k.Id;
        Name = k.Name;
        Description = k.Description;
        MatchName = ModelJson.EnumName(k.Match);
        Threshold = k.Threshold;
        Rows = k.Expressions.Select(e => new ExpressionRow { Pattern = e.Pattern, CaseSensitive = e.CaseSensitive, Score = e.Score, Description = e.Description, Source = e.Source }).ToList();
    }

    private void Pad()
    {
        Rows = Rows.Where(r => !string.IsNullOrEmpty(r.Pattern)).ToList();
        for (int i = 0; i < BlankRows; i++) Rows.Add(new ExpressionRow());
    }
}
