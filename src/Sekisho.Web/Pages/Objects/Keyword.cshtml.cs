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
public sealed class KeywordModel(PolicyObjectService objects) : ObjectEditPage<KeywordList>(objects)
{
    private const int BlankRows = 3;

    [BindProperty] public string? Description { get; set; }
    [BindProperty(Name = "Match")] public string? MatchName { get; set; }
    [BindProperty] public int Threshold { get; set; }
    [BindProperty] public List<ExpressionRow> Rows { get; set; } = [];
    [BindProperty] public string? TestText { get; set; }

    public KeywordMatch Match => ModelJson.TryParseEnum<KeywordMatch>(MatchName, out var m) ? m : KeywordMatch.Any;
    public KeywordTest? Test { get; private set; }

    protected override string ListPath => "/objects/keywords";

    /// <summary>Runs the test box on the form's expressions; nothing is saved.</summary>
    public Task<IActionResult> OnPostTestAsync() => ChangeAsync(() =>
    {
        var list = FromForm();
        PolicyObjectService.ThrowIfInvalid(Sekisho.Model.Validation.PolicyValidator.ValidateKeywordList(list with { Name = "test" }));
        Test = ObjectTesting.TestKeywords(list, TestText);
        return AgainAsync();
    }, AgainAsync);

    protected override Task<IActionResult> AgainAsync()
    {
        Pad();
        return Task.FromResult<IActionResult>(Page());
    }

    protected override KeywordList FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "", Match = Match, Threshold = Threshold,
        Expressions = Rows.Where(r => !string.IsNullOrEmpty(r.Pattern))
            .Select(r => new KeywordExpression(r.Pattern!, r.CaseSensitive, r.Score, r.Description ?? "", string.IsNullOrEmpty(r.Source) ? null : r.Source)).ToList(),
    };

    protected override void Show(KeywordList k)
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
