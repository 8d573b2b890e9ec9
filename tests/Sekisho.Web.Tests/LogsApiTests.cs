using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Smtp;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Web.Tests;

/// <summary><c>/api/v1/logs/mail</c> and <c>/api/v1/logs/policy-events</c> over the tracking files the gateway writes and the quarantine.</summary>
public sealed class LogsApiTests
{
    internal static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>
    /// Tracking as the gateway writes it (JSON lines in DATA/spool/tracking): an inbound message quarantined by a rule for one recipient
    /// and delivered to another, an outbound message delivered after a tagging rule, an old bounced message without rules.
    /// One quarantine entry matches the tracked quarantine; another has no tracking record.
    /// </summary>
    internal static async Task SeedAsync(ConsoleHost host)
    {
        await using (var sink = new JsonLinesMailTrackingSink(Path.Combine(host.DataDirectory, "spool", "tracking")))
            await sink.RecordAsync(
            [
                Record("Q1:0", Now.AddMinutes(-30), MailDirection.Inbound, "Q1", "alice@partner.example", "bob@example.co.jp", "請求書のご送付", "<m1@partner.example>",
                    TrackingAction.Quarantined, ["高リスク添付ファイル"]),
                Record("Q1:1", Now.AddMinutes(-30), MailDirection.Inbound, "Q1", "alice@partner.example", "carol@example.co.jp", "請求書のご送付", "<m1@partner.example>",
                    TrackingAction.Delivered, []),
                Record("Q2:0", Now.AddMinutes(-10), MailDirection.Outbound, "Q2", "dave@example.co.jp", "erin@customer.example", "Quarterly report", "<m2@example.co.jp>",
                    TrackingAction.Delivered, ["社外秘タグ"]),
                Record("Q3:0", Now.AddDays(-3), MailDirection.Inbound, "Q3", "", "bob@example.co.jp", "Undeliverable", "<m3@mailer.example>",
                    TrackingAction.Bounced, []),
            ], default);
        // The gateway's own record of what the policy did (PolicyContentPolicy writes it as the policy runs).
        await new JsonLinesPolicyEventSink(Path.Combine(host.DataDirectory, "spool", "policy-events")).RecordAsync(
        [
            new PolicyEventRecord("Q2:erin@customer.example:r-tag", Now.AddMinutes(-10), MailDirection.Outbound, "Q2", "dave@example.co.jp", "erin@customer.example",
                "Quarterly report", "m2@example.co.jp", "r-tag", "社外秘タグ", "content", ["tag-subject", "bcc"], "deliver", null, null),
            new PolicyEventRecord("Q5:bob@example.co.jp:authentication:spf", Now.AddMinutes(-20), MailDirection.Inbound, "Q5", "forged@bank.example", "bob@example.co.jp",
                "Your account", "m5@bank.example", "authentication:spf", "SPF", null, ["delete"], "delete", "spf=fail", null),
        ], default);
        var store = new Sekisho.Store.QuarantineStore(host.Store, host.Organization);
        await store.AddAsync(new Sekisho.Store.NewQuarantinedMessage("bob@example.co.jp", "alice@partner.example", Direction.Inbound, "請求書のご送付",
            "From: alice@partner.example\r\nSubject: x\r\n\r\nx\r\n"u8.ToArray(), "rule-1", "高リスク添付ファイル", "attachment-true-type (exe)", "default", "{}", Now.AddMinutes(-30), "Q1"), 30);
        await store.AddAsync(new Sekisho.Store.NewQuarantinedMessage("frank@example.co.jp", "spam@bulk.example", Direction.Inbound, "Sale",
            "From: spam@bulk.example\r\nSubject: Sale\r\n\r\nx\r\n"u8.ToArray(), "rule-2", "スパム", "spam score 15", "spam", "{}", Now.AddMinutes(-5), "Q9"), 30);
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        await s.AddRuleAsync(new Rule
        {
            Id = Ids.New(), Direction = Direction.Inbound, Type = RuleType.Content, Name = "高リスク添付ファイル", Order = 1, Enabled = true,
            Actions = new RuleActions(new Quarantine(), [], []), Created = Now, Modified = Now,
        });
        await s.CommitAsync();
    }

    private static MailTrackingRecord Record(string key, DateTimeOffset time, MailDirection direction, string queueId, string sender, string recipient, string subject,
        string messageId, TrackingAction action, IReadOnlyList<string> rules) =>
        new(key, time, direction, queueId, sender, recipient, sender, recipient, subject, messageId, "192.0.2.25", "TLSv1.3", null, action,
            action == TrackingAction.Delivered ? "250 2.0.0 Ok" : null, action == TrackingAction.Delivered ? "mx.example.co.jp:25" : null, rules, 1234);

    private static async Task<List<string>> Keys(HttpClient api, string path) =>
        (await api.GetFromJsonAsync<JsonElement[]>(path))!.Select(x => x.GetProperty("key").GetString()!).ToList();

    [Fact]
    public async Task Mail_tracking_is_queried_by_every_filter_and_shown_per_record()
    {
        await using var host = await ConsoleHost.StartAsync();
        var viewer = host.Api(host.ViewerToken);
        Assert.Empty(await Keys(viewer, "/api/v1/logs/mail")); // nothing tracked yet, and no directory is created for it
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "spool", "tracking")));
        await SeedAsync(host);

        var all = await Keys(viewer, "/api/v1/logs/mail");
        Assert.Equal(("Q2:0", "Q3:0"), (all[0], all[^1])); // newest first
        Assert.Equal(["Q1:0", "Q1:1"], all[1..3].Order());
        Assert.Equal(["Q2:0"], await Keys(viewer, "/api/v1/logs/mail?direction=outbound"));
        Assert.Equal(["Q1:0", "Q1:1"], (await Keys(viewer, "/api/v1/logs/mail?sender=*@partner.example")).Order());
        Assert.Equal(["Q1:0", "Q3:0"], (await Keys(viewer, "/api/v1/logs/mail?recipient=BOB@example.co.jp")).Order());
        Assert.Equal(["Q2:0"], await Keys(viewer, "/api/v1/logs/mail?subject=quarterly"));
        Assert.Equal(["Q1:0"], await Keys(viewer, "/api/v1/logs/mail?status=quarantined"));
        Assert.Equal(["Q3:0"], await Keys(viewer, "/api/v1/logs/mail?messageId=m3@mailer.example"));
        Assert.Equal(3, (await Keys(viewer, "/api/v1/logs/mail?since=" + Uri.EscapeDataString(Now.AddDays(-1).ToString("O")))).Count);
        Assert.Equal(["Q3:0"], await Keys(viewer, "/api/v1/logs/mail?until=" + Uri.EscapeDataString(Now.AddDays(-1).ToString("O"))));
        Assert.Single(await Keys(viewer, "/api/v1/logs/mail?limit=1"));
        foreach (var bad in new[] { "status=lost", "direction=sideways", "since=yesterday", "until=never" })
            Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/v1/logs/mail?" + bad)).StatusCode);

        var one = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/logs/mail/" + Uri.EscapeDataString("Q2:0"));
        Assert.Equal(("erin@customer.example", "delivered", "250 2.0.0 Ok", "社外秘タグ"), (one.GetProperty("recipient").GetString(), one.GetProperty("action").GetString(),
            one.GetProperty("deliveryStatus").GetString(), one.GetProperty("rules")[0].GetString()));
        var missing = await viewer.GetAsync("/api/v1/logs/mail/Q7:0");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("logs.mail.not-found", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Policy_events_come_from_matched_rules_and_the_quarantine()
    {
        await using var host = await ConsoleHost.StartAsync();
        await SeedAsync(host);
        var viewer = host.Api(host.ViewerToken);
        var events = (await viewer.GetFromJsonAsync<JsonElement[]>("/api/v1/logs/policy-events"))!;
        Assert.Equal(["スパム", "社外秘タグ", "SPF", "高リスク添付ファイル"], events.Select(e => e.GetProperty("rule").GetString()));
        static List<string?> Actions(JsonElement e) => e.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ToList();
        var spam = events[0]; // only in the quarantine
        Assert.Equal(("quarantined", "spam score 15", "frank@example.co.jp", false), (spam.GetProperty("outcome").GetString(), spam.GetProperty("reason").GetString(),
            spam.GetProperty("recipient").GetString(), spam.GetProperty("actionsRecorded").GetBoolean()));
        Assert.Empty(Actions(spam)); // the rule is not in the policy
        var tagged = events[1]; // recorded, and its tracking record says it was delivered
        Assert.Equal(("outbound", "delivered", true, "Q2:0"), (tagged.GetProperty("direction").GetString(), tagged.GetProperty("outcome").GetString(),
            tagged.GetProperty("actionsRecorded").GetBoolean(), tagged.GetProperty("trackingKey").GetString()));
        Assert.Equal(["tag-subject", "bcc"], Actions(tagged));
        var spf = events[2]; // recorded, no tracking record
        Assert.Equal(("deleted", "spf=fail", JsonValueKind.Null), (spf.GetProperty("outcome").GetString(), spf.GetProperty("reason").GetString(), spf.GetProperty("ruleType").ValueKind));
        Assert.Equal(["delete"], Actions(spf));
        var quarantined = events[2 + 1]; // from tracking, with the quarantine's reason and the rule's configured action
        Assert.Equal(("inbound", "bob@example.co.jp", "quarantined", "attachment-true-type (exe)", "content", "Q1:0", false),
            (quarantined.GetProperty("direction").GetString(), quarantined.GetProperty("recipient").GetString(),
             quarantined.GetProperty("outcome").GetString(), quarantined.GetProperty("reason").GetString(), quarantined.GetProperty("ruleType").GetString(),
             quarantined.GetProperty("trackingKey").GetString(), quarantined.GetProperty("actionsRecorded").GetBoolean()));
        Assert.Equal(["quarantine"], Actions(quarantined));
        Assert.False(string.IsNullOrEmpty(quarantined.GetProperty("quarantineId").GetString()));

        async Task<List<string>> Rules(string query) =>
            (await viewer.GetFromJsonAsync<JsonElement[]>("/api/v1/logs/policy-events?" + query))!.Select(e => e.GetProperty("rule").GetString()!).ToList();
        Assert.Equal(["社外秘タグ"], await Rules("direction=outbound"));
        Assert.Equal(["高リスク添付ファイル"], await Rules("rule=" + Uri.EscapeDataString("添付")));
        Assert.Equal(["高リスク添付ファイル"], await Rules("sender=*@partner.example"));
        Assert.Equal(["SPF"], await Rules("sender=*@bank.example"));
        Assert.Equal(["SPF", "高リスク添付ファイル"], await Rules("direction=inbound&recipient=bob@example.co.jp"));
        Assert.Equal(["スパム"], await Rules("recipient=frank@example.co.jp"));
        // Later than everything seeded: the quarantine stamps its entries with the real clock at seeding, which can be more
        // than a minute after Now (the class's clock is read when another test class first seeds).
        Assert.Empty(await Rules("since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/v1/logs/policy-events?direction=up")).StatusCode);
    }
}
