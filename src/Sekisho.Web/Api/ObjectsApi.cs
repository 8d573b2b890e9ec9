using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Serialization;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Api;

/// <summary>Text for a test box: a keyword list or DLP template to run it against.</summary>
public sealed record TestText(string? Text);

/// <summary>An invalid CSV row in an import answer.</summary>
public sealed record CsvRowErrorDto(int Line, string Message, string MessageJa, string MessageEn);

/// <summary>The outcome of an address group or approved list CSV import: what was added, or every invalid row (nothing imported).</summary>
public sealed record CsvImportDto(bool Imported, int Added, int Total, string Encoding, IReadOnlyList<CsvRowErrorDto> Errors);

/// <summary>
/// The policy objects API at <c>/api/v1/objects/…</c>: list, get, add, change and delete per kind (bodies are the model's JSON,
/// as in policy files), address group CSV import and export, the keyword and DLP test boxes, notification and stamp previews, and the
/// approved lists.
/// </summary>
public static class ObjectsApi
{
    private const int MaxJsonBytes = 2 * 1024 * 1024;

    public static void MapObjectsApi(RouteGroupBuilder api, RouteGroupBuilder write)
    {
        Kind<AddressGroup>(api, write, "address-groups", "AddressGroup");
        Kind<KeywordList>(api, write, "keyword-lists", "KeywordList");
        Kind<Notification>(api, write, "notifications", "Notification");
        Kind<Stamp>(api, write, "stamps", "Stamp");
        Kind<DlpIdentifier>(api, write, "dlp-identifiers", "DlpIdentifier");
        Kind<DlpTemplate>(api, write, "dlp-templates", "DlpTemplate");

        api.MapGet("/objects/address-groups/{id}/csv", async (string id, PolicyObjectService s, HttpContext c) =>
        {
            var g = await s.GetAsync<AddressGroup>(id, Actor(c), c.RequestAborted);
            return Results.File(AddressGroupCsv.Export(g), "text/csv; charset=utf-8", AddressGroupCsv.FileName(g));
        }).WithName("ExportAddressGroupCsv");
        write.MapPost("/objects/address-groups/{id}/csv", async (string id, string? mode, string? encoding, PolicyObjectService s, HttpContext c) =>
        {
            var bytes = await ReadUploadAsync(c);
            var (group, result) = await s.ImportCsvAsync(id, bytes, ParseEncoding(encoding), ParseMode(mode), Actor(c), c.RequestAborted);
            var dto = ImportDto(group, result);
            return result.Ok ? Results.Ok(dto) : Results.BadRequest(dto);
        }).WithName("ImportAddressGroupCsv").DisableAntiforgery();

        api.MapPost("/objects/keyword-lists/{id}/test", async (string id, TestText body, PolicyObjectService s, HttpContext c) =>
            ObjectTesting.TestKeywords(await s.GetAsync<KeywordList>(id, Actor(c), c.RequestAborted), body.Text)).WithName("TestKeywordList");
        api.MapPost("/objects/keyword-lists/test", async (HttpContext c) =>
        {
            using var doc = JsonDocument.Parse(await ReadBodyAsync(c));
            var list = doc.RootElement.TryGetProperty("list", out var l) ? Parse<KeywordList>(WithId(l.GetRawText(), "test")) : throw Missing("list");
            var text = doc.RootElement.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "";
            PolicyObjectService.ThrowIfInvalid(PolicyObjectService.Validate(list with { Id = "test" }, PolicySnapshot.Empty));
            return ObjectTesting.TestKeywords(list, text);
        }).WithName("TestUnsavedKeywordList");
        api.MapPost("/objects/dlp-templates/{id}/test", async (string id, TestText body, PolicyObjectService s, HttpContext c) =>
            ObjectTesting.TestDlp(await s.SnapshotAsync(Actor(c), c.RequestAborted), (await s.GetAsync<DlpTemplate>(id, Actor(c), c.RequestAborted)).Id, body.Text)).WithName("TestDlpTemplate");
        api.MapPost("/objects/dlp-identifiers/{id}/test", async (string id, TestText body, PolicyObjectService s, HttpContext c) =>
            ObjectTesting.TestDlp(await s.SnapshotAsync(Actor(c), c.RequestAborted), (await s.GetAsync<DlpIdentifier>(id, Actor(c), c.RequestAborted)).Id, body.Text)).WithName("TestDlpIdentifier");

        api.MapPost("/objects/notifications/{id}/preview", async (string id, PolicyObjectService s, HttpContext c) =>
            ObjectTesting.Preview(await s.GetAsync<Notification>(id, Actor(c), c.RequestAborted), HostName, Now(c))).WithName("PreviewNotification");
        // A block body: an expression-bodied lambda taking only HttpContext would bind as a RequestDelegate and drop the result.
        api.MapPost("/objects/notifications/preview", async (HttpContext c) =>
        {
            var preview = ObjectTesting.Preview(Parse<Notification>(WithId(await ReadBodyAsync(c), "preview")), HostName, Now(c));
            return preview;
        }).WithName("PreviewUnsavedNotification");
        api.MapPost("/objects/stamps/{id}/preview", async (string id, PolicyObjectService s, HttpContext c) =>
            ObjectTesting.Preview(await s.GetAsync<Stamp>(id, Actor(c), c.RequestAborted), HostName, Now(c))).WithName("PreviewStamp");
        // A block body: an expression-bodied lambda taking only HttpContext would bind as a RequestDelegate and drop the result.
        api.MapPost("/objects/stamps/preview", async (HttpContext c) =>
        {
            var preview = ObjectTesting.Preview(Parse<Stamp>(WithId(await ReadBodyAsync(c), "preview")), HostName, Now(c));
            return preview;
        }).WithName("PreviewUnsavedStamp");
        api.MapGet("/objects/tokens", () => ObjectTesting.Tokens()).WithName("ListTokens");

        api.MapGet("/objects/web-reputation-approved-list", async (ApprovedListService s, HttpContext c) =>
            Json(await s.WebReputationAsync(Actor(c), c.RequestAborted))).WithName("GetWebReputationApprovedList");
        write.MapPut("/objects/web-reputation-approved-list", async (ApprovedListService s, HttpContext c) =>
            Json(await s.SaveWebReputationAsync(Parse<List<WebReputationApprovedItem>>(await ReadBodyAsync(c)), Actor(c), c.RequestAborted))).WithName("SaveWebReputationApprovedList");
        api.MapGet("/objects/url-keyword-exceptions", async (ApprovedListService s, HttpContext c) =>
            await s.UrlKeywordsAsync(Actor(c), c.RequestAborted)).WithName("GetUrlKeywordExceptions");
        write.MapPut("/objects/url-keyword-exceptions", async (ApprovedListService s, HttpContext c) =>
            await s.SaveUrlKeywordsAsync(Parse<List<string>>(await ReadBodyAsync(c)), Actor(c), c.RequestAborted)).WithName("SaveUrlKeywordExceptions");
        api.MapGet("/objects/web-reputation-approved-list/csv", async (ApprovedListService s, HttpContext c) =>
            Results.File(ApprovedListCsv.ExportWebReputation(await s.WebReputationAsync(Actor(c), c.RequestAborted)), "text/csv; charset=utf-8",
                "web-reputation-approved-list.csv")).WithName("ExportWebReputationApprovedListCsv");
        write.MapPost("/objects/web-reputation-approved-list/csv", async (string? mode, string? encoding, ApprovedListService s, HttpContext c) =>
        {
            var (total, result) = await s.ImportWebReputationCsvAsync(await ReadUploadAsync(c), ParseEncoding(encoding), ParseMode(mode), Actor(c), c.RequestAborted);
            var dto = ImportDto(result.Ok, result.Items.Count, total, result.Encoding, result.Errors);
            return result.Ok ? Results.Ok(dto) : Results.BadRequest(dto);
        }).WithName("ImportWebReputationApprovedListCsv").DisableAntiforgery();
        api.MapGet("/objects/url-keyword-exceptions/csv", async (ApprovedListService s, HttpContext c) =>
            Results.File(ApprovedListCsv.ExportUrlKeywords(await s.UrlKeywordsAsync(Actor(c), c.RequestAborted)), "text/csv; charset=utf-8",
                "url-keyword-exceptions.csv")).WithName("ExportUrlKeywordExceptionsCsv");
        write.MapPost("/objects/url-keyword-exceptions/csv", async (string? mode, string? encoding, ApprovedListService s, HttpContext c) =>
        {
            var (total, result) = await s.ImportUrlKeywordsCsvAsync(await ReadUploadAsync(c), ParseEncoding(encoding), ParseMode(mode), Actor(c), c.RequestAborted);
            var dto = ImportDto(result.Ok, result.Items.Count, total, result.Encoding, result.Errors);
            return result.Ok ? Results.Ok(dto) : Results.BadRequest(dto);
        }).WithName("ImportUrlKeywordExceptionsCsv").DisableAntiforgery();
    }

    private static void Kind<T>(RouteGroupBuilder api, RouteGroupBuilder write, string path, string name) where T : class, IPolicyObject
    {
        var route = "/objects/" + path;
        api.MapGet(route, async (PolicyObjectService s, HttpContext c) => Json(await s.ListAsync<T>(Actor(c), c.RequestAborted))).WithName("List" + name + "s");
        api.MapGet(route + "/{id}", async (string id, PolicyObjectService s, HttpContext c) => Json(await s.GetAsync<T>(id, Actor(c), c.RequestAborted))).WithName("Get" + name);
        write.MapPost(route, async (PolicyObjectService s, HttpContext c) =>
        {
            var added = await s.AddAsync(Parse<T>(WithId(await ReadBodyAsync(c), "")), Actor(c), c.RequestAborted);
            return Results.Content(ModelJson.Serialize(added), "application/json; charset=utf-8", Encoding.UTF8, StatusCodes.Status201Created);
        }).WithName("Add" + name);
        write.MapPut(route + "/{id}", async (string id, PolicyObjectService s, HttpContext c) =>
            Json(await s.UpdateAsync(id, Parse<T>(WithId(await ReadBodyAsync(c), id)), Actor(c), c.RequestAborted))).WithName("Update" + name);
        write.MapDelete(route + "/{id}", async (string id, PolicyObjectService s, HttpContext c) =>
        {
            await s.DeleteAsync<T>(id, Actor(c), c.RequestAborted);
            return Results.NoContent();
        }).WithName("Delete" + name);
    }

    private static DateTimeOffset Now(HttpContext c) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ConsoleContext>(c.RequestServices).Time.GetUtcNow();

    private static string HostName => System.Net.Dns.GetHostName();

    private static string Actor(HttpContext c) => ConsoleRoles.Actor(c.User);

    private static IResult Json<T>(T value) => Results.Content(ModelJson.Serialize(value), "application/json; charset=utf-8");

    private static CsvImportDto ImportDto(AddressGroup group, CsvParseResult r) => ImportDto(r.Ok, r.Entries.Count, group.Entries.Count, r.Encoding, r.Errors);

    private static CsvImportDto ImportDto(bool ok, int added, int total, string encoding, IReadOnlyList<CsvRowError> errors) => new(ok, added, total, encoding,
        errors.Select(e => new CsvRowErrorDto(e.Line, ConsoleText.For(e.Message), e.Message.Ja, e.Message.En)).ToList());

    /// <summary>
    /// The uploaded CSV: the first file of a multipart form, or else the raw request body whatever its declared type
    /// (<c>curl --data-binary</c> labels it as a URL-encoded form); bounded.
    /// </summary>
    private static async Task<byte[]> ReadUploadAsync(HttpContext c)
    {
        if (c.Request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
        {
            IFormCollection form;
            try { form = await c.Request.ReadFormAsync(c.RequestAborted); }
            catch (InvalidDataException e) { throw new ConsoleProblem("bad-body", new LocalizedText($"フォームを読み取れません: {e.Message}", $"The form cannot be read: {e.Message}")); }
            var file = form.Files.FirstOrDefault() ?? throw Missing("file");
            if (file.Length > AddressGroupCsv.MaxBytes) throw AddressGroupCsv.TooLarge(file.Length);
            using var ms = new MemoryStream();
            await file.CopyToAsync(ms, c.RequestAborted);
            return ms.ToArray();
        }
        return await ReadBytesAsync(c, AddressGroupCsv.MaxBytes);
    }

    private static async Task<string> ReadBodyAsync(HttpContext c) => Encoding.UTF8.GetString(await ReadBytesAsync(c, MaxJsonBytes));

    private static async Task<byte[]> ReadBytesAsync(HttpContext c, int max)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await c.Request.Body.ReadAsync(buffer, c.RequestAborted)) > 0)
        {
            if (ms.Length + n > max) throw TooLarge(max);
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    /// <summary>Reads a model object from JSON; anything that does not fit the model is a 400 with the reader's reason.</summary>
    private static T Parse<T>(string json)
    {
        try
        {
            return ModelJson.Deserialize<T>(json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new ConsoleProblem("bad-body", new LocalizedText($"リクエストの JSON を読み取れません: {e.Message}", $"The request's JSON cannot be read: {e.Message}"));
        }
    }

    /// <summary>The id comes from the path (or is assigned on creation): a body need not carry one.</summary>
    private static string WithId(string json, string id)
    {
        System.Text.Json.Nodes.JsonNode? node;
        try { node = System.Text.Json.Nodes.JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        if (node is not System.Text.Json.Nodes.JsonObject o) return json;
        o["id"] = id;
        return o.ToJsonString();
    }

    private static CsvEncoding ParseEncoding(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "auto" => CsvEncoding.Auto,
        "utf-8" or "utf8" => CsvEncoding.Utf8,
        "shift_jis" or "shift-jis" or "sjis" or "cp932" => CsvEncoding.ShiftJis,
        _ => throw BadValue(value, "encoding", "auto, utf-8, shift_jis"),
    };

    private static bool ParseMode(string? value) => value switch
    {
        null or "" or "merge" => false,
        "replace" => true,
        _ => throw BadValue(value, "mode", "merge, replace"),
    };

    private static ConsoleProblem BadValue(string? value, string name, string allowed) => new("bad-parameter",
        new LocalizedText($"{name} の値「{value}」は使えません ({allowed})。", $"The value '{value}' of {name} is not allowed ({allowed})."));

    private static ConsoleProblem Missing(string what) => new("bad-body", new LocalizedText($"リクエストに {what} がありません。", $"The request has no {what}."));

    private static ConsoleProblem TooLarge(int max) => new("too-large",
        new LocalizedText($"リクエストが大きすぎます (上限 {max:N0} バイト)。", $"The request is too large (at most {max:N0} bytes)."), 413);
}
