using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sekisho.Model;
using Sekisho.Store;
using Sekisho.Web.Access;
using Sekisho.Web.Api;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Services;

namespace Sekisho.Web;

/// <summary>Registration and mapping of the administrator console (Razor Pages), the REST API at <c>/api/v1</c> and its OpenAPI document.</summary>
public static class ConsoleHosting
{
    public const string LanguageCookie = "sekisho.lang";

    /// <summary>Registers the console's services for one organization of the store.</summary>
    public static IServiceCollection AddSekishoConsole(this IServiceCollection services, SekishoStore store, Organization organization, Action<ConsoleOptions>? configure = null)
    {
        // Quarantined Japanese mail is shown decoded: the legacy Japanese charsets must be known before MimeKit reads it.
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var options = new ConsoleOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        // Session and anti-forgery keys live with the data, so sessions survive a restart and nothing is written to the home directory.
        services.AddDataProtection().SetApplicationName("sekisho")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(store.Options.DataDirectory, "console-keys")));
        services.AddSingleton(sp => new ConsoleContext(store, organization, sp.GetService<TimeProvider>() ?? TimeProvider.System, options));
        services.AddSingleton<ConsoleAccess>();
        services.AddSingleton<DomainService>();
        services.AddSingleton<RuleService>();
        services.AddSingleton<AuditService>();
        services.AddSingleton<QuarantineService>();
        services.AddSingleton<ReportPdfPrinter>().AddSingleton<MigrationWizard>();
        services.AddSingleton<ConnectionSettingsService>().AddSingleton<AuthenticationSettingsService>().AddSingleton<EndUserQuarantineSettingsService>().AddSingleton<MailLogService>();
        services.AddSingleton<PolicyObjectService>(); services.AddSingleton<ApprovedListService>();
        services.AddSekishoEndUsers(store, options);

        services.AddAuthentication(ConsoleRoles.CookieScheme)
            .AddCookie(ConsoleRoles.CookieScheme, o =>
            {
                o.Cookie.Name = "sekisho.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = options.SessionIdle;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(ConsoleRoles.TokenScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleRoles.ConsoleRead, p => p.AddAuthenticationSchemes(ConsoleRoles.CookieScheme).RequireAuthenticatedUser())
            .AddPolicy(ConsoleRoles.ConsoleWrite, p => p.AddAuthenticationSchemes(ConsoleRoles.CookieScheme).RequireRole(ConsoleRoles.Administrator))
            .AddPolicy(ConsoleRoles.ApiRead, p => p.AddAuthenticationSchemes(ConsoleRoles.TokenScheme).RequireAuthenticatedUser())
            .AddPolicy(ConsoleRoles.ApiWrite, p => p.AddAuthenticationSchemes(ConsoleRoles.TokenScheme).RequireRole(ConsoleRoles.Administrator));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "sekisho.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__csrf";
        });
        var assembly = typeof(ConsoleHosting).Assembly;
        services.AddRazorPages(o =>
            {
                o.Conventions.AuthorizeFolder("/", ConsoleRoles.ConsoleRead);
                o.Conventions.AllowAnonymousToPage("/Login");
                o.Conventions.AllowAnonymousToFolder("/My"); // end users sign in with their own cookie (EndUserPage)
                o.Conventions.ConfigureFilter(new ReadOnlyGuard());
            })
            .ConfigureApplicationPartManager(m =>
            {
                if (m.ApplicationParts.Any(p => p.Name == assembly.GetName().Name)) return;
                foreach (var part in new ConsolidatedAssemblyApplicationPartFactory().GetApplicationParts(assembly)) m.ApplicationParts.Add(part);
            });
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = new[] { CultureInfo.GetCultureInfo("ja"), CultureInfo.GetCultureInfo("en") };
            o.DefaultRequestCulture = new RequestCulture("ja");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
                new CookieRequestCultureProvider { CookieName = LanguageCookie },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        // Japanese text goes out as UTF-8, not as numeric character references.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<ApiDocument>());
        return services;
    }

    /// <summary>Maps the console pages, the API and the OpenAPI document (<c>/api/v1/openapi.json</c>), with security headers and request language.</summary>
    public static WebApplication MapSekishoConsole(this WebApplication app)
    {
        app.Use(SecurityHeaders.Apply);
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapGet("/assets/{name}", ConsoleAssets.Serve).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/lang/{code}", SwitchLanguage).AllowAnonymous().ExcludeFromDescription();
        app.MapConsoleApi();
        app.MapOpenApi("/api/{documentName}/openapi.json").AllowAnonymous();
        return app;
    }

    private static IResult SwitchLanguage(string code, string? returnUrl, HttpContext context)
    {
        var culture = code == "en" ? "en" : "ja";
        context.Response.Cookies.Append(LanguageCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromDays(365), Path = "/" });
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>Only paths on this site (no scheme, no //host, no backslash tricks) are followed after sign-in or a language switch.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal);
}
