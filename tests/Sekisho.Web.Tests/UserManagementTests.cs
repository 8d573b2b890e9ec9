using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sekisho.Web.Tests;

/// <summary>ユーザ / Users: console users and API tokens managed by administrators, on the screen and through the API.</summary>
public sealed class UserManagementTests
{
    private static async Task<HttpStatusCode> SignInStatusAsync(ConsoleHost host, string user, string password)
    {
        var response = await ConsoleHost.PostFormAsync(host.Browser(), "/login", "/login", new() { ["user"] = user, ["password"] = password, ["code"] = "" });
        return response.StatusCode;
    }

    [Fact]
    public async Task Administrators_add_users_issue_and_revoke_tokens_unlock_and_remove_users_through_the_api()
    {
        await using var host = await ConsoleHost.StartAsync();
        var admin = host.Api(host.AdminToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Api(host.ViewerToken).GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Api(host.ViewerToken).PostAsJsonAsync("/api/v1/users", new { name = "x", password = "long enough password" })).StatusCode);

        var shortPassword = await admin.PostAsJsonAsync("/api/v1/users", new { name = "hanako", password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, shortPassword.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/users", new { name = "hanako", password = "long enough password", role = "owner" })).StatusCode);
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { name = "hanako", password = "hanako password 1234", role = "read-only", totp = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("otpauth://totp/", body.GetProperty("totpUri").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/v1/users", new { name = "hanako", password = "hanako password 1234" })).StatusCode);

        var token = (await (await admin.PostAsync("/api/v1/users/hanako/tokens/reports", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var hanako = host.Api(token);
        Assert.Equal(HttpStatusCode.OK, (await hanako.GetAsync("/api/v1/domains")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hanako.PostAsJsonAsync("/api/v1/domains", new { name = "example.co.jp" })).StatusCode);
        var users = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/users");
        var listed = users!.Single(u => u.GetProperty("name").GetString() == "hanako");
        Assert.Equal(("read-only", true), (listed.GetProperty("role").GetString(), listed.GetProperty("totp").GetBoolean()));
        Assert.Equal(["reports"], listed.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.DoesNotContain(token!, string.Concat(users!.Select(u => u.ToString())));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/users/hanako/tokens/reports")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await hanako.GetAsync("/api/v1/domains")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/users/hanako/tokens/reports")).StatusCode);

        // A locked-out user is let in again by an administrator before the lock-out ends.
        for (int i = 0; i < 5; i++) await SignInStatusAsync(host, "viewer", "wrong password " + i);
        Assert.NotEqual(HttpStatusCode.Redirect, await SignInStatusAsync(host, "viewer", ConsoleHost.ViewerPassword));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/api/v1/users/viewer/unlock", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, await SignInStatusAsync(host, "viewer", ConsoleHost.ViewerPassword));

        // Nobody removes themselves; removing a user removes the user's tokens.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync("/api/v1/users/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/users/viewer")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(host.ViewerToken).GetAsync("/api/v1/domains")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/users/viewer")).StatusCode);

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?type=user.*");
        var events = audit.EnumerateArray().Select(a => a.GetProperty("eventType").GetString()).ToList();
        Assert.Contains("user.removed", events);
        Assert.Contains("user.unlocked", events);
    }

    [Fact]
    public async Task The_users_screen_adds_a_user_with_totp_shows_a_new_token_once_and_is_closed_to_read_only_users()
    {
        await using var host = await ConsoleHost.StartAsync();
        var browser = await host.SignedInAsync();
        var page = await browser.GetStringAsync("/users");
        Assert.Contains("data-user=\"viewer\"", page);
        Assert.DoesNotContain("class=\"danger remove\"", Regex.Match(page, "<tr data-user=\"admin\">.*?</tr>", RegexOptions.Singleline).Value);

        var created = await ConsoleHost.PostFormAsync(browser, "/users", "/users?handler=Create",
            new() { ["name"] = "taro", ["password"] = "taro password 1234", ["role"] = "administrator", ["totp"] = "true" });
        var html = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("otpauth://totp/", html);
        Assert.Contains("data-user=\"taro\"", html);

        var refused = await ConsoleHost.PostFormAsync(browser, "/users", "/users?handler=Create", new() { ["name"] = "bad name!", ["password"] = "taro password 1234" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("role=\"alert\"", await refused.Content.ReadAsStringAsync());

        var token = await ConsoleHost.PostFormAsync(browser, "/users", "/users?handler=Token", new() { ["name"] = "taro", ["tokenName"] = "backup" });
        var secret = Regex.Match(await token.Content.ReadAsStringAsync(), "<section class=\"notice\" id=\"secret\">.*?<pre class=\"txt\">([^<]+)</pre>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await host.Api(secret).GetAsync("/api/v1/domains")).StatusCode);
        Assert.DoesNotContain(secret, await browser.GetStringAsync("/users"));

        var viewer = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        var denied = await viewer.GetAsync("/users");
        Assert.NotEqual(HttpStatusCode.OK, denied.StatusCode);
        Assert.DoesNotContain("id=\"nav-users\"", await viewer.GetStringAsync("/domains"));
    }
}
