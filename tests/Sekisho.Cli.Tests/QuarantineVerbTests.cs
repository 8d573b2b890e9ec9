using System.Text;
using System.Text.Json;
using Sekisho.Model.Rules;
using Sekisho.Store;
using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho quarantine list|delete|purge</c> over messages the gateway kept (written through the store, as the gateway does).</summary>
public class QuarantineVerbTests
{
    [Fact]
    public async Task List_filters_delete_and_purge_with_clear_errors()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var cli = new CliRunner { Time = time };
        await cli.OkAsync("policy", "list");
        var store = await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = cli.DataDirectory }, time);
        var q = new QuarantineStore(store, (await store.FindOrganizationAsync("default"))!);
        NewQuarantinedMessage M(string rcpt, string subject, string rule) => new(rcpt, "x@partner.example", Direction.Inbound, subject,
            Encoding.UTF8.GetBytes($"Subject: {subject}\r\n\r\nbody\r\n"), "id-" + rule, rule, "why", null, "{}", time.GetUtcNow(), null);
        var a = await q.AddAsync(M("bob@example.co.jp", "見積書", "高リスク"), 30);
        var b = await q.AddAsync(M("carol@example.co.jp", "newsletter", "スパム"), 1);

        var ja = await cli.OkAsync("--lang", "ja", "quarantine", "list");
        Assert.Contains("受信者", ja);
        Assert.Contains("見積書", ja);
        var onlyBob = JsonDocument.Parse(await cli.OkAsync("quarantine", "list", "--json", "--recipient", "bob@example.co.jp")).RootElement;
        Assert.Equal(a, onlyBob.EnumerateArray().Single().GetProperty("id").GetString());
        Assert.Equal(b, JsonDocument.Parse(await cli.OkAsync("quarantine", "list", "--json", "--rule", "スパム")).RootElement.EnumerateArray().Single().GetProperty("id").GetString());

        Assert.Contains("Deleted", await cli.OkAsync("quarantine", "delete", a[..10]));
        var (exit, _, err) = await cli.RunAsync("quarantine", "delete", a);
        Assert.Equal(1, exit);
        Assert.Contains("No quarantined message matches", err);

        Assert.Contains("Purged 0", await cli.OkAsync("quarantine", "purge"));
        time.Advance(TimeSpan.FromDays(2));
        Assert.Contains("Purged 1", await cli.OkAsync("quarantine", "purge"));
        Assert.Contains("(none)", await cli.OkAsync("quarantine", "list"));
        var audit = JsonDocument.Parse(await cli.OkAsync("audit", "list", "--json", "--type", "quarantine.*")).RootElement;
        Assert.Single(audit.EnumerateArray());
    }
}
