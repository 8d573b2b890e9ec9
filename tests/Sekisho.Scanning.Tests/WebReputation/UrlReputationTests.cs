using System.Net;
using System.Web;
using Sekisho.Model.Objects;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.WebReputation;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.WebReputation;

public sealed class UrlReputationTests : IDisposable
{
    private readonly FakeDnsServer _dns = new FakeDnsServer()
        .A("phish.example.multi.uribl.test", "127.0.0.8")
        .A("malware.example.multi.uribl.test", "127.0.0.16")
        .A("both.example.multi.uribl.test", "127.0.0.24")
        .A("2.113.0.203.multi.uribl.test", "127.0.0.64")
        .A("refused.example.multi.uribl.test", "127.0.0.1")
        .ServerFailure("flaky.example.multi.uribl.test");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero));

    private UrlReputationChecker Checker(IReadOnlyList<WebReputationApprovedItem>? approved = null, IReadOnlyList<string>? keywords = null) =>
        new(_dns.Resolver(),
            [new UriBlocklist("multi.uribl.test", UriBlocklist.SurblMulti)], approved ?? [], keywords ?? []);

    [Fact]
    public async Task Listed_domains_and_ips_get_their_category_and_others_are_clean_or_untested()
    {
        var results = await Checker().CheckAsync([
            "https://login.phish.example/account", "http://www.malware.example/x.exe", "http://both.example/",
            "http://203.0.113.2/path", "https://refused.example/", "https://clean.example/", "https://flaky.example/", "not a url"], default);

        Assert.Equal([(true, "phishing"), (true, "malware"), (true, "phishing"), (true, "spam"), (false, null), (false, null), (false, null), (false, null)],
            results.Select(r => (r.Listed, r.Category)));
        Assert.Equal("multi.uribl.test", results[0].ListedBy);
        Assert.False(results[5].Untested);
        Assert.True(results[6].Untested);
        Assert.True(results[7].Untested);
    }

    [Fact]
    public async Task Approved_items_and_keyword_exceptions_exempt_listed_urls()
    {
        var checker = Checker([new(ApprovedUrlKind.Domain, "phish.example"), new(ApprovedUrlKind.Ip, "203.0.113.0/24"),
            new(ApprovedUrlKind.Url, "http://www.malware.example/approved/")], ["trainingcampaign"]);
        var results = await checker.CheckAsync([
            "https://login.phish.example/", "http://203.0.113.2/", "http://www.malware.example/approved/file",
            "http://www.malware.example/x.exe", "http://both.example/?c=TrainingCampaign"], default);
        Assert.Equal([false, false, false, true, false], results.Select(r => r.Listed));
    }

    [Fact]
    public async Task Click_links_are_signed_rechecked_at_click_time_and_tampering_is_refused()
    {
        var protection = new ClickProtection(new Uri("https://gw.example.org/"), "0123456789abcdef0123456789abcdef"u8.ToArray(), Checker(), _time);
        var link = protection.Rewrite("https://clean.example/report?id=1", "bob@example.org");
        Assert.StartsWith("https://gw.example.org/click?u=", link);
        var q = HttpUtility.ParseQueryString(new Uri(link).Query);

        var ok = await protection.DecideAsync(q["u"], q["r"], q["t"], q["s"], default);
        Assert.Equal((ClickAction.Redirect, "https://clean.example/report?id=1", "bob@example.org"), (ok.Action, ok.Url, ok.Recipient));

        var listedLink = HttpUtility.ParseQueryString(new Uri(protection.Rewrite("https://login.phish.example/", "bob@example.org")).Query);
        var blocked = await protection.DecideAsync(listedLink["u"], listedLink["r"], listedLink["t"], listedLink["s"], default);
        Assert.Equal(ClickAction.Block, blocked.Action);
        Assert.Contains("phishing", ClickProtection.Page(blocked));
        Assert.DoesNotContain("href=", ClickProtection.Page(blocked));

        var flaky = HttpUtility.ParseQueryString(new Uri(protection.Rewrite("https://flaky.example/", "bob@example.org")).Query);
        Assert.Equal(ClickAction.Warn, (await protection.DecideAsync(flaky["u"], flaky["r"], flaky["t"], flaky["s"], default)).Action);

        // a forged target with a copied signature, and an expired link
        var forgedU = System.Buffers.Text.Base64Url.EncodeToString("https://evil.example/"u8);
        Assert.Equal(ClickAction.Invalid, (await protection.DecideAsync(forgedU, q["r"], q["t"], q["s"], default)).Action);
        _time.Advance(TimeSpan.FromDays(91));
        Assert.Equal(ClickAction.Invalid, (await protection.DecideAsync(q["u"], q["r"], q["t"], q["s"], default)).Action);
    }

    public void Dispose() => _dns.Dispose();
}
