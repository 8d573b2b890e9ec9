using System.Text.Json;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

public class DomainVerbTests
{
    [Fact]
    public async Task Add_list_show_verify_remove_with_an_audit_record_for_each()
    {
        using var cli = new CliRunner();
        using var dns = new FakeDnsServer();
        var added = await cli.OkAsync("domain", "add", "Example.CO.JP", "--inbound", "10.0.0.25:25,10", "--inbound", "ceo=mx-exec.example.co.jp:2525,5", "--outbound-ip", "10.0.0.0/24");
        Assert.Contains("sekisho-verification=", added);
        var token = added.Split('"')[1];

        var list = await cli.OkAsync("domain", "list");
        Assert.Contains("example.co.jp", list);
        Assert.Contains("! Configuration required", list);
        Assert.Contains("ceo=mx-exec.example.co.jp:2525/5, 10.0.0.25:25/10", list);

        // No TXT record yet: a clear message, exit 1, status stays "needs setup" with the reason.
        dns.Txt("example.co.jp", "v=spf1 -all");
        var (exit, _, err) = await cli.RunAsync("domain", "verify", "example.co.jp", "--resolver", dns.Endpoint);
        Assert.Equal(1, exit);
        Assert.Contains("was not found", err);
        Assert.Contains(token, err);
        Assert.Single(err.Trim().Split('\n'));

        dns.Txt("example.co.jp", token);
        Assert.Contains("verified", await cli.OkAsync("domain", "verify", "example.co.jp", "--resolver", dns.Endpoint));
        var shown = JsonDocument.Parse(await cli.OkAsync("domain", "show", "example.co.jp", "--json")).RootElement;
        Assert.Equal("verified", shown.GetProperty("status").GetString());
        Assert.Contains("example.co.jp  10.0.0.25", (await cli.OkAsync("--lang", "ja", "domain", "list")).Replace("ceo=mx-exec.example.co.jp:2525/5, ", ""));
        Assert.Contains("完了", await cli.OkAsync("--lang", "ja", "domain", "list"));

        await cli.OkAsync("domain", "remove", "example.co.jp");
        var audit = JsonDocument.Parse(await cli.OkAsync("audit", "list", "--json")).RootElement.EnumerateArray().Select(a => a.GetProperty("eventType").GetString()).ToList();
        Assert.Equal(["domain.removed", "domain.verified", "domain.verification-failed", "domain.added", "organization.created"], audit);
    }

    [Theory]
    [InlineData("domain add not_a_domain", "not a valid domain name")]
    [InlineData("domain add example.com --inbound 10.0.0.1:99999", "port")]
    [InlineData("domain add example.com --inbound 10.0.0.1,500", "preference")]
    [InlineData("domain add example.com --outbound-ip 10.0.0.300", "CIDR")]
    [InlineData("domain show nowhere.example", "not in the list")]
    [InlineData("domain verify nowhere.example", "not in the list")]
    [InlineData("policy show nothing", "No rule matches")]
    [InlineData("policy list --type weird", "use one of: virus, spam, content, dlp")]
    [InlineData("audit list --since yesterday-ish", "not a time")]
    public async Task User_errors_are_one_clear_line_and_exit_1(string args, string expected)
    {
        using var cli = new CliRunner();
        var (exit, output, err) = await cli.RunAsync(args.Split(' '));
        Assert.Equal(1, exit);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Japanese_messages_when_asked()
    {
        using var cli = new CliRunner();
        var (exit, _, err) = await cli.RunAsync("--lang", "ja", "domain", "show", "nowhere.example");
        Assert.Equal(1, exit);
        Assert.Contains("登録されていません", err);
    }
}
