using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Settings;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.My;

/// <summary>The end user's quarantine: inbound mail quarantined for their address only, newest first.</summary>
public sealed class MyQuarantineModel(EndUserService endUsers) : EndUserPage
{
    public IReadOnlyList<EndUserMessage> Messages { get; private set; } = [];

    public async Task OnGetAsync() => Messages = await endUsers.MessagesAsync(Address, HttpContext.RequestAborted);
}

/// <summary>One of the end user's quarantined messages: sender, subject, reason in plain words; release, delete, approve or block the sender.</summary>
public sealed class MyMessageModel(EndUserService endUsers) : EndUserPage
{
    [BindProperty(SupportsGet = true)] public string? Id { get; set; }

    public EndUserMessage? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public Task<IActionResult> OnPostReleaseAsync() => ChangeAsync(async () =>
    {
        var r = await endUsers.ReleaseAsync(Address, Id ?? "", Actor, HttpContext.RequestAborted);
        Notice(r.Via is null ? ConsoleText.T("my.release-kept") : ConsoleText.T("my.released"));
        return Redirect("/my");
    }, async () => await LoadAsync() ? Page() : NotFound());

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        await endUsers.DeleteAsync(Address, Id ?? "", Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("my.deleted"));
        return Redirect("/my");
    }, async () => await LoadAsync() ? Page() : NotFound());

    public Task<IActionResult> OnPostApproveAsync() => SenderAsync(SenderListKind.Approved);

    public Task<IActionResult> OnPostBlockAsync() => SenderAsync(SenderListKind.Blocked);

    private Task<IActionResult> SenderAsync(SenderListKind list) => ChangeAsync(async () =>
    {
        var m = await endUsers.GetAsync(Address, Id ?? "", HttpContext.RequestAborted);
        await endUsers.AddSenderAsync(Address, list, m.Message.Sender, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(list == SenderListKind.Approved ? "my.sender.approved" : "my.sender.blocked", m.Message.Sender));
        return Redirect("/my/message?id=" + Uri.EscapeDataString(m.Message.Id));
    }, async () => await LoadAsync() ? Page() : NotFound());

    private async Task<bool> LoadAsync()
    {
        try
        {
            Message = await endUsers.GetAsync(Address, Id ?? "", HttpContext.RequestAborted);
            return true;
        }
        catch (ConsoleProblem) { return false; }
    }
}
