using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>アドレスグループ: the list with type, size and the rules that use each group.</summary>
public sealed class AddressGroupsModel(PolicyObjectService objects) : ConsolePage
{
    private PolicySnapshot _policy = PolicySnapshot.Empty;

    public IReadOnlyList<AddressGroup> Groups => _policy.AddressGroups;
    public bool Writable => CanWrite;

    public string UsedBy(string id) => string.Join(", ", PolicyObjectService.Users(_policy, id).Select(Localization.ConsoleText.For));

    public async Task OnGetAsync() => _policy = await objects.SnapshotAsync(Actor, HttpContext.RequestAborted);
}
