using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;

namespace Sekisho.Web.Pages;

/// <summary>ログイン: user name, password and (when set up) a TOTP code; repeated failures lock the user out.</summary>
public sealed class LoginModel(ConsoleAccess access) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(Name = "user")] public string? UserName { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? password, string? code)
    {
        var result = await access.SignInAsync(UserName ?? "", password ?? "", code, HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case SignInOutcome.Succeeded:
                var u = result.User!;
                var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, u.Name), new Claim(ClaimTypes.NameIdentifier, u.Id), new Claim(ClaimTypes.Role, ConsoleRoles.Of(u.Role)),
                    new Claim(ConsoleRoles.ActorClaim, "web:" + u.Name),
                ], ConsoleRoles.CookieScheme);
                await HttpContext.SignInAsync(ConsoleRoles.CookieScheme, new ClaimsPrincipal(identity));
                return LocalRedirect(ConsoleHosting.IsLocal(ReturnUrl) ? ReturnUrl! : "/domains");
            case SignInOutcome.LockedOut:
                ViewData["Error"] = ConsoleText.T("login.locked", ConsoleText.When(result.LockedUntil));
                Response.StatusCode = 429;
                return Page();
            default:
                ViewData["Error"] = ConsoleText.T("login.invalid");
                Response.StatusCode = 401;
                return Page();
        }
    }
}
