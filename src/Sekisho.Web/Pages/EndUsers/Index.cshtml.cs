using Microsoft.AspNetCore.Mvc;
using Sekisho.Store;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Localization;

namespace Sekisho.Web.Pages.EndUsers;

/// <summary>エンドユーザ (administrators): the end-user accounts of the end-user quarantine; add and remove them, send the due digests now.</summary>
public sealed class EndUserAccountsModel(EndUserService endUsers, DigestService digests) : ConsolePage
{
    public IReadOnlyList<EndUser> Users { get; private set; } = [];
    public bool Writable => CanWrite;

    public async Task OnGetAsync() => Users = await endUsers.ListAsync(Actor, HttpContext.RequestAborted);

    public Task<IActionResult> OnPostAddAsync(string? address, string? password) => ChangeAsync(async () =>
    {
        var u = await endUsers.CreateAsync(address ?? "", string.IsNullOrEmpty(password) ? null : password, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("endusers.created", u.Address));
        return Redirect("/endusers");
    }, ReloadAsync);

    public Task<IActionResult> OnPostRemoveAsync(string? address) => ChangeAsync(async () =>
    {
        await endUsers.RemoveAsync(address ?? "", Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("endusers.removed", address));
        return Redirect("/endusers");
    }, ReloadAsync);

    public Task<IActionResult> OnPostDigestAsync() => ChangeAsync(async () =>
    {
        var run = await digests.RunAsync(HttpContext.RequestAborted);
        Notice(ConsoleText.T("endusers.digests-sent", run.Sent.Count, run.Failed.Count));
        return Redirect("/endusers");
    }, ReloadAsync);

    private async Task<IActionResult> ReloadAsync()
    {
        await OnGetAsync();
        return Page();
    }
}
