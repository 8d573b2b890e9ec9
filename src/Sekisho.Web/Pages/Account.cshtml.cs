using Microsoft.AspNetCore.Mvc;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages;

/// <summary>The signed-in user's own password (read-only users may change theirs too).</summary>
public sealed class AccountModel(ConsoleAccess access) : ConsolePage
{
    public void OnGet() { }

    public Task<IActionResult> OnPostAsync(string? current, string? replacement, string? again) => ChangeAsync(async () =>
    {
        if (replacement != again)
            throw new ConsoleProblem("user.password.mismatch", new Model.LocalizedText("新しいパスワードが一致しません。", "The new passwords do not match."));
        await access.ChangePasswordAsync(User.Identity?.Name ?? "", current ?? "", replacement ?? "", HttpContext.RequestAborted);
        Notice(ConsoleText.T("account.changed"));
        return Redirect("/account");
    }, () => Task.FromResult<IActionResult>(Page()));
}
