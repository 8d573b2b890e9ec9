using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sekisho.Model;
using Sekisho.Store;
using Sekisho.Testing;
using Sekisho.Web.Access;

namespace Sekisho.Web.Tests;

/// <summary>
/// The console as <c>sekisho serve</c> hosts it (same registration and mapping), over a fresh SQLite store, with an in-process
/// DNS server as the resolver. In memory (TestServer) for API tests, or on a loopback port (Kestrel) for the browser.
/// Users: admin (administrator) and viewer (read-only), each with an API token.
/// </summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    public const string AdminPassword = "correct horse battery staple";
    public const string ViewerPassword = "viewer password 1234";

    private readonly TempDir _dir;

    private ConsoleHost(WebApplication app, SekishoStore store, Organization org, FakeDnsServer dns, TempDir dir)
    {
        _dir = dir;
        App = app;
        Store = store;
        Organization = org;
        Dns = dns;
    }

    public WebApplication App { get; }
    public SekishoStore Store { get; }
    public Organization Organization { get; }
    public FakeDnsServer Dns { get; }
    public string AdminToken { get; private set; } = "";
    public string ViewerToken { get; private set; } = "";
    public string DataDirectory => _dir.Path;

    /// <summary>The base address when started on Kestrel.</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<ConsoleHost> StartAsync(bool kestrel = false, Action<ConsoleOptions>? configure = null, TimeProvider? time = null)
    {
        var dns = new FakeDnsServer();
        var dir = new TempDir("sekisho-web");
        var store = await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = dir.Path }, time);
        var org = await store.EnsureOrganizationAsync(Organization.DefaultName, "test");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        if (kestrel) builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        else builder.WebHost.UseTestServer();
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddSekishoConsole(store, org, o =>
        {
            o.DnsResolver = new IPEndPoint(IPAddress.Loopback, dns.Port);
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.MapSekishoConsole();
        await app.StartAsync();
        var host = new ConsoleHost(app, store, org, dns, dir);
        var access = app.Services.GetRequiredService<ConsoleAccess>();
        // Few PBKDF2 iterations keep the tests quick; the hash format records them, so sign-in works the same.
        await access.CreateUserAsync("admin", AdminPassword, ConsoleRole.Administrator, false, "test", default, iterations: 1000);
        await access.CreateUserAsync("viewer", ViewerPassword, ConsoleRole.ReadOnly, false, "test", default, iterations: 1000);
        host.AdminToken = await access.CreateTokenAsync("admin", "tests", "test", default);
        host.ViewerToken = await access.CreateTokenAsync("viewer", "tests", "test", default);
        return host;
    }

    /// <summary>An API client (TestServer) with the given bearer token, or none.</summary>
    public HttpClient Api(string? token)
    {
        var client = App.GetTestClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A browser-like client (TestServer) that keeps cookies and does not follow redirects.</summary>
    public HttpClient Browser()
    {
        var handler = new CookieContainerHandler { InnerHandler = App.GetTestServer().CreateHandler() };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
    }

    /// <summary>Signs in through the login form (with its anti-forgery token) and returns the browser client.</summary>
    public async Task<HttpClient> SignedInAsync(string user = "admin", string password = AdminPassword, string? code = null)
    {
        var client = Browser();
        var response = await PostFormAsync(client, "/login", "/login", new() { ["user"] = user, ["password"] = password, ["code"] = code ?? "" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Loads <paramref name="pagePath"/>, takes the anti-forgery token from its form, and posts the fields to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pagePath, string action, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(pagePath);
        var token = Regex.Match(page, "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "no anti-forgery token on " + pagePath);
        fields["__csrf"] = token;
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Dns.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
