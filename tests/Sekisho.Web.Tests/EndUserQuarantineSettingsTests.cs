using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;

namespace Sekisho.Web.Tests;

/// <summary>設定 → エンドユーザー隔離 and <c>/api/v1/settings/end-user-quarantine</c>: roles, change, bad input changes nothing, audit, the screen.</summary>
public sealed class EndUserQuarantineSettingsTests
{
    private const string Path = "/api/v1/settings/end-user-quarantine";

    private static async Task<GatewaySettings> SettingsAsync(ConsoleHost host)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return await s.GetSettingsAsync();
    }

    [Fact]
    public async Task The_api_needs_a_token_refuses_read_only_changes_and_bad_values_and_audits_changes()
    {
        await using var host = await ConsoleHost.StartAsync();
        var body = new { digestHour = 9 };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).GetAsync(Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).PutAsJsonAsync(Path, body)).StatusCode);
        var viewer = host.Api(host.ViewerToken);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync(Path, body)).StatusCode);
        Assert.Equal(ModelJson.Serialize(GatewaySettings.Default), ModelJson.Serialize(await SettingsAsync(host)));

        var admin = host.Api(host.AdminToken);
        var defaults = await admin.GetFromJsonAsync<JsonElement>(Path);
        Assert.Equal((8, 24, "ja"), (defaults.GetProperty("digestHour").GetInt32(), defaults.GetProperty("digestIntervalHours").GetInt32(), defaults.GetProperty("digestLanguage").GetString()));

        var saved = await admin.PutAsJsonAsync(Path, new
        {
            digestEnabled = false, digestHour = 17, digestIntervalHours = 12, digestLanguage = "en", digestMaxMessages = 50, linkValidityDays = 3,
            releasableRuleTypes = new[] { "spam" },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var e = (await SettingsAsync(host)).EndUserQuarantine;
        Assert.Equal((false, 17, 12, "en", 50, 3), (e.DigestEnabled, e.DigestHour, e.DigestIntervalHours, e.DigestLanguage, e.DigestMaxMessages, e.LinkValidityDays));
        Assert.Equal([RuleType.Spam], e.ReleasableRuleTypes);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(Path, new { digestHour = 6 })).StatusCode);
        Assert.Equal((6, "en"), ((await SettingsAsync(host)).EndUserQuarantine.DigestHour, (await SettingsAsync(host)).EndUserQuarantine.DigestLanguage));

        var before = ModelJson.Serialize(await SettingsAsync(host));
        var bad = await admin.PutAsJsonAsync(Path, new { digestHour = 24, digestLanguage = "fr", linkValidityDays = 0, releasableRuleTypes = new[] { "spam", "everything" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("settings.end-user-quarantine.invalid", problem.GetProperty("code").GetString());
        Assert.Contains("The digest hour 24 must be 0 to 23.", problem.GetProperty("messageEn").GetString());
        Assert.Contains("The digest language 'fr' must be ja or en.", problem.GetProperty("messageEn").GetString());
        Assert.Contains("'everything' is not a rule type", problem.GetProperty("messageEn").GetString());
        Assert.Contains("リンクの有効期間（日） 0 は 1〜30 で指定してください。", problem.GetProperty("messageJa").GetString());
        Assert.Equal(before, ModelJson.Serialize(await SettingsAsync(host)));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync(Path, new StringContent("{\"digestHour\": ", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(before, ModelJson.Serialize(await SettingsAsync(host)));

        await using var session = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Equal(2, (await session.QueryAuditAsync(eventType: "settings.updated")).Count);
    }

    [Fact]
    public async Task The_screen_shows_saves_and_refuses_bad_values_in_the_users_language()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/settings/end-user-quarantine");
        var page = await client.GetStringAsync("/settings/end-user-quarantine");
        Assert.Contains("id=\"tab-end-user-quarantine\"", page);
        Assert.Contains("通知を送信する時刻", page);
        Assert.Contains("id=\"release-spam\" checked", page.Replace("checked=\"checked\"", "checked", StringComparison.Ordinal));

        Dictionary<string, string> Form(string hour) => new()
        {
            ["DigestEnabled"] = "true", ["DigestHour"] = hour, ["DigestIntervalHours"] = "24", ["DigestLanguage"] = "en",
            ["DigestMaxMessages"] = "20", ["LinkValidityDays"] = "14", ["Releasable"] = "content",
        };
        var refused = await ConsoleHost.PostFormAsync(client, "/settings/end-user-quarantine", "/settings/end-user-quarantine", Form("朝"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("「朝」は数字ではありません", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.Equal(ModelJson.Serialize(GatewaySettings.Default), ModelJson.Serialize(await SettingsAsync(host)));

        var saved = await ConsoleHost.PostFormAsync(client, "/settings/end-user-quarantine", "/settings/end-user-quarantine", Form("7"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var e = (await SettingsAsync(host)).EndUserQuarantine;
        Assert.Equal((true, 7, "en", 20, 14), (e.DigestEnabled, e.DigestHour, e.DigestLanguage, e.DigestMaxMessages, e.LinkValidityDays));
        Assert.Equal([RuleType.Content], e.ReleasableRuleTypes);
        Assert.Contains("設定を保存しました。", await client.GetStringAsync("/settings/end-user-quarantine"));

        var viewer = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        Assert.DoesNotContain("save-end-user-quarantine", await viewer.GetStringAsync("/settings/end-user-quarantine"));
    }
}
