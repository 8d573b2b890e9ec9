using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sekisho.Web.Tests;

/// <summary>Adding, editing, copying, deleting and moving rules through /api/v1/rules.</summary>
public sealed class RuleEditApiTests
{
    private const string NewRule = """
        {"name":"実行ファイル","direction":"inbound","type":"content","enabled":true,
         "scope":{"recipients":{"mode":"specified","entries":[{"kind":"address","pattern":"*@example.co.jp"}]},"senders":{"mode":"anyone","entries":[]},"exceptions":[]},
         "criteria":{"match":"any","items":[{"criterion":"attachment-name","selection":"selected","patterns":["*.scr"]}]},
         "actions":{"intercept":{"action":"delete"},"modify":[],"monitor":[]}}
        """;

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Rule_writes_need_an_administrators_token_and_change_nothing_otherwise()
    {
        await using var host = await ConsoleHost.StartAsync();
        var rules = await RuleSeeds.SeedAsync(host);
        var id = rules[0].Id;
        (string Method, string Path, string? Json)[] writes =
        [
            ("POST", "/api/v1/rules", NewRule), ("PUT", $"/api/v1/rules/{id}", NewRule), ("POST", $"/api/v1/rules/{id}/copy", null),
            ("DELETE", $"/api/v1/rules/{id}", null), ("POST", $"/api/v1/rules/{id}/move", """{"to":3}"""),
        ];
        foreach (var (method, path, json) in writes)
        {
            HttpRequestMessage Request() => new(new HttpMethod(method), path) { Content = json is null ? null : Body(json) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).SendAsync(Request())).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await host.Api(host.ViewerToken).SendAsync(Request())).StatusCode);
        }
        Assert.Equal(["first", "second", "third"], (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Name));
        Assert.Empty(await RuleSeeds.AuditAsync(host, "rule.*"));
    }

    [Fact]
    public async Task A_rule_is_added_edited_copied_moved_and_deleted_in_the_models_json()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var api = host.Api(host.AdminToken);

        var added = await api.PostAsync("/api/v1/rules", Body(NewRule));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var rule = await added.Content.ReadFromJsonAsync<JsonElement>();
        var id = rule.GetProperty("id").GetString()!;
        Assert.Equal(4, rule.GetProperty("order").GetInt32()); // no order: appended
        Assert.Equal("delete", rule.GetProperty("actions").GetProperty("intercept").GetProperty("action").GetString());
        var got = await api.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{id}");
        Assert.Equal("実行ファイル", got.GetProperty("name").GetString());

        var edited = NewRule.Replace("\"実行ファイル\"", "\"実行ファイル (改)\"").Replace("\"enabled\":true", "\"enabled\":false,\"order\":1")
            .Replace("{\"action\":\"delete\"}", "{\"action\":\"quarantine\",\"tag\":\"exe\"}");
        var put = await api.PutAsync($"/api/v1/rules/{id}", Body(edited));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var after = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("quarantine", after.GetProperty("actions").GetProperty("intercept").GetProperty("action").GetString());
        Assert.Equal(["実行ファイル (改)", "first", "second", "third"], (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Name));
        Assert.Equal([1, 2, 3, 4], (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Order));

        var copyJa = await (await api.PostAsync($"/api/v1/rules/{seeded[0].Id}/copy?lang=ja", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("first のコピー", copyJa.GetProperty("name").GetString());
        Assert.False(copyJa.GetProperty("enabled").GetBoolean());
        Assert.Equal(5, copyJa.GetProperty("order").GetInt32());
        var copyEn = await api.PostAsync($"/api/v1/rules/{seeded[0].Id}/copy?lang=en", null);
        Assert.Equal(HttpStatusCode.Created, copyEn.StatusCode);
        Assert.Equal("Copy of first", (await copyEn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        var copyAgain = await (await api.PostAsync($"/api/v1/rules/{seeded[0].Id}/copy?lang=en", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Copy of first (2)", copyAgain.GetProperty("name").GetString());

        var moved = await api.PostAsJsonAsync($"/api/v1/rules/{seeded[2].Id}/move", new { steps = -2 });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(2, (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("order").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync($"/api/v1/rules/{seeded[2].Id}/move", new { })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/rules/{seeded[1].Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/rules/{seeded[1].Id}")).StatusCode);
        var list = await RuleSeeds.InboundContentAsync(host);
        Assert.Equal(["実行ファイル (改)", "third", "first", "first のコピー", "Copy of first", "Copy of first (2)"], list.Select(r => r.Name));
        Assert.Equal([1, 2, 3, 4, 5, 6], list.Select(r => r.Order));

        var audit = (await RuleSeeds.AuditAsync(host, "rule.*")).Where(a => a.EventType != "rule.moved").Select(a => a.EventType).ToList();
        Assert.Equal(["rule.deleted", "rule.created", "rule.created", "rule.created", "rule.updated", "rule.created"], audit);
        Assert.All(await RuleSeeds.AuditAsync(host, "rule.*"), a => Assert.Equal("api:admin/tests", a.Actor));
    }

    [Fact]
    public async Task An_invalid_rule_is_refused_with_the_validators_problems_and_changes_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var api = host.Api(host.AdminToken);

        var outside = NewRule.Replace("*@example.co.jp", "*@elsewhere.example").Replace("\"実行ファイル\"", "\"\"");
        var refused = await api.PostAsync("/api/v1/rules", Body(outside));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var problems = error.GetProperty("problems").EnumerateArray().ToList();
        Assert.Contains(problems, p => p.GetProperty("path").GetString() == "rule.name" && p.GetProperty("code").GetString() == "rule.name.empty");
        Assert.Contains(problems, p => p.GetProperty("path").GetString() == "rule.scope.recipients.entries[0]"
            && p.GetProperty("code").GetString() == "rule.scope.address.outside-managed"
            && p.GetProperty("messageJa").GetString()!.Contains("管理対象ドメイン外") && p.GetProperty("messageEn").GetString()!.Contains("outside the managed domains"));

        var duplicate = await api.PutAsync($"/api/v1/rules/{seeded[0].Id}", Body(NewRule.Replace("\"実行ファイル\"", "\"second\"")));
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal("rule.name.duplicate", (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var wrongType = await api.PutAsync($"/api/v1/rules/{seeded[0].Id}", Body(NewRule.Replace("""{"criterion":"attachment-name","selection":"selected","patterns":["*.scr"]}""", """{"criterion":"phishing"}""")));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal("rule.criteria.items[0]", (await wrongType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems")[0].GetProperty("path").GetString());

        foreach (var broken in new[] { "{not json", "[]", """{"name":"x","direction":"sideways","type":"content"}""", """{"name":"x","direction":"inbound","type":"content","actions":{"intercept":{"action":"explode"},"modify":[],"monitor":[]}}""" })
        {
            var bad = await api.PostAsync("/api/v1/rules", Body(broken));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("rule.json", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsync("/api/v1/rules/nope", Body(NewRule))).StatusCode);

        var after = await RuleSeeds.InboundContentAsync(host);
        Assert.Equal(["first", "second", "third"], after.Select(r => r.Name));
        Assert.Equal(seeded.Select(JsonOf.J), after.Select(JsonOf.J));
        Assert.Empty(await RuleSeeds.AuditAsync(host, "rule.*"));
    }
}
