using System.Security.Claims;
using Sekisho.Store;

namespace Sekisho.Web.Access;

/// <summary>Role names, authentication schemes and authorization policies of the console and the API.</summary>
public static class ConsoleRoles
{
    public const string Administrator = "administrator";
    public const string ReadOnly = "read-only";

    public const string CookieScheme = "SekishoConsole";
    public const string TokenScheme = "SekishoToken";

    public const string ConsoleRead = "console-read";
    public const string ConsoleWrite = "console-write";
    public const string ApiRead = "api-read";
    public const string ApiWrite = "api-write";

    public static string Of(ConsoleRole role) => role == ConsoleRole.Administrator ? Administrator : ReadOnly;

    /// <summary>Who the audit log records: <c>web:NAME</c> for the console, <c>api:NAME/TOKEN</c> for the API.</summary>
    public static string Actor(ClaimsPrincipal user) =>
        user.FindFirstValue(ActorClaim) ?? "web:" + (user.Identity?.Name ?? "?");

    public const string ActorClaim = "sekisho:actor";
}
