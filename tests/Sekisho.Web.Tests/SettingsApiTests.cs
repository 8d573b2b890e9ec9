using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sekisho.Model.Settings;

namespace Sekisho.Web.Tests;

/// <summary><c>/api/v1/settings/connection</c> and <c>/api/v1/settings/authentication</c>: read, change, refuse bad input without a change, roles.</summary>
public sealed class SettingsApiTests
{
    internal static readonly (string Method, string Path, bool Write)[] Endpoints =
    [
        ("GET", "/api/v1/settings/connection", false),
        ("PUT", "/api/v1/settings/connection", true),
        ("GET", "/api/v1/settings/authentication", false),
        ("PUT", "/api/v1/settings/authentication", true),
        ("POST", "/api/v1/settings/authentication/dkim-keys", true),
        ("POST", "/api/v1/settings/authentication/dkim-keys/example.co.jp/s1/enable", true),
        ("POST", "/api/v1/settings/authentication/dkim-keys/example.co.jp/s1/disable", true),
        ("DELETE", "/api/v1/settings/authentication/dkim-keys/example.co.jp/s1", true),
        ("GET", "/api/v1/logs/mail", false),
        ("GET", "/api/v1/logs/mail/nokey", false),
        ("GET", "/api/v1/logs/policy-events", false),
    ];

    private static HttpRequestMessage Request((string Method, string Path, bool Write) e)
    {
        var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path);
        if (e.Path.EndsWith("/connection", StringComparison.Ordinal) && e.Method == "PUT")
            request.Content = JsonContent.Create(new { blockedIps = new[] { new { cidr = "203.0.113.7" } } });
        else if (e.Path.EndsWith("/authentication", StringComparison.Ordinal) && e.Method == "PUT")
            request.Content = JsonContent.Create(new { spf = new { enabled = false } });
        else if (e.Path.EndsWith("/dkim-keys", StringComparison.Ordinal))
            request.Content = JsonContent.Create(new { domain = "example.co.jp", selector = "s1", bits = 1024 });
        return request;
    }

    private static async Task<GatewaySettings> SettingsAsync(ConsoleHost host)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        return await s.GetSettingsAsync();
    }

    [Fact]
    public async Task Settings_and_logs_need_a_token_and_read_only_tokens_cannot_change_settings()
    {
        await using var host = await ConsoleHost.StartAsync();
        await AddDomainAsync(host, "example.co.jp");
        var anonymous = host.Api(null);
        var viewer = host.Api(host.ViewerToken);
        foreach (var e in Endpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request(e))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api("skt_forged").SendAsync(Request(e))).StatusCode);
            if (e.Write) Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(Request(e))).StatusCode);
        }
        foreach (var e in Endpoints.Where(e => !e.Write && !e.Path.EndsWith("/nokey", StringComparison.Ordinal)))
            Assert.Equal(HttpStatusCode.OK, (await viewer.SendAsync(Request(e))).StatusCode);
        Assert.Equal(ModelJsonOf(GatewaySettings.Default), ModelJsonOf(await SettingsAsync(host)));
    }

    [Fact]
    public async Task Connection_filtering_is_changed_audited_and_bad_values_change_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var admin = host.Api(host.AdminToken);
        var defaults = await admin.GetFromJsonAsync<JsonElement>("/api/v1/settings/connection");
        Assert.Equal(2, defaults.GetProperty("ipReputationLevel").GetInt32());
        Assert.Equal(2000, defaults.GetProperty("rateLimitPerClientIpPerMinute").GetInt32());

        var saved = await admin.PutAsJsonAsync("/api/v1/settings/connection", new
        {
            approvedIps = new[] { new { cidr = "192.0.2.0/24", description = "partner MTA" } },
            blockedIps = new[] { new { cidr = "203.0.113.7", description = "" }, new { cidr = "2001:db8::/32", description = "v6" } },
            ipReputationLevel = 3,
            dnsBlocklists = new[] { new { zone = "zen.spamhaus.org", minimumLevel = 1, returnCodes = new[] { "127.0.0.2", "127.0.0.3" } } },
            validateRecipients = true,
            rateLimitPerRecipientPerMinute = 0,
            senders = new object[]
            {
                new { list = "approved", sender = "*@partner.example" },
                new { list = "blocked", sender = "spam@bad.example", scopeValue = "example.co.jp" },
                new { list = "blocked", sender = "*@*.bulk.example", scope = "recipient", scopeValue = "ceo@example.co.jp" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var s = await SettingsAsync(host);
        var cf = s.ConnectionFiltering;
        Assert.Equal(["192.0.2.0/24"], cf.ApprovedIps.Select(e => e.Cidr));
        Assert.Equal("partner MTA", cf.ApprovedIps[0].Description);
        Assert.Equal(["203.0.113.7", "2001:db8::/32"], cf.BlockedIps.Select(e => e.Cidr));
        Assert.Equal((3, true, 0, 2000), (cf.IpReputationLevel, cf.ValidateRecipients, cf.RateLimitPerRecipientPerMinute, cf.RateLimitPerClientIpPerMinute));
        Assert.Equal(["127.0.0.2", "127.0.0.3"], cf.DnsBlocklists.Single().ReturnCodes!);
        Assert.Equal(
            [(SenderListKind.Approved, SenderListScope.Organization, (string?)null, "*@partner.example"),
             (SenderListKind.Blocked, SenderListScope.Domain, "example.co.jp", "spam@bad.example"),
             (SenderListKind.Blocked, SenderListScope.Recipient, "ceo@example.co.jp", "*@*.bulk.example")],
            s.SenderFilter.Entries.Select(e => (e.List, e.Scope, e.ScopeValue, e.Sender.ToString())));

        // A partial change keeps the rest.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/settings/connection", new { ipReputationEnabled = false })).StatusCode);
        var partial = await SettingsAsync(host);
        Assert.False(partial.ConnectionFiltering.IpReputationEnabled);
        Assert.Equal(3, partial.SenderFilter.Entries.Count);

        var before = ModelJsonOf(partial);
        var bad = await admin.PutAsJsonAsync("/api/v1/settings/connection", new
        {
            approvedIps = new[] { new { cidr = "10.0.0.0/33" } },
            blockedIps = new[] { new { cidr = "300.1.2.3" } },
            ipReputationLevel = 7,
            dnsBlocklists = new[] { new { zone = "not a zone", minimumLevel = 1 } },
            rateLimitPerClientIpPerMinute = -1,
            senders = new[] { new { list = "approved", sender = "no-at-sign" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("settings.connection.invalid", problem.GetProperty("code").GetString());
        var ja = problem.GetProperty("messageJa").GetString()!;
        var en = problem.GetProperty("messageEn").GetString()!;
        Assert.Contains("「10.0.0.0/33」は IP アドレスでも CIDR でもありません", ja);
        Assert.Contains("'300.1.2.3' is neither an IP address nor a CIDR range", en);
        Assert.Contains("The IP reputation level 7 must be 0 to 4", en);
        Assert.Contains("'not a zone' is not a host name", en);
        Assert.Contains("per client IP -1", en);
        Assert.Contains("'no-at-sign' is not an address pattern", en);
        Assert.Equal(before, ModelJsonOf(await SettingsAsync(host)));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/api/v1/settings/connection",
            new StringContent("{\"blockedIps\": 5", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(before, ModelJsonOf(await SettingsAsync(host)));

        await using var session = await host.Store.BeginAsync(host.Organization, "test");
        var audit = await session.QueryAuditAsync(eventType: "settings.updated");
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.Equal("api:admin/tests", a.Actor));
    }

    [Fact]
    public async Task Authentication_settings_and_dkim_keys_are_managed_with_the_record_to_publish()
    {
        await using var host = await ConsoleHost.StartAsync();
        var admin = host.Api(host.AdminToken);
        var defaults = await admin.GetFromJsonAsync<JsonElement>("/api/v1/settings/authentication");
        Assert.Equal("delete", defaults.GetProperty("spf").GetProperty("actions").GetProperty("fail").GetString());
        Assert.Equal("quarantine", defaults.GetProperty("dkimVerification").GetProperty("action").GetString());
        Assert.True(defaults.GetProperty("dmarc").GetProperty("enableArc").GetBoolean());

        var saved = await admin.PutAsJsonAsync("/api/v1/settings/authentication", new
        {
            spf = new { insertHeader = true, actions = new Dictionary<string, string> { ["soft-fail"] = "quarantine", ["fail"] = "reject" }, ignoredPeers = new[] { "forwarder.example", "198.51.100.0/24" } },
            dkimVerification = new { action = "delete", enforcedPeers = new[] { "bank.example" }, useHeaderSenderForEnforced = false },
            dmarc = new { enableArc = false, actions = new Dictionary<string, string> { ["reject"] = "reject", ["no-record"] = "quarantine" }, exceptionIps = new[] { "192.0.2.25" } },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var a = (await SettingsAsync(host)).Authentication;
        Assert.True(a.Spf.InsertHeader);
        Assert.Equal((AuthIntercept.Quarantine, AuthIntercept.Reject), (a.Spf.Actions[SpfResult.SoftFail].Intercept, a.Spf.Actions[SpfResult.Fail].Intercept));
        Assert.Equal(["forwarder.example", "198.51.100.0/24"], a.Spf.IgnoredPeers);
        var dkim = a.DkimVerification.Single(p => p.Domain is null);
        Assert.Equal((AuthIntercept.Delete, false), (dkim.Action.Intercept, dkim.UseHeaderSenderForEnforced));
        Assert.Equal(["bank.example"], dkim.EnforcedPeers);
        var dmarc = a.Dmarc.Single(p => p.Domain is null);
        Assert.False(dmarc.EnableArc);
        Assert.Equal((AuthIntercept.Reject, AuthIntercept.Quarantine, AuthIntercept.Quarantine),
            (dmarc.Actions[DmarcDisposition.Reject].Intercept, dmarc.Actions[DmarcDisposition.NoRecord].Intercept, dmarc.Actions[DmarcDisposition.Quarantine].Intercept));

        var before = ModelJsonOf(await SettingsAsync(host));
        var bad = await admin.PutAsJsonAsync("/api/v1/settings/authentication", new
        {
            spf = new { actions = new Dictionary<string, string> { ["pass"] = "delete", ["fail"] = "explode" }, ignoredPeers = new[] { "not a peer" } },
            dkimVerification = new { enforcedPeers = new[] { "10.0.0.1" } },
            dmarc = new { exceptionIps = new[] { "mx.example" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var en = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageEn").GetString()!;
        Assert.Contains("There is no SPF result 'pass'", en);
        Assert.Contains("The SPF action 'explode' must be accept, delete, quarantine or reject", en);
        Assert.Contains("'not a peer' is not a domain name, IP address or CIDR range", en);
        Assert.Contains("The DKIM enforced peer '10.0.0.1' is not a domain name", en);
        Assert.Contains("The DMARC exception IP 'mx.example'", en);
        Assert.Equal(before, ModelJsonOf(await SettingsAsync(host)));

        // Keys only for managed domains, with checked selector, algorithm and length.
        var notManaged = await admin.PostAsJsonAsync("/api/v1/settings/authentication/dkim-keys", new { domain = "example.co.jp", selector = "s1" });
        Assert.Equal(HttpStatusCode.BadRequest, notManaged.StatusCode);
        Assert.Equal("settings.dkim.not-managed", (await notManaged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await AddDomainAsync(host, "example.co.jp");
        foreach (var body in new object[] { new { domain = "example.co.jp", selector = "bad selector" }, new { domain = "example.co.jp", selector = "s1", bits = 512 },
                     new { domain = "example.co.jp", selector = "s1", algorithm = "dsa" }, new { domain = "not_a_domain", selector = "s1" } })
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/settings/authentication/dkim-keys", body)).StatusCode);
        Assert.Empty((await SettingsAsync(host)).Authentication.DkimSigning);

        var created = await admin.PostAsJsonAsync("/api/v1/settings/authentication/dkim-keys", new { domain = "example.co.jp", selector = "s1", bits = 1024 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("s1._domainkey.example.co.jp", key.GetProperty("recordName").GetString());
        var record = key.GetProperty("recordValue").GetString()!;
        Assert.StartsWith("v=DKIM1; k=rsa; p=", record);
        Assert.DoesNotContain("PRIVATE", await created.Content.ReadAsStringAsync());
        // The published public key belongs to the stored private key: a signature made with one verifies with the other.
        var stored = (await SettingsAsync(host)).Authentication.DkimSigning.Single();
        using (var priv = RSA.Create())
        using (var pub = RSA.Create())
        {
            priv.ImportFromPem(stored.PrivateKeyPem);
            pub.ImportSubjectPublicKeyInfo(Convert.FromBase64String(record["v=DKIM1; k=rsa; p=".Length..]), out _);
            var signature = priv.SignData("sekisho"u8.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            Assert.True(pub.VerifyData("sekisho"u8.ToArray(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        Assert.Equal(1024, stored.KeyBits);
        var ed = await admin.PostAsJsonAsync("/api/v1/settings/authentication/dkim-keys", new { domain = "example.co.jp", selector = "ed1", algorithm = "ed25519" });
        Assert.Equal(HttpStatusCode.Created, ed.StatusCode);
        Assert.StartsWith("v=DKIM1; k=ed25519; p=", (await ed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recordValue").GetString());
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/settings/authentication");
        var keys = listed.GetProperty("signingKeys").EnumerateArray().ToList();
        Assert.Equal(["s1", "ed1"], keys.Select(k => k.GetProperty("selector").GetString()));
        Assert.Equal(record, keys[0].GetProperty("recordValue").GetString());
        Assert.Contains("s1._domainkey.example.co.jp. IN TXT ( \"v=DKIM1; k=rsa; p=", keys[0].GetProperty("zoneLine").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/api/v1/settings/authentication/dkim-keys/example.co.jp/s1/disable", null)).StatusCode);
        Assert.False((await SettingsAsync(host)).Authentication.DkimSigning.Single(k => k.Selector == "s1").Enabled);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/settings/authentication/dkim-keys/example.co.jp/s1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/settings/authentication/dkim-keys/example.co.jp/s1")).StatusCode);
        Assert.Equal(["ed1"], (await SettingsAsync(host)).Authentication.DkimSigning.Select(k => k.Selector));
    }

    internal static async Task AddDomainAsync(ConsoleHost host, string name)
    {
        // Through the console's service, so it works on the in-memory server and on Kestrel alike.
        var domains = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Services.DomainService>(host.App.Services);
        await domains.AddAsync(new Services.DomainInput(name, $"mx.{name}:25,10", null), "test", default);
    }

    internal static string ModelJsonOf(GatewaySettings s) => Sekisho.Model.Serialization.ModelJson.Serialize(s);
}
