using System.Net;
using System.Text.RegularExpressions;

namespace Sekisho.Web.Tests;

/// <summary>ログ: mail tracking with its filters and details, policy events, and the audit log, under one navigation entry with tabs.</summary>
public sealed class LogsScreenTests
{
    [Fact]
    public async Task Mail_tracking_and_policy_events_are_queried_and_shown_beside_the_audit_log()
    {
        await using var host = await ConsoleHost.StartAsync();
        await LogsApiTests.SeedAsync(host);
        var client = await host.SignedInAsync("viewer", ConsoleHost.ViewerPassword);
        await client.GetAsync("/lang/ja?returnUrl=/logs");

        var audit = await client.GetStringAsync("/logs");
        Assert.Contains("<h1>監査ログ</h1>", audit);
        Assert.Contains("id=\"tab-mail\"", audit);
        Assert.Contains("id=\"tab-policy-events\"", audit);

        var mail = await client.GetStringAsync("/logs/mail");
        Assert.Contains("<h1>メールトラッキング</h1>", mail);
        Assert.Equal(3, Regex.Matches(mail, "<tr data-key=").Count); // the default period is one day
        Assert.Equal(4, Regex.Matches(await client.GetStringAsync("/logs/mail?days=7"), "<tr data-key=").Count);
        Assert.Equal(["Q2:0"], Keys(await client.GetStringAsync("/logs/mail?direction=outbound")));
        Assert.Equal(["Q1:0"], Keys(await client.GetStringAsync("/logs/mail?status=quarantined&sender=*%40partner.example")));
        Assert.Equal(["Q1:0", "Q1:1"], Keys(await client.GetStringAsync("/logs/mail?subject=" + Uri.EscapeDataString("請求書"))).Order());
        Assert.Equal(["Q3:0"], Keys(await client.GetStringAsync("/logs/mail?days=0&messageId=%3Cm3%40mailer.example%3E")));
        Assert.Contains("ログはありません。", await client.GetStringAsync("/logs/mail?recipient=nobody@example.net"));

        var detail = await client.GetStringAsync("/logs/mail/detail?key=" + Uri.EscapeDataString("Q2:0"));
        Assert.Contains("メールトラッキングの詳細", detail);
        Assert.Contains("250 2.0.0 Ok", detail);
        Assert.Contains("mx.example.co.jp:25", detail);
        Assert.Contains("社外秘タグ", detail);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/logs/mail/detail?key=nope")).StatusCode);

        var events = await client.GetStringAsync("/logs/policy-events");
        Assert.Contains("<h1>ポリシーイベント</h1>", events);
        Assert.Equal(["スパム", "社外秘タグ", "SPF", "高リスク添付ファイル"], Rules(events));
        Assert.Contains("件名にタグを付加, BCC", events); // the actions the gateway recorded
        Assert.Contains("attachment-true-type (exe)", events);
        Assert.Contains("/quarantine/detail?id=", events); // the event without tracking links to the quarantined message
        Assert.Equal(["高リスク添付ファイル"], Rules(await client.GetStringAsync("/logs/policy-events?rule=" + Uri.EscapeDataString("添付"))));
        Assert.Equal(["社外秘タグ"], Rules(await client.GetStringAsync("/logs/policy-events?direction=outbound")));
        Assert.Equal(["スパム"], Rules(await client.GetStringAsync("/logs/policy-events?recipient=frank%40example.co.jp")));

        await client.GetAsync("/lang/en?returnUrl=/logs/mail");
        Assert.Contains("<h1>Mail tracking</h1>", await client.GetStringAsync("/logs/mail"));
        Assert.Contains("<h1>Policy events</h1>", await client.GetStringAsync("/logs/policy-events"));
    }

    [Fact]
    public async Task A_long_log_shows_the_newest_rows_and_says_so()
    {
        await using var host = await ConsoleHost.StartAsync();
        await using (var sink = new Sekisho.Smtp.Tracking.JsonLinesMailTrackingSink(Path.Combine(host.DataDirectory, "spool", "tracking")))
            await sink.RecordAsync(Enumerable.Range(0, 501).Select(i => new Sekisho.Smtp.Tracking.MailTrackingRecord($"Q{i:000}:0", LogsApiTests.Now.AddSeconds(-i),
                Sekisho.Smtp.MailDirection.Inbound, $"Q{i:000}", "a@partner.example", "b@example.co.jp", null, null, "s", null, null, null, null,
                Sekisho.Smtp.Tracking.TrackingAction.Delivered, null, null, [], 1)).ToList(), default);
        var client = await host.SignedInAsync();
        await client.GetAsync("/lang/en?returnUrl=/logs/mail");
        var page = await client.GetStringAsync("/logs/mail");
        Assert.Equal(500, Keys(page).Count);
        Assert.Equal("Q000:0", Keys(page)[0]);
        Assert.Contains("Only the newest 500 are shown", page);
        Assert.DoesNotContain("id=\"truncated\"", await client.GetStringAsync("/logs/mail?sender=nobody@example.net"));
    }

    private static List<string> Keys(string html) => Regex.Matches(html, "<tr data-key=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

    private static List<string> Rules(string html) => Regex.Matches(html, "<tr data-rule=\"([^\"]+)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
}
