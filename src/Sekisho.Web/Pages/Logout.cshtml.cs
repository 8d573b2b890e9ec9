using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Web.Access;

namespace Sekisho.Web.Pages;

/// <summary>ログアウト (POST only, with the anti-forgery token).</summary>
public sealed class LogoutModel : ConsolePage
{
    public IActionResult OnGet() => Redirect("/domains");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleRoles.CookieScheme);
        return Redirect("/login");
    }
}
