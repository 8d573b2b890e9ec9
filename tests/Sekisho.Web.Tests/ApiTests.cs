using Sekisho.Store;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

public sealed class ApiTests
{
    private static readonly (string Method, string Path, bool Write)[] Endpoints =
    [
        ("GET", "/api/v1/domains", false),
        ("GET", "/api/v1/domains/example.co.jp", false),
        ("POST", "/api/v1/domains", true),
        ("PUT", "/api/v1/domains/example.co.jp", true),
        ("POST", "/api/v1/domains/example.co.jp/verify", true),
        ("POST", "/api/v1/domains/example.co.jp/test-connection", true),
        ("DELETE", "/api/v1/domains/example.co.jp", true),
        ("GET", "/api/v1/rules", false),
        ("GET", "/api/v1/rules/00000000", false),
        ("POST", "/api/v1/rules/00000000/enable", true),
        ("POST", "/api/v1/rules/00000000/disable", true),
        ("POST", "/api/v1/rules/00000000/mark-fixed", true),
        ("POST", "/api/v1/rules/00000000/confirm", true),
        ("POST", "/api/v1/rules", true),
        ("PUT", "/api/v1/rules/00000000", true),
        ("POST", "/api/v1/rules/00000000/copy", true),
        ("DELETE", "/api/v1/rules/00000000", true),
        ("POST", "/api/v1/rules/00000000/move", true),
        ("POST", "/api/v1/migration/analyze", true),
        ("GET", "/api/v1/migration/status", false),
        ("POST", "/api/v1/migration/run", true),
        ("POST", "/api/v1/migration/cancel", true),
        ("GET", "/api/v1/migration/report", false),
        ("GET", "/api/v1/audit", false),
        ("GET", "/api/v1/quarantine", false),
        ("GET", "/api/v1/quarantine/00000000", false),
        ("GET", "/api/v1/quarantine/00000000/message", false),
        ("POST", "/api/v1/quarantine/00000000/release", true),
        ("DELETE", "/api/v1/quarantine/00000000", true),
        ("GET", "/api/v1/users", true),
        ("POST", "/api/v1/users", true),
        ("POST", "/api/v1/users/viewer/unlock", true),
        ("DELETE", "/api/v1/users/viewer", true),
        ("POST", "/api/v1/users/viewer/tokens/extra", true),
        ("DELETE", "/api/v1/users/viewer/tokens/extra", true),
    ];

    private static HttpRequestMessage Request((string Method, string Path, bool Write) e)
    {
        var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path);
        if (e.Path.EndsWith("/analyze", StringComparison.Ordinal))
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(RepoPaths.Fixture("imsva", "seed-example.dat"))), "file", "seed-example.dat" } };
            request.Content = form;
        }
        else if (e.Method is "POST" or "PUT" && e.Path.Contains("/domains", StringComparison.Ordinal) && !e.Path.EndsWith("/verify", StringComparison.Ordinal)
                 && !e.Path.EndsWith("/test-connection", StringComparison.Ordinal))
            request.Content = JsonContent.Create(new { name = "example.co.jp", inboundServers = new[] { "mx.example.co.jp:25,10" } });
        return request;
    }

    [Fact]
    public async Task Every_endpoint_needs_a_token()
    {
        await using var host = await ConsoleHost.StartAsync();
        var anonymous = host.Api(null);
        var forged = host.Api("skt_notarealtoken");
        foreach (var e in Endpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request(e))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await forged.SendAsync(Request(e))).StatusCode);
        }
        // A console session cookie is not an API credential (so the API needs no CSRF token).
        var browser = await host.SignedInAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/domains")).StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListDomainsAsync());
    }

    [Fact]
    public async Task A_revoked_token_stops_working_at_once()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.ViewerToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/domains")).StatusCode);
        await host.App.Services.GetRequiredService<Web.Access.ConsoleAccess>().RevokeTokenAsync("viewer", "tests", "cli:root", default);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/domains")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Api(host.AdminToken).GetAsync("/api/v1/domains")).StatusCode);
    }

    [Fact]
    public async Task A_read_only_token_reads_but_every_write_is_forbidden()
    {
        await using var host = await ConsoleHost.StartAsync();
        var viewer = host.Api(host.ViewerToken);
        foreach (var e in Endpoints.Where(e => e.Write))
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(Request(e))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/domains")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/rules")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/migration/status")).StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListDomainsAsync());
        Assert.Null(await host.App.Services.GetRequiredService<Services.MigrationWizard>().LatestTaskAsync(default));
    }

    [Fact]
    public async Task Domains_are_added_changed_and_verified_against_dns()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var bad = await api.PostAsJsonAsync("/api/v1/domains", new { name = "not a domain" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var error = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("domain.name.invalid", error.GetProperty("code").GetString());
        Assert.Contains("ドメイン名", error.GetProperty("messageJa").GetString());

        var badServer = await api.PostAsJsonAsync("/api/v1/domains", new { name = "example.co.jp", inboundServers = new[] { "mx.example.co.jp:notaport" } });
        Assert.Equal(HttpStatusCode.BadRequest, badServer.StatusCode);

        var added = await api.PostAsJsonAsync("/api/v1/domains", new { name = "Example.CO.JP", inboundServers = new[] { "mx1.example.co.jp:25,10", "mx2.example.co.jp,20" } });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var d = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("example.co.jp", d.GetProperty("name").GetString());
        Assert.Equal("needs-setup", d.GetProperty("status").GetString());
        var record = d.GetProperty("verificationRecord").GetString()!;
        Assert.StartsWith("sekisho-verification=", record);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync("/api/v1/domains", new { name = "example.co.jp" })).StatusCode);

        var changed = await api.PutAsJsonAsync("/api/v1/domains/example.co.jp", new { inboundServers = new[] { "10.0.0.5:2525,5" }, outboundIps = new[] { "192.0.2.0/24" } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var c = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2525, c.GetProperty("inboundServers")[0].GetProperty("port").GetInt32());
        Assert.Equal("192.0.2.0/24", c.GetProperty("outboundIps")[0].GetString());

        host.Dns.Txt("example.co.jp", "v=spf1 -all");
        var missing = await (await api.PostAsync("/api/v1/domains/example.co.jp/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("record-missing", missing.GetProperty("outcome").GetString());
        Assert.Equal("txt-record-missing", missing.GetProperty("domain").GetProperty("statusReason").GetString());

        host.Dns.Txt("example.co.jp", record);
        var verified = await (await api.PostAsync("/api/v1/domains/example.co.jp/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("verified", verified.GetProperty("outcome").GetString());
        Assert.Equal("verified", verified.GetProperty("domain").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/api/v1/domains/nope.example/verify", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/v1/domains/example.co.jp")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync("/api/v1/domains/example.co.jp")).StatusCode);
        Assert.Empty(await api.GetFromJsonAsync<JsonElement[]>("/api/v1/domains") ?? []);

        var audit = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit?type=domain.*");
        var events = audit.EnumerateArray().Select(a => a.GetProperty("eventType").GetString()!).ToList();
        Assert.Equal(["domain.removed", "domain.verified", "domain.verification-failed", "domain.updated", "domain.added"], events);
        Assert.All(audit.EnumerateArray(), a => Assert.Equal("api:admin/tests", a.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task The_connection_test_greets_each_inbound_server_and_reports_the_ones_that_fail()
    {
        await using var host = await ConsoleHost.StartAsync();
        await using var mta = new FakeMta().Start();
        int closed = ExternalProcess.FreePort();
        host.Dns.A("mx1.example.co.jp", "127.0.0.1");
        var api = host.Api(host.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/domains", new
        {
            name = "example.co.jp", inboundServers = new[] { $"mx1.example.co.jp:{mta.Port},10", $"127.0.0.1:{closed},20", "mx9.example.co.jp,30" },
        })).StatusCode);

        var results = (await (await api.PostAsync("/api/v1/domains/example.co.jp/test-connection", null)).Content.ReadFromJsonAsync<JsonElement[]>())!;
        Assert.Equal([("mx1.example.co.jp", true), ("127.0.0.1", false), ("mx9.example.co.jp", false)],
            results.Select(r => (r.GetProperty("host").GetString(), r.GetProperty("reachable").GetBoolean())));
        Assert.Equal("127.0.0.1", results[0].GetProperty("address").GetString());
        Assert.Contains("connect to 127.0.0.1", results[1].GetProperty("error").GetString());
        Assert.Contains("mx9.example.co.jp", results[2].GetProperty("error").GetString());
        Assert.Equal(104857600, results[0].GetProperty("maxSize").GetInt64());
        Assert.Equal(1, mta.Connections);
        Assert.Empty(mta.Messages);

        // The screen shows the same test on the list; nothing is audited, since nothing changed.
        var browser = await host.SignedInAsync();
        var page = await ConsoleHost.PostFormAsync(browser, "/domains", "/domains?handler=TestConnection", new() { ["name"] = "example.co.jp" });
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"connection-test\"", html);
        Assert.Contains($"mx1.example.co.jp:{mta.Port}", html);
        Assert.Contains($"connect to 127.0.0.1[127.0.0.1]:{closed} failed", html);
        var audit = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit?type=domain.*");
        Assert.Equal(["domain.added"], audit.EnumerateArray().Select(a => a.GetProperty("eventType").GetString()));
    }

    [Fact]
    public async Task The_migration_tool_analyses_migrates_and_the_rules_are_fixed_and_enabled()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/domains", new { name = "example.co.jp", inboundServers = new[] { "mx.example.co.jp" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync("/api/v1/migration/run", null)).StatusCode); // nothing analysed yet
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/migration/report")).StatusCode);

        var upload = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(RepoPaths.Fixture("imsva", "seed-example.dat"))), "file", "seed-example.dat" },
            { new StringContent("merge"), "mode" },
        };
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/migration/analyze", upload)).StatusCode);
        var analysed = await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status?wait=true");
        Assert.Equal("analysed", analysed.GetProperty("stage").GetString());
        Assert.Equal(1, analysed.GetProperty("counts").GetProperty("error").GetInt32());
        Assert.Equal("seed-example.dat", analysed.GetProperty("latest").GetProperty("fileName").GetString());

        // Nothing is imported before "next".
        Assert.Empty(await api.GetFromJsonAsync<JsonElement[]>("/api/v1/rules") ?? []);
        var report = await api.GetAsync("/api/v1/migration/report?kind=analysis&format=json");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var reportJson = await report.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("bcc-unmanaged-domain", reportJson.GetRawText());
        var html = await api.GetAsync("/api/v1/migration/report?kind=analysis&format=html&lang=en");
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/migration/run", null)).StatusCode);
        var done = await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status?wait=true");
        Assert.Equal("completed", done.GetProperty("stage").GetString());
        Assert.True(done.GetProperty("latest").GetProperty("hasMigrationReport").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/migration/report?kind=migration&format=html")).StatusCode);

        var rules = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/rules?direction=inbound&type=content");
        Assert.Equal(4, rules!.Length);
        Assert.Equal(["needs-fix", "successful", "successful", "successful"], rules.Select(r => r.GetProperty("migrationStatus").GetString()!).ToArray());
        var first = rules[0];
        Assert.Equal("DDEIにBCCでメール送信", first.GetProperty("name").GetString());
        Assert.False(first.GetProperty("enabled").GetBoolean());
        Assert.Equal("bcc-unmanaged-domain", first.GetProperty("findings")[0].GetProperty("code").GetString());
        var id = first.GetProperty("id").GetString();
        Assert.Single(await api.GetFromJsonAsync<JsonElement[]>("/api/v1/rules?migrationStatus=error") ?? []);

        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/rules/{id}/confirm", null)).StatusCode);
        var enabledEarly = await (await api.PostAsync($"/api/v1/rules/{id}/enable", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(enabledEarly.GetProperty("enabled").GetBoolean());
        Assert.False(enabledEarly.GetProperty("active").GetBoolean()); // needs fix: stays inactive until marked fixed
        var fixedRule = await (await api.PostAsync($"/api/v1/rules/{id}/mark-fixed", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("fixed", fixedRule.GetProperty("migrationStatus").GetString());
        Assert.True(fixedRule.GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/rules/{id}/mark-fixed", null)).StatusCode);
        var disabled = await (await api.PostAsync($"/api/v1/rules/{id}/disable", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        var full = await api.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{id}");
        Assert.Equal("DDEIにBCCでメール送信", full.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/api/v1/rules/nope/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/v1/rules?direction=sideways")).StatusCode);

        var audit = (await api.GetFromJsonAsync<JsonElement[]>("/api/v1/audit?limit=50"))!.Select(a => a.GetProperty("eventType").GetString()).ToList();
        foreach (var e in new[] { "migration.analysis-started", "migration.analysis-completed", "migration.import-started", "migration.import-completed",
                     "rule.enabled", "policy.migration-status-changed", "rule.disabled" })
            Assert.Contains(e, audit);
    }

    [Fact]
    public async Task Reads_answer_while_another_change_holds_the_write_lock()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/domains", new { name = "example.co.jp" })).StatusCode);
        var browser = await host.SignedInAsync();
        // An open write transaction, as a long import keeps one (SQLite has one writer at a time).
        await using (var writer = await host.Store.BeginAsync(host.Organization, "import"))
        {
            var d = (await writer.FindDomainAsync("example.co.jp"))!;
            await writer.UpdateDomainAsync(d with { InboundServers = [new("*", "mx.example.co.jp")] });
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var domains = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/domains", cts.Token);
            Assert.Empty(domains![0].GetProperty("inboundServers").EnumerateArray()); // the committed state, not the open change
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/rules", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/audit", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/policy/inbound", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/logs", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/migration", cts.Token)).StatusCode);
        }
    }

    [Fact]
    public async Task A_migration_running_elsewhere_is_reported_and_nothing_is_analysed()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        // `sekisho migrate run` from the command line holds the organization's migration lock.
        await using (var held = await host.Store.TryAcquireAsync("migration-" + host.Organization.Id))
        {
            Assert.NotNull(held);
            var upload = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(RepoPaths.Fixture("imsva", "seed-example.dat"))), "file", "seed-example.dat" } };
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/migration/analyze", upload)).StatusCode);
            var status = await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status?wait=true");
            Assert.Equal("failed", status.GetProperty("stage").GetString());
            Assert.Contains("Another migration", status.GetProperty("errorEn").GetString());
            Assert.Equal(JsonValueKind.Null, status.GetProperty("latest").ValueKind);
        }
    }

    [Fact]
    public async Task Reports_expire_after_90_days()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ConsoleHost.StartAsync(time: time);
        var api = host.Api(host.AdminToken);
        var upload = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(RepoPaths.Fixture("imsva", "seed-example.dat"))), "file", "seed-example.dat" } };
        await api.PostAsync("/api/v1/migration/analyze", upload);
        Assert.Equal("analysed", (await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status?wait=true")).GetProperty("stage").GetString());
        await api.PostAsync("/api/v1/migration/cancel", null);
        var status = await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status");
        Assert.Equal("cancelled", status.GetProperty("stage").GetString());
        Assert.Equal("cancelled", status.GetProperty("latest").GetProperty("state").GetString());
        Assert.Empty(await api.GetFromJsonAsync<JsonElement[]>("/api/v1/rules") ?? []); // cancel imports nothing
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/migration/report?kind=analysis")).StatusCode);
        time.Advance(TimeSpan.FromDays(91));
        Assert.Equal(HttpStatusCode.Gone, (await api.GetAsync("/api/v1/migration/report?kind=analysis")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await api.GetAsync("/api/v1/migration/report?kind=analysis&format=pdf")).StatusCode);
    }

    [Fact]
    public async Task A_file_that_is_not_an_export_fails_with_a_reason_and_changes_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var api = host.Api(host.AdminToken);
        var upload = new MultipartFormDataContent { { new ByteArrayContent("this is not an InterScan export"u8.ToArray()), "file", "notes.dat" } };
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/migration/analyze", upload)).StatusCode);
        var failed = await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status?wait=true");
        Assert.Equal("failed", failed.GetProperty("stage").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("errorJa").GetString()));
        Assert.Empty(await api.GetFromJsonAsync<JsonElement[]>("/api/v1/rules") ?? []);
        var empty = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "empty.dat" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/migration/analyze", empty)).StatusCode);
        var badMode = new MultipartFormDataContent { { new ByteArrayContent([1]), "file", "x.dat" }, { new StringContent("replace-all"), "mode" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/migration/analyze", badMode)).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint_and_the_token_scheme()
    {
        await using var host = await ConsoleHost.StartAsync();
        var doc = await host.Api(null).GetFromJsonAsync<JsonElement>("/api/v1/openapi.json");
        Assert.Equal("Sekisho API", doc.GetProperty("info").GetProperty("title").GetString());
        var paths = doc.GetProperty("paths");
        foreach (var (method, path, _) in Endpoints)
        {
            var template = System.Text.RegularExpressions.Regex.Replace(path, "/domains/example\\.co\\.jp", "/domains/{name}").Replace("/rules/00000000", "/rules/{id}").Replace("/quarantine/00000000", "/quarantine/{id}")
                .Replace("/users/viewer/tokens/extra", "/users/{name}/tokens/{token}").Replace("/users/viewer", "/users/{name}");
            Assert.True(paths.TryGetProperty(template, out var item), "missing path " + template);
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"missing {method} {template}");
        }
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("token").GetProperty("scheme").GetString());
        Assert.False(paths.TryGetProperty("/login", out _));
    }
}
