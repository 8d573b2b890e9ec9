using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>DLP データ識別子とテンプレート: predefined (read-only) and custom ones, and the DLP test box (the engine's DLP code).</summary>
public sealed class DlpModel(PolicyObjectService objects) : ConsolePage
{
    private PolicySnapshot _policy = PolicySnapshot.Empty;

    [BindProperty(Name = "target")] public string? Target { get; set; }
    [BindProperty(Name = "text")] public string? Text { get; set; }

    public IReadOnlyList<DlpIdentifier> Identifiers { get; private set; } = [];
    public IReadOnlyList<DlpTemplate> Templates { get; private set; } = [];
    public DlpTest? Test { get; private set; }
    public bool Writable => CanWrite;

    private IReadOnlyDictionary<string, IReadOnlyList<LocalizedText>> _users = new Dictionary<string, IReadOnlyList<LocalizedText>>();

    public string UsedBy(string id) => string.Join(", ", _users.GetValueOrDefault(id, []).Select(ConsoleText.For));

    public string KindOf(DlpIdentifier i) => i switch { DlpExpression => "expression", DlpKeywordList => "keyword-list", _ => "file-attribute" };

    public string TermsText(DlpTemplate t) => string.Join(" ", t.Terms.Select(term =>
        (term.Operator == DlpOperator.First ? "" : ConsoleText.T("objects.dlp.op." + Model.Serialization.ModelJson.EnumName(term.Operator)) + " ")
        + (_policy.FindDlpIdentifier(term.IdentifierId)?.Name ?? term.IdentifierId)));

    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>Runs the chosen template or identifier on the text; nothing is saved.</summary>
    public Task<IActionResult> OnPostTestAsync() => ChangeAsync(async () =>
    {
        await LoadAsync();
        Test = ObjectTesting.TestDlp(_policy, Target ?? "", Text);
        return Page();
    }, async () => { await LoadAsync(); return Page(); });

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        _policy = await objects.SnapshotAsync(Actor, ct);
        _users = PolicyObjectService.UsersIndex(_policy);
        Identifiers = await objects.ListAsync<DlpIdentifier>(Actor, ct);
        Templates = await objects.ListAsync<DlpTemplate>(Actor, ct);
    }
}
