using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Serialization;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>One term row of the template form.</summary>
public sealed class TermRow
{
    public string? Operator { get; set; }
    public string? IdentifierId { get; set; }
}

/// <summary>DLP コンプライアンステンプレートの追加 / 編集: identifiers combined with And / Or / Except, left to right.</summary>
public sealed class DlpTemplateModel(PolicyObjectService objects) : ConsolePage
{
    private const int BlankRows = 3;

    [BindProperty(Name = "id")] public string? Id { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public List<TermRow> Terms { get; set; } = [];

    public IReadOnlyList<DlpIdentifier> Identifiers { get; private set; } = [];
    public bool IsNew => string.IsNullOrEmpty(Id);
    public bool Predefined => !IsNew && PredefinedDlp.IsPredefined(Id!);
    public bool Writable => CanWrite;

    public async Task<IActionResult> OnGetAsync(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            try { Show(await objects.GetAsync<DlpTemplate>(id, Actor, HttpContext.RequestAborted)); }
            catch (ConsoleProblem) { return NotFound(); }
        }
        return await AgainAsync();
    }

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var rows = Terms.Where(t => !string.IsNullOrEmpty(t.IdentifierId)).ToList();
        var template = new DlpTemplate
        {
            Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "",
            Terms = rows.Select((t, i) => new DlpTemplateTerm(
                i == 0 ? DlpOperator.First : ModelJson.TryParseEnum<DlpOperator>(t.Operator, out var op) && op != DlpOperator.First ? op : DlpOperator.And, t.IdentifierId!)).ToList(),
        };
        var saved = IsNew ? await objects.AddAsync(template, Actor, HttpContext.RequestAborted) : await objects.UpdateAsync(Id!, template, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(IsNew ? "objects.added" : "objects.saved", saved.Name));
        return Redirect("/objects/dlp");
    }, AgainAsync);

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        var ct = HttpContext.RequestAborted;
        var t = await objects.GetAsync<DlpTemplate>(Id ?? "", Actor, ct);
        await objects.DeleteAsync<DlpTemplate>(t.Id, Actor, ct);
        Notice(ConsoleText.T("objects.deleted", t.Name));
        return Redirect("/objects/dlp");
    }, async () =>
    {
        try { Show(await objects.GetAsync<DlpTemplate>(Id ?? "", Actor, HttpContext.RequestAborted)); }
        catch (ConsoleProblem) { }
        return await AgainAsync();
    });

    private async Task<IActionResult> AgainAsync()
    {
        Identifiers = await objects.ListAsync<DlpIdentifier>(Actor, HttpContext.RequestAborted);
        Terms = Terms.Where(t => !string.IsNullOrEmpty(t.IdentifierId)).ToList();
        for (int i = 0; i < BlankRows; i++) Terms.Add(new TermRow { Operator = Terms.Count == 0 ? "first" : "and" });
        return Page();
    }

    private void Show(DlpTemplate t)
    {
        Id = t.Id;
        Name = t.Name;
        Description = t.Description;
        Terms = t.Terms.Select(x => new TermRow { Operator = ModelJson.EnumName(x.Operator), IdentifierId = x.IdentifierId }).ToList();
    }
}
