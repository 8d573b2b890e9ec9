using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Testing;

/// <summary>100 typical rules of an organization: keyword, attachment, size, header, DLP and envelope rules.</summary>
internal static class BenchRules
{
    public static PolicySnapshot Build(string domain)
    {
        var lists = new List<KeywordList>();
        var rules = new List<Rule>();
        int order = 0;
        string[][] words =
        [
            ["viagra", "cialis", "pharmacy"], ["lottery", "winner", "prize"], ["invoice", "payment", "overdue"], ["password", "verify your account", "login"],
            ["至急", "緊急", "重要"], ["請求書", "支払", "振込"], ["社外秘", "極秘", "機密"], ["casino", "poker", "jackpot"], ["mortgage", "refinance", "loan"],
            ["unsubscribe", "newsletter", "promotion"], ["bitcoin", "crypto", "wallet"], ["resume", "cv", "job offer"], ["wire transfer", "bank details", "iban"],
            ["free", "bonus", "gift card"], ["meeting", "agenda", "minutes"],
        ];
        for (int i = 0; i < words.Length; i++)
        {
            lists.Add(new KeywordList { Id = "kw" + i, Name = "kw" + i, Match = i % 3 == 0 ? KeywordMatch.Score : KeywordMatch.Any, Threshold = 4,
                Expressions = words[i].Select((w, j) => new KeywordExpression(i % 2 == 0 ? $@"\b{w}\b" : w, Score: 2 + j)).ToList() });
        }
        Rule R(string name, RuleType type, CriteriaSet c, InterceptAction? i = null, IReadOnlyList<ModifyAction>? m = null, IReadOnlyList<MonitorAction>? mon = null) => new()
        {
            Id = "bench-" + (++order), Name = name + " " + order, Direction = Direction.Inbound, Type = type, Order = order, Criteria = c,
            Actions = new RuleActions(i ?? new DoNotIntercept(), m ?? [], mon ?? []), Created = PolicySamples.T0, Modified = PolicySamples.T0,
        };
        for (int i = 0; i < 30; i++)
            rules.Add(R("subject", RuleType.Content, CriteriaSet.AnyOf(new SubjectMatches(["kw" + (i % lists.Count)])), null, [new InsertXHeader("X-Bench-Subject-" + (i % 5), "hit")]));
        for (int i = 0; i < 20; i++)
            rules.Add(R("body", RuleType.Content, CriteriaSet.AnyOf(new BodyMatches(["kw" + (i % lists.Count)])), i % 10 == 0 ? new Quarantine() : null, [new TagSubject("[kw" + (i % lists.Count) + "]")]));
        string[][] types = [["exe", "dll", "msi"], ["js", "vbs", "wsf", "hta"], ["docm", "xlsm", "pptm"], ["zip", "rar", "7z"], ["lnk", "bat", "ps1"]];
        for (int i = 0; i < 15; i++)
            rules.Add(R("attachment", RuleType.Content, i % 3 == 0
                ? CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, types[i % types.Length]))
                : CriteriaSet.AnyOf(new AttachmentName(Selection.Selected, ["*.scr", "*.pif", "*." + types[i % types.Length][0]]), new AttachmentMimeType(Selection.Selected, ["application/x-msdownload"])),
                null, [new DeleteAttachments()]));
        for (int i = 0; i < 10; i++)
            rules.Add(R("size", RuleType.Content, CriteriaSet.AnyOf(new MessageSize(Comparison.GreaterThan, (i + 1) * 5_000_000L), new RecipientCount(Comparison.GreaterThan, 50 + i)), new Quarantine()));
        for (int i = 0; i < 10; i++)
            rules.Add(R("header", RuleType.Content, CriteriaSet.AnyOf(new HeaderMatches(["X-Mailer", "User-Agent"], ["kw" + (i % lists.Count)])), null, [new InsertXHeader("X-Bench-Mailer", "hit")]));
        string[] templates = ["predefined:pci-dss", "predefined:jp-my-number-template", "predefined:jp-personal-information", "predefined:iban-template", "predefined:us-ssn-template"];
        for (int i = 0; i < 10; i++)
            rules.Add(R("dlp", RuleType.Dlp, CriteriaSet.AnyOf(new DlpMatch([templates[i % templates.Length]], [DlpField.Subject, DlpField.Body, DlpField.Attachments])), null, [new InsertXHeader("X-Bench-Dlp", "hit")]));
        rules.Add(R("blank sender", RuleType.Content, CriteriaSet.AnyOf(new EnvelopeSenderBlank()), null, [new InsertXHeader("X-Bench-Bounce", "yes")]));
        rules.Add(R("reply-to", RuleType.Content, CriteriaSet.AnyOf(new HeaderSenderDiffersFromReplyTo()), null, [new InsertXHeader("X-Bench-ReplyTo", "differs")]));
        rules.Add(R("spoofed", RuleType.Content, CriteriaSet.AnyOf(new SpoofedInternal(["192.0.2.0/24"])), new Quarantine()));
        rules.Add(R("night", RuleType.Content, CriteriaSet.AllOf(new ReceivedTimeWindow([DayOfWeek.Saturday, DayOfWeek.Sunday], new TimeOnly(0, 0), new TimeOnly(6, 0), "Asia/Tokyo"), new AttachmentCount(Comparison.GreaterThan, 0)), null, [new InsertXHeader("X-Bench-Night", "yes")]));
        rules.Add(R("empty", RuleType.Content, CriteriaSet.AnyOf(new BodyBlank(), new SubjectBlank()), null, [new TagSubject("[empty]")]));
        return new PolicySnapshot
        {
            Domains = [PolicySamples.Domain(domain)],
            KeywordLists = lists,
            Rules = rules,
        };
    }
}
