using System.Net;
using System.Text.RegularExpressions;
using Sekisho.Model;
using Sekisho.Model.Rules;

namespace Sekisho.Web.Tests;

/// <summary>Server-rendered screens beyond the browser flow: long lists, filters, errors users can act on.</summary>
public sealed class ScreenTests
{
    [Fact]
    public async Task Long_policy_lists_come_in_pages_and_filter_by_status()
    {
        await using var host = await ConsoleHost.StartAsync();
        var now = DateTimeOffset.UtcNow;
        await using (var s = await host.Store.BeginAsync(host.Organization, "test"))
        {
            for (int i = 1; i <= 205; i++)
                await s.AddRuleAsync(new Rule { Id = Ids.New(), Direction = Direction.Inbound, Type = RuleType.Content, Name = $"rule {i:000}", Order = i, Enabled = i % 2 == 0, Created = now, Modified = now });
            await s.CommitAsync();
        }
        var client = await host.SignedInAsync();
        var first = await client.GetStringAsync("/policy/inbound?type=content");
        Assert.Equal(200, Regex.Matches(first, "<tr data-rule=").Count);
        Assert.Contains("rule 001", first);
        Assert.Contains("id=\"pages\"", first);
        var second = await client.GetStringAsync("/policy/inbound?type=content&p=2");
        Assert.Equal(5, Regex.Matches(second, "<tr data-rule=").Count);
        Assert.Contains("rule 205", second);
        var disabled = await client.GetStringAsync("/policy/inbound?type=content&status=disabled&name=rule%2000");
        Assert.Equal(5, Regex.Matches(disabled, "<tr data-rule=").Count); // rule 001, 003, 005, 007, 009
        Assert.DoesNotContain("id=\"pages\"", disabled);
        var noColumn = await client.GetStringAsync("/policy/inbound?type=content&cols=");
        Assert.DoesNotContain("td class=\"migration\"", noColumn);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/policy/inbound?type=nonsense")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/policy/sideways")).StatusCode);
    }

    [Fact]
    public async Task A_bad_domain_is_refused_on_the_form_with_the_reason_in_the_users_language()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/domains");
        var response = await ConsoleHost.PostFormAsync(client, "/domains/edit", "/domains/edit",
            new() { ["Name"] = "example.co.jp", ["InboundServers"] = "mx.example.co.jp:port" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("受信サーバ「mx.example.co.jp:port」を読み取れません", html);
        Assert.Contains("value=\"example.co.jp\"", html); // what was typed stays in the form
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListDomainsAsync());
    }

    [Fact]
    public async Task A_domain_is_removed_from_its_form()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        var added = await ConsoleHost.PostFormAsync(client, "/domains/edit", "/domains/edit", new() { ["Name"] = "example.co.jp" });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var removed = await ConsoleHost.PostFormAsync(client, "/domains/edit?name=example.co.jp", "/domains/edit?handler=Remove", new() { ["original"] = "example.co.jp" });
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListDomainsAsync());
        Assert.Equal("web:admin", (await s.QueryAuditAsync(eventType: "domain.removed")).Single().Actor);
    }

    [Fact]
    public async Task The_migration_page_refuses_an_empty_upload_and_reports_need_a_migration()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        var page = await client.GetStringAsync("/migration");
        Assert.Contains("id=\"start\"", page);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/migration?handler=Report&kind=analysis&format=html")).StatusCode);
        var token = Regex.Match(await client.GetStringAsync("/migration?step=upload"), "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var form = new MultipartFormDataContent { { new StringContent(token), "__csrf" }, { new ByteArrayContent([]), "file", "empty.dat" }, { new StringContent("merge"), "mode" } };
        var response = await client.PostAsync("/migration?handler=Analyze", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"step-upload\"", await response.Content.ReadAsStringAsync());
    }
}
