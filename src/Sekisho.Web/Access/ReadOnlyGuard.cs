using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Sekisho.Web.Access;

/// <summary>Read-only users may look at every screen but not post a change (sign-in, sign-out and their own password excepted).</summary>
internal sealed class ReadOnlyGuard : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var page = context.ActionDescriptor.ViewEnginePath;
        if (!HttpMethods.IsGet(context.HttpContext.Request.Method) && page is not ("/Login" or "/Logout" or "/Account") && !page.StartsWith("/My/", StringComparison.Ordinal)
            && !context.HttpContext.User.IsInRole(ConsoleRoles.Administrator))
        {
            context.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
            return Task.CompletedTask;
        }
        return next();
    }
}
