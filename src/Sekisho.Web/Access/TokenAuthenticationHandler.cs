using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sekisho.Web.Services;

namespace Sekisho.Web.Access;

/// <summary>Authenticates REST API calls by <c>Authorization: Bearer skt_…</c>; the token acts with its user's role.</summary>
internal sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ConsoleContext console)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal) || secret.Length > 200) return AuthenticateResult.Fail("malformed token");
        await using var s = await console.BeginAsync("api", Context.RequestAborted);
        var found = await s.UseApiTokenAsync(ApiTokens.Sha256(secret), Context.RequestAborted);
        if (found is not { } f) return AuthenticateResult.Fail("unknown token");
        await s.CommitAsync(Context.RequestAborted);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, f.User.Name), new Claim(ClaimTypes.NameIdentifier, f.User.Id),
            new Claim(ClaimTypes.Role, ConsoleRoles.Of(f.User.Role)), new Claim(ConsoleRoles.ActorClaim, $"api:{f.User.Name}/{f.Token.Name}"),
        ], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
