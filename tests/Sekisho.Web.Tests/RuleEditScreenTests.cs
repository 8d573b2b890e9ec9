using System.Net;
using System.Text.RegularExpressions;
using Sekisho.Model.Rules;
using static Sekisho.Web.Tests.JsonOf;

namespace Sekisho.Web.Tests;

/// <summary>ルールの追加 / 編集, copy, delete, sorting and reordering on the console's policy screens.</summary>
public sealed class RuleEditScreenTests
{
    private static Dictionary<string, string> Fields(string name, string recipients = "*@example.co.jp") => new()
    {
        ["Input.Direction"] = "inbound", ["Input.Type"] = "content", ["Input.Name"] = name, ["Input.Enabled"] = "true", ["Input.Order"] = "",
        ["Input.Notes"] = "added from the console", ["Input.RecipientsMode"] = "specified", ["Input.Recipients"] = recipients,
        ["Input.SendersMode"] = "anyone", ["Input.Senders"] = "", ["Input.Exceptions"] = "*@partner.example -> my-organization",
        ["Input.Match"] = "all", ["Input.AttachmentNames"] = "*.js, *.vbs", ["Input.SizeOverKb"] = "1024",
        ["Input.OtherCriteria"] = """[{"criterion":"attachment-password-protected"}]""",
        ["Input.Intercept"] = "quarantine", ["Input.InterceptValue"] = "scripts", ["Input.TagSubject"] = "[警告]",
        ["Input.OtherModify"] = "", ["Input.OtherMonitor"] = """[{"action":"bcc","recipients":["audit@example.co.jp"]}]""",
    };

    [Fact]
    public async Task A_rule_added_on_the_form_is_stored_audited_and_shown()
    {
        await using var host = await ConsoleHost.StartAsync();
        await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/");
        var form = await client.GetStringAsync("/policy/edit?direction=inbound&type=content");
        Assert.Contains("基本情報", form);
        Assert.Contains("受信者と送信者", form);
        Assert.Contains("検索条件", form);
        Assert.Contains("id=\"actions\"", form);

        var response = await ConsoleHost.PostFormAsync(client, "/policy/edit?direction=inbound&type=content", "/policy/edit?direction=inbound&type=content", Fields("スクリプト"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/policy/inbound?type=content", response.Headers.Location!.OriginalString);

        var rules = await RuleSeeds.InboundContentAsync(host);
        var r = rules.Single(x => x.Name == "スクリプト");
        Assert.Equal(4, r.Order);
        Assert.True(r.Enabled);
        Assert.Null(r.Migration);
        Assert.Equal(MatchMode.All, r.Criteria.Match);
        Assert.Equal(["*.js", "*.vbs"], r.Criteria.Items.OfType<AttachmentName>().Single().Patterns);
        Assert.Contains(new MessageSize(Comparison.GreaterThan, 1024 * 1024), r.Criteria.Items);
        Assert.Contains(r.Criteria.Items, c => c is AttachmentPasswordProtected);
        Assert.Equal(new Quarantine("scripts"), r.Actions.Intercept);
        Assert.Equal("[警告]", Assert.IsType<TagSubject>(Assert.Single(r.Actions.Modify)).Tag);
        Assert.Equal(["audit@example.co.jp"], Assert.IsType<Bcc>(Assert.Single(r.Actions.Monitor)).Recipients);
        var exception = Assert.Single(r.Scope.Exceptions);
        Assert.Equal(ParticipantsMode.MyOrganization, exception.Recipient.Mode);
        Assert.Equal("web:admin", Assert.Single(await RuleSeeds.AuditAsync(host, "rule.created")).Actor);

        var list = await client.GetStringAsync("/policy/inbound?type=content");
        Assert.Contains("スクリプト", list);
        Assert.Contains("ルール「スクリプト」を追加しました。", list);
        // The edit form shows the stored rule again: common criteria in their fields, the rest as JSON.
        var edit = await client.GetStringAsync("/policy/edit?id=" + r.Id);
        Assert.Contains("value=\"*.js, *.vbs\"", edit);
        Assert.Contains("attachment-password-protected", edit);
        Assert.Contains("audit@example.co.jp", edit);
    }

    [Theory]
    [InlineData("ja", "管理対象ドメイン外", "ルールは保存されていません", "「not an address」はアドレス")]
    [InlineData("en", "outside the managed domains", "The rule was not saved", "'not an address' is not an address")]
    public async Task An_invalid_edit_shows_each_error_next_to_its_field_and_changes_nothing(string lang, string scopeError, string summary, string parseError)
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        await client.GetAsync($"/lang/{lang}?returnUrl=/");
        var page = "/policy/edit?id=" + seeded[0].Id;

        var invalid = Fields("first", recipients: "someone@elsewhere.example");
        invalid["Input.Order"] = "1";
        invalid["Input.OtherCriteria"] = """[{"criterion":"phishing"}]""";
        var response = await ConsoleHost.PostFormAsync(client, page, page, invalid);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(summary, html);
        Assert.Matches(new Regex("data-field=\"recipients\">[^<]*" + Regex.Escape(scopeError)), html);
        Assert.Matches(new Regex("data-field=\"criteria\">[^<]*phishing"), html);
        Assert.Contains("someone@elsewhere.example", html); // what was typed stays in the form

        var unreadable = Fields("first", recipients: "not an address");
        unreadable["Input.Order"] = "x";
        var second = await ConsoleHost.PostFormAsync(client, page, page, unreadable);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        var html2 = WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Matches(new Regex("data-field=\"recipients\">" + Regex.Escape(parseError)), html2);
        Assert.Matches(new Regex("data-field=\"order\">"), html2);

        var duplicate = Fields("second");
        var third = await ConsoleHost.PostFormAsync(client, page, page, duplicate);
        Assert.Equal(HttpStatusCode.BadRequest, third.StatusCode);
        Assert.Contains("data-field=\"name\"", await third.Content.ReadAsStringAsync());

        var after = await RuleSeeds.InboundContentAsync(host);
        Assert.Equal(seeded.Select(J), after.Select(J));
        Assert.Empty(await RuleSeeds.AuditAsync(host, "rule.*"));
    }

    [Fact]
    public async Task A_valid_edit_is_saved_moves_the_rule_and_the_detail_page_links_to_it()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        var detail = await client.GetStringAsync("/policy/rule/" + seeded[2].Id);
        Assert.Contains($"href=\"/policy/edit?id={seeded[2].Id}\"", detail);
        var page = "/policy/edit?id=" + seeded[2].Id;
        var fields = Fields("third, renamed");
        fields["Input.Order"] = "1";
        fields.Remove("Input.Enabled"); // unchecked box: only the hidden "false" would be sent by a browser
        fields["Input.Enabled"] = "false";
        var response = await ConsoleHost.PostFormAsync(client, page, page, fields);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var rules = await RuleSeeds.InboundContentAsync(host);
        Assert.Equal(["third, renamed", "first", "second"], rules.Select(r => r.Name));
        Assert.False(rules[0].Enabled);
        Assert.Equal(seeded[2].Created, rules[0].Created);
        Assert.Equal("web:admin", Assert.Single(await RuleSeeds.AuditAsync(host, "rule.updated")).Actor);

        // An empty order keeps an edited rule where it is.
        var firstPage = "/policy/edit?id=" + seeded[0].Id;
        Assert.Equal(HttpStatusCode.Redirect, (await ConsoleHost.PostFormAsync(client, firstPage, firstPage, Fields("first, renamed"))).StatusCode);
        Assert.Equal(["third, renamed", "first, renamed", "second"], (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Name));
    }

    [Theory]
    [InlineData("ja", "first のコピー")]
    [InlineData("en", "Copy of first")]
    public async Task A_copy_is_disabled_last_and_named_in_the_users_language(string lang, string copyName)
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        await client.GetAsync($"/lang/{lang}?returnUrl=/");
        var page = "/policy/edit?id=" + seeded[0].Id;
        var response = await ConsoleHost.PostFormAsync(client, page, page + "&handler=Copy", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var rules = await RuleSeeds.InboundContentAsync(host);
        var copy = rules.Last();
        Assert.Equal(copyName, copy.Name);
        Assert.False(copy.Enabled);
        Assert.Equal(4, copy.Order);
        Assert.Equal(J(seeded[0].Criteria), J(copy.Criteria));
        Assert.Equal("/policy/edit?id=" + copy.Id, response.Headers.Location!.OriginalString);
        Assert.Contains(copyName, WebUtility.HtmlDecode(await client.GetStringAsync(response.Headers.Location.OriginalString)));
        Assert.Equal(copyName, Assert.Single(await RuleSeeds.AuditAsync(host, "rule.created")).Subject);
    }

    [Fact]
    public async Task A_rule_is_deleted_after_confirmation_and_the_others_close_up()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/en?returnUrl=/");
        var page = "/policy/edit?id=" + seeded[0].Id;
        var form = await client.GetStringAsync(page);
        Assert.Contains("Delete the rule &#x27;first&#x27;? This cannot be undone.", form);
        var response = await ConsoleHost.PostFormAsync(client, page, page + "&handler=Delete", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var rules = await RuleSeeds.InboundContentAsync(host);
        Assert.Equal(["second", "third"], rules.Select(r => r.Name));
        Assert.Equal([1, 2], rules.Select(r => r.Order));
        var deleted = Assert.Single(await RuleSeeds.AuditAsync(host, "rule.deleted"));
        Assert.Equal(("web:admin", "first"), (deleted.Actor, deleted.Subject));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(page)).StatusCode);
    }

    [Fact]
    public async Task The_list_sorts_by_its_columns_and_rules_move_up_and_down()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        static List<string> Names(string html) => Regex.Matches(html, "<tr data-rule=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["first", "second", "third"], Names(await client.GetStringAsync("/policy/inbound?type=content")));
        Assert.Equal(["third", "second", "first"], Names(await client.GetStringAsync("/policy/inbound?type=content&sort=order&desc=true")));
        Assert.Equal(["first", "second", "third"], Names(await client.GetStringAsync("/policy/inbound?type=content&sort=rule")));
        var byName = await client.GetStringAsync("/policy/inbound?type=content&sort=rule");
        Assert.Contains("sort=rule&amp;desc=true", byName); // a second click reverses

        var list = "/policy/inbound?type=content";
        var moved = await ConsoleHost.PostFormAsync(client, list, "/policy/inbound?handler=Move",
            new() { ["id"] = seeded[2].Id, ["steps"] = "-1", ["type"] = "content" });
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal(["first", "third", "second"], Names(await client.GetStringAsync(list)));
        await ConsoleHost.PostFormAsync(client, list, "/policy/inbound?handler=Move", new() { ["id"] = seeded[0].Id, ["steps"] = "1", ["type"] = "content" });
        var rules = await RuleSeeds.InboundContentAsync(host);
        Assert.Equal(["third", "first", "second"], rules.Select(r => r.Name));
        Assert.Equal([1, 2, 3], rules.Select(r => r.Order));
        Assert.All(await RuleSeeds.AuditAsync(host, "rule.moved"), a => Assert.Equal("web:admin", a.Actor));
        await ConsoleHost.PostFormAsync(client, list, "/policy/inbound?handler=Toggle", new() { ["id"] = seeded[1].Id, ["enable"] = "false", ["type"] = "content" });
        Assert.Equal("second", Names(await client.GetStringAsync("/policy/inbound?type=content&sort=status")).First()); // disabled first
    }

    [Fact]
    public async Task A_change_without_the_anti_forgery_token_is_refused()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync();
        var page = "/policy/edit?id=" + seeded[0].Id;
        await client.GetStringAsync(page);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(page + "&handler=Delete", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(page, new FormUrlEncodedContent(Fields("changed")))).StatusCode);
        Assert.Equal(["first", "second", "third"], (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Name));
        Assert.Empty(await RuleSeeds.AuditAsync(host, "rule.*"));
    }

    [Fact]
    public async Task A_read_only_user_sees_the_form_but_cannot_change_rules()
    {
        await using var host = await ConsoleHost.StartAsync();
        var seeded = await RuleSeeds.SeedAsync(host);
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        var page = "/policy/edit?id=" + seeded[0].Id;
        var form = await client.GetStringAsync(page);
        Assert.DoesNotContain("id=\"save-rule\"", form);
        Assert.DoesNotContain("id=\"delete-rule\"", form);
        Assert.Equal(HttpStatusCode.Forbidden, (await ConsoleHost.PostFormAsync(client, page, page, Fields("changed"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ConsoleHost.PostFormAsync(client, page, page + "&handler=Delete", [])).StatusCode);
        Assert.Equal(["first", "second", "third"], (await RuleSeeds.InboundContentAsync(host)).Select(r => r.Name));
    }
}
