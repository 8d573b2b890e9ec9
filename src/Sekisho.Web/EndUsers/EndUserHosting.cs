using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sekisho.Scanning.Signing;
using Sekisho.Store;
using Sekisho.Web.Services;

namespace Sekisho.Web.EndUsers;

/// <summary>Registration of the end-user quarantine: its own cookie (<c>sekisho.my</c>, separate from administrators'), services, link key and digest schedule.</summary>
public static class EndUserHosting
{
    public const string Scheme = "SekishoEndUser";
    public const string AddressClaim = "sekisho:enduser";
    public const string MethodClaim = "sekisho:enduser-method";

    public static IServiceCollection AddSekishoEndUsers(this IServiceCollection services, SekishoStore store, ConsoleOptions options)
    {
        var key = LinkSigner.LoadOrCreateKey(store.Options.DataDirectory, "enduser.key");
        services.AddSingleton(sp => new EndUserLinks(new LinkSigner(key), sp.GetRequiredService<ConsoleContext>().Time));
        services.AddSingleton<EndUserService>();
        services.AddSingleton<DigestService>();
        if (options.DigestSchedule) services.AddHostedService<DigestScheduler>();
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "sekisho.my";
            o.Cookie.HttpOnly = true;
            // Lax: the sign-in link in a digest is followed from a mail client, and the session must survive that first navigation.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/my";
            o.LoginPath = "/my/login";
            o.ExpireTimeSpan = options.SessionIdle;
            o.SlidingExpiration = true;
        });
        return services;
    }

    /// <summary>The signed-in end user's address, or null.</summary>
    public static string? AddressOf(ClaimsPrincipal? user) => user?.FindFirstValue(AddressClaim);
}
