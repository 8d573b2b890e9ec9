using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages;

/// <summary>Common ground of the console's pages: the acting user for the audit log, notices and errors users can act on.</summary>
public abstract class ConsolePage : PageModel
{
    protected string Actor => ConsoleRoles.Actor(User);

    protected bool CanWrite => User.IsInRole(ConsoleRoles.Administrator);

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
