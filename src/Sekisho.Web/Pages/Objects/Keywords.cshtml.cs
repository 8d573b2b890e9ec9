using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>キーワードと正規表現: the keyword expression lists.</summary>
public sealed class KeywordsModel(PolicyObjectService objects) : ConsolePage
{
    private PolicySnapshot _policy = PolicySnapshot.Empty;

    public IReadOnlyList<KeywordList> Lists => _policy.KeywordLists;
    public bool Writable => CanWrite;

    public string UsedBy(string id) => string.Join(", ", PolicyObjectService.Users(_policy, id).Select(Localization.ConsoleText.For));

    public async Task OnGetAsync() => _policy = await objects.SnapshotAsync(Actor, HttpContext.RequestAborted);
}
