using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.My;

/// <summary>
/// Common ground of the end-user quarantine's pages: the end user comes from the <c>sekisho.my</c> cookie (never the administrators'),
/// pages that need a signed-in user send others to <c>/my/login</c>, and problems show their message on the page.
/// </summary>
public abstract class EndUserPage : PageModel
{
    /// <summary>False for the pages anyone may open (sign-in, digest links).</summary>
    protected virtual bool RequiresSignIn => true;

    /// <summary>The signed-in end user's address; empty when nobody is signed in.</summary>
    public string Address { get; private set; } = "";

    protected string Actor => EndUserService.Actor(Address);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var auth = await HttpContext.AuthenticateAsync(EndUserHosting.Scheme);
        if (auth.Succeeded && EndUserHosting.AddressOf(auth.Principal) is { } address) Address = address;
        else if (RequiresSignIn)
        {
            context.Result = new RedirectResult("/my/login?returnUrl=" + Uri.EscapeDataString(Request.Path + Request.QueryString));
            return;
        }
        ViewData["EndUser"] = Address;
        await next();
    }

    /// <summary>Runs a change; a problem shows its message on the page (with its status code) instead of failing the request.</summary>
    protected async Task<IActionResult> ChangeAsync(Func<Task<IActionResult>> change, Func<Task<IActionResult>> onProblem)
    {
        try
        {
            return await change();
        }
        catch (ConsoleProblem p)
        {
            ViewData["Error"] = ConsoleText.For(p.Text);
            Response.StatusCode = p.Status;
            return await onProblem();
        }
    }

    protected void Notice(string text) => TempData["Notice"] = text;
}
