using System.Net;
using System.Text.RegularExpressions;
using Sekisho.Model.Settings;

namespace Sekisho.Web.Tests;

/// <summary>The settings screens (設定 → 接続フィルタ, ドメインベースの認証): show, save, refuse bad input in the user's language, roles, anti-forgery.</summary>
public sealed class SettingsScreenTests
{
    private static async Task<GatewaySettings> SettingsAsync(ConsoleHost host)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return await s.GetSettingsAsync();
    }

    private static Dictionary<string, string> ConnectionForm(string approvedIps = "192.0.2.0/24 partner MTA", string rate = "100") => new()
    {
        ["ApprovedIps"] = approvedIps,
        ["BlockedIps"] = "203.0.113.7\n2001:db8::/32 v6 range",
        ["IpReputationEnabled"] = "true",
        ["IpReputationLevel"] = "3",
        ["DnsBlocklists"] = "zen.spamhaus.org 1 127.0.0.2,127.0.0.3\nbl.example.net 4",
        ["ApprovedSenders"] = "*@partner.example",
        ["BlockedSenders"] = "spam@bad.example example.co.jp\n*@*.bulk.example ceo@example.co.jp",
        ["MatchHeaderAddresses"] = "true",
        ["ValidateRecipients"] = "true",
        ["RateLimitPerClientIp"] = rate,
        ["RateLimitPerRecipient"] = "0",
    };

    [Fact]
    public async Task Connection_filtering_is_saved_from_the_form_and_shown_again()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/settings/connection");
        var page = await client.GetStringAsync("/settings/connection");
        Assert.Contains("id=\"nav-settings\"", page);
        Assert.Contains("接続フィルタ", page);
        Assert.Contains("承認済みIPアドレス", page);
        Assert.Contains("value=\"2000\"", page); // the default rate limit

        // Without the anti-forgery token nothing is saved.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/settings/connection", new FormUrlEncodedContent(ConnectionForm()))).StatusCode);
        Assert.Empty((await SettingsAsync(host)).ConnectionFiltering.ApprovedIps);

        var saved = await ConsoleHost.PostFormAsync(client, "/settings/connection", "/settings/connection", ConnectionForm());
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var s = await SettingsAsync(host);
        Assert.Equal([("192.0.2.0/24", "partner MTA")], s.ConnectionFiltering.ApprovedIps.Select(e => (e.Cidr, e.Description)));
        Assert.Equal([("203.0.113.7", ""), ("2001:db8::/32", "v6 range")], s.ConnectionFiltering.BlockedIps.Select(e => (e.Cidr, e.Description)));
        Assert.Equal([("zen.spamhaus.org", 1), ("bl.example.net", 4)], s.ConnectionFiltering.DnsBlocklists.Select(b => (b.Zone, b.MinimumLevel)));
        Assert.Equal((3, true, false, 100, 0), (s.ConnectionFiltering.IpReputationLevel, s.ConnectionFiltering.ValidateRecipients,
            s.ConnectionFiltering.BypassSpamForApprovedIps, s.ConnectionFiltering.RateLimitPerClientIpPerMinute, s.ConnectionFiltering.RateLimitPerRecipientPerMinute));
        Assert.Equal(
            [(SenderListKind.Approved, SenderListScope.Organization, (string?)null), (SenderListKind.Blocked, SenderListScope.Domain, "example.co.jp"),
             (SenderListKind.Blocked, SenderListScope.Recipient, "ceo@example.co.jp")],
            s.SenderFilter.Entries.Select(e => (e.List, e.Scope, e.ScopeValue)));

        var again = await client.GetStringAsync("/settings/connection");
        Assert.Contains("設定を保存しました。", again);
        Assert.Contains("192.0.2.0/24 partner MTA", again);
        Assert.Contains("spam@bad.example example.co.jp", again);
        Assert.Contains("zen.spamhaus.org 1 127.0.0.2,127.0.0.3", again);
        await using var session = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Equal("web:admin", (await session.QueryAuditAsync(eventType: "settings.updated")).Single().Actor);
    }

    [Fact]
    public async Task Bad_connection_settings_are_refused_with_the_reason_and_change_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/settings/connection");
        var response = await ConsoleHost.PostFormAsync(client, "/settings/connection", "/settings/connection", ConnectionForm("10.0.0.0/33 typo", "many"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("「many」は数字ではありません", html);
        Assert.Contains("10.0.0.0/33 typo", html); // what was typed stays in the form
        Assert.Equal(Sekisho.Model.Serialization.ModelJson.Serialize(GatewaySettings.Default), Sekisho.Model.Serialization.ModelJson.Serialize(await SettingsAsync(host)));

        await client.GetAsync("/lang/en?returnUrl=/settings/connection");
        var english = await ConsoleHost.PostFormAsync(client, "/settings/connection", "/settings/connection", ConnectionForm("10.0.0.0/33 typo"));
        Assert.Equal(HttpStatusCode.BadRequest, english.StatusCode);
        Assert.Contains("'10.0.0.0/33' is neither an IP address nor a CIDR range.", WebUtility.HtmlDecode(await english.Content.ReadAsStringAsync()));
        Assert.Empty((await SettingsAsync(host)).ConnectionFiltering.BlockedIps);
    }

    [Fact]
    public async Task Domain_based_authentication_is_saved_and_dkim_keys_are_generated_from_the_screen()
    {
        await using var host = await ConsoleHost.StartAsync();
        await SettingsApiTests.AddDomainAsync(host, "example.co.jp");
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/ja?returnUrl=/settings/authentication");
        var page = await client.GetStringAsync("/settings/authentication");
        Assert.Contains("ドメインベースの認証", page);
        Assert.Contains("DKIM署名", page);
        Assert.Contains("署名鍵はありません。", page);
        Assert.Contains("<option value=\"example.co.jp\"", page);

        var generated = await ConsoleHost.PostFormAsync(client, "/settings/authentication", "/settings/authentication?handler=Generate",
            new() { ["keyDomain"] = "example.co.jp", ["keySelector"] = "s2026", ["keyAlgorithm"] = "rsa", ["keyBits"] = "1024" });
        Assert.Equal(HttpStatusCode.Redirect, generated.StatusCode);
        var withKey = await client.GetStringAsync("/settings/authentication");
        Assert.Contains("s2026._domainkey.example.co.jp. IN TXT ( &quot;v=DKIM1; k=rsa; p=", withKey);
        Assert.Contains("TXT レコード s2026._domainkey.example.co.jp を DNS に公開してください", withKey);
        var badKey = await ConsoleHost.PostFormAsync(client, "/settings/authentication", "/settings/authentication?handler=Generate",
            new() { ["keyDomain"] = "example.co.jp", ["keySelector"] = "bad selector!", ["keyAlgorithm"] = "rsa", ["keyBits"] = "2048" });
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("セレクタ「bad selector!」には英数字", WebUtility.HtmlDecode(await badKey.Content.ReadAsStringAsync()));

        var fields = new Dictionary<string, string>
        {
            ["SpfEnabled"] = "true", ["SpfActions[fail]"] = "reject", ["SpfActions[soft-fail]"] = "quarantine", ["SpfIgnoredPeers"] = "forwarder.example\n198.51.100.0/24",
            ["DkimEnabled"] = "true", ["DkimAction"] = "delete", ["DkimEnforcedPeers"] = "bank.example",
            ["DmarcEnabled"] = "true", ["DmarcActions[reject]"] = "reject", ["DmarcExceptionIps"] = "192.0.2.25",
        };
        var saved = await ConsoleHost.PostFormAsync(client, "/settings/authentication", "/settings/authentication", fields);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var a = (await SettingsAsync(host)).Authentication;
        Assert.Equal((AuthIntercept.Reject, AuthIntercept.Quarantine), (a.Spf.Actions[SpfResult.Fail].Intercept, a.Spf.Actions[SpfResult.SoftFail].Intercept));
        Assert.Equal(["forwarder.example", "198.51.100.0/24"], a.Spf.IgnoredPeers);
        Assert.Equal(AuthIntercept.Delete, a.DkimVerification.Single().Action.Intercept);
        Assert.False(a.Dmarc.Single().EnableArc); // the unchecked box switches ARC off
        Assert.Equal(AuthIntercept.Reject, a.Dmarc.Single().Actions[DmarcDisposition.Reject].Intercept);
        Assert.Equal("s2026", a.DkimSigning.Single().Selector);

        fields["DkimEnforcedPeers"] = "10.0.0.1";
        var bad = await ConsoleHost.PostFormAsync(client, "/settings/authentication", "/settings/authentication", fields);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("DKIM の強制ピア「10.0.0.1」はドメイン名ではありません。", WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync()));
        Assert.Equal(["bank.example"], (await SettingsAsync(host)).Authentication.DkimVerification.Single().EnforcedPeers);

        var removed = await ConsoleHost.PostFormAsync(client, "/settings/authentication", "/settings/authentication?handler=RemoveKey",
            new() { ["keyDomain"] = "example.co.jp", ["keySelector"] = "s2026" });
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Empty((await SettingsAsync(host)).Authentication.DkimSigning);
    }

    [Fact]
    public async Task A_read_only_user_sees_the_settings_but_cannot_change_them()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        await client.GetAsync("/lang/en?returnUrl=/settings/connection");
        var page = await client.GetStringAsync("/settings/connection");
        Assert.Contains("Connection filtering", page);
        Assert.DoesNotContain("id=\"save-connection\"", page);
        var auth = await client.GetStringAsync("/settings/authentication");
        Assert.DoesNotContain("id=\"save-authentication\"", auth);
        Assert.DoesNotContain("id=\"generate-key\"", auth);
        var token = Regex.Match(await client.GetStringAsync("/account"), "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var form = ConnectionForm();
        form["__csrf"] = token;
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/settings/connection", new FormUrlEncodedContent(form))).StatusCode);
        Assert.Empty((await SettingsAsync(host)).ConnectionFiltering.ApprovedIps);
    }
}
