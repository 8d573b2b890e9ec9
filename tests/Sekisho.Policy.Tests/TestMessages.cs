using System.IO.Compression;
using System.Net;
using System.Text;
using MimeKit;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Testing;

namespace Sekisho.Policy.Tests;

/// <summary>Real MIME messages written for the tests, and a policy to run them through.</summary>
internal static class TestMessages
{
    static TestMessages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static readonly MessageInspector Inspector = new();

    public static MimeMessage New(string subject = "hello", string body = "Hello.", string from = "alice@partner.example", string to = "bob@example.co.jp", string charset = "utf-8")
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse(to));
        m.Subject = subject;
        m.Date = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(9));
        m.MessageId = "test-" + Guid.NewGuid().ToString("N") + "@partner.example";
        var text = new TextPart("plain");
        text.SetText(Encoding.GetEncoding(charset), body);
        m.Body = text;
        return m;
    }

    /// <summary>A message whose subject and body are encoded in <paramref name="charset"/> (header encoded-words in the same charset).</summary>
    public static byte[] Japanese(string charset, string subject, string body)
    {
        var m = New(body: body, charset: charset);
        m.Headers.Replace(HeaderId.Subject, Encoding.GetEncoding(charset), subject);
        var options = FormatOptions.Default.Clone();
        return Bytes(m, options);
    }

    public static MimeMessage WithAttachments(MimeMessage m, params MimePart[] attachments)
    {
        var mixed = new Multipart("mixed") { m.Body! };
        foreach (var a in attachments) mixed.Add(a);
        m.Body = mixed;
        return m;
    }

    public static MimePart Attachment(string name, byte[] content, string type = "application/octet-stream") =>
        new(ContentType.Parse(type))
        {
            Content = new MimeContent(new MemoryStream(content)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = name },
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = name,
        };

    public static byte[] Exe() => SampleFiles.Exe();

    public static byte[] Zip(params (string Name, string Text)[] files)
    {
        using var ms = new MemoryStream();
        using (var z = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in files)
                using (var s = z.CreateEntry(name).Open()) s.Write(Encoding.UTF8.GetBytes(text));
        return ms.ToArray();
    }

    public static byte[] Fixture(params string[] parts) => File.ReadAllBytes(RepoPaths.Fixture(parts));

    public static byte[] Bytes(MimeMessage m, FormatOptions? options = null)
    {
        using var ms = new MemoryStream();
        m.WriteTo(options ?? FormatOptions.Default, ms);
        return ms.ToArray();
    }

    public static MessageFacts Facts(byte[] raw) => Inspector.Inspect(raw);

    public static MessageEnvelope Envelope(string sender = "alice@partner.example", string[]? to = null, TrafficDirection direction = TrafficDirection.Inbound, string ip = "203.0.113.9") =>
        new(IPAddress.Parse(ip), "mx.partner.example", sender, to ?? ["bob@example.co.jp"], direction);

    public static Task<PolicyPlan> Evaluate(PolicySnapshot snapshot, byte[] raw, MessageEnvelope? envelope = null, PolicyPorts? ports = null, TimeProvider? time = null) =>
        new PolicyEngine(snapshot, ports, time).EvaluateAsync(Facts(raw), envelope ?? Envelope(), raw);

    public static Task<PolicyPlan> Evaluate(PolicySnapshot snapshot, MimeMessage m, MessageEnvelope? envelope = null, PolicyPorts? ports = null, TimeProvider? time = null) =>
        Evaluate(snapshot, Bytes(m), envelope, ports, time);
}

/// <summary>Builds policies in tests: one managed domain (example.co.jp) plus the given objects and rules.</summary>
internal static class Policies
{
    private static int _order;

    public static PolicySnapshot With(params Rule[] rules) => new()
    {
        Domains = [PolicySamples.Domain("example.co.jp")],
        Rules = rules,
    };

    public static Rule Rule(string name, RuleType type, CriteriaSet criteria, InterceptAction? intercept = null,
        IReadOnlyList<ModifyAction>? modify = null, IReadOnlyList<MonitorAction>? monitor = null, Direction direction = Direction.Inbound, RuleScope? scope = null) => new()
    {
        Id = "rule-" + name, Name = name, Type = type, Direction = direction, Order = Interlocked.Increment(ref _order),
        Scope = scope ?? (direction == Direction.Inbound ? RuleScope.Default : new RuleScope(Participants.Anyone, Participants.MyOrganization, [])),
        Criteria = criteria,
        Actions = new RuleActions(intercept ?? new DoNotIntercept(), modify ?? [], monitor ?? []),
        Created = PolicySamples.T0, Modified = PolicySamples.T0,
    };

    public static Rule Content(string name, Criterion criterion, InterceptAction? intercept = null, IReadOnlyList<ModifyAction>? modify = null) =>
        Rule(name, RuleType.Content, CriteriaSet.AnyOf(criterion), intercept ?? new Quarantine(), modify);

    public static KeywordList Keywords(string id, KeywordMatch match, params KeywordExpression[] expressions) =>
        new() { Id = id, Name = id, Match = match, Expressions = expressions };
}
