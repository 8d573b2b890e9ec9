using System.Text;
using MimeKit;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Matching;

namespace Sekisho.Web.Services;

/// <summary>One expression of a keyword list in the test box: found or not, the matched text and where (line and column, 1-based).</summary>
public sealed record ExpressionTest(string Pattern, bool CaseSensitive, int Score, bool Found, string? Text, int Line, int Column, bool TimedOut, string? Error);

/// <summary>The keyword test box's answer: the list's verdict under its match mode (as the engine decides it) and each expression.</summary>
public sealed record KeywordTest(bool Matched, string Match, int TotalScore, int Threshold, bool TimedOut, IReadOnlyList<ExpressionTest> Expressions);

/// <summary>The DLP test box's answer: the template's verdict and what was found (values masked as in the trace).</summary>
public sealed record DlpTest(bool Matched, IReadOnlyList<DlpHit> Hits, string? Error);

/// <summary>A token of notifications and stamps with what it stands for (in the request's language).</summary>
public sealed record TokenHelp(string Token, string Description);

/// <summary>A notification or stamp with its tokens expanded for the sample message.</summary>
public sealed record TokenPreviewResult(string? From, string? To, string? Subject, string Text, string? Html);

/// <summary>
/// The test boxes and previews of the policy objects screens. They run the policy engine's own code: keyword lists through
/// <see cref="CompiledKeywordList"/> with the engine's regex timeout, DLP through <see cref="DlpEvaluator"/>, and tokens through
/// <see cref="TokenValues"/> built from a sample message the inspector has read.
/// </summary>
public static class ObjectTesting
{
    /// <summary>Longest text the test boxes accept (characters).</summary>
    public const int MaxTestText = 100_000;

    /// <summary>Every token the policy engine expands (<see cref="TokenValues.Known"/>), with its description.</summary>
    public static IReadOnlyList<TokenHelp> Tokens() =>
        TokenValues.Known.Select(t => new TokenHelp("%" + t + "%", Localization.ConsoleText.TOr("objects.token." + t, ""))).ToList();

    /// <summary>Tests a keyword list (saved or not) against pasted text.</summary>
    public static KeywordTest TestKeywords(KeywordList list, string? text, TimeSpan? timeout = null)
    {
        text = Bounded(text);
        var t = timeout ?? PolicyEngine.DefaultRegexTimeout;
        var whole = new CompiledKeywordList(list, t).Match([text]);
        var expressions = new List<ExpressionTest>();
        foreach (var e in list.Expressions)
        {
            var single = new CompiledKeywordList(list with { Expressions = [e], Match = KeywordMatch.Any, Threshold = 0 }, t);
            if (single.Errors.Count > 0)
            {
                expressions.Add(new(e.Pattern, e.CaseSensitive, e.Score, false, null, 0, 0, false, single.Errors[0]));
                continue;
            }
            var r = single.Match([text]);
            var hit = r.Hits.FirstOrDefault();
            var (line, column) = hit is null || hit.Index < 0 ? (0, 0) : Position(text, hit.Index);
            expressions.Add(new(e.Pattern, e.CaseSensitive, e.Score, hit is not null, hit?.Text, line, column, r.TimedOut, null));
        }
        return new KeywordTest(whole.Matched, Model.Serialization.ModelJson.EnumName(list.Match), whole.TotalScore, list.Threshold, whole.TimedOut, expressions);
    }

    /// <summary>Tests a DLP template or identifier (looked up in <paramref name="policy"/>, predefined ones included) against pasted text.</summary>
    public static DlpTest TestDlp(PolicySnapshot policy, string id, string? text)
    {
        text = Bounded(text);
        var template = policy.FindDlpTemplate(id);
        if (template is null && policy.FindDlpIdentifier(id) is { } identifier)
        {
            template = new DlpTemplate { Id = "test:" + identifier.Id, Name = identifier.Name, Terms = [new(DlpOperator.First, identifier.Id)] };
            policy = policy with { DlpTemplates = [.. policy.DlpTemplates, template] };
        }
        if (template is null)
            throw new ConsoleProblem("object.not-found", new LocalizedText($"DLP テンプレートまたはデータ識別子「{id}」が見つかりません。", $"The DLP template or identifier '{id}' does not exist."), 404);
        var facts = new MessageInspector().Inspect(SampleMessage(text));
        var r = new DlpEvaluator(policy, PolicyEngine.DefaultRegexTimeout).Evaluate(template.Id, facts, [new DlpText(DlpField.Body, "body", text)], scanAttachments: false);
        return new DlpTest(r.Matched, r.Hits, r.Error);
    }

    /// <summary>Expands a notification's tokens as the engine does for the sample message.</summary>
    public static TokenPreviewResult Preview(Notification n, string hostName, DateTimeOffset now)
    {
        var tokens = SampleTokens(n.Charset, n.TimeZone, hostName, now);
        return new TokenPreviewResult(tokens.Render(n.From), tokens.Render(n.To), tokens.Render(n.Subject),
            tokens.Render(n.Body, html: n.Format == TextFormat.Html), null);
    }

    /// <summary>Expands a stamp's tokens as the engine does for the sample message: the text version and the HTML version.</summary>
    public static TokenPreviewResult Preview(Stamp s, string hostName, DateTimeOffset now)
    {
        var tokens = SampleTokens("UTF-8", s.TimeZone, hostName, now);
        var text = tokens.Render(s.Text);
        var html = s.Html is { } h ? tokens.Render(h, html: true) : "<div>" + System.Net.WebUtility.HtmlEncode(text).Replace("\n", "<br>\n", StringComparison.Ordinal) + "</div>";
        return new TokenPreviewResult(null, null, null, text, html);
    }

    /// <summary>The sample message the previews describe (sender, recipients, subject, attachment), for the help text.</summary>
    public const string SampleSender = "taro.yamada@example.net";
    public const string SampleRecipient = "hanako.suzuki@example.co.jp";
    public const string SampleSubject = "【至急】お見積書の送付 / Quotation";
    public const string SampleAttachment = "見積書.txt";
    public const string SampleRule = "機密情報の送信をブロック";

    private static TokenValues SampleTokens(string charset, string? timeZone, string hostName, DateTimeOffset now)
    {
        var raw = SampleMessage("お世話になっております。お見積書をお送りします。\r\nPlease find the quotation attached.\r\n");
        var facts = new MessageInspector().Inspect(raw);
        var attachment = facts.Attachments.FirstOrDefault();
        var source = new ActionSource("sample", SampleRule, RuleType.Content);
        var evidence = attachment is null ? [] : new[] { new Evidence(attachment.ContainerPath, attachment.Name, attachment.TrueType.Id()) };
        var plan = new RecipientPlan
        {
            Recipient = SampleRecipient, Outcome = FinalAction.Quarantine, Intercept = new Quarantine(), DecidedBy = source, Reason = "attachment-name",
            Rules = [new RuleTrace(source.Id, source.Name, RuleType.Content, 1, RuleDisposition.Matched,
                [new CriterionTrace("attachment-name", "*.txt", true, evidence)], ["quarantine"])],
        };
        var whole = new PolicyPlan([plan], new ScanSummary(null, [], null, null, null, "pass"), now);
        return TokenValues.For(facts, SampleSender, [SampleRecipient], plan, source, whole, hostName, charset, timeZone, now, "4XyZ1a2B3c", "q-20261207-0001");
    }

    private static byte[] SampleMessage(string body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("山田 太郎", SampleSender));
        message.To.Add(new MailboxAddress("鈴木 花子", SampleRecipient));
        message.Subject = SampleSubject;
        message.MessageId = "sample.20261207@example.net";
        message.Date = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.FromHours(9));
        var text = new TextPart("plain");
        text.SetText(Encoding.UTF8, body);
        var attachment = new MimePart("text", "plain")
        {
            Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes("見積金額: 1,200,000円\r\n"))),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = SampleAttachment },
            ContentTransferEncoding = ContentEncoding.Base64,
        };
        message.Body = new Multipart("mixed") { text, attachment };
        using var ms = new MemoryStream();
        message.WriteTo(ms);
        return ms.ToArray();
    }

    private static string Bounded(string? text)
    {
        text ??= "";
        if (text.Length > MaxTestText)
            throw new ConsoleProblem("test.too-long", new LocalizedText($"テキストが長すぎます (上限 {MaxTestText:N0} 文字)。", $"The text is too long (at most {MaxTestText:N0} characters)."));
        return text;
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        int line = 1, start = 0;
        for (int i = 0; i < index && i < text.Length; i++)
            if (text[i] == '\n') { line++; start = i + 1; }
        return (line, index - start + 1);
    }
}
