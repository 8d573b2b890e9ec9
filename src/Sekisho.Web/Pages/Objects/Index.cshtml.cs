using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>ポリシーオブジェクト: every kind with how many there are.</summary>
public sealed class ObjectsIndexModel(PolicyObjectService objects, ApprovedListService approved) : ConsolePage
{
    public IReadOnlyList<(string Href, string Key, int Count)> Kinds { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        var p = await objects.SnapshotAsync(Actor, ct);
        Kinds =
        [
            ("/objects/address-groups", "objects.tab.address-groups", p.AddressGroups.Count),
            ("/objects/keywords", "objects.tab.keywords", p.KeywordLists.Count),
            ("/objects/notifications", "objects.tab.notifications", p.Notifications.Count),
            ("/objects/stamps", "objects.tab.stamps", p.Stamps.Count),
            ("/objects/approved", "objects.approved.wrs", (await approved.WebReputationAsync(Actor, ct)).Count),
            ("/objects/approved", "objects.approved.url-keywords", p.Settings.UrlKeywordExceptions.Count),
            ("/objects/dlp", "objects.dlp.identifiers", p.DlpIdentifiers.Count + Model.Objects.PredefinedDlp.Identifiers.Count),
            ("/objects/dlp", "objects.dlp.templates", p.DlpTemplates.Count + Model.Objects.PredefinedDlp.Templates.Count),
        ];
    }
}
