using System.Text;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>A content policy the test steers: it can wait, fail, or decide per recipient.</summary>
internal sealed class ScriptedPolicy(Func<ContentPolicyRequest, CancellationToken, Task<ContentPolicyResult>> decide) : IContentPolicy
{
    public int Calls;
    public async ValueTask<ContentPolicyResult> EvaluateAsync(ContentPolicyRequest request, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        return await decide(request, ct);
    }
}

/// <summary>Content policy hook, queue state across restarts, queue management and the spool's file format.</summary>
public sealed class PolicyAndQueueTests
{
    private static async Task<TestReply> SendAsync(GatewayHarness h, string[] to, string subject = "policy")
    {
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        return await c.SendMessageAsync("sender@remote.example", to, GatewayHarness.Message(subject));
    }

    [Fact]
    public async Task Past_the_budget_the_message_is_accepted_and_delivered_when_the_policy_finishes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new ScriptedPolicy(async (r, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return new ContentPolicyResult(r.Recipients.Select(_ => (RecipientOutcome)new RecipientOutcome.Deliver(RuleNames: ["late scan"])).ToArray());
        });
        await using var h = await GatewayHarness.StartAsync(o => o.PolicyBudget = TimeSpan.FromMilliseconds(100), s => s.Policy = policy);
        var r = await SendAsync(h, ["user@managed.example"]);
        Assert.Equal(250, r.Code);
        var id = r.Lines[0].Split(' ')[^1];
        Assert.Equal(QueueMessageState.Scanning, h.Gateway.Queue.List().Single().State);
        Assert.Empty(h.Inbound.Messages);
        release.SetResult();
        await h.Inbound.WaitForMessagesAsync(1);
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.QueueId == id && t.Action == TrackingAction.Delivered), "delivered");
        Assert.Equal(["late scan"], h.Tracking.Snapshot.Single(t => t.QueueId == id).Rules);
    }

    [Fact]
    public async Task A_policy_rejection_within_the_budget_is_the_final_reply_and_nothing_is_queued()
    {
        var policy = new ScriptedPolicy((r, _) => Task.FromResult(new ContentPolicyResult(
            r.Recipients.Select(_ => (RecipientOutcome)new RecipientOutcome.RejectInDialog(new SmtpReply(550, "5.7.1", "Message rejected: virus found"), ["antivirus"])).ToArray())));
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Policy = policy);
        var r = await SendAsync(h, ["a@managed.example", "b@managed.example"]);
        Assert.Equal((550, "5.7.1"), (r.Code, r.Enhanced));
        Assert.Equal("Message rejected: virus found", r.Lines[0][6..]);
        Assert.Empty(h.Gateway.Queue.List());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.Options.SpoolDirectory, "queue")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.Options.SpoolDirectory, "incoming")));
    }

    [Fact]
    public async Task A_failing_policy_tempfails_the_message()
    {
        var policy = new ScriptedPolicy((_, _) => throw new InvalidOperationException("scanner down"));
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Policy = policy);
        var r = await SendAsync(h, ["a@managed.example"]);
        Assert.Equal((451, "4.7.1"), (r.Code, r.Enhanced));
        Assert.Empty(h.Gateway.Queue.List());
    }

    [Fact]
    public async Task Recipients_can_get_different_copies_quarantine_or_a_bounce()
    {
        var modified = new MessageCopy(Encoding.UTF8.GetBytes("Subject: [EXTERNAL] modified\r\nX-Sekisho-Stamp: yes\r\n\r\nrewritten body\r\n"));
        await using var senderMx = new FakeMta().Start();
        var dns = new StaticDnsResolver();
        dns.Mx["remote.example"] = new DnsAnswer<MxHost>(DnsStatus.Ok, [new MxHost(10, "127.0.0.1")]);
        var policy = new ScriptedPolicy((r, _) => Task.FromResult(new ContentPolicyResult(r.Recipients.Select(p => (RecipientOutcome)(p.Address switch
        {
            "stamped@managed.example" => new RecipientOutcome.Deliver(modified, RuleNames: ["tag external"]),
            "quarantined@managed.example" => new RecipientOutcome.Quarantined("Q-1", ["dlp"]),
            "refused@managed.example" => new RecipientOutcome.RejectInDialog(new SmtpReply(550, "5.7.1", "policy says no"), ["block"]),
            _ => new RecipientOutcome.Deliver(),
        })).ToArray())));
        await using var h = await GatewayHarness.StartAsync(o => o.Delivery.MxPort = senderMx.Port, s => { s.Policy = policy; s.Dns = dns; });
        var r = await SendAsync(h, ["plain@managed.example", "stamped@managed.example", "quarantined@managed.example", "refused@managed.example"]);
        Assert.Equal(250, r.Code);
        var got = await h.Inbound.WaitForMessagesAsync(2);
        var copy = got.Single(m => m.Recipients.Contains("stamped@managed.example"));
        Assert.Equal("Subject: [EXTERNAL] modified\r\nX-Sekisho-Stamp: yes\r\n\r\nrewritten body\r\n", copy.Text);
        Assert.Equal(["stamped@managed.example"], copy.Recipients);
        var original = got.Single(m => m.Recipients.Contains("plain@managed.example"));
        Assert.Contains("Subject: policy", original.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(got, m => m.Recipients.Contains("quarantined@managed.example") || m.Recipients.Contains("refused@managed.example"));
        var dsn = (await senderMx.WaitForMessagesAsync(1))[0].Text;
        Assert.Contains("Final-Recipient: rfc822; refused@managed.example", dsn, StringComparison.Ordinal);
        Assert.Contains("policy says no", dsn, StringComparison.Ordinal);
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.Recipient == "quarantined@managed.example" && t.Action == TrackingAction.Quarantined), "quarantine tracked");
        Assert.Equal(["dlp"], h.Tracking.Snapshot.Single(t => t.Recipient == "quarantined@managed.example").Rules);
    }

    [Fact]
    public async Task The_queue_survives_a_restart_and_delivers_when_the_next_hop_returns()
    {
        using var spool = new TempDir("sekisho-restart");
        string id;
        int inboundPort;
        await using (var h = await GatewayHarness.StartAsync(setup: s => { s.StartInbound = false; s.SpoolDirectory = spool.Path; }))
        {
            var r = await SendAsync(h, ["a@managed.example", "b@managed.example"], "survives");
            id = r.Lines[0].Split(' ')[^1];
            await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients.All(x => x.State == RecipientState.Deferred) == true, "deferred");
            inboundPort = h.Inbound.Port;
        }
        await using (var admin = OfflineQueueAdministration.Open(spool.Path))
        {
            var shown = admin.Show(id)!;
            Assert.All(shown.Recipients, x => Assert.Equal(RecipientState.Deferred, x.State));
            Assert.All(shown.Recipients, x => Assert.Equal(1, x.Attempts));
            Assert.Equal("survives", shown.Summary.Subject);
            admin.Retry(id);
        }
        await using var nextHop = new FakeMta(port: inboundPort).Start();
        await using var again = await GatewayHarness.StartAsync(setup: s =>
        {
            s.SpoolDirectory = spool.Path;
            s.Domains = GatewayHarness.DefaultDomains(inboundPort);
        });
        var got = await nextHop.WaitForMessagesAsync(1);
        Assert.Equal(["a@managed.example", "b@managed.example"], got[0].Recipients.Order());
        Assert.Contains("id " + id, got[0].Text, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => again.Gateway.Queue.List().Count == 0, "queue empty");
    }

    [Fact]
    public async Task A_policy_interrupted_by_a_stop_runs_again_after_the_restart()
    {
        using var spool = new TempDir("sekisho-rescan");
        var never = new ScriptedPolicy(async (r, ct) => { await Task.Delay(Timeout.Infinite, ct); throw new InvalidOperationException(); });
        await using (var h = await GatewayHarness.StartAsync(o => o.PolicyBudget = TimeSpan.FromMilliseconds(50), s => { s.Policy = never; s.SpoolDirectory = spool.Path; }))
        {
            Assert.Equal(250, (await SendAsync(h, ["a@managed.example"], "rescan")).Code);
            Assert.Empty(h.Inbound.Messages);
        }
        var pass = new ScriptedPolicy((r, _) => Task.FromResult(new ContentPolicyResult([new RecipientOutcome.Deliver()])));
        await using var again = await GatewayHarness.StartAsync(setup: s => { s.Policy = pass; s.SpoolDirectory = spool.Path; });
        var got = await again.Inbound.WaitForMessagesAsync(1);
        Assert.Contains("Subject: rescan", got[0].Text, StringComparison.Ordinal);
        Assert.Equal(1, pass.Calls);
    }

    [Fact]
    public async Task Queue_management_lists_shows_holds_releases_retries_and_deletes()
    {
        await using var h = await GatewayHarness.StartAsync(setup: s => s.StartInbound = false);
        var first = (await SendAsync(h, ["a@managed.example"], "first")).Lines[0].Split(' ')[^1];
        var second = (await SendAsync(h, ["b@managed.example"], "second")).Lines[0].Split(' ')[^1];
        var q = h.Gateway.Queue;
        await Eventually.TrueAsync(() => q.List().All(m => m.State == QueueMessageState.Deferred), "both deferred");
        Assert.Equal([first, second], q.List().Select(m => m.Id));
        Assert.Contains("connect to 127.0.0.1", q.List()[0].LastError, StringComparison.Ordinal);

        Assert.True(q.Hold(first));
        Assert.Equal(QueueMessageState.Held, q.Show(first)!.Summary.State);
        Assert.True(q.Delete(second));
        Assert.Null(q.Show(second));
        Assert.False(q.Delete("0123456789ABCDEF0123"));

        h.Inbound.Start();
        Assert.Equal(1, q.Retry(null));
        Assert.Empty(h.Inbound.Messages); // held messages stay put
        Assert.True(q.Release(first));
        var got = await h.Inbound.WaitForMessagesAsync(1);
        Assert.Contains("Subject: first", got[0].Text, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => q.List().Count == 0, "queue empty");
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.QueueId == second && t.Action == TrackingAction.Deleted), "deletion tracked");

        var json = SmtpCliFormat.QueueJson(q.List());
        Assert.Equal("[]", json.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        Assert.Throws<SpoolLockedException>(() => OfflineQueueAdministration.Open(h.Options.SpoolDirectory));
    }

    [Fact]
    public async Task Queue_commands_reach_a_running_gateway_through_its_control_socket_and_the_spool_when_stopped()
    {
        using var spool = new TempDir("sekisho-ctl");
        string id;
        await using (var h = await GatewayHarness.StartAsync(setup: s => { s.StartInbound = false; s.SpoolDirectory = spool.Path; }))
        {
            id = (await SendAsync(h, ["a@managed.example"], "control")).Lines[0].Split(' ')[^1];
            await Eventually.TrueAsync(() => h.Gateway.Queue.List().Single().State == QueueMessageState.Deferred, "deferred");
            var remote = QueueAdministrationAccess.Open(spool.Path);
            Assert.IsType<QueueControlClient>(remote);
            Assert.Equal(id, remote.List().Single().Id);
            Assert.Equal("a@managed.example", remote.Show(id)!.Recipients.Single().Address);
            Assert.True(remote.Hold(id));
            Assert.Equal(QueueMessageState.Held, h.Gateway.Queue.Show(id)!.Summary.State);
            Assert.Throws<InvalidOperationException>(() => remote.Show("../../etc/passwd"));
        }
        var offline = QueueAdministrationAccess.Open(spool.Path);
        Assert.IsType<OfflineQueueAdministration>(offline);
        await using (offline as OfflineQueueAdministration)
        {
            Assert.Equal(QueueMessageState.Held, offline.Show(id)!.Summary.State);
            Assert.True(offline.Delete(id));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(spool.Path, "queue")));
    }

    [Fact]
    public async Task Listings_are_available_in_english_and_japanese()
    {
        await using var h = await GatewayHarness.StartAsync(setup: s => s.StartInbound = false);
        await SendAsync(h, ["a@managed.example"], "listed");
        await Eventually.TrueAsync(() => h.Gateway.Queue.List().Single().State == QueueMessageState.Deferred, "deferred");
        var en = SmtpCliFormat.QueueText(h.Gateway.Queue.List(), Resources.SmtpText.English);
        var ja = SmtpCliFormat.QueueText(h.Gateway.Queue.List(), Resources.SmtpText.Japanese);
        Assert.Contains("deferred", en, StringComparison.Ordinal);
        Assert.Contains("1 messages, 1 recipients waiting", en, StringComparison.Ordinal);
        Assert.Contains("再送待ち", ja, StringComparison.Ordinal);
        Assert.Contains("1 通", ja, StringComparison.Ordinal);
        var detail = SmtpCliFormat.QueueJson(h.Gateway.Queue.Show(h.Gateway.Queue.List()[0].Id)!);
        Assert.Contains("\"state\": \"Deferred\"", detail, StringComparison.Ordinal);
        Assert.Contains("\"address\": \"a@managed.example\"", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_graceful_stop_finishes_the_open_transaction_and_then_says_421()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var busy = await h.ConnectAsync();
        await using var idle = await h.ConnectAsync();
        await busy.EhloAsync();
        Assert.Equal(250, (await busy.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await busy.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        Assert.Equal(354, (await busy.CommandAsync("DATA")).Code);
        await busy.SendRawAsync("Subject: in flight\r\n\r\npart one\r\n");

        var stopping = h.Gateway.StopAsync(CancellationToken.None);
        Assert.Equal(421, (await idle.ReadReplyAsync()).Code);
        await Assert.ThrowsAnyAsync<Exception>(async () => { await using var late = await SmtpTestClient.ConnectAndGreetAsync(h.Mta); });
        await busy.SendRawAsync("part two\r\n.\r\n");
        Assert.Equal(250, (await busy.ReadReplyAsync()).Code);
        Assert.Equal(421, (await busy.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        await stopping;
        // Acknowledged means safe: delivered before the stop completed, or still in the spool for the next start.
        var delivered = h.Inbound.Messages.Any(m => m.Text.Contains("Subject: in flight", StringComparison.Ordinal));
        var queued = Directory.GetFiles(Path.Combine(h.Options.SpoolDirectory, "queue"));
        Assert.True(delivered ^ (queued.Length == 1), $"delivered={delivered}, queue files={queued.Length}");
    }

    [Fact]
    public async Task A_torn_record_at_the_end_of_a_queue_file_is_ignored_and_a_corrupt_file_is_moved_aside()
    {
        using var spool = new TempDir("sekisho-torn");
        string id;
        await using (var h = await GatewayHarness.StartAsync(setup: s => { s.StartInbound = false; s.SpoolDirectory = spool.Path; }))
        {
            id = (await SendAsync(h, ["a@managed.example"], "torn")).Lines[0].Split(' ')[^1];
            await Eventually.TrueAsync(() => h.Gateway.Queue.Show(id)?.Recipients[0].State == RecipientState.Deferred, "deferred");
        }
        var file = Path.Combine(spool.Path, "queue", id);
        await File.AppendAllTextAsync(file, "S00000000000000ff\n{\"half\":");
        await File.WriteAllTextAsync(Path.Combine(spool.Path, "queue", "0000000000000000BEEF"), "not a queue file");
        await using (var admin = OfflineQueueAdministration.Open(spool.Path))
        {
            Assert.Equal("torn", admin.Show(id)!.Summary.Subject);
            Assert.True(admin.Hold(id)); // appends after cutting the torn tail
        }
        Assert.True(File.Exists(Path.Combine(spool.Path, "corrupt", "0000000000000000BEEF")));
        var reread = QueueFileReader.Read(file, long.MaxValue);
        Assert.False(reread.TornTail);
        Assert.True(reread.Held);
        Assert.Equal(RecipientState.Deferred, reread.Statuses.Last().State);
    }
}
