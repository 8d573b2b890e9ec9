using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Settings;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Localization;

namespace Sekisho.Web.Pages.My;

/// <summary>The end user's approved senders (承認済み送信者) and blocked senders (ブロックする送信者).</summary>
public sealed class MySendersModel(EndUserService endUsers) : EndUserPage
{
    public IReadOnlyList<EndUserSender> Senders { get; private set; } = [];

    public async Task OnGetAsync() => Senders = await endUsers.SendersAsync(Address, HttpContext.RequestAborted);

    public Task<IActionResult> OnPostAddAsync(string? list, string? sender) => ChangeAsync(async () =>
    {
        var kind = list == "blocked" ? SenderListKind.Blocked : SenderListKind.Approved;
        await endUsers.AddSenderAsync(Address, kind, sender, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(kind == SenderListKind.Approved ? "my.sender.approved" : "my.sender.blocked", sender?.Trim()));
        return Redirect("/my/senders");
    }, ReloadAsync);

    public Task<IActionResult> OnPostRemoveAsync(string? list, string? sender) => ChangeAsync(async () =>
    {
        await endUsers.RemoveSenderAsync(Address, list == "blocked" ? SenderListKind.Blocked : SenderListKind.Approved, sender, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("my.sender.removed", sender));
        return Redirect("/my/senders");
    }, ReloadAsync);

    private async Task<IActionResult> ReloadAsync()
    {
        await OnGetAsync();
        return Page();
    }
}
