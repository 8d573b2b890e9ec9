using Microsoft.AspNetCore.Mvc;

namespace Sekisho.Web.Pages;

/// <summary>The console's start: the domains screen.</summary>
public sealed class IndexModel : ConsolePage
{
    public IActionResult OnGet() => Redirect("/domains");
}
