using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sekisho.Migration.Mapping;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Api;

/// <summary>The REST API at <c>/api/v1</c>: the console's operations for scripts, authenticated by API token (Bearer). Writes need an administrator's token.</summary>
public static class ConsoleApi
{
    /// <summary>Largest request body the API accepts (the migration upload).</summary>
    public const long MaxUploadRequestBytes = 512L * 1024 * 1024 + 64 * 1024;

    public static IEndpointRouteBuilder MapConsoleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(ConsoleRoles.ApiRead).AddEndpointFilter(Problems).WithTags("sekisho");
        // Token authentication carries no ambient credential (no cookie), so cross-site request forgery does not apply here.
        api.DisableAntiforgery();
        var write = api.MapGroup("").RequireAuthorization(ConsoleRoles.ApiWrite);

        api.MapGet("/domains", async (DomainService s, HttpContext c) =>
            (await s.ListAsync(Actor(c), c.RequestAborted)).Select(DomainDto.From).ToList()).WithName("ListDomains");
        api.MapGet("/domains/{name}", async (string name, DomainService s, HttpContext c) =>
            DomainDto.From(await s.GetAsync(name, Actor(c), c.RequestAborted))).WithName("GetDomain");
        write.MapPost("/domains", async (DomainRequest body, DomainService s, HttpContext c) =>
        {
            var d = await s.AddAsync(body.ToInput(), Actor(c), c.RequestAborted);
            return Results.Created($"/api/v1/domains/{d.Name}", DomainDto.From(d));
        }).WithName("AddDomain");
        write.MapPut("/domains/{name}", async (string name, DomainRequest body, DomainService s, HttpContext c) =>
            DomainDto.From(await s.UpdateAsync(name, body.ToInput(name), Actor(c), c.RequestAborted))).WithName("UpdateDomain");
        write.MapDelete("/domains/{name}", async (string name, DomainService s, HttpContext c) =>
        {
            await s.RemoveAsync(name, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("RemoveDomain");
        write.MapPost("/domains/{name}/verify", async (string name, DomainService s, HttpContext c) =>
        {
            var v = await s.VerifyAsync(name, Actor(c), c.RequestAborted);
            return new VerificationDto(ModelJson.EnumName(v.Outcome), v.TxtValues, v.Error, DomainDto.From(v.Domain));
        }).WithName("VerifyDomain");
        write.MapPost("/domains/{name}/test-connection", async (string name, DomainService s, HttpContext c) =>
            (await s.TestConnectionAsync(name, Actor(c), c.RequestAborted)).Select(ConnectionTestDto.From).ToList()).WithName("TestDomainConnection");

        api.MapGet("/rules", async (string? direction, string? type, string? migrationStatus, bool? enabled, string? name, RuleService s, HttpContext c) =>
        {
            var filter = new RuleFilter(ParseEnum<Direction>(direction, "direction"), ParseEnum<RuleType>(type, "type"), enabled, migrationStatus, name);
            return (await s.ListAsync(filter, Actor(c), c.RequestAborted)).Select(RuleDto.From).ToList();
        }).WithName("ListRules");
        api.MapGet("/rules/{id}", async (string id, RuleService s, HttpContext c) =>
            Results.Content(ModelJson.Serialize(await s.GetAsync(id, Actor(c), c.RequestAborted)), "application/json; charset=utf-8")).WithName("GetRule");
        write.MapPost("/rules/{id}/enable", async (string id, RuleService s, HttpContext c) =>
            RuleDto.From(await s.SetEnabledAsync(id, true, Actor(c), c.RequestAborted))).WithName("EnableRule");
        write.MapPost("/rules/{id}/disable", async (string id, RuleService s, HttpContext c) =>
            RuleDto.From(await s.SetEnabledAsync(id, false, Actor(c), c.RequestAborted))).WithName("DisableRule");
        write.MapPost("/rules/{id}/mark-fixed", async (string id, RuleService s, HttpContext c) =>
            RuleDto.From(await s.TransitionAsync(id, MigrationStatusTransition.MarkFixed, Actor(c), c.RequestAborted))).WithName("MarkRuleFixed");
        write.MapPost("/rules/{id}/confirm", async (string id, RuleService s, HttpContext c) =>
            RuleDto.From(await s.TransitionAsync(id, MigrationStatusTransition.Confirm, Actor(c), c.RequestAborted))).WithName("ConfirmRule");
        RulesApi.MapRulesApi(api, write);

        write.MapPost("/migration/analyze", async (IFormFile file, [Microsoft.AspNetCore.Mvc.FromForm] string? mode, MigrationWizard w, HttpContext c) =>
        {
            var m = ParseEnum<MigrationMode>(mode ?? "merge", "mode")!.Value;
            await using var stream = file.OpenReadStream();
            var state = await w.StartAsync(stream, file.FileName, m, Actor(c), c.RequestAborted);
            return Results.Accepted("/api/v1/migration/status", MigrationStatusDto.From(state, await w.LatestTaskAsync(c.RequestAborted)));
        }).WithName("AnalyzeMigration").WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxUploadRequestBytes));
        api.MapGet("/migration/status", async (bool? wait, MigrationWizard w, HttpContext c) =>
        {
            var state = wait == true ? await w.WaitAsync(c.RequestAborted) : w.State;
            return MigrationStatusDto.From(state, await w.LatestTaskAsync(c.RequestAborted));
        }).WithName("MigrationStatus");
        write.MapPost("/migration/run", async (MigrationWizard w, HttpContext c) =>
            Results.Accepted("/api/v1/migration/status", MigrationStatusDto.From(w.Confirm(), await w.LatestTaskAsync(c.RequestAborted)))).WithName("RunMigration");
        write.MapPost("/migration/cancel", async (MigrationWizard w, HttpContext c) =>
            MigrationStatusDto.From(await w.CancelAsync(c.RequestAborted), await w.LatestTaskAsync(c.RequestAborted))).WithName("CancelMigration");
        api.MapGet("/migration/report", async (string? kind, string? format, string? lang, MigrationWizard w, HttpContext c) =>
        {
            if (kind is not (null or "analysis" or "migration")) throw BadValue(kind, "kind", "analysis, migration");
            var report = await w.ReportAsync(kind == "migration", format ?? "json", lang == "en" || (lang is null && ConsoleText.Language == "en") ? "en" : "ja", c.RequestAborted);
            return Results.File(report.Content, report.ContentType, report.FileName);
        }).WithName("MigrationReport");

        api.MapGet("/quarantine", async (string? since, string? direction, string? sender, string? recipient, string? subject, string? rule, int? limit,
            QuarantineService s, CancellationToken ct) =>
        {
            var filter = new QuarantineFilter(Since(since), ParseEnum<Direction>(direction, "direction"), sender, recipient, subject, rule, limit ?? 200);
            return (await s.QueryAsync(filter, ct)).Select(QuarantineItemDto.From).ToList();
        }).WithName("ListQuarantine");
        api.MapGet("/quarantine/{id}", async (string id, QuarantineService s, CancellationToken ct) =>
            QuarantineDetailDto.From(await s.GetAsync(id, ct))).WithName("GetQuarantinedMessage");
        api.MapGet("/quarantine/{id}/message", async (string id, QuarantineService s, CancellationToken ct) =>
        {
            var (m, content) = await s.ContentAsync(id, ct);
            return Results.File(content, "message/rfc822", m.Id + ".eml");
        }).WithName("DownloadQuarantinedMessage");
        write.MapPost("/quarantine/{id}/release", async (string id, QuarantineService s, HttpContext c) =>
            await s.ReleaseAsync(id, Actor(c), c.RequestAborted)).WithName("ReleaseQuarantinedMessage");
        write.MapDelete("/quarantine/{id}", async (string id, QuarantineService s, HttpContext c) =>
        {
            await s.DeleteAsync(id, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("DeleteQuarantinedMessage");

        // Console users and API tokens: administrators only, reads included.
        write.MapGet("/users", async (ConsoleAccess a, HttpContext c) =>
        {
            var (users, tokens) = await a.ListAsync(Actor(c), c.RequestAborted);
            return users.Select(u => UserDto.From(u, tokens.Where(t => t.UserId == u.Id))).ToList();
        }).WithName("ListUsers");
        write.MapPost("/users", async (UserRequest body, ConsoleAccess a, HttpContext c) =>
        {
            var role = body.Role switch
            {
                null or ConsoleRoles.Administrator => Store.ConsoleRole.Administrator,
                ConsoleRoles.ReadOnly => Store.ConsoleRole.ReadOnly,
                var other => throw BadValue(other, "role", "administrator, read-only"),
            };
            var u = await a.CreateUserAsync(body.Name ?? "", body.Password ?? "", role, body.Totp, Actor(c), c.RequestAborted);
            return Results.Created($"/api/v1/users/{u.Name}", new { user = UserDto.From(u, []), totpUri = u.TotpSecret is null ? null : ConsoleAccess.TotpUri(u) });
        }).WithName("AddUser");
        write.MapPost("/users/{name}/unlock", async (string name, ConsoleAccess a, HttpContext c) =>
        {
            await a.UnlockAsync(name, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("UnlockUser");
        write.MapDelete("/users/{name}", async (string name, ConsoleAccess a, HttpContext c) =>
        {
            await a.RemoveAsync(name, c.User.Identity?.Name ?? "", Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("RemoveUser");
        write.MapPost("/users/{name}/tokens/{token}", async (string name, string token, ConsoleAccess a, HttpContext c) =>
            Results.Created($"/api/v1/users/{name}/tokens/{token}", new { token = await a.CreateTokenAsync(name, token, Actor(c), c.RequestAborted) }))
            .WithName("CreateToken");
        write.MapDelete("/users/{name}/tokens/{token}", async (string name, string token, ConsoleAccess a, HttpContext c) =>
        {
            await a.RevokeTokenAsync(name, token, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("RevokeToken");
        ObjectsApi.MapObjectsApi(api, write);

        api.MapGet("/audit", async (string? since, string? type, int? limit, AuditService s, HttpContext c) =>
        {
            return await s.QueryAsync(Since(since), type, limit ?? 200, Actor(c), c.RequestAborted);
        }).WithName("AuditLog");
        SettingsApi.Map(api, write);
        EndUserApi.Map(api, write);
        return app;
    }

    internal static string Actor(HttpContext c) => ConsoleRoles.Actor(c.User);

    internal static DateTimeOffset? Since(string? since) => since is null ? null
        : DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : throw BadValue(since, "since", "ISO 8601");

    internal static T? ParseEnum<T>(string? value, string name) where T : struct, Enum =>
        value is null ? null : ModelJson.TryParseEnum<T>(value, out var v) ? v : throw BadValue(value, name, string.Join(", ", Enum.GetValues<T>().Select(ModelJson.EnumName)));

    internal static ConsoleProblem BadValue(string? value, string name, string allowed) => new("bad-parameter",
        new Model.LocalizedText($"{name} の値「{value}」は使えません ({allowed})。", $"The value '{value}' of {name} is not allowed ({allowed})."));

    private static async ValueTask<object?> Problems(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ConsoleProblem p)
        {
            return Results.Json(new ApiError(p.Code, ConsoleText.For(p.Text), p.Text.Ja, p.Text.En), statusCode: p.Status);
        }
    }
}
