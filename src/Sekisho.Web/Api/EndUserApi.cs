using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sekisho.Store;
using Sekisho.Web.Access;
using Sekisho.Web.EndUsers;

namespace Sekisho.Web.Api;

/// <summary>An end-user account as the API lists it (never the password hash).</summary>
public sealed record EndUserDto(string Address, bool HasPassword, DateTimeOffset Created, DateTimeOffset? LastLogin, DateTimeOffset? LockedUntil)
{
    public static EndUserDto From(EndUser u) => new(u.Address, u.PasswordHash is not null, u.Created, u.LastLogin, u.LockedUntil);
}

/// <summary>A new end-user account; without a password the user signs in only with digest links.</summary>
public sealed record EndUserRequest(string Address, string? Password);

/// <summary>What a digest run did.</summary>
public sealed record DigestRunDto(IReadOnlyList<DigestSent> Sent, IReadOnlyList<DigestFailureDto> Failed);

/// <summary>A digest that could not be sent (it is tried again on the next run).</summary>
public sealed record DigestFailureDto(string Recipient, string Error);

/// <summary>Administrators' API of the end-user quarantine: end-user accounts and running the digests now.</summary>
public static class EndUserApi
{
    public static void Map(RouteGroupBuilder api, RouteGroupBuilder write)
    {
        api.MapGet("/endusers", async (EndUserService s, HttpContext c) =>
            (await s.ListAsync(ConsoleRoles.Actor(c.User), c.RequestAborted)).Select(EndUserDto.From).ToList()).WithName("ListEndUsers");
        write.MapPost("/endusers", async (EndUserRequest body, EndUserService s, HttpContext c) =>
        {
            var u = await s.CreateAsync(body.Address, body.Password, ConsoleRoles.Actor(c.User), c.RequestAborted);
            return Results.Created($"/api/v1/endusers/{Uri.EscapeDataString(u.Address)}", EndUserDto.From(u));
        }).WithName("CreateEndUser");
        write.MapDelete("/endusers/{address}", async (string address, EndUserService s, HttpContext c) =>
        {
            await s.RemoveAsync(address, ConsoleRoles.Actor(c.User), c.RequestAborted);
            return Results.NoContent();
        }).WithName("RemoveEndUser");
        write.MapPost("/digests/run", async (DigestService s, HttpContext c) =>
        {
            var run = await s.RunAsync(c.RequestAborted);
            return new DigestRunDto(run.Sent, run.Failed.Select(f => new DigestFailureDto(f.Recipient, f.Error)).ToList());
        }).WithName("RunDigests");
    }
}
