using System.Net;
using System.Text;
using Sekisho.Model.Rules;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Antispam;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Antispam;

/// <summary>One private rspamd for the class, its DNS answered by an in-process server, with one local rule.</summary>
public sealed class RspamdFixture : IAsyncLifetime
{
    /// <summary>The sender's domain resolves as a well-run domain's would (A, MX, matching PTR, SPF).</summary>
    public FakeDnsServer Dns { get; } = new FakeDnsServer()
        .A("mail.example.com", "192.0.2.25").A("example.com", "192.0.2.25").Mx("example.com", 10, "mail.example.com")
        .Ptr("192.0.2.25", "mail.example.com").Txt("example.com", "v=spf1 ip4:192.0.2.25 -all");
    public RspamdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RspamdServer.StartAsync(Dns.Endpoint, new Dictionary<string, string>
    {
        ["multimap.conf"] = """
            SEKISHO_TEST_PHISH {
              type = "header";
              header = "Subject";
              regexp = true;
              map = ["(?i)verify\\s+your\\s+(bank\\s+)?account"];
              score = 6.0;
              description = "test rule: credential phishing subject";
            }
            """,
    });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dns.Dispose();
    }
}

public sealed class RspamdScannerTests(RspamdFixture rspamd) : IClassFixture<RspamdFixture>
{
    private static readonly MessageEnvelope Envelope = new(IPAddress.Parse("192.0.2.25"), "mail.example.com", "alice@example.com",
        ["bob@example.org", "carol@example.org"], TrafficDirection.Inbound, QueueId: "Q123");

    private RspamdScanner Scanner(RspamdSymbolMap? map = null) =>
        new(new RspamdOptions { Endpoints = [rspamd.Server.BaseUri], Symbols = map ?? new RspamdSymbolMap() });

    private static MemoryStream Message(string subject, string body) => new(Encoding.UTF8.GetBytes(
        $"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: {subject}\r\n" +
        $"Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\n{body}\r\n"));

    [Fact]
    public async Task Gtube_is_caught_with_the_reject_action()
    {
        using var scanner = Scanner();
        var verdict = await scanner.CheckAsync(Message("test", RspamdServer.Gtube), Envelope, default);

        Assert.Equal(ScanStatus.Completed, verdict.Status);
        Assert.Equal("reject", verdict.EngineAction);
        Assert.True(verdict.Score >= 15, $"score {verdict.Score}");
        Assert.Contains(verdict.Symbols, s => s.Engine == "rspamd" && s.Name == "GTUBE");
    }

    [Fact]
    public async Task An_ordinary_message_scores_low_and_carries_the_engine_symbols()
    {
        using var scanner = Scanner();
        var verdict = await scanner.CheckAsync(Message("lunch", "Shall we meet at noon on Friday?"), Envelope, default);

        Assert.Equal(ScanStatus.Completed, verdict.Status);
        Assert.True(verdict.EngineAction == "no action", $"{verdict.EngineAction} {verdict.Score}: {string.Join(" ", verdict.Symbols.Select(x => $"{x.Name}={x.Score}"))}");
        Assert.True(verdict.Score < 6, $"score {verdict.Score}");
        Assert.NotEmpty(verdict.Symbols);
        Assert.False(verdict.Phishing);
    }

    [Fact]
    public async Task Symbols_map_to_classification_flags()
    {
        var map = new RspamdSymbolMap
        {
            Phishing = ["SEKISHO_TEST_PHISH"],
            Bec = new Dictionary<BecMode, IReadOnlyList<string>> { [BecMode.SuspectedByEngine] = ["SEKISHO_TEST_*"] },
        };
        using var scanner = Scanner(map);
        var verdict = await scanner.CheckAsync(Message("Please verify your bank account", "Click below."), Envelope, default);

        Assert.True(verdict.Phishing, string.Join(" ", verdict.Symbols.Select(x => $"{x.Name}={x.Score}")));
        Assert.Equal([BecMode.SuspectedByEngine], verdict.Bec);
        var finding = Assert.Single(verdict.Symbols, s => s.Name == "SEKISHO_TEST_PHISH");
        Assert.Equal(6.0, finding.Score);
    }

    [Fact]
    public async Task An_unreachable_rspamd_gives_unavailable_with_the_failure_mode()
    {
        using var scanner = new RspamdScanner(new RspamdOptions
        {
            Endpoints = [new Uri($"http://127.0.0.1:{ExternalProcess.FreePort()}/")], FailOpen = true, Timeout = TimeSpan.FromSeconds(5),
        });
        var verdict = await scanner.CheckAsync(Message("x", "y"), Envelope, default);
        Assert.Equal(ScanStatus.Unavailable, verdict.Status);
        Assert.True(verdict.FailOpen);
        Assert.Contains("rspamd unreachable", verdict.Error);
    }

    [Fact]
    public void Listed_urls_come_from_uri_blocklist_symbol_options()
    {
        var json = """{"score":9.5,"required_score":15,"action":"add header","symbols":{"URIBL_BLACK":{"name":"URIBL_BLACK","score":7.5,"options":["bad.example"]},"HAS_LIST_UNSUB":{"name":"HAS_LIST_UNSUB","score":-0.01}}}""";
        var verdict = RspamdScanner.Interpret(Encoding.UTF8.GetBytes(json), new RspamdSymbolMap());
        Assert.Equal(["bad.example"], verdict.ListedUrls);
        Assert.Equal([GraymailCategory.Marketing], verdict.Graymail);
        Assert.Equal("add header", verdict.EngineAction);
    }
}
