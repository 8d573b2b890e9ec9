using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Mail;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Engine;

namespace Sekisho.Policy.Apply;

/// <summary>The values of notification and stamp tokens for one event (cegp-target-model §3.8.2 and the migration mapping's extra tokens).</summary>
public sealed class TokenValues
{
    private static readonly Regex Token = new(@"%([A-Z_&]+)%", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <summary>Every token Sekisho knows.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        "SENDER", "HEADER_SENDER", "RCPTS", "SUBJECT", "DATE&TIME", "HEADERS", "MAILID", "RULENAME", "RULETYPE", "DETECTED", "FILENAME",
        "DEF_CHARSET", "MSG_SIZE", "ATTACH_SIZE", "ATTACH_COUNT", "TACTION", "ACTION", "VIRUSNAME", "VIRUSACTION", "HPU_CONFIRMED_URL",
        "HPU_DENIED_URL", "SPFRESULT", "UNUSUAL_SIGNAL_NAME", "CI_RULE_NAME", "CI_RULE_DESC",
        "ENTITY", "QUARANTINE_PATH", "QUARANTINE_AREA", "PROTOCOL", "HOSTNAME", "MAILCHARSET", "SUSPICIOUS_URL",
    ];

    public string this[string token]
    {
        get => _values.GetValueOrDefault(token, "");
        set => _values[token] = value;
    }

    /// <summary>Builds the values for a rule's event on one message.</summary>
    public static TokenValues For(MessageFacts facts, string sender, IReadOnlyList<string> recipients, RecipientPlan plan, ActionSource source,
        PolicyPlan whole, string hostName, string charset, string? timeZone, DateTimeOffset at, string? queueId, string? quarantineId)
    {
        var v = new TokenValues();
        var matched = plan.Rules.FirstOrDefault(r => r.RuleId == source.Id);
        var attachments = plan.Modify.Where(m => m.Source.Id == source.Id).SelectMany(m => m.AttachmentIndexes).Distinct()
            .Select(i => facts.Attachments[i]).ToList();
        if (attachments.Count == 0 && matched is not null)
            attachments = matched.Criteria.Where(c => c.Matched).SelectMany(c => c.Evidence).Where(e => e.FileName is not null)
                .Select(e => facts.Attachments.FirstOrDefault(a => a.ContainerPath == e.Where)).OfType<AttachmentFacts>().Distinct().ToList();
        var zone = TimeZoneInfo.Utc;
        if (timeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var z)) zone = z;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        v["SENDER"] = sender;
        v["HEADER_SENDER"] = facts.Headers.From.FirstOrDefault()?.Address ?? "";
        v["RCPTS"] = string.Join(", ", recipients);
        v["SUBJECT"] = facts.Subject;
        v["DATE&TIME"] = local.ToString("yyyy/MM/dd HH:mm:ss 'UTC'zzz", CultureInfo.InvariantCulture);
        v["HEADERS"] = string.Join("\n", facts.Headers.All.Select(h => h.Name + ": " + h.Value));
        v["MAILID"] = facts.Headers.MessageId ?? queueId ?? "";
        v["RULENAME"] = source.Name;
        v["RULETYPE"] = source.Type is { } t ? ModelJson.EnumName(t) : source.Id.Split(':')[0];
        v["DETECTED"] = matched is null
            ? plan.Reason ?? ""
            : string.Join("; ", matched.Criteria.Where(c => c.Matched).Select(c => c.Criterion + (c.Summary.Length > 0 ? " (" + c.Summary + ")" : "")));
        v["FILENAME"] = string.Join(", ", attachments.Select(a => a.Name));
        v["DEF_CHARSET"] = charset;
        v["MAILCHARSET"] = facts.Parts.FirstOrDefault(p => p.Role == MimePartRole.Body)?.Charset ?? "us-ascii";
        v["MSG_SIZE"] = facts.SizeBytes.ToString(CultureInfo.InvariantCulture);
        v["ATTACH_SIZE"] = attachments.Sum(a => a.Size).ToString(CultureInfo.InvariantCulture);
        v["ATTACH_COUNT"] = attachments.Count.ToString(CultureInfo.InvariantCulture);
        v["TACTION"] = plan.Intercept is null ? "deliver" : CriterionNames.Of(plan.Intercept);
        v["ACTION"] = string.Join(", ", plan.Modify.Select(m => CriterionNames.Of(m.Action)).Distinct());
        v["VIRUSNAME"] = string.Join(", ", whole.Scans.VirusNames);
        v["VIRUSACTION"] = whole.Scans.VirusNames.Count == 0 ? "" : v["TACTION"];
        v["SPFRESULT"] = whole.Scans.SpfResult ?? "";
        v["ENTITY"] = string.Join(", ", attachments.Select(a => a.ContainerPath));
        v["QUARANTINE_PATH"] = quarantineId ?? "";
        v["QUARANTINE_AREA"] = plan.Intercept is Quarantine q ? q.Tag ?? "default" : "";
        v["PROTOCOL"] = "SMTP";
        v["HOSTNAME"] = hostName;
        v["SUSPICIOUS_URL"] = string.Join(", ", plan.Rules.Where(r => r.Disposition == RuleDisposition.Matched)
            .SelectMany(r => r.Criteria).Where(c => c.Criterion == "web-reputation").SelectMany(c => c.Evidence).Select(e => e.Detail));
        return v;
    }

    /// <summary>Replaces every known <c>%TOKEN%</c>; HTML-encodes the values when <paramref name="html"/> is true. Unknown tokens stay as written.</summary>
    public string Render(string template, bool html = false) =>
        Token.Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            if (!Known.Contains(name)) return m.Value;
            var value = this[name];
            return html ? WebUtility.HtmlEncode(value).Replace("\n", "<br>\n", StringComparison.Ordinal) : value;
        });
}
