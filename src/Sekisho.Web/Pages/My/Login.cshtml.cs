using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Web.Access;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Localization;

namespace Sekisho.Web.Pages.My;

/// <summary>End-user sign-in (エンドユーザーコンソールへのログオン): mail address and password, with the console's lock-out.</summary>
public sealed class MyLoginModel(EndUserService endUsers) : EndUserPage
{
    protected override bool RequiresSignIn => false;

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(Name = "address")] public string? LoginAddress { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? password)
    {
        var result = await endUsers.SignInAsync(LoginAddress ?? "", password ?? "", HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case SignInOutcome.Succeeded:
                await SignInAsync(HttpContext, LoginAddress!.Trim().ToLowerInvariant(), "password");
                return LocalRedirect(ReturnUrl is { } r && ConsoleHosting.IsLocal(r) && r.StartsWith("/my", StringComparison.Ordinal) ? r : "/my");
            case SignInOutcome.LockedOut:
                ViewData["Error"] = ConsoleText.T("login.locked", ConsoleText.When(result.LockedUntil));
                Response.StatusCode = 429;
                return Page();
            default:
                ViewData["Error"] = ConsoleText.T("my.login.invalid");
                Response.StatusCode = 401;
                return Page();
        }
    }

    /// <summary>Starts an end-user session for the address (after a password or a verified digest link).</summary>
    internal static Task SignInAsync(Microsoft.AspNetCore.Http.HttpContext http, string address, string method)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, address), new Claim(EndUserHosting.AddressClaim, address), new Claim(EndUserHosting.MethodClaim, method)],
            EndUserHosting.Scheme);
        return http.SignInAsync(EndUserHosting.Scheme, new ClaimsPrincipal(identity));
    }
}

/// <summary>Ends the end-user session.</summary>
public sealed class MyLogoutModel : EndUserPage
{
    protected override bool RequiresSignIn => false;

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(EndUserHosting.Scheme);
        return Redirect("/my/login");
    }
}
