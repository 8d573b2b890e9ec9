using System.Net;
using MimeKit;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;
using Sekisho.Testing;
using static Sekisho.Policy.Tests.TestMessages;

namespace Sekisho.Policy.Tests;

public sealed class CriteriaTests
{
    private static async Task<RecipientPlan> One(PolicySnapshot p, MimeMessage m, Policy.Ports.MessageEnvelope? e = null, TimeProvider? time = null) =>
        (await Evaluate(p, m, e, time: time)).Recipients[0];

    private static async Task<bool> Matches(Criterion c, MimeMessage m, Policy.Ports.MessageEnvelope? e = null, PolicySnapshot? extra = null, TimeProvider? time = null)
    {
        var p = (extra ?? Policies.With()) with { Rules = [Policies.Content("r", c)] };
        return (await One(p, m, e, time)).Outcome == FinalAction.Quarantine;
    }

    [Fact]
    public async Task Envelope_sender_blank_matches_only_the_null_reverse_path()
    {
        Assert.True(await Matches(new EnvelopeSenderBlank(), New(), Envelope(sender: "")));
        Assert.False(await Matches(new EnvelopeSenderBlank(), New(), Envelope()));
    }

    [Fact]
    public async Task Header_sender_differs_from_envelope_sender_and_from_reply_to()
    {
        Assert.True(await Matches(new HeaderSenderDiffersFromEnvelopeSender(), New(from: "ceo@example.co.jp"), Envelope(sender: "x@evil.example")));
        Assert.False(await Matches(new HeaderSenderDiffersFromEnvelopeSender(), New(from: "Alice@Partner.example"), Envelope(sender: "alice@partner.example")));
        var m = New();
        m.ReplyTo.Add(MailboxAddress.Parse("collect@evil.example"));
        Assert.True(await Matches(new HeaderSenderDiffersFromReplyTo(), m));
        Assert.False(await Matches(new HeaderSenderDiffersFromReplyTo(), New()));
    }

    [Fact]
    public async Task Subject_body_and_blank_criteria()
    {
        var kw = Policies.Keywords("kw", KeywordMatch.Any, new KeywordExpression("invoice"));
        var p = Policies.With() with { KeywordLists = [kw] };
        Assert.True(await Matches(new SubjectMatches(["kw"]), New(subject: "Your INVOICE"), extra: p));
        Assert.False(await Matches(new SubjectMatches(["kw"]), New(subject: "hello", body: "invoice"), extra: p));
        Assert.True(await Matches(new BodyMatches(["kw"]), New(body: "see the invoice attached"), extra: p));
        Assert.True(await Matches(new SubjectBlank(), New(subject: "  ")));
        Assert.True(await Matches(new BodyBlank(), New(body: "\r\n ")));
        Assert.False(await Matches(new BodyBlank(), New(body: "text")));
    }

    [Fact]
    public async Task Specified_header_matches_keywords()
    {
        var kw = Policies.Keywords("mailer", KeywordMatch.Any, new KeywordExpression(@"^Mass\s?Mailer", CaseSensitive: true));
        var p = Policies.With() with { KeywordLists = [kw] };
        var m = New();
        m.Headers.Add("X-Mailer", "MassMailer 2.0");
        Assert.True(await Matches(new HeaderMatches(["X-Mailer"], ["mailer"]), m, extra: p));
        m.Headers.Replace("X-Mailer", "massmailer 2.0");
        Assert.False(await Matches(new HeaderMatches(["X-Mailer"], ["mailer"]), m, extra: p));
    }

    [Theory]
    [InlineData(KeywordMatch.Any, "confidential report", true)]
    [InlineData(KeywordMatch.Any, "nothing here", false)]
    [InlineData(KeywordMatch.All, "confidential and secret", true)]
    [InlineData(KeywordMatch.All, "confidential only", false)]
    [InlineData(KeywordMatch.Not, "plain text", true)]
    [InlineData(KeywordMatch.Not, "secret text", false)]
    public async Task Keyword_list_match_modes(KeywordMatch mode, string body, bool expected)
    {
        var kw = Policies.Keywords("kw", mode, new KeywordExpression("confidential"), new KeywordExpression("secret"));
        Assert.Equal(expected, await Matches(new BodyMatches(["kw"]), New(body: body), extra: Policies.With() with { KeywordLists = [kw] }));
    }

    [Fact]
    public async Task Keyword_score_must_exceed_the_threshold()
    {
        var kw = Policies.Keywords("kw", KeywordMatch.Score, new KeywordExpression("free", Score: 3), new KeywordExpression("winner", Score: 4), new KeywordExpression("casino", Score: 5)) with { Threshold = 7 };
        var p = Policies.With() with { KeywordLists = [kw] };
        Assert.False(await Matches(new BodyMatches(["kw"]), New(body: "free winner"), extra: p)); // 7, not above 7
        Assert.True(await Matches(new BodyMatches(["kw"]), New(body: "free casino"), extra: p)); // 8
        var plan = await One(p with { Rules = [Policies.Content("r", new BodyMatches(["kw"]))] }, New(body: "free casino winner"));
        var evidence = plan.Rules[0].Criteria[0].Evidence.Single();
        Assert.Equal(12, evidence.Score);
        Assert.Contains("casino", evidence.Keyword);
    }

    [Fact]
    public async Task Case_sensitive_expressions_respect_case()
    {
        var kw = Policies.Keywords("kw", KeywordMatch.Any, new KeywordExpression("URGENT", CaseSensitive: true));
        var p = Policies.With() with { KeywordLists = [kw] };
        Assert.True(await Matches(new SubjectMatches(["kw"]), New(subject: "URGENT reply"), extra: p));
        Assert.False(await Matches(new SubjectMatches(["kw"]), New(subject: "urgent reply"), extra: p));
    }

    [Fact]
    public async Task A_runaway_expression_times_out_and_counts_as_not_found()
    {
        var kw = Policies.Keywords("kw", KeywordMatch.Any, new KeywordExpression("(a+)+$"));
        var p = Policies.With() with { KeywordLists = [kw], Rules = [Policies.Content("r", new BodyMatches(["kw"]))] };
        var raw = Bytes(New(body: new string('a', 40) + "!"));
        var plan = (await new PolicyEngine(p, regexTimeout: TimeSpan.FromMilliseconds(20)).EvaluateAsync(Facts(raw), Envelope(), raw)).Recipients[0];
        Assert.Equal(FinalAction.Deliver, plan.Outcome);
        Assert.Equal("regex-timeout: kw", plan.Rules[0].Criteria[0].Note);
    }

    [Theory]
    [InlineData("iso-2022-jp")]
    [InlineData("shift_jis")]
    [InlineData("euc-jp")]
    [InlineData("utf-8")]
    public async Task Japanese_keywords_match_in_every_charset(string charset)
    {
        var kw = Policies.Keywords("secret", KeywordMatch.Any, new KeywordExpression("社外秘"), new KeywordExpression("極秘"));
        var p = Policies.With() with
        {
            KeywordLists = [kw],
            Rules = [Policies.Content("subject", new SubjectMatches(["secret"]), new Quarantine()), Policies.Content("body", new BodyMatches(["secret"]), new DoNotIntercept(), [new TagSubject("[BODY]")])],
        };
        var raw = Japanese(charset, "【社外秘】第３四半期の売上", "本資料は極秘です。取り扱いに注意してください。");
        Assert.Contains("charset=" + charset, System.Text.Encoding.Latin1.GetString(raw), StringComparison.OrdinalIgnoreCase);
        var plan = (await Evaluate(p, raw)).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, plan.Outcome);
        Assert.Contains("社外秘", plan.Rules.Single(r => r.RuleName == "subject").Criteria[0].Evidence[0].Keyword);
        Assert.Equal(RuleDisposition.Matched, plan.Rules.Single(r => r.RuleName == "body").Disposition);
    }

    [Theory]
    [InlineData("iso-2022-jp.eml", "会議")]
    [InlineData("shift_jis.eml", "パスワード")]
    [InlineData("euc-jp.eml", "納品書")]
    [InlineData("utf-8.eml", "請求書")]
    public async Task Japanese_fixture_messages_match_subject_keywords(string file, string word)
    {
        var kw = Policies.Keywords("kw", KeywordMatch.Any, new KeywordExpression(word));
        var p = Policies.With() with { KeywordLists = [kw], Rules = [Policies.Content("r", new SubjectMatches(["kw"]))] };
        var raw = Fixture("mail", "japanese", file);
        var plan = (await Evaluate(p, raw, Envelope(to: ["hanako@example.co.jp"]))).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, plan.Outcome);
    }

    [Fact]
    public async Task Attachment_content_matches_inside_a_zip_and_names_the_member()
    {
        var kw = Policies.Keywords("kw", KeywordMatch.Any, new KeywordExpression("合計"));
        var p = Policies.With() with { KeywordLists = [kw], Rules = [Policies.Content("r", new AttachmentContentMatches(["kw"]))] };
        var plan = (await Evaluate(p, Fixture("mail", "japanese", "utf-8.eml"), Envelope(to: ["hanako@example.co.jp"]))).Recipients[0];
        Assert.Equal(FinalAction.Quarantine, plan.Outcome);
        var ev = plan.Rules[0].Criteria[0].Evidence.Single();
        Assert.Equal("明細.txt", ev.FileName);
        Assert.Contains("請求書.zip", ev.Where);
    }

    [Fact]
    public async Task Attachment_name_true_type_and_mime_type()
    {
        var m = WithAttachments(New(), Attachment("report.txt", Exe(), "text/plain"));
        Assert.True(await Matches(new AttachmentTrueType(Selection.Selected, ["exe"]), m));
        Assert.False(await Matches(new AttachmentName(Selection.Selected, ["*.exe"]), m));
        Assert.True(await Matches(new AttachmentName(Selection.Selected, ["report.*"]), m));
        Assert.True(await Matches(new AttachmentName(Selection.NotSelected, ["*.pdf", "docx"]), m));
        Assert.True(await Matches(new AttachmentMimeType(Selection.Selected, ["text/*"]), m));
        Assert.False(await Matches(new AttachmentMimeType(Selection.Selected, ["application/pdf"]), m));
        Assert.True(await Matches(new AttachmentTrueType(Selection.NotSelected, ["pdf"]), m));
        var plan = await One(Policies.With(Policies.Content("r", new AttachmentTrueType(Selection.Selected, ["exe"]))), m);
        var ev = plan.Rules[0].Criteria[0].Evidence.Single();
        Assert.Equal(("report.txt", "exe"), (ev.FileName, ev.TrueType));
    }

    [Fact]
    public async Task Attachment_size_count_password_and_active_content()
    {
        var m = WithAttachments(New(), Attachment("a.bin", new byte[5000]), Attachment("secret.zip", Fixture("mail", "made", "zipcrypto.zip"), "application/zip"));
        Assert.True(await Matches(new AttachmentSize(Comparison.GreaterThan, 4000), m));
        Assert.False(await Matches(new AttachmentSize(Comparison.GreaterThan, 6000), m));
        Assert.True(await Matches(new AttachmentCount(Comparison.GreaterThan, 1), m));
        Assert.False(await Matches(new AttachmentCount(Comparison.GreaterThan, 2), m));
        Assert.True(await Matches(new AttachmentPasswordProtected(), m));
        Assert.False(await Matches(new AttachmentPasswordProtected(), New()));
        var pdf = WithAttachments(New(), Attachment("js.pdf", Fixture("mail", "made", "js-objstm.pdf"), "application/pdf"));
        Assert.True(await Matches(new AttachmentActiveContent(), pdf));
        Assert.False(await Matches(new AttachmentActiveContent(), m));
    }

    [Fact]
    public async Task Message_size_and_recipient_count()
    {
        var big = New(body: new string('x', 20_000));
        Assert.True(await Matches(new MessageSize(Comparison.GreaterThan, 10_000), big));
        Assert.False(await Matches(new MessageSize(Comparison.GreaterThan, 10_000), New()));
        var many = Envelope(to: Enumerable.Range(1, 6).Select(i => $"u{i}@example.co.jp").ToArray());
        Assert.True(await Matches(new RecipientCount(Comparison.GreaterThan, 5), New(), many));
        Assert.False(await Matches(new RecipientCount(Comparison.GreaterThan, 5), New()));
    }

    [Fact]
    public async Task Received_time_window_in_the_rules_time_zone_including_overnight()
    {
        // 2026-12-07 is a Monday; 14:30 UTC is 23:30 in Tokyo.
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 14, 30, 0, TimeSpan.Zero));
        var night = new ReceivedTimeWindow([DayOfWeek.Monday], new TimeOnly(22, 0), new TimeOnly(6, 0), "Asia/Tokyo");
        Assert.True(await Matches(night, New(), time: time));
        var office = new ReceivedTimeWindow([DayOfWeek.Monday, DayOfWeek.Tuesday], new TimeOnly(9, 0), new TimeOnly(18, 0), "Asia/Tokyo");
        Assert.False(await Matches(office, New(), time: time));
        var utcOffice = office with { TimeZone = "UTC" };
        Assert.True(await Matches(utcOffice, New(), time: time));
        // 01:00 Tuesday in Tokyo still belongs to Monday's overnight window.
        time.Advance(TimeSpan.FromMinutes(90));
        Assert.True(await Matches(night, New(), time: time));
    }

    [Fact]
    public async Task Spoofed_internal_sender_from_an_untrusted_ip()
    {
        var c = new SpoofedInternal(["192.0.2.0/28"]);
        Assert.True(await Matches(c, New(from: "ceo@example.co.jp"), Envelope(ip: "203.0.113.50")));
        Assert.False(await Matches(c, New(from: "ceo@example.co.jp"), Envelope(ip: "192.0.2.5")));
        Assert.False(await Matches(c, New(from: "someone@partner.example"), Envelope(ip: "203.0.113.50")));
    }
}
