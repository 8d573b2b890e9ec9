using Sekisho.Store;
using Sekisho.Web.Access;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho admin create</c> and <c>sekisho admin token</c>.</summary>
public class AdminVerbTests
{
    [Fact]
    public async Task Admin_create_stores_a_hashed_password_and_token_prints_a_working_secret_once()
    {
        using var cli = new CliRunner();
        var pwFile = cli.File("pw.txt");
        await File.WriteAllTextAsync(pwFile, "a long enough password\n");
        var created = await cli.OkAsync("admin", "create", "yamada", "--password-file", pwFile, "--role", "read-only", "--totp");
        Assert.Contains("Console user \"yamada\" created (read-only)", created);
        Assert.Contains("otpauth://totp/", created);
        var token = (await cli.OkAsync("admin", "token", "yamada", "--name", "script")).Trim();
        Assert.StartsWith(ApiTokens.Prefix, token);

        var store = await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = cli.DataDirectory });
        var org = (await store.FindOrganizationAsync(Model.Organization.DefaultName))!;
        await using (var s = await store.BeginReadAsync(org, "test"))
        {
            var user = (await s.FindUserAsync("yamada"))!;
            Assert.Equal(ConsoleRole.ReadOnly, user.Role);
            Assert.DoesNotContain("a long enough password", user.PasswordHash);
            Assert.True(PasswordHashing.Verify("a long enough password", user.PasswordHash));
            Assert.NotNull(await s.FindApiTokenAsync(ApiTokens.Sha256(token)));
            var audit = await s.QueryAuditAsync(eventType: "user.created");
            Assert.Equal("cli:" + Environment.UserName, audit.Single().Actor);
            Assert.DoesNotContain(audit.Single().Changes, c => c.NewValue?.Contains("password", StringComparison.Ordinal) == true);
        }
        Assert.Contains("Token \"script\" of \"yamada\" revoked", await cli.OkAsync("admin", "revoke", "yamada", "script"));
        await using (var s = await store.BeginReadAsync(org, "test"))
        {
            Assert.Null(await s.FindApiTokenAsync(ApiTokens.Sha256(token)));
            Assert.Single(await s.QueryAuditAsync(eventType: "token.revoked"));
        }
        var (exit, _, err) = await cli.RunAsync("admin", "revoke", "yamada", "script");
        Assert.Equal(1, exit);
        Assert.Contains("no token named 'script'", err);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Bad_input_is_one_line_and_creates_nothing()
    {
        using var cli = new CliRunner();
        var shortFile = cli.File("short.txt");
        await File.WriteAllTextAsync(shortFile, "short");
        var (exit, _, err) = await cli.RunAsync("admin", "create", "yamada", "--password-file", shortFile);
        Assert.Equal(1, exit);
        Assert.Contains("at least 12 characters", err);
        (exit, _, err) = await cli.RunAsync("admin", "token", "nobody");
        Assert.Equal(1, exit);
        Assert.Contains("'nobody' does not exist", err);

        // Typed passwords must match.
        var o = new StringWriter();
        var e = new StringWriter();
        exit = await Program.RunAsync(["--data", cli.DataDirectory, "admin", "create", "yamada"], o, e, TimeProvider.System, default, "en",
            new StringReader("first password 1234\nsecond password 1234\n"));
        Assert.Equal(1, exit);
        Assert.Contains("do not match", e.ToString());
        (exit, _, err) = await cli.RunAsync("admin", "token", "yamada");
        Assert.Equal(1, exit);
    }
}
