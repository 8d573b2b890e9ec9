using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Model.Objects;
using Sekisho.Testing;

namespace Sekisho.Web.Tests;

/// <summary>The ポリシーオブジェクト screens: CSV import, the keyword test box, previews, refusals users can act on.</summary>
public sealed class ObjectsScreenTests
{
    private static async Task<string> CsrfAsync(HttpClient client, string page) =>
        Regex.Match(await client.GetStringAsync(page), "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string groupId, byte[] csv, string encoding = "auto", string mode = "merge")
    {
        var page = "/objects/address-groups/edit?id=" + groupId;
        var form = new MultipartFormDataContent
        {
            { new StringContent(await CsrfAsync(client, page)), "__csrf" }, { new StringContent(groupId), "id" },
            { new ByteArrayContent(csv), "file", "group.csv" }, { new StringContent(encoding), "encoding" }, { new StringContent(mode), "mode" },
        };
        return await client.PostAsync("/objects/address-groups/edit?handler=Import", form);
    }

    private static async Task<AddressGroup> GroupAsync(ConsoleHost host, string name)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return (await s.ListObjectsAsync<AddressGroup>()).Single(g => g.Name == name);
    }

    [Fact]
    public async Task An_address_group_is_created_on_its_form_and_filled_from_a_csv_file_all_or_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/objects");
        var created = await ConsoleHost.PostFormAsync(client, "/objects/address-groups/edit", "/objects/address-groups/edit",
            new() { ["Name"] = "取引先", ["Description"] = "社外", ["Entries"] = "sales@partner.example,営業\n" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var group = await GroupAsync(host, "取引先");
        Assert.Equal("営業", Assert.Single(group.Entries).Description);
        var badLines = await ConsoleHost.PostFormAsync(client, "/objects/address-groups/edit?id=" + group.Id, "/objects/address-groups/edit",
            new() { ["id"] = group.Id, ["Name"] = "取引先", ["Entries"] = "sales@partner.example\nnot-an-address\n" });
        Assert.Equal(HttpStatusCode.BadRequest, badLines.StatusCode);
        var badHtml = await badLines.Content.ReadAsStringAsync();
        Assert.Contains("1 行が無効なため、保存していません。", badHtml);
        Assert.Contains("<tr data-line=\"2\">", badHtml);
        Assert.Equal("営業", Assert.Single((await GroupAsync(host, "取引先")).Entries).Description);

        // A Shift_JIS file from Excel, detected automatically.
        var valid = await ImportAsync(client, group.Id, Encoding.GetEncoding("shift_jis").GetBytes("*@partner.example,本社\r\n*@*.partner.example,支社\r\n"));
        Assert.Equal(HttpStatusCode.Redirect, valid.StatusCode);
        var page = await client.GetStringAsync(valid.Headers.Location!.ToString());
        Assert.Contains("2 件のアドレスを「取引先」にインポートしました (Shift_JIS)", page);
        Assert.Contains("*@*.partner.example,支社", page);
        Assert.Equal(3, (await GroupAsync(host, "取引先")).Entries.Count);

        // One bad row and one repeated row: both shown with their lines, nothing imported.
        var invalid = await ImportAsync(client, group.Id, Encoding.UTF8.GetBytes("new@partner.example\nnew@partner.example\nfoo@\n"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var html = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("2 行が無効なため、何もインポートしていません", html);
        Assert.Contains("<tr data-line=\"2\">", html);
        Assert.Contains("<tr data-line=\"3\">", html);
        Assert.Contains("1 行目と重複しています", html);
        Assert.Equal(3, (await GroupAsync(host, "取引先")).Entries.Count);

        var export = await client.GetAsync("/objects/address-groups/edit?id=" + group.Id + "&handler=Export");
        var bytes = await export.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Contains("*@partner.example,本社\r\n", Encoding.UTF8.GetString(bytes));

        var list = await client.GetStringAsync("/objects/address-groups");
        Assert.Contains("<tr data-group=\"取引先\">", list);
        Assert.Contains("id=\"nav-objects\"", list);
    }

    [Fact]
    public async Task The_keyword_test_box_runs_the_unsaved_form_and_shows_where_each_expression_matched()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/en?returnUrl=/objects");
        var response = await ConsoleHost.PostFormAsync(client, "/objects/keywords/edit", "/objects/keywords/edit?handler=Test", new()
        {
            ["Name"] = "Confidential", ["Match"] = "all",
            ["Rows[0].Pattern"] = "社外秘", ["Rows[1].Pattern"] = "[0-9]{3}-[0-9]{4}", ["Rows[2].Pattern"] = "SECRET", ["Rows[2].CaseSensitive"] = "true",
            ["TestText"] = "Hello,\n〒100-0001 本件は社外秘です secret",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("The list does not match.", html); // all three are needed; SECRET is case-sensitive
        Assert.Contains("line 2, column 14", html);        // 社外秘
        Assert.Contains("line 2, column 2", html);         // 100-0001
        Assert.Equal(2, Regex.Matches(html, "data-found=\"true\"").Count);
        Assert.Contains("value=\"SECRET\"", html);          // the form keeps what was typed
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListObjectsAsync<KeywordList>());

        var broken = await ConsoleHost.PostFormAsync(client, "/objects/keywords/edit", "/objects/keywords/edit?handler=Test",
            new() { ["Name"] = "x", ["Rows[0].Pattern"] = "(unclosed", ["TestText"] = "a" });
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("(unclosed", await broken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_notification_preview_expands_tokens_and_the_form_lists_them()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/objects");
        var form = await client.GetStringAsync("/objects/notifications/edit");
        Assert.Contains("<code>%RULENAME%</code>", form);
        Assert.Contains("ルール名", form);
        var response = await ConsoleHost.PostFormAsync(client, "/objects/notifications/edit", "/objects/notifications/edit?handler=Preview", new()
        {
            ["Name"] = "隔離通知", ["From"] = "gateway@example.co.jp", ["To"] = "%SENDER%", ["Subject"] = "[隔離] %SUBJECT%",
            ["Body"] = "<%SENDER%> のメールはルール「%RULENAME%」で隔離されました。", ["Format"] = "html", ["TimeZone"] = "Asia/Tokyo",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<td id=\"preview-to\">taro.yamada@example.net</td>", html);
        Assert.Contains("[隔離] 【至急】お見積書の送付 / Quotation", html);
        Assert.Contains("&lt;taro.yamada@example.net&gt; のメールはルール「機密情報の送信をブロック」で隔離されました。", html);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListObjectsAsync<Notification>());
    }

    [Fact]
    public async Task Deleting_a_group_that_rules_use_is_refused_on_the_page_with_the_rules()
    {
        await using var host = await ConsoleHost.StartAsync();
        await ObjectsApiTests.SeedAsync(host, PolicySamples.Full());
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/objects");
        var response = await ConsoleHost.PostFormAsync(client, "/objects/address-groups/edit?id=ag-internal", "/objects/address-groups/edit?handler=Delete",
            new() { ["id"] = "ag-internal" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("次のルールまたはテンプレートで使用されているため削除できません: 「DLP」、「全部入り」", html);
        Assert.Contains("value=\"役員\"", html);
        Assert.NotNull((await GroupAsync(host, "役員")).Id);

        var list = await client.GetStringAsync("/objects/address-groups");
        Assert.Contains("<td>DLP, 全部入り</td>", list);
        var dlp = await client.GetStringAsync("/objects/dlp");
        Assert.Contains("data-predefined=\"true\"", dlp);
        var predefined = await client.GetStringAsync("/objects/dlp/template?id=predefined:pci-dss");
        Assert.DoesNotContain("id=\"save-template\"", predefined);
        Assert.DoesNotContain("id=\"delete-template\"", predefined);
    }

    [Fact]
    public async Task A_read_only_user_sees_every_objects_screen_but_cannot_change_or_test()
    {
        await using var host = await ConsoleHost.StartAsync();
        await ObjectsApiTests.SeedAsync(host, PolicySamples.Full());
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        foreach (var page in new[]
        {
            "/objects", "/objects/address-groups", "/objects/address-groups/edit?id=ag-hybrid", "/objects/keywords", "/objects/keywords/edit?id=kw1",
            "/objects/notifications", "/objects/notifications/edit?id=nt1", "/objects/stamps", "/objects/stamps/edit?id=st1", "/objects/approved",
            "/objects/dlp", "/objects/dlp/identifier?id=dx1", "/objects/dlp/identifier?id=df1", "/objects/dlp/template?id=dt1",
        })
        {
            var response = await client.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, page);
            Assert.DoesNotContain("id=\"save-", await response.Content.ReadAsStringAsync());
        }
        var refused = await ConsoleHost.PostFormAsync(client, "/objects/approved", "/objects/approved?handler=UrlKeywords", new() { ["UrlKeywords"] = "token_abc" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/objects/keywords/edit?id=nope")).StatusCode);
    }

    [Fact]
    public async Task Approved_lists_are_saved_from_their_text_areas_and_a_bad_line_keeps_the_text()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/objects");
        var saved = await ConsoleHost.PostFormAsync(client, "/objects/approved", "/objects/approved?handler=WebReputation",
            new() { ["WebReputation"] = "*.Partner.example,取引先\n192.0.2.10\nhttps://intra.example.co.jp/wiki,,no\n" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await client.GetStringAsync("/objects/approved");
        var area = System.Net.WebUtility.HtmlDecode(Regex.Match(page, "<textarea name=\"WebReputation\"[^>]*>([^<]*)</textarea>").Groups[1].Value);
        Assert.Equal("*.partner.example,取引先\n192.0.2.10\nhttps://intra.example.co.jp/wiki,,no", area);
        var bad = await ConsoleHost.PostFormAsync(client, "/objects/approved", "/objects/approved?handler=WebReputation", new() { ["WebReputation"] = "bad domain!" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var html = await bad.Content.ReadAsStringAsync();
        Assert.Contains("承認済みリストの項目「bad domain!」", html);
        Assert.Contains(">bad domain!</textarea>", html);
    }

    [Fact]
    public async Task Dlp_identifiers_templates_and_stamps_are_added_on_their_forms_and_bad_input_is_refused()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/en?returnUrl=/objects");
        var badRegex = await ConsoleHost.PostFormAsync(client, "/objects/dlp/identifier", "/objects/dlp/identifier",
            new() { ["Name"] = "社員番号", ["Type"] = "expression", ["Pattern"] = "EMP-[0-9" });
        Assert.Equal(HttpStatusCode.BadRequest, badRegex.StatusCode);
        Assert.Contains("value=\"EMP-[0-9\"", await badRegex.Content.ReadAsStringAsync());
        var identifier = await ConsoleHost.PostFormAsync(client, "/objects/dlp/identifier", "/objects/dlp/identifier",
            new() { ["Name"] = "社員番号", ["Type"] = "expression", ["Pattern"] = "EMP-[0-9]{5}", ["CaseSensitive"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, identifier.StatusCode);
        // csv is not a true file type (a name pattern *.csv is): refused with the reason.
        var unknownType = await ConsoleHost.PostFormAsync(client, "/objects/dlp/identifier", "/objects/dlp/identifier",
            new() { ["Name"] = "表計算", ["Type"] = "file-attribute", ["TrueTypes"] = "xlsx, csv", ["MinBytes"] = "1", ["MaxBytes"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.StatusCode);
        Assert.Contains("csv", await unknownType.Content.ReadAsStringAsync());
        var files = await ConsoleHost.PostFormAsync(client, "/objects/dlp/identifier", "/objects/dlp/identifier",
            new() { ["Name"] = "表計算", ["Type"] = "file-attribute", ["TrueTypes"] = "xlsx, xls", ["NamePatterns"] = "*.csv", ["MinBytes"] = "1", ["MaxBytes"] = "" });
        Assert.Equal(HttpStatusCode.Redirect, files.StatusCode);
        string id;
        await using (var s = await host.Store.BeginAsync(host.Organization, "test"))
        {
            var all = await s.ListObjectsAsync<DlpIdentifier>();
            id = Assert.IsType<DlpExpression>(all.Single(i => i.Name == "社員番号")).Id;
            Assert.Equal(long.MaxValue, Assert.IsType<DlpFileAttribute>(all.Single(i => i.Name == "表計算")).MaxBytes);
        }
        var template = await ConsoleHost.PostFormAsync(client, "/objects/dlp/template", "/objects/dlp/template", new()
        {
            ["Name"] = "社内情報", ["Terms[0].Operator"] = "first", ["Terms[0].IdentifierId"] = id,
            ["Terms[1].Operator"] = "or", ["Terms[1].IdentifierId"] = "predefined:jp-my-number", ["Terms[2].Operator"] = "and", ["Terms[2].IdentifierId"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, template.StatusCode);
        var dlp = await client.GetStringAsync("/objects/dlp");
        Assert.Contains("社員番号 Or マイナンバー (個人番号)", dlp);
        // A predefined template is copied into an editable one.
        var copy = await client.GetStringAsync("/objects/dlp/template?copy=predefined:pci-dss");
        Assert.Contains("value=\"Copy of PCI-DSS (クレジットカード番号)\"", copy);
        Assert.Contains("id=\"save-template\"", copy);
        Assert.Contains("<option value=\"predefined:payment-card-number\" selected=\"selected\">", copy);
        // The identifier is now used by the template: deleting it is refused and says so.
        var refused = await ConsoleHost.PostFormAsync(client, "/objects/dlp/identifier?id=" + id, "/objects/dlp/identifier?handler=Delete", new() { ["id"] = id });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("社内情報", await refused.Content.ReadAsStringAsync());
        var test = await ConsoleHost.PostFormAsync(client, "/objects/dlp", "/objects/dlp?handler=Test", new() { ["target"] = id, ["text"] = "担当 EMP-12345 です" });
        Assert.Contains("id=\"dlp-hits\"", await test.Content.ReadAsStringAsync());

        var stamp = await ConsoleHost.PostFormAsync(client, "/objects/stamps/edit", "/objects/stamps/edit",
            new() { ["Name"] = "外部メール", ["Position"] = "beginning", ["Text"] = "[External] %SENDER%", ["SkipSignedAndTnef"] = "false" });
        Assert.Equal(HttpStatusCode.Redirect, stamp.StatusCode);
        var empty = await ConsoleHost.PostFormAsync(client, "/objects/stamps/edit", "/objects/stamps/edit", new() { ["Name"] = "空", ["Text"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        await using (var s = await host.Store.BeginAsync(host.Organization, "test"))
        {
            var saved = Assert.Single(await s.ListObjectsAsync<Stamp>());
            Assert.Equal(StampPosition.Beginning, saved.Position);
            Assert.False(saved.SkipSignedAndTnef);
        }
        var preview = await ConsoleHost.PostFormAsync(client, "/objects/stamps/edit", "/objects/stamps/edit?handler=Preview",
            new() { ["Name"] = "外部メール", ["Text"] = "[External] %SENDER%" });
        Assert.Contains("[External] taro.yamada@example.net", await preview.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_approved_lists_screen_imports_a_csv_file_and_shows_refused_rows_by_line()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/objects");
        async Task<HttpResponseMessage> ImportAsync(string list, string csv) => await client.PostAsync("/objects/approved?handler=Import", new MultipartFormDataContent
        {
            { new StringContent(await CsrfAsync(client, "/objects/approved")), "__csrf" }, { new StringContent(list), "list" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "list.csv" }, { new StringContent("auto"), "encoding" }, { new StringContent("merge"), "mode" },
        });

        var page = await client.GetStringAsync("/objects/approved");
        Assert.Contains("id=\"import-wrs\"", page);
        Assert.Contains("id=\"export-url-keywords\"", page);
        var done = await ImportAsync("wrs", "*.partner.example,取引先\n192.0.2.10\n");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var after = await client.GetStringAsync("/objects/approved");
        Assert.Contains("2 件をWebレピュテーション承認済みリストにインポートしました (UTF-8)", after);
        Assert.Contains("*.partner.example,取引先", after);

        var refused = await ImportAsync("url-keywords", "good_keyword\nx\n");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("1 行が無効なため、何もインポートしていません", html);
        Assert.Contains("<tr data-line=\"2\">", html);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty((await s.GetSettingsAsync()).UrlKeywordExceptions);
        Assert.Equal(2, (await s.GetSettingsAsync()).WebReputationApprovedList.Count);
    }
}
