using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sekisho.Smtp;
using Sekisho.Smtp.Tracking;
using Sekisho.Web.Services;
using static Sekisho.Web.Api.ConsoleApi;

namespace Sekisho.Web.Api;

/// <summary>A DKIM key to generate: <c>algorithm</c> rsa (default) or ed25519, <c>bits</c> 1024/2048 (default)/3072/4096 for RSA.</summary>
public sealed record DkimKeyRequest(string? Domain, string? Selector, string? Algorithm = null, int? Bits = null);

/// <summary>
/// <c>/api/v1/settings/connection</c>, <c>/api/v1/settings/authentication</c> (with DKIM signing keys), <c>/api/v1/settings/end-user-quarantine</c>, <c>/api/v1/logs/mail</c> and
/// <c>/api/v1/logs/policy-events</c>. Reads need any token, changes an administrator's.
/// </summary>
public static class SettingsApi
{
    public static void Map(RouteGroupBuilder api, RouteGroupBuilder write)
    {
        api.MapGet("/settings/connection", async (ConnectionSettingsService s, HttpContext c) =>
            ConnectionSettingsDto.From(await s.GetAsync(Actor(c), c.RequestAborted))).WithName("GetConnectionSettings");
        write.MapPut("/settings/connection", async (ConnectionSettingsDto body, ConnectionSettingsService s, HttpContext c) =>
            ConnectionSettingsDto.From(await s.SaveAsync(body, Actor(c), c.RequestAborted))).WithName("SaveConnectionSettings");

        api.MapGet("/settings/end-user-quarantine", async (EndUserQuarantineSettingsService s, HttpContext c) =>
            EndUserQuarantineSettingsDto.From(await s.GetAsync(Actor(c), c.RequestAborted))).WithName("GetEndUserQuarantineSettings");
        write.MapPut("/settings/end-user-quarantine", async (EndUserQuarantineSettingsDto body, EndUserQuarantineSettingsService s, HttpContext c) =>
            EndUserQuarantineSettingsDto.From(await s.SaveAsync(body, Actor(c), c.RequestAborted))).WithName("SaveEndUserQuarantineSettings");

        api.MapGet("/settings/authentication", async (AuthenticationSettingsService s, HttpContext c) =>
            AuthenticationSettingsDto.From(await s.GetAsync(Actor(c), c.RequestAborted))).WithName("GetAuthenticationSettings");
        write.MapPut("/settings/authentication", async (AuthenticationSettingsDto body, AuthenticationSettingsService s, HttpContext c) =>
            AuthenticationSettingsDto.From(await s.SaveAsync(body, Actor(c), c.RequestAborted))).WithName("SaveAuthenticationSettings");
        write.MapPost("/settings/authentication/dkim-keys", async (DkimKeyRequest body, AuthenticationSettingsService s, HttpContext c) =>
        {
            var key = await s.GenerateKeyAsync(body.Domain, body.Selector, body.Algorithm, body.Bits, Actor(c), c.RequestAborted);
            return Results.Created($"/api/v1/settings/authentication/dkim-keys/{key.Domain}/{key.Selector}", key);
        }).WithName("GenerateDkimKey");
        write.MapPost("/settings/authentication/dkim-keys/{domain}/{selector}/enable", async (string domain, string selector, AuthenticationSettingsService s, HttpContext c) =>
        {
            await s.SetKeyEnabledAsync(domain, selector, true, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("EnableDkimKey");
        write.MapPost("/settings/authentication/dkim-keys/{domain}/{selector}/disable", async (string domain, string selector, AuthenticationSettingsService s, HttpContext c) =>
        {
            await s.SetKeyEnabledAsync(domain, selector, false, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("DisableDkimKey");
        write.MapDelete("/settings/authentication/dkim-keys/{domain}/{selector}", async (string domain, string selector, AuthenticationSettingsService s, HttpContext c) =>
        {
            await s.RemoveKeyAsync(domain, selector, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("RemoveDkimKey");

        api.MapGet("/logs/mail", async (string? since, string? until, string? direction, string? sender, string? recipient, string? subject, string? status,
            string? messageId, int? limit, MailLogService s, CancellationToken ct) =>
        {
            var filter = new MailLogFilter(Since(since), Time(until, "until"), ParseEnum<MailDirection>(direction, "direction"), sender, recipient, subject,
                ParseEnum<TrackingAction>(status, "status"), messageId, limit ?? 200);
            return (await s.QueryAsync(filter, ct)).Select(MailTrackingDto.From).ToList();
        }).WithName("MailTrackingLog");
        api.MapGet("/logs/mail/{key}", async (string key, MailLogService s, CancellationToken ct) => MailTrackingDto.From(await s.GetAsync(key, ct))).WithName("MailTrackingRecord");
        api.MapGet("/logs/policy-events", async (string? since, string? until, string? direction, string? rule, string? sender, string? recipient, int? limit,
            MailLogService s, HttpContext c) =>
        {
            var filter = new PolicyEventFilter(Since(since), Time(until, "until"), ParseEnum<MailDirection>(direction, "direction"), rule, sender, recipient, limit ?? 200);
            return await s.PolicyEventsAsync(filter, Actor(c), c.RequestAborted);
        }).WithName("PolicyEvents");
    }

    private static DateTimeOffset? Time(string? value, string name)
    {
        try { return Since(value); }
        catch (ConsoleProblem) { throw BadValue(value, name, "ISO 8601"); }
    }
}
