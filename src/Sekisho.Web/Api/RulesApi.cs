using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store.Editing;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Api;

/// <summary>A problem the validator found in a posted rule: where (<c>rule.scope.recipients.entries[0]</c>), a code, and what to do.</summary>
public sealed record RuleProblemDto(string Path, string Code, string MessageJa, string MessageEn);

/// <summary>A refused rule: the first problem as the error, then every problem.</summary>
public sealed record RuleInvalidDto(string Code, string Title, string MessageJa, string MessageEn, IReadOnlyList<RuleProblemDto> Problems);

/// <summary>Where to move a rule: to a position (1 first), or by a number of places (negative = up).</summary>
public sealed record RuleMoveRequest(int? To, int? Steps);

/// <summary>Adding, editing, copying, deleting and moving rules through the API; rules travel in the policy file's JSON (<see cref="ModelJson"/>).</summary>
public static class RulesApi
{
    /// <summary>Largest rule document the API reads.</summary>
    public const int MaxRuleBytes = 1024 * 1024;

    public static void MapRulesApi(RouteGroupBuilder api, RouteGroupBuilder write)
    {
        write.MapPost("/rules", async (RuleService s, HttpContext c) =>
        {
            var draft = await ReadRuleAsync(c, "", appendWhenNoOrder: true);
            return await Refusing(async () =>
            {
                var r = await s.AddAsync(draft, Actor(c), c.RequestAborted);
                return Results.Text(ModelJson.Serialize(r), "application/json; charset=utf-8", statusCode: StatusCodes.Status201Created);
            });
        }).WithName("AddRule").Accepts<JsonObject>("application/json");
        write.MapPut("/rules/{id}", async (string id, RuleService s, HttpContext c) =>
        {
            var current = await s.GetAsync(id, Actor(c), c.RequestAborted);
            var edited = await ReadRuleAsync(c, id, appendWhenNoOrder: false, current.Order);
            return await Refusing(async () => Json(await s.UpdateAsync(edited, Actor(c), c.RequestAborted)));
        }).WithName("UpdateRule").Accepts<JsonObject>("application/json");
        write.MapPost("/rules/{id}/copy", async (string id, string? lang, RuleService s, HttpContext c) =>
        {
            var copy = await s.CopyAsync(id, lang is "ja" or "en" ? lang : ConsoleText.Language, Actor(c), c.RequestAborted);
            return Results.Text(ModelJson.Serialize(copy), "application/json; charset=utf-8", statusCode: StatusCodes.Status201Created);
        }).WithName("CopyRule");
        write.MapDelete("/rules/{id}", async (string id, RuleService s, HttpContext c) =>
        {
            await s.DeleteAsync(id, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("DeleteRule");
        write.MapPost("/rules/{id}/move", async (string id, RuleMoveRequest body, RuleService s, HttpContext c) =>
        {
            if (body.To is null && body.Steps is null)
                throw new ConsoleProblem("rule.move", new LocalizedText("移動先 (to) または移動量 (steps) を指定してください。", "Give the position (to) or the number of places (steps)."));
            return Json(await s.MoveAsync(id, body.To, body.Steps ?? 0, Actor(c), c.RequestAborted));
        }).WithName("MoveRule");
    }

    // The rule in the body; the server sets id, creation and modification times, so a client may leave them out.
    private static async Task<Rule> ReadRuleAsync(HttpContext c, string id, bool appendWhenNoOrder, int currentOrder = 1)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await c.Request.Body.ReadAsync(chunk, c.RequestAborted)) > 0)
        {
            if (buffer.Length + n > MaxRuleBytes)
                throw Bad(new LocalizedText($"ルールが大きすぎます (最大 {MaxRuleBytes} バイト)。", $"The rule is too large (at most {MaxRuleBytes} bytes)."));
            buffer.Write(chunk, 0, n);
        }
        try
        {
            if (JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is not JsonObject o)
                throw Bad(new LocalizedText("本文はルールの JSON オブジェクトである必要があります。", "The body must be a rule as a JSON object."));
            var now = JsonValue.Create(DateTimeOffset.UnixEpoch);
            o["id"] = id;
            o["created"] ??= now.DeepClone();
            o["modified"] ??= now.DeepClone();
            if (!o.ContainsKey("order")) o["order"] = appendWhenNoOrder ? int.MaxValue : currentOrder;
            return o.Deserialize<Rule>(ModelJson.Options) ?? throw Bad(new LocalizedText("本文が空です。", "The body is empty."));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw Bad(new LocalizedText($"ルールの JSON を読み取れません: {e.Message}", $"The rule JSON cannot be read: {e.Message}"));
        }
    }

    private static async Task<IResult> Refusing(Func<Task<IResult>> change)
    {
        try { return await change(); }
        catch (RuleEditException e) when (e.Failure == RuleEditFailure.Invalid)
        {
            return Results.Json(new RuleInvalidDto(e.Code, ConsoleText.For(e.Text), e.Text.Ja, e.Text.En,
                e.Problems.Select(p => new RuleProblemDto(p.Path, p.Code, p.Message.Ja, p.Message.En)).ToList()), statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static IResult Json(Rule r) => Results.Content(ModelJson.Serialize(r), "application/json; charset=utf-8");

    private static ConsoleProblem Bad(LocalizedText text) => new("rule.json", text);

    private static string Actor(HttpContext c) => ConsoleRoles.Actor(c.User);
}
