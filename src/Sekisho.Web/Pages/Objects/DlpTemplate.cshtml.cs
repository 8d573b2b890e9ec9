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
public sealed class DlpTemplateModel(PolicyObjectService objects) : ObjectEditPage<DlpTemplate>(objects)
{
    private const int BlankRows = 3;

    [BindProperty] public string? Description { get; set; }
    [BindProperty] public List<TermRow> Terms { get; set; } = [];

    public IReadOnlyList<DlpIdentifier> Identifiers { get; private set; } = [];
    public bool Predefined => !IsNew && PredefinedDlp.IsPredefined(Id!);

    protected override string ListPath => "/objects/dlp";

    protected override DlpTemplate FromForm() => new()
    {
        Id = Id ?? "", Name = (Name ?? "").Trim(), Description = Description ?? "",
        Terms = Terms.Where(t => !string.IsNullOrEmpty(t.IdentifierId)).Select((t, i) => new DlpTemplateTerm(
            i == 0 ? DlpOperator.First : ModelJson.TryParseEnum<DlpOperator>(t.Operator, out var op) && op != DlpOperator.First ? op : DlpOperator.And, t.IdentifierId!)).ToList(),
    };

    protected override async Task<IActionResult> AgainAsync()
    {
        Identifiers = await Objects.ListAsync<DlpIdentifier>(Actor, HttpContext.RequestAborted);
        Terms = Terms.Where(t => !string.IsNullOrEmpty(t.IdentifierId)).ToList();
        for (int i = 0; i < BlankRows; i++) Terms.Add(new TermRow { Operator = Terms.Count == 0 ? "first" : "and" });
        return Page();
    }

    protected override void Show(DlpTemplate t)
    {
        Id = t.Id;
        Name = t.Name;
        Description = t.Description;
        Terms = t.Terms.Select(x => new TermRow { Operator = ModelJson.EnumName(x.Operator), IdentifierId = x.IdentifierId }).ToList();
    }
}
