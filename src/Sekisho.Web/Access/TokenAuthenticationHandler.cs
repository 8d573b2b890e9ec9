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
        var sha = ApiTokens.Sha256(secret);
        (Store.ApiToken Token, Store.ConsoleUser User) f;
        await using (var s = await console.ReadAsync("api", Context.RequestAborted))
        {
            if (await s.FindApiTokenAsync(sha, Context.RequestAborted) is not { } found) return AuthenticateResult.Fail("unknown token");
            f = found;
        }
        if (f.Token.LastUsed is null || console.Time.GetUtcNow() - f.Token.LastUsed > TimeSpan.FromMinutes(5))
            _ = RecordUseAsync(sha, f.User.Name);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, f.User.Name), new Claim(ClaimTypes.NameIdentifier, f.User.Id),
            new Claim(ClaimTypes.Role, ConsoleRoles.Of(f.User.Role)), new Claim(ConsoleRoles.ActorClaim, $"api:{f.User.Name}/{f.Token.Name}"),
        ], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    // "Last used" is bookkeeping: recorded at most every 5 minutes, off the request, and never failing it
    // (during a long import on SQLite the write waits for the lock).
    private async Task RecordUseAsync(string sha, string user)
    {
        try
        {
            await using var s = await console.BeginAsync("api:" + user, CancellationToken.None);
            await s.UseApiTokenAsync(sha, CancellationToken.None);
            await s.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            Logger.LogDebug(e, "Recording the use of an API token failed");
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
