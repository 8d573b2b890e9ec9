using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Objects;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>The policy objects API (<c>/api/v1/objects/…</c>): authorization, validation, CSV, test boxes, previews, in-use refusals.</summary>
public sealed class ObjectsApiTests
{
    private static readonly (string Method, string Path, bool Write)[] Endpoints =
    [
        ("GET", "/api/v1/objects/address-groups", false),
        ("GET", "/api/v1/objects/address-groups/x", false),
        ("POST", "/api/v1/objects/address-groups", true),
        ("PUT", "/api/v1/objects/address-groups/x", true),
        ("DELETE", "/api/v1/objects/address-groups/x", true),
        ("GET", "/api/v1/objects/address-groups/x/csv", false),
        ("POST", "/api/v1/objects/address-groups/x/csv", true),
        ("GET", "/api/v1/objects/keyword-lists", false),
        ("POST", "/api/v1/objects/keyword-lists", true),
        ("PUT", "/api/v1/objects/keyword-lists/x", true),
        ("DELETE", "/api/v1/objects/keyword-lists/x", true),
        ("POST", "/api/v1/objects/keyword-lists/x/test", false),
        ("POST", "/api/v1/objects/keyword-lists/test", false),
        ("GET", "/api/v1/objects/notifications", false),
        ("POST", "/api/v1/objects/notifications", true),
        ("DELETE", "/api/v1/objects/notifications/x", true),
        ("POST", "/api/v1/objects/notifications/preview", false),
        ("POST", "/api/v1/objects/notifications/x/preview", false),
        ("GET", "/api/v1/objects/stamps", false),
        ("POST", "/api/v1/objects/stamps", true),
        ("PUT", "/api/v1/objects/stamps/x", true),
        ("POST", "/api/v1/objects/stamps/preview", false),
        ("GET", "/api/v1/objects/dlp-identifiers", false),
        ("POST", "/api/v1/objects/dlp-identifiers", true),
        ("DELETE", "/api/v1/objects/dlp-identifiers/x", true),
        ("POST", "/api/v1/objects/dlp-identifiers/x/test", false),
        ("GET", "/api/v1/objects/dlp-templates", false),
        ("POST", "/api/v1/objects/dlp-templates", true),
        ("POST", "/api/v1/objects/dlp-templates/x/test", false),
        ("GET", "/api/v1/objects/tokens", false),
        ("GET", "/api/v1/objects/web-reputation-approved-list", false),
        ("PUT", "/api/v1/objects/web-reputation-approved-list", true),
        ("GET", "/api/v1/objects/url-keyword-exceptions", false),
        ("PUT", "/api/v1/objects/url-keyword-exceptions", true),
        ("GET", "/api/v1/objects/web-reputation-approved-list/csv", false),
        ("POST", "/api/v1/objects/web-reputation-approved-list/csv", true),
        ("GET", "/api/v1/objects/url-keyword-exceptions/csv", false),
        ("POST", "/api/v1/objects/url-keyword-exceptions/csv", true),
    ];

    private const string GroupJson = """{"name":"取引先","entries":[{"address":"*@partner.example","description":"本社"}]}""";

    private static HttpRequestMessage Request((string Method, string Path, bool Write) e) => new(new HttpMethod(e.Method), e.Path)
    {
        Content = e.Method is "GET" or "DELETE" ? null : new StringContent(e.Path.EndsWith("/csv", StringComparison.Ordinal) ? "*@example.com\r\n" : GroupJson, Encoding.UTF8, "application/json"),
    };

    /// <summary>Writes a whole policy into the host's store (domains, objects, settings, rules).</summary>
    internal static async Task SeedAsync(ConsoleHost host, PolicySnapshot policy)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        foreach (var d in policy.Domains) await s.AddDomainAsync(d);
        foreach (var o in policy.AllObjects) await s.AddObjectAsync(o);
        await s.SaveSettingsAsync(policy.Settings);
        foreach (var r in policy.Rules) await s.AddRuleAsync(r);
        await s.CommitAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<int> CountObjectsAsync(ConsoleHost host)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return (await s.LoadSnapshotAsync()).AllObjects.Count();
    }

    [Fact]
    public async Task Every_objects_endpoint_needs_a_token_and_writes_need_an_administrator()
    {
        await using var host = await ConsoleHost.StartAsync();
        var anonymous = host.Api(null);
        var viewer = host.Api(host.ViewerToken);
        foreach (var e in Endpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request(e))).StatusCode);
            if (e.Write) Assert.True(HttpStatusCode.Forbidden == (await viewer.SendAsync(Request(e))).StatusCode, e.Method + " " + e.Path);
        }
        foreach (var e in Endpoints.Where(e => e.Method == "GET" && !e.Path.Contains("/x", StringComparison.Ordinal)))
            Assert.True(HttpStatusCode.OK == (await viewer.GetAsync(e.Path)).StatusCode, e.Path);
        Assert.Equal(0, await CountObjectsAsync(host));
        // Every endpoint is in the OpenAPI document.
        var openApi = await host.Api(null).GetStringAsync("/api/v1/openapi.json");
        foreach (var path in Endpoints.Select(e => e.Path.Replace("/x", "/{id}", StringComparison.Ordinal)).Distinct())
            Assert.Contains("\"" + path + "\"", openApi);
    }

    [Fact]
    public async Task Address_groups_are_added_changed_and_deleted_and_bad_input_changes_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var added = await api.PostAsync("/api/v1/objects/address-groups", Json(GroupJson));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var group = await added.Content.ReadFromJsonAsync<JsonElement>();
        var id = group.GetProperty("id").GetString()!;
        Assert.Equal(32, id.Length);
        Assert.Equal("*@partner.example", group.GetProperty("entries")[0].GetProperty("address").GetString());

        var badAddress = await api.PostAsync("/api/v1/objects/address-groups", Json("""{"name":"x","entries":[{"address":"not an address"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badAddress.StatusCode);
        Assert.Equal("bad-body", (await badAddress.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/objects/address-groups", Json("""{"name":"x","colour":"red"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/objects/address-groups", Json("{"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync("/api/v1/objects/address-groups", Json(GroupJson))).StatusCode);
        var unmanaged = await api.PostAsync("/api/v1/objects/address-groups", Json("""{"name":"社内","internal":true,"entries":[{"address":"*@partner.example"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unmanaged.StatusCode);
        Assert.Equal("group.internal.unmanaged", (await unmanaged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(1, await CountObjectsAsync(host));

        var changed = await api.PutAsync("/api/v1/objects/address-groups/" + id, Json("""{"name":"取引先 (全社)","entries":[{"address":"sales@*"},{"address":"*@*.partner.example"}]}"""));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var got = await api.GetFromJsonAsync<JsonElement>("/api/v1/objects/address-groups/" + id);
        Assert.Equal("取引先 (全社)", got.GetProperty("name").GetString());
        Assert.Equal(2, got.GetProperty("entries").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/objects/address-groups/nope")).StatusCode);
        // A keyword list is not an address group, even by id.
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/objects/keyword-lists/" + id)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/v1/objects/address-groups/" + id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync("/api/v1/objects/address-groups/" + id)).StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.All(await s.QueryAuditAsync(eventType: AuditEvents.ObjectCreated), a => Assert.StartsWith("api:admin", a.Actor));
        Assert.Single(await s.QueryAuditAsync(eventType: AuditEvents.ObjectUpdated));
        Assert.Single(await s.QueryAuditAsync(eventType: AuditEvents.ObjectDeleted));
    }

    [Fact]
    public async Task Csv_import_is_all_or_nothing_with_line_numbers_and_the_export_opens_in_excel()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var id = (await (await api.PostAsync("/api/v1/objects/address-groups", Json("""{"name":"取引先"}"""))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var csv = "/api/v1/objects/address-groups/" + id + "/csv";

        // Excel on Japanese Windows saves Shift_JIS: detected automatically.
        var sjis = Encoding.GetEncoding("shift_jis").GetBytes("メールアドレス,説明\r\n*@partner.example,本社\r\nsales@*,\"営業, 代表\"\r\n");
        var first = await api.PostAsync(csv, new ByteArrayContent(sjis));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var r1 = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Shift_JIS", r1.GetProperty("encoding").GetString());
        Assert.Equal(2, r1.GetProperty("added").GetInt32());

        // UTF-8 with BOM, merged: added after the existing entries. The body as curl --data-binary sends it (labelled as a form).
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var raw = new ByteArrayContent([.. bom, .. Encoding.UTF8.GetBytes("ceo@partner.example,社長\n")]);
        raw.Headers.ContentType = new("application/x-www-form-urlencoded");
        var second = await api.PostAsync(csv + "?mode=merge", raw);
        Assert.Equal(3, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32());
        // A multipart upload (curl -F file=@…) works the same.
        var multipart = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("cfo@partner.example\n")), "file", "g.csv" } };
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync(csv, multipart)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync(csv, new MultipartFormDataContent { { new StringContent("x"), "note" } })).StatusCode);

        // Invalid rows: every one reported by line, nothing imported.
        var invalid = await api.PostAsync(csv, new ByteArrayContent(Encoding.UTF8.GetBytes("new@partner.example\nbroken\n\n*@partner.example\nnew@partner.example\nx@y.example,a,b\n")));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([2, 4, 5, 6], errors.Select(e => e.GetProperty("line").GetInt32()));
        Assert.Contains("既にグループにあります", errors[1].GetProperty("messageJa").GetString());
        Assert.Contains("line 1", errors[2].GetProperty("messageEn").GetString());

        // Shift_JIS bytes declared as UTF-8 are refused rather than garbled.
        var declared = await api.PostAsync(csv + "?encoding=utf-8", new ByteArrayContent(Encoding.GetEncoding("shift_jis").GetBytes("boss@partner.example,部長\n")));
        Assert.Equal(HttpStatusCode.BadRequest, declared.StatusCode);
        Assert.Equal("csv.encoding", (await declared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync(csv + "?encoding=ebcdic", new ByteArrayContent([]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync(csv + "?mode=append", new ByteArrayContent([]))).StatusCode);
        var tooLarge = await api.PostAsync(csv, new ByteArrayContent(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefghijklmnop@partner.example\n", 40_000)))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        var export = await api.GetAsync(csv);
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        var bytes = await export.Content.ReadAsByteArrayAsync();
        Assert.Equal(bom, bytes[..3]);
        Assert.Equal("address,description\r\n*@partner.example,本社\r\nsales@*,\"営業, 代表\"\r\nceo@partner.example,社長\r\ncfo@partner.example,\r\n", Encoding.UTF8.GetString(bytes[3..]));

        // The export imports back (overwrite) to the same group.
        var again = await api.PostAsync(csv + "?mode=replace", new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(bytes, await api.GetByteArrayAsync(csv));
    }

    [Fact]
    public async Task Deleting_an_object_in_use_is_refused_with_every_user_and_predefined_dlp_is_read_only()
    {
        await using var host = await ConsoleHost.StartAsync();
        await SeedAsync(host, PolicySamples.Full());
        var api = host.Api(host.AdminToken);
        var group = await api.DeleteAsync("/api/v1/objects/address-groups/ag-internal");
        Assert.Equal(HttpStatusCode.Conflict, group.StatusCode);
        var message = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageJa").GetString()!;
        Assert.Contains("「全部入り」", message);
        Assert.Contains("「DLP」", message);
        var note = await (await api.DeleteAsync("/api/v1/objects/notifications/nt1")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("gateway settings", note.GetProperty("messageEn").GetString());
        var identifier = await api.DeleteAsync("/api/v1/objects/dlp-identifiers/dx1");
        Assert.Equal(HttpStatusCode.Conflict, identifier.StatusCode);
        Assert.Contains("個人情報(社内)", (await identifier.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageJa").GetString());
        // kw2 is used by a rule; a new list nobody uses can go.
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync("/api/v1/objects/keyword-lists/kw2")).StatusCode);

        var identifiers = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/objects/dlp-identifiers");
        Assert.Contains(identifiers!, i => i.GetProperty("id").GetString() == "predefined:jp-my-number");
        Assert.Contains(identifiers!, i => i.GetProperty("id").GetString() == "dx1");
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync("/api/v1/objects/dlp-templates/" + PredefinedDlp.Templates[0].Id)).StatusCode);
        var edit = await api.PutAsync("/api/v1/objects/dlp-identifiers/predefined:jp-my-number", Json("""{"identifier":"expression","name":"x","pattern":"[0-9]+"}"""));
        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        Assert.Equal("object.predefined", (await edit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var added = await api.PostAsync("/api/v1/objects/dlp-identifiers", Json("""{"identifier":"expression","name":"社員番号 (新)","pattern":"EMP[0-9]{6}"}"""));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var newId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/v1/objects/dlp-identifiers/" + newId)).StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        var after = await s.LoadSnapshotAsync();
        Assert.Equal(PolicySamples.Full().AllObjects.Count(), after.AllObjects.Count());
    }

    [Fact]
    public async Task The_keyword_test_box_shows_what_matches_where_and_respects_the_regex_time_limit()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.ViewerToken); // testing changes nothing: read-only tokens may test
        var body = """
            {"list":{"id":"","name":"機密","match":"score","threshold":5,"expressions":[
              {"pattern":"社外秘","score":5},{"pattern":"[0-9]{4}-[0-9]{4}","caseSensitive":true,"score":3},{"pattern":"CONFIDENTIAL","caseSensitive":true,"score":9}]},
             "text":"ご確認ください。\n本件は社外秘です。番号 1234-5678 confidential"}
            """;
        var result = await (await api.PostAsync("/api/v1/objects/keyword-lists/test", Json(body))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("matched").GetBoolean());
        Assert.Equal(8, result.GetProperty("totalScore").GetInt32());
        var e = result.GetProperty("expressions").EnumerateArray().ToList();
        Assert.True(e[0].GetProperty("found").GetBoolean());
        Assert.Equal(2, e[0].GetProperty("line").GetInt32());
        Assert.Equal(4, e[0].GetProperty("column").GetInt32());
        Assert.Equal("1234-5678", e[1].GetProperty("text").GetString());
        Assert.False(e[2].GetProperty("found").GetBoolean()); // case-sensitive

        // Catastrophic backtracking runs into the engine's time limit and counts as not found.
        var slow = """{"list":{"id":"","name":"遅い","expressions":[{"pattern":"(a+)+$"}]},"text":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}""";
        var timedOut = await (await api.PostAsync("/api/v1/objects/keyword-lists/test", Json(slow))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(timedOut.GetProperty("timedOut").GetBoolean());
        Assert.False(timedOut.GetProperty("matched").GetBoolean());
        Assert.True(timedOut.GetProperty("expressions")[0].GetProperty("timedOut").GetBoolean());

        var broken = await api.PostAsync("/api/v1/objects/keyword-lists/test", Json("""{"list":{"id":"","name":"x","expressions":[{"pattern":"(unclosed"}]},"text":"a"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("keyword.pattern.invalid", (await broken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/objects/keyword-lists/test", Json("""{"text":"a"}"""))).StatusCode);

        await SeedAsync(host, PolicySamples.Full());
        var saved = await (await api.PostAsJsonAsync("/api/v1/objects/keyword-lists/kw2/test", new { text = "請求書を送ります" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(saved.GetProperty("matched").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync("/api/v1/objects/keyword-lists/nope/test", new { text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync("/api/v1/objects/keyword-lists/kw2/test", new { text = new string('あ', 100_001) })).StatusCode);
    }

    [Fact]
    public async Task Notification_and_stamp_previews_expand_the_engines_tokens_for_a_sample_message()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var notification = """
            {"name":"隔離通知","from":"gateway@example.co.jp","to":"%SENDER%;admin@example.co.jp","subject":"[隔離] %SUBJECT%",
             "body":"%SENDER% → %RCPTS%\nルール: %RULENAME%\n添付: %FILENAME%\n%DATE&TIME%\n%NOT_A_TOKEN%","timeZone":"Asia/Tokyo"}
            """;
        var preview = await api.PostAsync("/api/v1/objects/notifications/preview", Json(notification));
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var p = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("taro.yamada@example.net;admin@example.co.jp", p.GetProperty("to").GetString());
        Assert.Equal("[隔離] 【至急】お見積書の送付 / Quotation", p.GetProperty("subject").GetString());
        var text = p.GetProperty("text").GetString()!;
        Assert.Contains("taro.yamada@example.net → hanako.suzuki@example.co.jp", text);
        Assert.Contains("ルール: 機密情報の送信をブロック", text);
        Assert.Contains("添付: 見積書.txt", text);
        Assert.Contains("UTC+09:00", text);
        Assert.Contains("%NOT_A_TOKEN%", text);

        var stamp = await (await api.PostAsync("/api/v1/objects/stamps/preview", Json("""{"name":"注意","text":"<外部> %SENDER%"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("<外部> taro.yamada@example.net", stamp.GetProperty("text").GetString());
        Assert.Equal("<div>&lt;外部&gt; taro.yamada@example.net</div>", stamp.GetProperty("html").GetString());

        var tokens = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/objects/tokens");
        Assert.Contains(tokens!, t => t.GetProperty("token").GetString() == "%DATE&TIME%" && t.GetProperty("description").GetString()!.Length > 0);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/objects/notifications/preview", Json("""{"name":"x"}"""))).StatusCode);

        await SeedAsync(host, PolicySamples.Full());
        var saved = await (await api.PostAsync("/api/v1/objects/notifications/nt1/preview", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("[Sekisho] 機密情報の送信をブロック", saved.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task The_dlp_test_box_uses_the_validators_and_masks_what_it_found()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var valid = Enumerable.Range(0, 10).Select(d => "12345678901" + d).Single(DlpChecks.JpMyNumber);
        var invalid = "12345678901" + (char)('0' + (valid[^1] - '0' + 1) % 10);
        var hit = await (await api.PostAsJsonAsync("/api/v1/objects/dlp-identifiers/predefined:jp-my-number/test", new { text = "個人番号: " + valid })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(hit.GetProperty("matched").GetBoolean());
        Assert.Equal("********" + valid[^4..], hit.GetProperty("hits")[0].GetProperty("maskedValue").GetString());
        var miss = await (await api.PostAsJsonAsync("/api/v1/objects/dlp-identifiers/predefined:jp-my-number/test", new { text = "個人番号: " + invalid })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(miss.GetProperty("matched").GetBoolean());
        var template = await (await api.PostAsJsonAsync("/api/v1/objects/dlp-templates/predefined:jp-personal-information/test", new { text = "番号 " + valid })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(template.GetProperty("matched").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync("/api/v1/objects/dlp-templates/nope/test", new { text = "x" })).StatusCode);
    }

    [Fact]
    public async Task Approved_lists_are_replaced_validated_and_audited()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var saved = await api.PutAsync("/api/v1/objects/web-reputation-approved-list",
            Json("""[{"type":"domain","value":"*.Partner.Example","description":"取引先"},{"type":"ip","value":"192.0.2.10"},{"type":"url","value":"https://intra.example.co.jp/wiki","bypassWebReputation":false}]"""));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var list = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/objects/web-reputation-approved-list");
        Assert.Equal("*.partner.example", list![0].GetProperty("value").GetString());
        Assert.False(list[2].GetProperty("bypassWebReputation").GetBoolean());
        var bad = await api.PutAsync("/api/v1/objects/web-reputation-approved-list", Json("""[{"type":"domain","value":"not a domain!"}]"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(3, (await api.GetFromJsonAsync<JsonElement[]>("/api/v1/objects/web-reputation-approved-list"))!.Length);

        Assert.Equal(HttpStatusCode.BadRequest, (await api.PutAsJsonAsync("/api/v1/objects/url-keyword-exceptions", new[] { "ok_keyword", "no" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync("/api/v1/objects/url-keyword-exceptions", new[] { "unsubscribe_token" })).StatusCode);
        Assert.Equal(["unsubscribe_token"], await api.GetFromJsonAsync<string[]>("/api/v1/objects/url-keyword-exceptions") ?? []);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Equal(2, (await s.QueryAuditAsync(eventType: AuditEvents.SettingsUpdated)).Count(a => a.Actor.StartsWith("api:admin", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Approved_lists_import_and_export_csv_all_or_nothing_with_line_numbers()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        const string wrs = "/api/v1/objects/web-reputation-approved-list";
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(wrs, Json("""[{"type":"domain","value":"keep.example"}]"""))).StatusCode);

        // A Shift_JIS file from Excel with a header row: detected, merged into the list, types recognised.
        var sjis = Encoding.GetEncoding("shift_jis").GetBytes("value,description,bypass\r\n*.Partner.Example,取引先,\r\n192.0.2.10,社内,yes\r\nhttps://intra.example.co.jp/wiki,\"社内, Wiki\",no\r\n");
        var imported = await api.PostAsync(wrs + "/csv", new ByteArrayContent(sjis));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var dto = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, dto.GetProperty("added").GetInt32());
        Assert.Equal(4, dto.GetProperty("total").GetInt32());
        Assert.Equal("Shift_JIS", dto.GetProperty("encoding").GetString());
        var list = (await api.GetFromJsonAsync<JsonElement[]>(wrs))!;
        Assert.Equal(["keep.example", "*.partner.example", "192.0.2.10", "https://intra.example.co.jp/wiki"], list.Select(i => i.GetProperty("value").GetString()));
        Assert.Equal(["domain", "domain", "ip", "url"], list.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("社内, Wiki", list[3].GetProperty("description").GetString());
        Assert.False(list[3].GetProperty("bypassWebReputation").GetBoolean());

        // Bad rows and repeats are reported with their lines; nothing changes.
        var bad = await api.PostAsync(wrs + "/csv?mode=replace", new ByteArrayContent(Encoding.UTF8.GetBytes("new.example\nnot a domain!\nnew.example\nother.example,x,maybe\n")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4], errors.Select(e => e.GetProperty("line").GetInt32()));
        Assert.Contains("repeats line 1", errors[1].GetProperty("messageEn").GetString());
        Assert.Contains("yes または no", errors[2].GetProperty("messageJa").GetString());
        var merged = await api.PostAsync(wrs + "/csv", new ByteArrayContent(Encoding.UTF8.GetBytes("keep.example\n")));
        Assert.Contains("already in the list", (await merged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0].GetProperty("messageEn").GetString());
        Assert.Equal(4, (await api.GetFromJsonAsync<JsonElement[]>(wrs))!.Length);

        // The export reads back as the same list (UTF-8 with BOM), and replace mode swaps the list for the file.
        var export = await host.Api(host.ViewerToken).GetAsync(wrs + "/csv");
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        var bytes = await export.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Contains("https://intra.example.co.jp/wiki,\"社内, Wiki\",no\r\n", Encoding.UTF8.GetString(bytes));
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(wrs, Json("[]"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync(wrs + "/csv?mode=replace", new ByteArrayContent(bytes))).StatusCode);
        Assert.Equal(list.Select(i => i.GetRawText()), (await api.GetFromJsonAsync<JsonElement[]>(wrs))!.Select(i => i.GetRawText()));

        const string keywords = "/api/v1/objects/url-keyword-exceptions";
        var ok = await api.PostAsync(keywords + "/csv", new ByteArrayContent(Encoding.UTF8.GetBytes("keyword\r\nunsubscribe_token\r\nsession_id\r\n")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(["unsubscribe_token", "session_id"], await api.GetFromJsonAsync<string[]>(keywords) ?? []);
        var badKeywords = await api.PostAsync(keywords + "/csv?mode=replace", new ByteArrayContent(Encoding.UTF8.GetBytes("fine_one\nno\nurl-with-dash\n")));
        Assert.Equal(HttpStatusCode.BadRequest, badKeywords.StatusCode);
        Assert.Equal([2, 3], (await badKeywords.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
        Assert.Equal(["unsubscribe_token", "session_id"], await api.GetFromJsonAsync<string[]>(keywords) ?? []);
        Assert.Equal("keyword\r\nunsubscribe_token\r\nsession_id\r\n", Encoding.UTF8.GetString((await api.GetByteArrayAsync(keywords + "/csv"))[3..]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await api.PostAsync(keywords + "/csv", new ByteArrayContent(new byte[Services.AddressGroupCsv.MaxBytes + 1]))).StatusCode);
    }
}
