using System.Text;
using MimeKit;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Testing;
using static Sekisho.Policy.Tests.TestMessages;

namespace Sekisho.Policy.Tests;

internal sealed class ListQuarantine : IQuarantineSink
{
    public List<QuarantineRequest> Items { get; } = [];

    public Task<string> QuarantineAsync(QuarantineRequest request, CancellationToken ct)
    {
        Items.Add(request);
        return Task.FromResult("Q" + Items.Count);
    }
}

internal sealed class ListArchive : IArchiveSink
{
    public List<(string? Area, string Recipient, byte[] Message)> Items { get; } = [];

    public Task ArchiveAsync(string? area, string recipient, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        Items.Add((area, recipient, message.ToArray()));
        return Task.CompletedTask;
    }
}

public sealed class ApplyTests
{
    private readonly ListQuarantine _quarantine = new();
    private readonly ListArchive _archive = new();

    private async Task<ApplyResult> Run(Sekisho.Model.PolicySnapshot p, byte[] raw, MessageEnvelope? envelope = null, PolicyPorts? ports = null)
    {
        envelope ??= Envelope();
        var facts = Facts(raw);
        var plan = await new PolicyEngine(p, ports, new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero))).EvaluateAsync(facts, envelope, raw);
        return await new PolicyApplier(p, _quarantine, _archive, ports?.Virus, options: new ApplyOptions { HostName = "gw.example.co.jp" }).ApplyAsync(raw, facts, envelope, plan);
    }

    private static MimeMessage Load(byte[] b) => MimeMessage.Load(new MemoryStream(b));

    [Fact]
    public async Task Delete_matching_attachments_replaces_them_with_a_notice()
    {
        var rule = Policies.Content("no exe", new AttachmentTrueType(Selection.Selected, ["exe"]), new DoNotIntercept(), [new DeleteAttachments()]);
        var raw = Bytes(WithAttachments(New(), Attachment("setup.exe", Exe()), Attachment("notes.txt", Encoding.UTF8.GetBytes("keep me"), "text/plain")));
        var r = (await Run(Policies.With(rule), raw)).Recipients[0];
        Assert.Equal(FinalAction.Deliver, r.Outcome);
        var m = Load(r.Content!);
        var names = m.Attachments.Select(a => a.ContentDisposition?.FileName).ToList();
        Assert.Equal(["removed-attachment.txt", "notes.txt"], names);
        var notice = (TextPart)m.Attachments.First();
        Assert.Contains("setup.exe", notice.Text);
        Assert.Contains("no exe", notice.Text);
        Assert.DoesNotContain(Facts(r.Content!).Attachments, a => a.TrueType == Mail.TrueFileType.Exe);
    }

    [Fact]
    public async Task Delete_all_attachments_removes_every_one()
    {
        var rule = Policies.Content("strip", new AttachmentCount(Comparison.GreaterThan, 1), new DoNotIntercept(), [new DeleteAttachments(AttachmentScope.All)]);
        var raw = Bytes(WithAttachments(New(), Attachment("a.pdf", Encoding.ASCII.GetBytes("%PDF-1.4\n")), Attachment("b.txt", Encoding.UTF8.GetBytes("b"), "text/plain")));
        var m = Load((await Run(Policies.With(rule), raw)).Recipients[0].Content!);
        Assert.All(m.Attachments, a => Assert.Equal("removed-attachment.txt", a.ContentDisposition?.FileName));
        Assert.Equal("Hello.", ((TextPart)((Multipart)m.Body!)[0]).Text.Trim());
    }

    [Fact]
    public async Task Clean_deletes_what_the_scanner_cannot_repair()
    {
        var virus = Policies.Rule("virus", RuleType.Virus, CriteriaSet.AnyOf(MalwareDetection.All), null, [new CleanMalware()]);
        var raw = Bytes(WithAttachments(New(), Attachment("eicar.com", Encoding.ASCII.GetBytes(EvaluationTests.Eicar)), Attachment("ok.txt", Encoding.UTF8.GetBytes("fine"), "text/plain")));
        var r = (await Run(Policies.With(virus), raw, ports: new PolicyPorts { Virus = new EicarScanner() })).Recipients[0];
        var m = Load(r.Content!);
        Assert.Equal(["removed-attachment.txt", "ok.txt"], m.Attachments.Select(a => a.ContentDisposition?.FileName));
    }

    [Fact]
    public async Task X_headers_one_per_name_the_last_rule_wins_and_subject_tagged_once()
    {
        var a = Policies.Rule("a", RuleType.Content, CriteriaSet.Empty, null, [new InsertXHeader("X-Policy-Test", "first"), new TagSubject("[外部]")]);
        var b = Policies.Rule("b", RuleType.Content, CriteriaSet.Empty, null, [new InsertXHeader("X-Policy-Test", "second"), new TagSubject("[外部]")]);
        var m = Load((await Run(Policies.With(a, b), Bytes(New(subject: "Quarterly report")))).Recipients[0].Content!);
        Assert.Equal(["second"], m.Headers.Where(h => h.Field == "X-Policy-Test").Select(h => h.Value));
        Assert.Equal("[外部] Quarterly report", m.Subject);
    }

    [Fact]
    public async Task Tag_subject_skips_signed_messages_when_asked()
    {
        var signed = new MimeMessage();
        signed.From.Add(MailboxAddress.Parse("alice@partner.example"));
        signed.To.Add(MailboxAddress.Parse("bob@example.co.jp"));
        signed.Subject = "signed";
        var ms = new MimeKit.Cryptography.MultipartSigned();
        ms.Add(new TextPart("plain") { Text = "signed body" });
        ms.Add(new MimePart("application", "pkcs7-signature") { Content = new MimeContent(new MemoryStream(new byte[64])), FileName = "smime.p7s" });
        ms.ContentType.Parameters["protocol"] = "application/pkcs7-signature";
        ms.ContentType.Parameters["micalg"] = "sha-256";
        signed.Body = ms;
        var skip = Policies.Rule("tag", RuleType.Content, CriteriaSet.Empty, null, [new TagSubject("[EXT]", SkipSignedMessages: true)]);
        Assert.Equal("signed", Load((await Run(Policies.With(skip), Bytes(signed))).Recipients[0].Content!).Subject);
        var always = Policies.Rule("tag", RuleType.Content, CriteriaSet.Empty, null, [new TagSubject("[EXT]", SkipSignedMessages: false)]);
        Assert.Equal("[EXT] signed", Load((await Run(Policies.With(always), Bytes(signed))).Recipients[0].Content!).Subject);
    }

    [Fact]
    public async Task Stamps_go_into_text_and_html_parts_with_html_encoded_tokens()
    {
        var stamp = new Stamp { Id = "ext", Name = "external", Position = StampPosition.Beginning, Text = "注意: 外部からのメールです (%SENDER%) 件名 %SUBJECT%" };
        var rule = Policies.Rule("stamp", RuleType.Content, CriteriaSet.Empty, null, [new InsertStamp("ext")]);
        var m = New(subject: "<b>hi</b> & co");
        var alt = new MultipartAlternative { new TextPart("plain") { Text = "plain body" }, new TextPart("html") { Text = "<html><body><p>html body</p></body></html>" } };
        m.Body = alt;
        var result = Load((await Run(Policies.With(rule) with { Stamps = [stamp] }, Bytes(m))).Recipients[0].Content!);
        var parts = ((Multipart)result.Body!).OfType<TextPart>().ToList();
        Assert.StartsWith("注意: 外部からのメールです (alice@partner.example) 件名 <b>hi</b> & co", parts[0].Text);
        Assert.EndsWith("plain body", parts[0].Text.TrimEnd());
        Assert.Contains("<body><div>注意: 外部からのメールです (alice@partner.example) 件名 &lt;b&gt;hi&lt;/b&gt; &amp; co</div><p>html body</p>", parts[1].Text);
    }

    [Fact]
    public async Task Stamps_keep_the_parts_japanese_charset()
    {
        var stamp = new Stamp { Id = "s", Name = "s", Text = "【社外秘】取扱注意" };
        var rule = Policies.Rule("stamp", RuleType.Content, CriteriaSet.Empty, null, [new InsertStamp("s")]);
        var raw = Japanese("iso-2022-jp", "件名", "本文です。");
        var content = (await Run(Policies.With(rule) with { Stamps = [stamp] }, raw)).Recipients[0].Content!;
        var facts = Facts(content);
        Assert.Equal("iso-2022-jp", facts.Parts.Single(p => p.Role == Mail.MimePartRole.Body).Charset, ignoreCase: true);
        Assert.Contains("本文です。", facts.BodyText);
        Assert.EndsWith("【社外秘】取扱注意", facts.BodyText.TrimEnd());
    }

    [Fact]
    public async Task Stamps_skip_signed_and_tnef_when_asked()
    {
        var stamp = new Stamp { Id = "s", Name = "s", Text = "STAMP", SkipSignedAndTnef = true };
        var rule = Policies.Rule("stamp", RuleType.Content, CriteriaSet.Empty, null, [new InsertStamp("s")]);
        var raw = Bytes(WithAttachments(New(), Attachment("winmail.dat", Fixture("mail", "clamav", "clam.tnef"), "application/ms-tnef")));
        var r = (await Run(Policies.With(rule) with { Stamps = [stamp] }, raw)).Recipients[0];
        Assert.DoesNotContain("STAMP", Facts(r.Content!).BodyText);
    }

    [Fact]
    public async Task Quarantine_keeps_the_original_per_recipient_with_rule_reason_and_trace()
    {
        var rule = Policies.Content("blank", new SubjectBlank(), new Quarantine("spam-area"));
        var raw = Bytes(New(subject: ""));
        var result = await Run(Policies.With(rule), raw, Envelope(to: ["bob@example.co.jp", "carol@example.co.jp"]));
        Assert.Equal(["Q1", "Q2"], result.Recipients.Select(r => r.QuarantineId));
        var item = _quarantine.Items[1];
        Assert.Equal(("carol@example.co.jp", "rule-blank", "blank", "spam-area"), (item.Recipient, item.RuleId, item.RuleName, item.Area));
        Assert.Equal(raw, item.Message.ToArray());
        var trace = ModelJson.Deserialize<RecipientPlan>(item.TraceJson);
        Assert.Equal(FinalAction.Quarantine, trace.Outcome);
        Assert.Equal("subject-blank", trace.Rules[0].Criteria[0].Criterion);
    }

    [Fact]
    public async Task Change_recipient_bcc_and_archive_produce_copies()
    {
        var cr = Policies.Rule("legal", RuleType.Content, CriteriaSet.Empty, new ChangeRecipient(["legal@example.co.jp"]), [new TagSubject("[R]")], [new Bcc(["audit@example.co.jp"]), new Archive("legal")]);
        var result = await Run(Policies.With(cr), Bytes(New()));
        var r = result.Recipients[0];
        Assert.Equal(FinalAction.ChangeRecipient, r.Outcome);
        Assert.Equal(["legal@example.co.jp"], r.ChangedTo);
        var changed = result.Outgoing.Single(o => o.Kind == OutgoingKind.ChangedRecipient);
        Assert.Equal("[R] hello", Load(changed.Content).Subject);
        var bcc = result.Outgoing.Single(o => o.Kind == OutgoingKind.Bcc);
        Assert.Equal(["audit@example.co.jp"], bcc.Recipients);
        Assert.Equal("alice@partner.example", bcc.Sender);
        Assert.Equal(("legal", "bob@example.co.jp"), (_archive.Items.Single().Area, _archive.Items.Single().Recipient));
    }

    [Fact]
    public async Task Deliver_at_holds_until_the_next_local_time()
    {
        var rule = Policies.Rule("night", RuleType.Content, CriteriaSet.Empty, null, [new DeliverAt(new TimeOnly(8, 0), "Asia/Tokyo")]);
        var r = (await Run(Policies.With(rule), Bytes(New()))).Recipients[0];
        // Evaluated at 01:00 UTC = 10:00 JST, so the next 08:00 JST is tomorrow 23:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 23, 0, 0, TimeSpan.Zero), r.NotBefore!.Value.ToUniversalTime());
    }

    [Fact]
    public async Task Notifications_render_every_token_in_their_charset_with_the_original_attached()
    {
        var tokens = string.Join("\n", TokenValues.Known.Select(t => t + "=%" + t + "%"));
        var n = new Notification
        {
            Id = "n", Name = "n", From = "gateway@example.co.jp", To = "admin@example.co.jp;%SENDER%", Subject = "[通知] %RULENAME%: %SUBJECT%",
            Body = "ルール %RULENAME% が検出しました。\n" + tokens, Charset = "ISO-2022-JP", AttachOriginal = true, TimeZone = "Asia/Tokyo",
        };
        var rule = Policies.Rule("添付ファイル制限", RuleType.Content, CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, ["exe"])), new Quarantine(), [], [new Notify("n")]);
        var raw = Bytes(WithAttachments(New(subject: "見積書"), Attachment("tool.exe", Exe())));
        var result = await Run(Policies.With(rule) with { Notifications = [n] }, raw);
        var note = result.Outgoing.Single(o => o.Kind == OutgoingKind.Notification);
        Assert.Equal(["admin@example.co.jp", "alice@partner.example"], note.Recipients);
        Assert.Equal("", note.Sender);
        var ascii = Encoding.Latin1.GetString(note.Content);
        Assert.Contains("charset=iso-2022-jp", ascii, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("=?iso-2022-jp?", ascii, StringComparison.OrdinalIgnoreCase);
        var m = Load(note.Content);
        Assert.Equal("[通知] 添付ファイル制限: 見積書", m.Subject);
        var body = ((TextPart)m.BodyParts.First()).Text;
        Assert.DoesNotContain("%", body.Replace("DATE&TIME=", ""));
        Assert.Contains("SENDER=alice@partner.example", body);
        Assert.Contains("RCPTS=bob@example.co.jp", body);
        Assert.Contains("FILENAME=tool.exe", body);
        Assert.Contains("RULETYPE=content", body);
        Assert.Contains("TACTION=quarantine", body);
        Assert.Contains("QUARANTINE_PATH=Q1", body);
        Assert.Contains("HOSTNAME=gw.example.co.jp", body);
        Assert.Contains("DATE&TIME=2026/12/07 10:00:00 UTC+09:00", body);
        Assert.Contains("DEF_CHARSET=ISO-2022-JP", body);
        Assert.Single(m.Attachments.OfType<MessagePart>());
    }
    [Fact]
    public async Task Html_notifications_encode_token_values_and_text_stamps_go_at_the_end()
    {
        var n = new Notification
        {
            Id = "h", Name = "h", From = "gateway@example.co.jp", To = "admin@example.co.jp", Subject = "%SUBJECT%",
            Body = "<p>Subject: <b>%SUBJECT%</b></p>", Format = TextFormat.Html,
        };
        var stamp = new Stamp { Id = "s", Name = "s", Position = StampPosition.End, Text = "-- scanned by %HOSTNAME%" };
        var rule = Policies.Rule("r", RuleType.Content, CriteriaSet.Empty, null, [new InsertStamp("s")], [new Notify("h")]);
        var result = await Run(Policies.With(rule) with { Notifications = [n], Stamps = [stamp] }, Bytes(New(subject: "<script>alert(1)</script>", body: "first line")));
        var note = Load(result.Outgoing.Single().Content);
        Assert.Equal("<p>Subject: <b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>", note.HtmlBody!.TrimEnd());
        var body = ((TextPart)Load(result.Recipients[0].Content!).Body!).Text;
        Assert.Equal("first line\n\n-- scanned by gw.example.co.jp", body.Replace("\r\n", "\n").TrimEnd());
    }
}


public sealed class ReleaseTests
{
    [Fact]
    public async Task Release_runs_the_remaining_rules_without_the_one_that_quarantined()
    {
        var quarantine = Policies.Content("blank subject", new SubjectBlank(), new Quarantine());
        var tag = Policies.Rule("tag", RuleType.Content, CriteriaSet.Empty, null, [new TagSubject("[released]")]);
        var p = Policies.With(quarantine, tag);
        var raw = Bytes(New(subject: ""));
        var sink = new ListQuarantine();
        var d = await QuarantineRelease.DecideAsync(p, raw, "alice@partner.example", "bob@example.co.jp", Direction.Inbound, quarantine.Id,
            PolicySamples.T0, null, sink, TimeProvider.System);
        Assert.True(d.Deliver);
        Assert.Equal("[released]", Load(d.Recipient.Content!).Subject);
        Assert.Equal(RuleDisposition.SkippedOnRelease, d.Plan.Recipients[0].Rules.Single(r => r.RuleName == "blank subject").Disposition);
        Assert.Empty(sink.Items);
    }

    [Fact]
    public async Task Another_rule_may_quarantine_the_released_message_again()
    {
        var first = Policies.Content("first", new SubjectBlank(), new Quarantine());
        var second = Policies.Content("second", new BodyBlank(), new Quarantine("other"));
        var raw = Bytes(New(subject: "", body: " "));
        var sink = new ListQuarantine();
        var d = await QuarantineRelease.DecideAsync(Policies.With(first, second), raw, "alice@partner.example", "bob@example.co.jp", Direction.Inbound, first.Id,
            PolicySamples.T0, null, sink, TimeProvider.System);
        Assert.False(d.Deliver);
        Assert.Equal(FinalAction.Quarantine, d.Recipient.Outcome);
        Assert.Equal(("second", "other"), (sink.Items.Single().RuleName, sink.Items.Single().Area));
    }

    private static MimeMessage Load(byte[] b) => MimeMessage.Load(new MemoryStream(b));
}
