using Sekisho.Model;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>通知 and スタンプ lists (both read the policy snapshot and show where each object is used).</summary>
public sealed class NotificationsModel(PolicyObjectService objects) : ConsolePage
{
    public PolicySnapshot Policy { get; private set; } = PolicySnapshot.Empty;
    public bool Writable => CanWrite;

    public string UsedBy(string id) => string.Join(", ", PolicyObjectService.Users(Policy, id).Select(Localization.ConsoleText.For));

    public async Task OnGetAsync() => Policy = await objects.SnapshotAsync(Actor, HttpContext.RequestAborted);
}
