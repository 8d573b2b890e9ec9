using System.Text;
using Sekisho.Smtp.Tracking;
using Sekisho.Testing;

namespace Sekisho.Smtp.Tests;

/// <summary>RFC 5321 and extension behaviour over raw sockets, each case against a real gateway on loopback.</summary>
public sealed class DialogueTests
{
    [Fact]
    public async Task Ehlo_on_the_mta_port_lists_every_extension_and_no_auth()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        var r = await c.EhloAsync();
        Assert.Equal(250, r.Code);
        Assert.Equal("gw.sekisho.test", r.Lines[0]);
        foreach (var ext in new[] { "PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS" })
            Assert.Contains(ext, r.Lines);
        Assert.Contains($"SIZE {50L * 1024 * 1024}", r.Lines);
        Assert.DoesNotContain(r.Lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_before_ehlo_and_rcpt_before_mail_are_bad_sequences()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        var r = await c.CommandAsync("MAIL FROM:<a@remote.example>");
        Assert.Equal((503, "5.5.1"), (r.Code, r.Enhanced));
        await c.EhloAsync();
        r = await c.CommandAsync("RCPT TO:<user@managed.example>");
        Assert.Equal((503, "5.5.1"), (r.Code, r.Enhanced));
        r = await c.CommandAsync("DATA");
        Assert.Equal(503, r.Code);
        r = await c.CommandAsync("FOOBAR");
        Assert.Equal((502, "5.5.2"), (r.Code, r.Enhanced));
        Assert.Equal(252, (await c.CommandAsync("VRFY user")).Code);
        Assert.Equal(221, (await c.CommandAsync("QUIT")).Code);
        Assert.True(await c.IsClosedAsync());
    }

    [Fact]
    public async Task A_message_is_queued_after_250_and_delivered_byte_for_byte_with_our_received_header()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync("mx.remote.example");
        var body = "First line\r\n.leading dot survives\r\n..two dots\r\n.\r\nnot the end\r\n";
        var message = GatewayHarness.Message("dots", body);
        var r = await c.SendMessageAsync("sender@remote.example", ["user@managed.example"], message);
        Assert.Equal(250, r.Code);
        Assert.StartsWith("2.0.0 Ok: queued as ", r.Lines[0], StringComparison.Ordinal);
        var id = r.Lines[0].Split(' ')[^1];

        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Equal("sender@remote.example", got.MailFrom);
        Assert.Equal(["user@managed.example"], got.Recipients);
        var text = got.Text;
        Assert.StartsWith("Received: from mx.remote.example ([127.0.0.1])\r\n\tby gw.sekisho.test (Sekisho) with ESMTP id " + id, text, StringComparison.Ordinal);
        Assert.EndsWith(message, text, StringComparison.Ordinal);

        await Eventually.TrueAsync(() => h.Gateway.Metrics.QueueMessages == 0, "queue empty");
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.QueueId == id && t.Action == TrackingAction.Delivered), "tracking record");
        var rec = h.Tracking.Snapshot.Single(t => t.QueueId == id);
        Assert.Equal("dots", rec.Subject);
        Assert.Equal(MailDirection.Inbound, rec.Direction);
        Assert.Equal("127.0.0.1", rec.ClientAddress);
        Assert.Contains(":" + h.Inbound.Port, rec.NextHop, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipelined_commands_get_their_replies_in_order()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        await c.SendRawAsync("MAIL FROM:<p@remote.example>\r\nRCPT TO:<a@managed.example>\r\nRCPT TO:<nobody@elsewhere.example>\r\nRCPT TO:<b@managed.example>\r\nDATA\r\n");
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(550, (await c.ReadReplyAsync()).Code);
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(354, (await c.ReadReplyAsync()).Code);
        await c.SendRawAsync(SmtpTestClient.DotStuff(GatewayHarness.Message("pipelined")) + ".\r\nQUIT\r\n");
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(221, (await c.ReadReplyAsync()).Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Equal(["a@managed.example", "b@managed.example"], got.Recipients.Order());
    }

    [Fact]
    public async Task Rset_mid_transaction_forgets_the_transaction()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<x@managed.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RSET")).Code);
        Assert.Equal(503, (await c.CommandAsync("RCPT TO:<x@managed.example>")).Code);
        Assert.Equal(503, (await c.CommandAsync("DATA")).Code);
        var r = await c.SendMessageAsync("b@remote.example", ["y@managed.example"], GatewayHarness.Message("after rset"));
        Assert.Equal(250, r.Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Equal(["y@managed.example"], got.Recipients);
        Assert.Equal("b@remote.example", got.MailFrom);
    }

    [Fact]
    public async Task Size_over_the_limit_is_refused_at_mail_when_declared_and_after_data_when_not()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxMessageSize = 10_000);
        await using var c = await h.ConnectAsync();
        var ehlo = await c.EhloAsync();
        Assert.Contains("SIZE 10000", ehlo.Lines);
        var r = await c.CommandAsync("MAIL FROM:<a@remote.example> SIZE=20000");
        Assert.Equal((552, "5.3.4"), (r.Code, r.Enhanced));

        r = await c.SendMessageAsync("a@remote.example", ["u@managed.example"], GatewayHarness.Message("big", new string('x', 70) + "\r\n" + string.Concat(Enumerable.Repeat(new string('y', 76) + "\r\n", 200))));
        Assert.Equal((552, "5.3.4"), (r.Code, r.Enhanced));
        // The session is still in sync and usable.
        r = await c.SendMessageAsync("a@remote.example", ["u@managed.example"], GatewayHarness.Message("small"));
        Assert.Equal(250, r.Code);
        var got = await h.Inbound.WaitForMessagesAsync(1);
        Assert.Single(got);
        Assert.Contains("Subject: small", got[0].Text, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.Options.SpoolDirectory, "incoming")));
    }

    [Fact]
    public async Task Eight_bit_bodies_pass_unchanged_and_are_declared_downstream()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        var message = GatewayHarness.Message("8bit", "日本語の本文です。\r\nÜmlaut\r\n").Replace("Subject: 8bit", "Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit", StringComparison.Ordinal);
        var r = await c.SendMessageAsync("a@remote.example", ["u@managed.example"], message, "BODY=8BITMIME");
        Assert.Equal(250, r.Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Contains("BODY=8BITMIME", got.MailParameters, StringComparison.Ordinal);
        Assert.True(got.Data.AsSpan().EndsWith(Encoding.UTF8.GetBytes(message)), "8-bit body changed on the way");
        Assert.Equal(555, (await c.CommandAsync("MAIL FROM:<a@remote.example> BODY=BINARYMIME")).Code);
    }

    [Fact]
    public async Task Utf8_addresses_need_the_smtputf8_parameter()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        var r = await c.CommandAsync("MAIL FROM:<送信者@例え.jp>");
        Assert.Equal((553, "5.6.7"), (r.Code, r.Enhanced));
        r = await c.SendMessageAsync("送信者@例え.jp", ["受信者@managed.example"], GatewayHarness.Message("utf8"), "SMTPUTF8");
        Assert.Equal(250, r.Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Equal("送信者@例え.jp", got.MailFrom);
        Assert.Equal(["受信者@managed.example"], got.Recipients);
        Assert.Contains("SMTPUTF8", got.MailParameters, StringComparison.Ordinal);
        Assert.Contains("with UTF8SMTP id", got.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlong_command_line_is_refused_and_the_session_goes_on()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        var r = await c.CommandAsync("MAIL FROM:<" + new string('a', 5000) + "@remote.example>");
        Assert.Equal((500, "5.5.2"), (r.Code, r.Enhanced));
        Assert.Equal(250, (await c.CommandAsync("NOOP")).Code);
        r = await c.CommandAsync("RCPT TO:<" + new string('b', 65) + "@managed.example>");
        Assert.Equal(503, r.Code); // no transaction: the over-long MAIL was not taken
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        r = await c.CommandAsync("RCPT TO:<" + new string('b', 65) + "@managed.example>");
        Assert.Equal((553, "5.1.3"), (r.Code, r.Enhanced)); // local part over 64 octets
    }

    [Fact]
    public async Task Recipients_beyond_the_limit_get_452()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxRecipients = 3);
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        for (var i = 0; i < 3; i++) Assert.Equal(250, (await c.CommandAsync($"RCPT TO:<u{i}@managed.example>")).Code);
        var r = await c.CommandAsync("RCPT TO:<u9@managed.example>");
        Assert.Equal((452, "4.5.3"), (r.Code, r.Enhanced));
        Assert.Equal(354, (await c.CommandAsync("DATA")).Code);
        await c.SendRawAsync(SmtpTestClient.DotStuff(GatewayHarness.Message("limit")) + ".\r\n");
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(3, (await h.Inbound.WaitForMessagesAsync(1))[0].Recipients.Count);
    }

    [Theory]
    [InlineData("bare LF end", "Subject: smuggle\r\n\r\nhello\n.\nMAIL FROM:<evil@remote.example>\r\n")]
    [InlineData("bare LF before dot", "Subject: smuggle\r\n\r\nhello\n.\r\nMAIL FROM:<evil@remote.example>\r\n")]
    [InlineData("bare CR", "Subject: smuggle\r\n\r\nhello\r.\rMAIL FROM:<evil@remote.example>\r\n")]
    [InlineData("dot then bare LF", "Subject: smuggle\r\n\r\nhello\r\n.\nMAIL FROM:<evil@remote.example>\r\n")]
    public async Task Smuggling_attempts_with_bare_line_endings_are_refused_and_never_end_the_data(string name, string payload)
    {
        _ = name;
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        Assert.Equal(354, (await c.CommandAsync("DATA")).Code);
        // If the gateway took a bare line ending as the end of data, it would answer the smuggled MAIL now.
        await c.SendRawAsync(payload + "RCPT TO:<victim@managed.example>\r\n.\r\n");
        var r = await c.ReadReplyAsync();
        Assert.Equal((550, "5.5.2"), (r.Code, r.Enhanced));
        Assert.Equal(250, (await c.CommandAsync("NOOP")).Code);
        Assert.Equal(503, (await c.CommandAsync("RCPT TO:<x@managed.example>")).Code);
        Assert.Equal(0, h.Gateway.Metrics.AcceptedMessages);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.Options.SpoolDirectory, "queue")));
    }

    [Fact]
    public async Task Normalize_mode_stores_bare_line_endings_as_crlf_and_keeps_smuggled_text_as_content()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.BareLineEndings = BareLineEndingHandling.Normalize);
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        Assert.Equal(354, (await c.CommandAsync("DATA")).Code);
        await c.SendRawAsync("Subject: n\r\n\r\nhello\n.\nMAIL FROM:<evil@remote.example>\r\n.\r\n");
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        // The fake MTA rejects any bare LF; the smuggled command arrives as plain text in the body.
        Assert.EndsWith("Subject: n\r\n\r\nhello\r\n.\r\nMAIL FROM:<evil@remote.example>\r\n", got.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_chunks_are_joined_and_delivered_and_bdat_zero_last_works()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        var message = GatewayHarness.Message("bdat", ".leading dot is not stuffed in BDAT\r\nend\r\n");
        var bytes = Encoding.UTF8.GetBytes(message);
        var first = bytes[..40];
        var second = bytes[40..];
        await c.SendRawAsync([.. Encoding.ASCII.GetBytes($"BDAT {first.Length}\r\n"), .. first, .. Encoding.ASCII.GetBytes($"BDAT {second.Length}\r\n"), .. second, .. "BDAT 0 LAST\r\n"u8.ToArray()]);
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        var final = await c.ReadReplyAsync();
        Assert.Equal(250, final.Code);
        Assert.Contains("queued as", final.Text, StringComparison.Ordinal);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.EndsWith(message, got.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_out_of_sequence_still_consumes_its_chunk_and_cannot_mix_with_data()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        // The chunk contains something that looks like a command: it must be swallowed as data.
        await c.SendRawAsync("BDAT 12 LAST\r\nQUIT\r\nQUIT\r\n");
        Assert.Equal(503, (await c.ReadReplyAsync()).Code);
        Assert.Equal(250, (await c.CommandAsync("NOOP")).Code);
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        await c.SendRawAsync("BDAT 5\r\nSubje");
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        Assert.Equal(503, (await c.CommandAsync("DATA")).Code);
        var rest = "ct: x\r\n\r\nbody\r\n";
        await c.SendRawAsync($"BDAT {rest.Length} LAST\r\n{rest}");
        Assert.Equal(250, (await c.ReadReplyAsync()).Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.EndsWith("Subject: x\r\n\r\nbody\r\n", got.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_over_the_size_limit_is_refused()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxMessageSize = 2000);
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        var chunk = new string('z', 3000);
        await c.SendRawAsync($"BDAT 3000 LAST\r\n{chunk}");
        var r = await c.ReadReplyAsync();
        Assert.Equal((552, "5.3.4"), (r.Code, r.Enhanced));
        Assert.Equal(250, (await c.CommandAsync("NOOP")).Code);
        Assert.Equal(0, h.Gateway.Metrics.AcceptedMessages);
    }

    [Fact]
    public async Task Starttls_resets_the_session_and_is_recorded()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        var ehlo = await c.StartTlsAsync();
        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        Assert.Equal(503, (await c.CommandAsync("STARTTLS")).Code);
        Assert.Equal(503, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code); // MAIL was forgotten
        var r = await c.SendMessageAsync("a@remote.example", ["u@managed.example"], GatewayHarness.Message("tls"));
        Assert.Equal(250, r.Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Matches(@"\(using TLSv1\.[23] with cipher [A-Z0-9_]+\)", got.Text);
        Assert.Contains("with ESMTPS id", got.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plaintext_pipelined_after_starttls_is_discarded()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        await c.SendRawAsync("STARTTLS\r\nMAIL FROM:<injected@remote.example>\r\nRCPT TO:<u@managed.example>\r\n");
        Assert.Equal(220, (await c.ReadReplyAsync()).Code);
        await c.UpgradeToTlsAsync();
        // Had the injected commands run inside TLS, the first reply here would be theirs (250), not EHLO's.
        var ehlo = await c.EhloAsync();
        Assert.Equal("gw.sekisho.test", ehlo.Lines[0]);
        Assert.Equal(503, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
    }

    [Fact]
    public async Task Submission_requires_starttls_before_auth_and_auth_before_mail()
    {
        await using var h = await GatewayHarness.StartAsync(setup: s => s.SmartHostToInbound = true);
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(h.Submission);
        var ehlo = await c.EhloAsync();
        Assert.DoesNotContain(ehlo.Lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
        var r = await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "correct horse"));
        Assert.Equal((530, "5.7.0"), (r.Code, r.Enhanced));
        Assert.Equal(530, (await c.CommandAsync("MAIL FROM:<alice@managed.example>")).Code);
        ehlo = await c.StartTlsAsync();
        Assert.Contains("AUTH PLAIN LOGIN", ehlo.Lines);
        Assert.Equal(530, (await c.CommandAsync("MAIL FROM:<alice@managed.example>")).Code);
        r = await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "wrong"));
        Assert.Equal((535, "5.7.8"), (r.Code, r.Enhanced));
        r = await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "correct horse"));
        Assert.Equal((235, "2.7.0"), (r.Code, r.Enhanced));
        Assert.Equal(503, (await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "correct horse"))).Code);
        // An authenticated user sends outbound (to the smart host here) but only as a managed domain.
        r = await c.CommandAsync("MAIL FROM:<alice@not-ours.example>");
        Assert.Equal((553, "5.7.1"), (r.Code, r.Enhanced));
        r = await c.SendMessageAsync("alice@managed.example", ["friend@elsewhere.example"], GatewayHarness.Message("outbound", from: "alice@managed.example", to: "friend@elsewhere.example"));
        Assert.Equal(250, r.Code);
        var got = (await h.Inbound.WaitForMessagesAsync(1))[0];
        Assert.Equal(["friend@elsewhere.example"], got.Recipients);
        Assert.Contains("with ESMTPSA id", got.Text, StringComparison.Ordinal);
        await h.FlushTrackingAsync();
        await Eventually.TrueAsync(() => h.Tracking.Snapshot.Any(t => t.Recipient == "friend@elsewhere.example" && t.Action == TrackingAction.Delivered), "tracking");
        var t = h.Tracking.Snapshot.First(t => t.Recipient == "friend@elsewhere.example");
        Assert.Equal(MailDirection.Outbound, t.Direction);
    }

    [Fact]
    public async Task Auth_login_works_and_auth_is_refused_on_the_mta_port()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using (var mta = await h.ConnectAsync())
        {
            await mta.EhloAsync();
            await mta.StartTlsAsync();
            Assert.Equal(503, (await mta.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "correct horse"))).Code);
        }
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(h.Submission);
        await c.EhloAsync();
        await c.StartTlsAsync();
        var r = await c.CommandAsync("AUTH LOGIN");
        Assert.Equal((334, "VXNlcm5hbWU6"), (r.Code, r.Lines[0]));
        r = await c.CommandAsync(B64("alice@managed.example"));
        Assert.Equal((334, "UGFzc3dvcmQ6"), (r.Code, r.Lines[0]));
        r = await c.CommandAsync(B64("correct horse"));
        Assert.Equal(235, r.Code);
        r = await c.CommandAsync("AUTH CRAM-MD5");
        Assert.Equal(503, r.Code);
    }

    [Fact]
    public async Task Repeated_auth_failures_close_the_session()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var c = await SmtpTestClient.ConnectAndGreetAsync(h.Submission);
        await c.EhloAsync();
        await c.StartTlsAsync();
        Assert.Equal(535, (await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "1"))).Code);
        Assert.Equal(535, (await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "2"))).Code);
        Assert.Equal(535, (await c.CommandAsync("AUTH PLAIN " + Plain("alice@managed.example", "3"))).Code);
        Assert.Equal(421, (await c.ReadReplyAsync()).Code);
        Assert.True(await c.IsClosedAsync());
    }

    [Fact]
    public async Task An_idle_client_gets_421_after_the_command_timeout()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.CommandTimeout = TimeSpan.FromMilliseconds(300));
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        var r = await c.ReadReplyAsync();
        Assert.Equal((421, "4.4.2"), (r.Code, r.Enhanced));
        Assert.True(await c.IsClosedAsync());
    }

    [Fact]
    public async Task A_stalled_data_transfer_times_out_and_nothing_is_queued()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.DataTimeout = TimeSpan.FromMilliseconds(300));
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u@managed.example>")).Code);
        Assert.Equal(354, (await c.CommandAsync("DATA")).Code);
        await c.SendRawAsync("Subject: half\r\n\r\nhalf a message");
        var r = await c.ReadReplyAsync();
        Assert.Equal(421, r.Code);
        Assert.True(await c.IsClosedAsync());
        Assert.Equal(0, h.Gateway.Metrics.AcceptedMessages);
        await Eventually.TrueAsync(() => !Directory.EnumerateFiles(Path.Combine(h.Options.SpoolDirectory, "incoming")).Any(), "incoming cleaned");
    }

    [Fact]
    public async Task Connections_beyond_the_per_client_limit_get_421()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxConnectionsPerClient = 2);
        await using var a = await h.ConnectAsync();
        await using var b = await h.ConnectAsync();
        await using var c = await SmtpTestClient.ConnectAsync(h.Mta);
        var r = await c.ReadReplyAsync();
        Assert.Equal((421, "4.7.0"), (r.Code, r.Enhanced));
        Assert.True(await c.IsClosedAsync());
        // Another client address is not affected.
        await using var d = await SmtpTestClient.ConnectAndGreetAsync(h.Mta, System.Net.IPAddress.Parse("127.0.0.3"));
        Assert.Equal(250, (await d.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task A_client_that_talks_before_the_greeting_is_refused()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.GreetingDelay = TimeSpan.FromSeconds(2));
        await using var c = await SmtpTestClient.ConnectAsync(h.Mta);
        await c.SendRawAsync("EHLO eager.example\r\nMAIL FROM:<spam@remote.example>\r\n");
        var r = await c.ReadReplyAsync();
        Assert.Equal((554, "5.5.0"), (r.Code, r.Enhanced));
        Assert.True(await c.IsClosedAsync());
    }

    [Fact]
    public async Task A_patient_client_is_greeted_after_the_greeting_delay()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.GreetingDelay = TimeSpan.FromMilliseconds(200));
        await using var c = await SmtpTestClient.ConnectAsync(h.Mta);
        Assert.Equal(220, (await c.ReadReplyAsync()).Code);
        Assert.Equal(250, (await c.EhloAsync()).Code);
    }

    [Fact]
    public async Task Too_many_errors_close_the_session_and_http_requests_are_hung_up()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxErrors = 3);
        await using (var c = await h.ConnectAsync())
        {
            Assert.Equal(502, (await c.CommandAsync("X1")).Code);
            Assert.Equal(502, (await c.CommandAsync("X2")).Code);
            Assert.Equal(502, (await c.CommandAsync("X3")).Code);
            Assert.Equal(421, (await c.ReadReplyAsync()).Code);
            Assert.True(await c.IsClosedAsync());
        }
        await using var http = await h.ConnectAsync();
        Assert.Equal(221, (await http.CommandAsync("GET / HTTP/1.1")).Code);
        Assert.True(await http.IsClosedAsync());
    }

    [Fact]
    public async Task Recipients_over_the_client_rate_are_deferred()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxRecipientsPerClientPerWindow = 2);
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        Assert.Equal(250, (await c.CommandAsync("MAIL FROM:<a@remote.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u1@managed.example>")).Code);
        Assert.Equal(250, (await c.CommandAsync("RCPT TO:<u2@managed.example>")).Code);
        var r = await c.CommandAsync("RCPT TO:<u3@managed.example>");
        Assert.Equal((450, "4.7.0"), (r.Code, r.Enhanced));
    }

    [Fact]
    public async Task A_message_that_went_round_too_often_is_refused_as_a_loop()
    {
        await using var h = await GatewayHarness.StartAsync(o => o.Limits.MaxHops = 5);
        await using var c = await h.ConnectAsync();
        await c.EhloAsync();
        var hops = string.Concat(Enumerable.Range(0, 5).Select(i => $"Received: from hop{i}.example by hop{i + 1}.example; Wed, 01 Apr 2026 09:00:0{i} +0000\r\n"));
        var r = await c.SendMessageAsync("a@remote.example", ["u@managed.example"], hops + GatewayHarness.Message("loop"));
        Assert.Equal((554, "5.4.6"), (r.Code, r.Enhanced));
        r = await c.SendMessageAsync("a@remote.example", ["u@managed.example"], hops[(hops.IndexOf('\n') + 1)..] + GatewayHarness.Message("four hops"));
        Assert.Equal(250, r.Code);
    }

    internal static string Plain(string user, string password) => B64("\0" + user + "\0" + password);
    internal static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
