using System.Globalization;
using System.Text;
using System.Xml;

namespace Sekisho.Testing.Imsva;

/// <summary>The size of a generated export.</summary>
/// <param name="Rules">Rules in the policy list (the first is the global antivirus rule).</param>
/// <param name="AddressGroups">Address groups.</param>
/// <param name="Addresses">Addresses over all groups.</param>
/// <param name="KeywordLists">Keyword lists.</param>
/// <param name="ExpressionsPerList">Expressions per keyword list.</param>
public sealed record LargeExportShape(int Rules = 5000, int AddressGroups = 2000, int Addresses = 100_000, int KeywordLists = 1000, int ExpressionsPerList = 5)
{
    /// <summary>The benchmark shape: 5,000 rules, 2,000 groups holding 100,000 addresses, 1,000 keyword lists.</summary>
    public static LargeExportShape Benchmark { get; } = new();
}

/// <summary>
/// Generates a large, valid, deterministic export with every kind of rule, condition and action, for load tests
/// and benchmarks. Every reference resolves.
/// </summary>
public static class LargeImsvaExport
{
    /// <summary>Notifications in the generated export (NT1…).</summary>
    public const int Notifications = 50;

    /// <summary>Stamps in the generated export (ST1…).</summary>
    public const int Stamps = 20;

    /// <summary>DLP templates in the generated export (DT1…).</summary>
    public const int DlpTemplates = 10;

    /// <summary>The expressions cycled through keyword lists: every dialect construct, Japanese literals included.</summary>
    public static IReadOnlyList<string> SampleExpressions { get; } =
    [
        "社外秘", "{D}{D}{D}{D}-{D}{D}{D}{D}-{D}{D}{D}{D}-{D}{D}{D}{D}", "\\bMassMailer\\b", "bulk{WSP}sender", "[[:alpha:]]+[0-9]{3}",
        "請求書.*至急", "invoice\\s+no\\.?\\s*{NUMBER}", "[^[:space:]]+@example\\.co\\.jp", "\\x41\\102C", "\"{D}\" literal",
    ];

    /// <summary>A builder holding the generated export (IMSVA 9.1 build 2011), to write or extend.</summary>
    public static ImsvaExportBuilder Create(LargeExportShape? shape = null)
    {
        shape ??= LargeExportShape.Benchmark;
        return ImsvaExportBuilder.Minimal()
            .With("policy/rules.xml", Rules(shape))
            .With("policy/objects.xml", Objects(shape))
            .With("areas.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <Areas><Quarantine id="QA1" name="Default" days="30"/><Quarantine id="QA2" name="隔離2" days="14"/><Archive id="AA1" name="監査" days="365"/></Areas>
                """);
    }

    private const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    private static XmlWriter Writer(StringBuilder sb) => XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true });

    private static string Rules(LargeExportShape shape)
    {
        var sb = new StringBuilder(shape.Rules * 700).Append(Declaration);
        using (var w = Writer(sb))
        {
            w.WriteStartElement("PolicyList");
            for (var r = 1; r <= shape.Rules; r++) WriteRule(w, r, shape);
            w.WriteEndElement();
        }
        return sb.ToString();
    }

    private static void WriteRule(XmlWriter w, int r, LargeExportShape shape)
    {
        var kind = r == 1 ? -1 : r % 8;
        w.WriteStartElement("Rule");
        w.WriteAttributeString("id", $"R{r}");
        w.WriteAttributeString("type", kind == -1 ? "antivirus" : "other");
        w.WriteAttributeString("order", r.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("enabled", r % 17 == 0 ? "false" : "true");
        if (kind == -1) w.WriteAttributeString("builtin", "global_antivirus");
        w.WriteElementString("Name", $"ルール{r} rule {r}");
        w.WriteElementString("Notes", r % 3 == 0 ? $"備考 {r}" : "");

        var group = $"AG{(r % shape.AddressGroups) + 1}";
        var outgoing = r % 5 == 0;
        w.WriteStartElement("Route");
        w.WriteAttributeString("applyTo", kind == -1 ? "all" : outgoing ? "outgoing" : "incoming");
        w.WriteStartElement("Senders");
        if (outgoing) Ref(w, "AddressGroup", "ref", group); else w.WriteElementString("Anyone", "");
        w.WriteEndElement();
        w.WriteStartElement("Recipients");
        if (outgoing) w.WriteElementString("Anyone", "");
        else
        {
            Ref(w, "AddressGroup", "ref", group);
            w.WriteElementString("Address", $"*@sub{r % 50}.example.co.jp");
        }
        w.WriteEndElement();
        if (r % 4 == 0)
        {
            w.WriteStartElement("Exceptions");
            w.WriteStartElement("Pair");
            w.WriteAttributeString("sender", "*@*");
            w.WriteAttributeString("recipient", $"admin{r}@example.co.jp");
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        var list = $"KW{(r % shape.KeywordLists) + 1}";
        w.WriteStartElement("Conditions");
        if (kind != -1) w.WriteAttributeString("match", r % 6 == 0 ? "all" : "any");
        switch (kind)
        {
            case -1:
                Empty(w, "FilesToScan", ("mode", "intelliscan"));
                Empty(w, "IntelliTrap", ("enabled", "true"), ("sendSamples", "false"));
                Empty(w, "SpywareGrayware", ("categories", "spyware,adware,dialer"));
                Empty(w, "AdvancedThreats", ("atse", "true"), ("virtualAnalyzer", "false"), ("securityLevel", "low"));
                break;
            case 0:
                Empty(w, "Spam", ("catchRate", r % 16 == 0 ? "threshold" : "medium"), ("threshold", "6.5"));
                Empty(w, "Phishing");
                break;
            case 1:
                Empty(w, "SubjectKeywords", ("refs", list));
                Empty(w, "BodyKeywords", ("refs", list));
                break;
            case 2:
                w.WriteStartElement("AttachmentTrueFileType");
                w.WriteAttributeString("select", "selected");
                foreach (var t in new[] { "exe", "msi", "lnk", "7z" }) w.WriteElementString("Type", t);
                w.WriteEndElement();
                w.WriteStartElement("AttachmentName");
                w.WriteElementString("Pattern", "*.scr");
                w.WriteEndElement();
                break;
            case 3:
                Empty(w, "MessageSize", ("op", "gt"), ("bytes", "20971520"));
                Empty(w, "RecipientCount", ("op", "gt"), ("value", "100"));
                break;
            case 4:
                Empty(w, "Dlp", ("templates", $"DT{(r % DlpTemplates) + 1}"));
                break;
            case 5:
                Empty(w, "HeaderKeywords", ("refs", list), ("headers", "X-Mailer;User-Agent"));
                Empty(w, "WebReputation", ("level", "medium"), ("untested", "apply_action"), ("timeOfClick", "off"), ("signedMessages", "false"), ("useApprovedList", "true"));
                break;
            case 6:
                Empty(w, "AttachmentSize", ("op", "gt"), ("bytes", "5242880"));
                Empty(w, "ReceivedTimeRange", ("days", "mon,tue,wed,thu,fri"), ("from", "18:00"), ("to", "23:59"));
                break;
            default:
                Empty(w, "PasswordProtectedZip");
                Empty(w, "AttachmentContentKeywords", ("refs", list));
                break;
        }
        w.WriteEndElement();

        w.WriteStartElement("Actions");
        switch (r % 4)
        {
            case 0: Empty(w, "Intercept", ("type", "quarantine"), ("area", r % 8 == 0 ? "QA2" : "QA1")); break;
            case 1: Empty(w, "Intercept", ("type", "none")); break;
            case 2: Empty(w, "Intercept", ("type", "delete")); break;
            default: Empty(w, "Intercept", ("type", "change_recipient"), ("to", $"security@example.co.jp;soc{r}@example.co.jp")); break;
        }
        w.WriteStartElement("Modify");
        Empty(w, "TagSubject", ("text", "[要確認]"));
        if (r % 3 == 0) Empty(w, "InsertStamp", ("ref", $"ST{(r % Stamps) + 1}"));
        if (r % 7 == 0) Empty(w, "InsertXHeader", ("name", "X-Checked"), ("value", "yes"));
        w.WriteEndElement();
        w.WriteStartElement("Monitor");
        Empty(w, "Notify", ("ref", $"NT{(r % Notifications) + 1}"));
        if (r % 9 == 0) Empty(w, "Archive", ("area", "AA1"));
        if (r % 11 == 0) Empty(w, "Bcc", ("to", "audit@example.co.jp"));
        w.WriteEndElement();
        if (kind == -1) Empty(w, "VirusHandling", ("mode", "clean_then_delete_matching"));
        w.WriteEndElement();
        if (kind == -1)
        {
            w.WriteStartElement("SpecialActions");
            w.WriteAttributeString("kind", "mass_mailing");
            Empty(w, "Intercept", ("type", "delete"));
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static string Objects(LargeExportShape shape)
    {
        var sb = new StringBuilder(shape.Addresses * 60 + shape.KeywordLists * 400).Append(Declaration);
        using (var w = Writer(sb))
        {
            w.WriteStartElement("PolicyObjects");
            w.WriteStartElement("AddressGroups");
            var perGroup = shape.Addresses / shape.AddressGroups;
            var extra = shape.Addresses % shape.AddressGroups;
            var n = 0;
            for (var g = 1; g <= shape.AddressGroups; g++)
            {
                w.WriteStartElement("AddressGroup");
                w.WriteAttributeString("id", $"AG{g}");
                w.WriteAttributeString("name", $"グループ{g}");
                var count = perGroup + (g <= extra ? 1 : 0);
                for (var a = 0; a < count; a++, n++)
                    w.WriteElementString("Address", n % 25 == 0 ? $"*@dept{g}.example.co.jp" : $"user{n}@dept{g}.example.co.jp");
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("KeywordExpressions");
            var e = 0;
            for (var k = 1; k <= shape.KeywordLists; k++)
            {
                w.WriteStartElement("List");
                w.WriteAttributeString("id", $"KW{k}");
                w.WriteAttributeString("name", $"キーワード{k}");
                w.WriteAttributeString("match", k % 4 == 0 ? "score" : "any");
                if (k % 4 == 0) w.WriteAttributeString("threshold", "10");
                for (var x = 0; x < shape.ExpressionsPerList; x++, e++)
                {
                    w.WriteStartElement("Expression");
                    w.WriteAttributeString("caseSensitive", x % 2 == 0 ? "false" : "true");
                    w.WriteAttributeString("score", "5");
                    w.WriteString(SampleExpressions[e % SampleExpressions.Count]);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("Notifications");
            for (var t = 1; t <= Notifications; t++)
            {
                w.WriteStartElement("Notification");
                w.WriteAttributeString("id", $"NT{t}");
                w.WriteAttributeString("name", $"通知{t}");
                w.WriteAttributeString("type", "policy");
                w.WriteAttributeString("charset", "ISO-2022-JP");
                w.WriteElementString("From", "imsva@example.co.jp");
                w.WriteElementString("To", "admin@example.co.jp");
                w.WriteElementString("Subject", "[IMSVA] %RULENAME%");
                w.WriteElementString("Body", "%SENDER% から %RCPTS% 宛のメール (%SUBJECT%) を処理しました。");
                w.WriteElementString("AttachOriginal", "false");
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("Stamps");
            for (var s = 1; s <= Stamps; s++)
            {
                w.WriteStartElement("Stamp");
                w.WriteAttributeString("id", $"ST{s}");
                w.WriteAttributeString("name", $"スタンプ{s}");
                w.WriteAttributeString("position", s % 2 == 0 ? "end" : "beginning");
                w.WriteAttributeString("skipSigned", "true");
                w.WriteAttributeString("format", "text");
                w.WriteString("【外部メール】差出人をご確認ください。");
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("DlpDataIdentifiers");
            for (var d = 1; d <= DlpTemplates; d++)
            {
                Empty(w, "Expression", ("id", $"DX{d}"), ("name", $"式{d}"), ("predefined", "false"), ("pattern", "\\b\\d{4}\\s?\\d{4}\\s?\\d{4}\\b"));
                Empty(w, "FileAttribute", ("id", $"DF{d}"), ("name", $"ファイル{d}"), ("predefined", "false"), ("except", "false"), ("types", "doc,xls"), ("extensions", "*.csv"), ("minBytes", "1"), ("maxBytes", "2147483648"));
            }
            w.WriteEndElement();
            w.WriteStartElement("DlpTemplates");
            for (var d = 1; d <= DlpTemplates; d++)
                Empty(w, "Template", ("id", $"DT{d}"), ("name", $"テンプレート{d}"), ("predefined", "false"), ("condition", $"[DX{d}] Or [DF{d}]"));
            w.WriteEndElement();
            w.WriteEndElement();
        }
        return sb.ToString();
    }

    private static void Ref(XmlWriter w, string element, string attribute, string value)
    {
        w.WriteStartElement(element);
        w.WriteAttributeString(attribute, value);
        w.WriteEndElement();
    }

    private static void Empty(XmlWriter w, string element, params (string Name, string Value)[] attributes)
    {
        w.WriteStartElement(element);
        foreach (var (name, value) in attributes) w.WriteAttributeString(name, value);
        w.WriteEndElement();
    }
}
