using System.Globalization;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Matching;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Engine;

/// <summary>The result of one criterion: matched or not, the evidence, and the attachments it matched on.</summary>
public sealed record CriterionResult(CriterionTrace Trace, IReadOnlyList<int> Attachments)
{
    public bool Matched => Trace.Matched;
}

/// <summary>Codes of <see cref="CriterionTrace.Note"/> (optionally followed by ": " and a detail); user interfaces translate them.</summary>
public static class TraceNotes
{
    public const string NotSupported = "not-supported";
    public const string UnknownKeywordList = "keyword-list-unknown";
    public const string RegexTimeout = "regex-timeout";
    public const string EngineNotConfigured = "engine-not-configured";
    public const string EngineUnavailable = "engine-unavailable";
}

/// <summary>Evaluates every criterion of the model against one message.</summary>
public sealed class CriterionEvaluator
{
    private readonly PolicySnapshot _snapshot;
    private readonly Dictionary<string, CompiledKeywordList> _keywords;
    private readonly DlpEvaluator _dlp;
    private readonly ScopeMatcher _scope;

    public CriterionEvaluator(PolicySnapshot snapshot, ScopeMatcher scope, TimeSpan matchTimeout)
    {
        _snapshot = snapshot;
        _scope = scope;
        _keywords = snapshot.KeywordLists.ToDictionary(k => k.Id, k => new CompiledKeywordList(k, matchTimeout), StringComparer.Ordinal);
        _dlp = new DlpEvaluator(snapshot, matchTimeout);
    }

    /// <summary>Spam score thresholds per catch rate (a score at or above the threshold is spam).</summary>
    public static double SpamThreshold(SpamLevel level) => level switch
    {
        SpamLevel.Highest => 3.0,
        SpamLevel.High => 4.0,
        SpamLevel.ModeratelyHigh => 5.0,
        SpamLevel.ModeratelyLow => 6.0,
        SpamLevel.Low => 8.0,
        _ => 10.0,
    };

    public CriterionResult Evaluate(Criterion criterion, MessageContext m)
    {
        var f = m.Facts;
        var name = CriterionNames.Of(criterion);
        switch (criterion)
        {
            case EnvelopeSenderBlank:
                return Simple(name, "", m.Envelope.Sender.Length == 0, new Evidence("envelope", Detail: "MAIL FROM:<" + m.Envelope.Sender + ">"));
            case HeaderSenderDiffersFromEnvelopeSender:
            {
                var from = f.Headers.From.FirstOrDefault()?.Address;
                bool differs = from is not null && m.Envelope.Sender.Length > 0 && !string.Equals(from, m.Envelope.Sender, StringComparison.OrdinalIgnoreCase);
                return Simple(name, "", differs, new Evidence("header From", Detail: $"From: {from}; MAIL FROM: {m.Envelope.Sender}"));
            }
            case HeaderSenderDiffersFromReplyTo:
            {
                var from = f.Headers.From.FirstOrDefault()?.Address;
                bool differs = from is not null && f.Headers.ReplyTo.Length > 0
                    && !f.Headers.ReplyTo.Any(r => string.Equals(r.Address, from, StringComparison.OrdinalIgnoreCase));
                return Simple(name, "", differs, new Evidence("header Reply-To", Detail: $"From: {from}; Reply-To: {string.Join(", ", f.Headers.ReplyTo.Select(r => r.Address))}"));
            }
            case HeaderMatches h:
            {
                var texts = h.Headers.SelectMany(n => f.Headers.GetAll(n)).ToList();
                return Keywords(name, string.Join(", ", h.Headers), h.KeywordListIds, [("header " + string.Join("/", h.Headers), texts)]);
            }
            case SubjectMatches s:
                return Keywords(name, "", s.KeywordListIds, [("subject", [f.Subject])]);
            case SubjectBlank:
                return Simple(name, "", f.IsSubjectBlank, new Evidence("subject", Detail: f.Subject));
            case BodyMatches b:
                return Keywords(name, "", b.KeywordListIds, [("body", [f.BodyText])]);
            case BodyBlank:
                return Simple(name, "", f.IsBodyBlank, new Evidence("body", Detail: f.BodyText.Length + " characters"));
            case AttachmentContentMatches a:
                return AttachmentKeywords(name, a.KeywordListIds, f);
            case AttachmentName n:
            {
                var patterns = n.Patterns.Select(Wildcards.Normalize).ToList();
                return Attachments(name, $"{Sel(n.Selection)} {string.Join(", ", n.Patterns)}", f, a =>
                {
                    if (a.Name.Length == 0) return null;
                    bool hit = patterns.Any(p => Wildcards.Matches(p, a.Name));
                    return hit == (n.Selection == Selection.Selected) ? "name " + a.Name : null;
                });
            }
            case AttachmentMimeType t:
                return Attachments(name, $"{Sel(t.Selection)} {string.Join(", ", t.Types)}", f, a =>
                {
                    var declared = a.DeclaredMimeType ?? "application/octet-stream";
                    bool hit = t.Types.Any(x => MimeTypeMatches(x, declared));
                    return hit == (t.Selection == Selection.Selected) ? "type " + declared : null;
                });
            case AttachmentTrueType t:
                return Attachments(name, $"{Sel(t.Selection)} {string.Join(", ", t.Types)}", f, a =>
                {
                    var id = a.TrueType.Id();
                    bool hit = t.Types.Contains(id, StringComparer.OrdinalIgnoreCase);
                    return hit == (t.Selection == Selection.Selected) ? "true type " + id : null;
                });
            case AttachmentSize s:
                return Attachments(name, $"{Comparisons.Symbol(s.Comparison)} {s.Bytes} B", f,
                    a => Comparisons.Holds(s.Comparison, a.Size, s.Bytes) ? a.Size + " bytes" : null, topLevelOnly: true);
            case AttachmentCount c:
            {
                int count = f.Attachments.Count(a => a.Depth == 0);
                return Simple(name, $"{Comparisons.Symbol(c.Comparison)} {c.Count}", Comparisons.Holds(c.Comparison, count, c.Count), new Evidence("message", Detail: count + " attachments"));
            }
            case AttachmentPasswordProtected:
                return Attachments(name, "", f, a => a.IsPasswordProtected ? "password protected" : null);
            case AttachmentActiveContent:
                return Attachments(name, "", f, a => a.HasActiveContent ? "active content: " + a.ActiveContent : null);
            case MessageSize s:
                return Simple(name, $"{Comparisons.Symbol(s.Comparison)} {s.Bytes} B", Comparisons.Holds(s.Comparison, f.SizeBytes, s.Bytes), new Evidence("message", Detail: f.SizeBytes + " bytes"));
            case RecipientCount c:
            {
                int n = m.Envelope.Recipients.Count;
                return Simple(name, $"{Comparisons.Symbol(c.Comparison)} {c.Count}", Comparisons.Holds(c.Comparison, n, c.Count), new Evidence("envelope", Detail: n + " recipients"));
            }
            case ReceivedTimeWindow w:
                return TimeWindow(name, w, m.ReceivedAt);
            case SpoofedInternal s:
            {
                var from = f.Headers.From.FirstOrDefault()?.Address;
                bool spoofed = from is not null && _scope.IsManaged(from) && m.Envelope.AuthenticatedUser is null && !IpRanges.Contains(s.TrustedIps, m.Envelope.ClientIp);
                return Simple(name, string.Join(", ", s.TrustedIps), spoofed, new Evidence("header From", Detail: $"From: {from}; client {m.Envelope.ClientIp}"));
            }
            case SpamDetection s:
                return Spam(name, ModelJson.EnumName(s.Level), m, v => v.Score >= SpamThreshold(s.Level),
                    v => $"score {v.Score.ToString("0.##", CultureInfo.InvariantCulture)} ≥ {SpamThreshold(s.Level).ToString("0.#", CultureInfo.InvariantCulture)}? symbols: {string.Join(", ", v.Symbols.Take(8).Select(x => x.Name))}");
            case Phishing:
                return Spam(name, "", m, v => v.Phishing, v => "phishing flag " + v.Phishing);
            case Bec b:
                return Spam(name, string.Join(", ", b.Modes.Select(ModelJson.EnumName)), m, v => v.Bec.Intersect(b.Modes).Any(), v => "BEC " + string.Join(", ", v.Bec.Select(ModelJson.EnumName)));
            case Graymail g:
                return Spam(name, string.Join(", ", g.Categories.Select(ModelJson.EnumName)), m,
                    v => v.Graymail.Intersect(g.Categories).Any() && !IpRanges.Contains(g.ExceptionIps, m.Envelope.ClientIp),
                    v => "graymail " + string.Join(", ", v.Graymail.Select(ModelJson.EnumName)));
            case SocialEngineering:
                return Spam(name, "", m, v => v.SocialEngineering, v => "social engineering flag " + v.SocialEngineering);
            case WebReputation w:
                return WebReputationOf(name, w, m);
            case MalwareDetection d:
                return Malware(name, d, m);
            case DlpMatch d:
                return Dlp(name, d, f);
            default:
                return new CriterionResult(new CriterionTrace(name, "", false, [], TraceNotes.NotSupported), []);
        }
    }

    private static string Sel(Selection s) => s == Selection.Selected ? "selected:" : "not selected:";

    private static bool MimeTypeMatches(string pattern, string type) =>
        pattern.EndsWith("/*", StringComparison.Ordinal)
            ? type.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, type, StringComparison.OrdinalIgnoreCase);

    private static CriterionResult Simple(string name, string summary, bool matched, Evidence evidence) =>
        new(new CriterionTrace(name, summary, matched, [evidence]), []);

    private CriterionResult Keywords(string name, string summary, IReadOnlyList<string> listIds, IReadOnlyList<(string Where, IReadOnlyList<string> Texts)> sources)
    {
        var evidence = new List<Evidence>();
        bool matched = false;
        string? note = null;
        foreach (var id in listIds)
        {
            if (!_keywords.TryGetValue(id, out var list)) { note = TraceNotes.UnknownKeywordList + ": " + id; continue; }
            foreach (var (where, texts) in sources)
            {
                var r = list.Match(texts);
                if (r.TimedOut) note = TraceNotes.RegexTimeout + ": " + list.List.Name;
                if (!r.Matched) continue;
                matched = true;
                evidence.Add(KeywordEvidence(where, null, null, list, r));
            }
        }
        var names = string.Join(", ", listIds.Select(i => _keywords.TryGetValue(i, out var l) ? l.List.Name : i));
        return new(new CriterionTrace(name, summary.Length > 0 ? summary + ": " + names : names, matched, evidence, note), []);
    }

    private static Evidence KeywordEvidence(string where, string? file, string? trueType, CompiledKeywordList list, KeywordResult r) =>
        new(where, file, trueType,
            list.List.Name + (r.Hits.Count > 0 ? ": " + string.Join(" | ", r.Hits.Select(h => h.Pattern + " → " + h.Text)) : " (" + ModelJson.EnumName(list.List.Match) + ")"),
            list.List.Match == Model.Objects.KeywordMatch.Score ? r.TotalScore : null);

    private CriterionResult AttachmentKeywords(string name, IReadOnlyList<string> listIds, MessageFacts f)
    {
        var evidence = new List<Evidence>();
        var hits = new List<int>();
        string? note = null;
        foreach (var id in listIds)
        {
            if (!_keywords.TryGetValue(id, out var list)) { note = TraceNotes.UnknownKeywordList + ": " + id; continue; }
            foreach (var a in f.Attachments)
            {
                if (string.IsNullOrEmpty(a.Text)) continue;
                var r = list.Match([a.Text]);
                if (r.TimedOut) note = TraceNotes.RegexTimeout + ": " + list.List.Name;
                if (!r.Matched) continue;
                evidence.Add(KeywordEvidence(a.ContainerPath, a.Name, a.TrueType.Id(), list, r));
                if (!hits.Contains(a.Index)) hits.Add(a.Index);
            }
        }
        var names = string.Join(", ", listIds.Select(i => _keywords.TryGetValue(i, out var l) ? l.List.Name : i));
        return new(new CriterionTrace(name, names, hits.Count > 0, evidence, note), hits);
    }

    private static CriterionResult Attachments(string name, string summary, MessageFacts f, Func<AttachmentFacts, string?> test, bool topLevelOnly = false)
    {
        var evidence = new List<Evidence>();
        var hits = new List<int>();
        foreach (var a in f.Attachments)
        {
            if (topLevelOnly && a.Depth > 0) continue;
            var why = test(a);
            if (why is null) continue;
            evidence.Add(new Evidence(a.ContainerPath, a.Name, a.TrueType.Id(), Detail: why));
            hits.Add(a.Index);
        }
        return new(new CriterionTrace(name, summary, hits.Count > 0, evidence), hits);
    }

    private static CriterionResult TimeWindow(string name, ReceivedTimeWindow w, DateTimeOffset at)
    {
        var zone = TimeZoneInfo.Local;
        if (w.TimeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(w.TimeZone, out var z)) zone = z;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        bool inTime = w.From <= w.To ? time >= w.From && time < w.To : time >= w.From || time < w.To;
        // A window over midnight belongs to the day it started.
        var day = w.From > w.To && time < w.To ? local.AddDays(-1).DayOfWeek : local.DayOfWeek;
        bool matched = inTime && (w.Days.Count == 0 || w.Days.Contains(day));
        var summary = $"{string.Join(",", w.Days.Select(d => d.ToString()[..3]))} {w.From:HH\\:mm}-{w.To:HH\\:mm} {w.TimeZone ?? zone.Id}";
        return Simple(name, summary, matched, new Evidence("received", Detail: local.ToString("yyyy-MM-dd ddd HH:mm zzz", CultureInfo.InvariantCulture)));
    }

    private static CriterionResult Spam(string name, string summary, MessageContext m, Func<SpamVerdict, bool> test, Func<SpamVerdict, string> detail)
    {
        if (m.Spam is not { Status: ScanStatus.Completed } v)
            return new(new CriterionTrace(name, summary, false, [], m.Spam is null ? TraceNotes.EngineNotConfigured : TraceNotes.EngineUnavailable + ": " + m.Spam.Error), []);
        return Simple(name, summary, test(v), new Evidence("antispam", Detail: detail(v)));
    }

    private static CriterionResult WebReputationOf(string name, WebReputation w, MessageContext m)
    {
        var evidence = new List<Evidence>();
        var threshold = WebRisk.Threshold(w.Level);
        if (m.Spam is { Status: ScanStatus.Completed } v && WebRisk.AntispamListed >= threshold)
            foreach (var url in v.ListedUrls) evidence.Add(new Evidence("url", Detail: url + " (antispam)"));
        if (m.Urls is { } urls)
            foreach (var u in urls)
            {
                if (u.Listed && WebRisk.Of(u.Category) >= threshold)
                    evidence.Add(new Evidence("url", Detail: $"{u.Url} listed{(u.Category is null ? "" : " as " + u.Category)}{(u.ListedBy is null ? "" : " by " + u.ListedBy)}"));
                else if (u.Untested && w.Untested == UntestedUrlAction.ApplyAction) evidence.Add(new Evidence("url", Detail: u.Url + " untested"));
            }
        string? note = m.Urls is null && m.Spam is null ? TraceNotes.EngineNotConfigured : null;
        return new(new CriterionTrace(name, ModelJson.EnumName(w.Level), evidence.Count > 0, evidence, note), []);
    }

    private static CriterionResult Malware(string name, MalwareDetection d, MessageContext m)
    {
        var summary = string.Join(", ", d.Types.Select(ModelJson.EnumName).Concat(d.SpywareCategories));
        if (m.Virus is not { Status: ScanStatus.Completed } v)
            return new(new CriterionTrace(name, summary, false, [], m.Virus is null ? TraceNotes.EngineNotConfigured : TraceNotes.EngineUnavailable + ": " + m.Virus.Error), []);
        var evidence = v.Detections
            .Where(x => d.Types.Contains(x.Type) || (x.SpywareCategory is not null && d.SpywareCategories.Contains(x.SpywareCategory, StringComparer.OrdinalIgnoreCase)))
            .Select(x => new Evidence("message", Keyword: x.Signature, Detail: ModelJson.EnumName(x.Type) + (x.SpywareCategory is null ? "" : " / " + x.SpywareCategory)))
            .ToList();
        return new(new CriterionTrace(name, summary, evidence.Count > 0, evidence), []);
    }

    private CriterionResult Dlp(string name, DlpMatch d, MessageFacts f)
    {
        var texts = DlpEvaluator.TextsOf(f, d.Fields);
        var evidence = new List<Evidence>();
        var attachments = new List<int>();
        bool matched = false;
        foreach (var id in d.TemplateIds)
        {
            var r = _dlp.Evaluate(id, f, texts, d.Fields.Contains(DlpField.Attachments));
            if (!r.Matched) continue;
            matched = true;
            foreach (var h in r.Hits)
            {
                var a = f.Attachments.FirstOrDefault(x => x.ContainerPath == h.Location);
                if (a is not null && !attachments.Contains(a.Index)) attachments.Add(a.Index);
                evidence.Add(new Evidence(h.Location, a?.Name, a?.TrueType.Id(), r.TemplateName + ": " + h.IdentifierName, Detail: h.MaskedValue));
            }
        }
        var names = string.Join(", ", d.TemplateIds.Select(i => _snapshot.FindDlpTemplate(i)?.Name ?? i));
        return new(new CriterionTrace(name, names, matched, evidence), attachments);
    }
}
