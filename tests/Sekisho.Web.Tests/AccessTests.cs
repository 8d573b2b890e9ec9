using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Sekisho.Store;
using Sekisho.Web.Access;

namespace Sekisho.Web.Tests;

public sealed class AccessTests
{
    [Fact]
    public async Task Pages_need_a_session_and_carry_security_headers()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = host.Browser();
        var domains = await client.GetAsync("/domains");
        Assert.Equal(HttpStatusCode.Redirect, domains.StatusCode);
        Assert.StartsWith("http://localhost/login", domains.Headers.Location!.ToString());

        var login = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, login.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", login.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", login.Headers.GetValues("Referrer-Policy").Single());
        var html = await login.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("style=", html);
    }

    [Fact]
    public async Task Sign_in_sets_an_http_only_strict_cookie_and_is_audited()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = host.Browser();
        var page = await client.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = "admin", ["password"] = ConsoleHost.AdminPassword, ["__csrf"] = token, ["returnUrl"] = "//evil.example/",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/domains", response.Headers.Location!.ToString()); // an off-site return address is not followed
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sekisho.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/domains")).StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        var signedIn = await s.QueryAuditAsync(eventType: ConsoleAuditEvents.UserSignedIn);
        Assert.Equal("web:admin", signedIn.Single().Actor);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_user_out_even_with_the_right_password()
    {
        await using var host = await ConsoleHost.StartAsync(configure: o => o.LockoutFailures = 3);
        var client = host.Browser();
        for (int i = 0; i < 2; i++)
        {
            var r = await ConsoleHost.PostFormAsync(client, "/login", "/login", new() { ["user"] = "admin", ["password"] = "wrong password " + i });
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        var third = await ConsoleHost.PostFormAsync(client, "/login", "/login", new() { ["user"] = "admin", ["password"] = "wrong again" });
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        var right = await ConsoleHost.PostFormAsync(client, "/login", "/login", new() { ["user"] = "admin", ["password"] = ConsoleHost.AdminPassword });
        Assert.Equal((HttpStatusCode)429, right.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/domains")).StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Single(await s.QueryAuditAsync(eventType: ConsoleAuditEvents.UserLocked));
        Assert.Empty(await s.QueryAuditAsync(eventType: ConsoleAuditEvents.UserSignedIn));
    }

    [Fact]
    public async Task Two_step_sign_in_needs_the_current_code()
    {
        await using var host = await ConsoleHost.StartAsync();
        var access = host.App.Services.GetRequiredService<ConsoleAccess>();
        var user = await access.CreateUserAsync("otp-user", "another long password", ConsoleRole.Administrator, true, "test", default, iterations: 1000);
        Assert.StartsWith("otpauth://totp/", ConsoleAccess.TotpUri(user));
        var without = await ConsoleHost.PostFormAsync(host.Browser(), "/login", "/login", new() { ["user"] = "otp-user", ["password"] = "another long password" });
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        var wrong = await ConsoleHost.PostFormAsync(host.Browser(), "/login", "/login", new() { ["user"] = "otp-user", ["password"] = "another long password", ["code"] = "000000" == Code(user) ? "111111" : "000000" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var right = await ConsoleHost.PostFormAsync(host.Browser(), "/login", "/login", new() { ["user"] = "otp-user", ["password"] = "another long password", ["code"] = Code(user) });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);

        static string Code(ConsoleUser u) => new Totp(Base32Encoding.ToBytes(u.TotpSecret!)).ComputeTotp(DateTime.UtcNow);
    }

    [Fact]
    public async Task A_form_post_without_the_anti_forgery_token_is_refused_and_changes_nothing()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        var response = await client.PostAsync("/domains/edit", new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "example.co.jp" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListDomainsAsync());
    }

    [Fact]
    public async Task A_read_only_user_sees_the_screens_but_cannot_change_anything()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/domains")).StatusCode);
        var response = await ConsoleHost.PostFormAsync(client, "/domains/edit", "/domains/edit", new() { ["Name"] = "example.co.jp" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Empty(await s.ListDomainsAsync());
    }

    [Fact]
    public async Task Short_passwords_and_odd_user_names_are_refused()
    {
        await using var host = await ConsoleHost.StartAsync();
        var access = host.App.Services.GetRequiredService<ConsoleAccess>();
        var shortPw = await Assert.ThrowsAsync<Services.ConsoleProblem>(() => access.CreateUserAsync("bob", "short", ConsoleRole.Administrator, false, "test", default));
        Assert.Equal("user.password.short", shortPw.Code);
        var badName = await Assert.ThrowsAsync<Services.ConsoleProblem>(() => access.CreateUserAsync("bob smith", "long enough password", ConsoleRole.Administrator, false, "test", default));
        Assert.Equal("user.name.invalid", badName.Code);
        var dup = await Assert.ThrowsAsync<Services.ConsoleProblem>(() => access.CreateUserAsync("admin", "long enough password", ConsoleRole.Administrator, false, "test", default));
        Assert.Equal(409, dup.Status);
        Assert.Null(await access.EnsureFirstAdministratorAsync("admin2", "test", default)); // users exist already
    }

    [Fact]
    public async Task Users_change_their_own_password_with_the_current_one()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        var wrong = await ConsoleHost.PostFormAsync(client, "/account", "/account", new() { ["current"] = "not it", ["replacement"] = "a brand new password", ["again"] = "a brand new password" });
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        var mismatch = await ConsoleHost.PostFormAsync(client, "/account", "/account", new() { ["current"] = ConsoleHost.ViewerPassword, ["replacement"] = "a brand new password", ["again"] = "another one entirely" });
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        var ok = await ConsoleHost.PostFormAsync(client, "/account", "/account", new() { ["current"] = ConsoleHost.ViewerPassword, ["replacement"] = "a brand new password", ["again"] = "a brand new password" });
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var old = await ConsoleHost.PostFormAsync(host.Browser(), "/login", "/login", new() { ["user"] = "viewer", ["password"] = ConsoleHost.ViewerPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        await host.SignedInAsync("viewer", "a brand new password");
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        Assert.Equal("web:viewer", (await s.QueryAuditAsync(eventType: ConsoleAuditEvents.PasswordChanged)).Single().Actor);
    }

    [Fact]
    public async Task The_first_start_creates_one_administrator_whose_printed_password_works()
    {
        using var dir = new Sekisho.Testing.TempDir("sekisho-web");
        var store = await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = dir.Path });
        var org = await store.EnsureOrganizationAsync(Model.Organization.DefaultName, "test");
        var access = new ConsoleAccess(new Services.ConsoleContext(store, org, TimeProvider.System, new ConsoleOptions()));
        var password = await access.EnsureFirstAdministratorAsync("admin", "cli:root", default);
        Assert.NotNull(password);
        Assert.True(password!.Length >= PasswordHashing.MinimumLength);
        Assert.Null(await access.EnsureFirstAdministratorAsync("admin", "cli:root", default)); // only on the first start
        var signIn = await access.SignInAsync("admin", password, null, default);
        Assert.Equal(SignInOutcome.Succeeded, signIn.Outcome);
        Assert.Equal(ConsoleRole.Administrator, signIn.User!.Role);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Log_off_ends_the_session()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = await host.SignedInAsync();
        var response = await ConsoleHost.PostFormAsync(client, "/domains", "/logout", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/domains")).StatusCode);
    }

    [Fact]
    public async Task The_language_follows_the_switch_then_the_browser_and_defaults_to_Japanese()
    {
        await using var host = await ConsoleHost.StartAsync();
        var client = host.Browser();
        Assert.Contains("<html lang=\"ja\"", await client.GetStringAsync("/login"));
        Assert.Contains("ユーザ名", await client.GetStringAsync("/login"));
        var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.AcceptLanguage.ParseAdd("en-US");
        Assert.Contains("User name", await (await client.SendAsync(request)).Content.ReadAsStringAsync());
        var sw = await client.GetAsync("/lang/en?returnUrl=%2F%2Fevil.example%2F");
        Assert.Equal("/", sw.Headers.Location!.ToString()); // only local return addresses
        Assert.Contains("Log on to Sekisho", await client.GetStringAsync("/login"));
        await client.GetAsync("/lang/ja?returnUrl=/login");
        Assert.Contains("Sekisho にログオン", await client.GetStringAsync("/login"));
    }

    [Fact]
    public void Password_hashes_verify_only_the_right_password()
    {
        var hash = PasswordHashing.Hash("パスワード🔑 long enough", 1000);
        Assert.StartsWith("pbkdf2-sha256$1000$", hash);
        Assert.True(PasswordHashing.Verify("パスワード🔑 long enough", hash));
        Assert.False(PasswordHashing.Verify("パスワード🔑 long enougH", hash));
        Assert.False(PasswordHashing.Verify("x", "pbkdf2-sha256$abc$$"));
        Assert.NotEqual(hash, PasswordHashing.Hash("パスワード🔑 long enough", 1000)); // salted
    }
}
