using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;

namespace Sekisho.Policy.Matching;

/// <summary>A piece of text a DLP rule scans, with where it came from.</summary>
/// <param name="Location">subject, body, header, or the attachment's container path.</param>
public sealed record DlpText(DlpField Field, string Location, string Text);

/// <summary>One identifier found: which one, where, and the matched value masked for the trace.</summary>
public sealed record DlpHit(string IdentifierId, string IdentifierName, string Location, string MaskedValue);

/// <summary>The result of one compliance template.</summary>
public sealed record DlpTemplateResult(string TemplateId, string TemplateName, bool Matched, IReadOnlyList<DlpHit> Hits, string? Error = null);

/// <summary>
/// Evaluates DLP compliance templates: each identifier (expression with validator, file attribute, keyword list)
/// over the selected fields, then the template's terms left to right with And / Or / Except.
/// </summary>
public sealed class DlpEvaluator(PolicySnapshot snapshot, TimeSpan matchTimeout)
{
    private readonly ConcurrentDictionary<string, Regex?> _regexes = new(StringComparer.Ordinal);

    /// <summary>The texts of a message for the given fields.</summary>
    public static IReadOnlyList<DlpText> TextsOf(MessageFacts facts, IReadOnlyCollection<DlpField> fields)
    {
        var list = new List<DlpText>();
        if (fields.Contains(DlpField.Subject)) list.Add(new(DlpField.Subject, "subject", facts.Subject));
        if (fields.Contains(DlpField.Body)) list.Add(new(DlpField.Body, "body", facts.BodyText));
        if (fields.Contains(DlpField.Headers))
            list.Add(new(DlpField.Headers, "headers", string.Join('\n', facts.Headers.All.Where(h => !h.Name.Equals("Subject", StringComparison.OrdinalIgnoreCase)).Select(h => h.Name + ": " + h.Value))));
        if (fields.Contains(DlpField.Attachments))
            foreach (var a in facts.Attachments)
                if (!string.IsNullOrEmpty(a.Text)) list.Add(new(DlpField.Attachments, a.ContainerPath, a.Text));
        return list;
    }

    public DlpTemplateResult Evaluate(string templateId, MessageFacts facts, IReadOnlyList<DlpText> texts, bool scanAttachments)
    {
        var template = snapshot.FindDlpTemplate(templateId);
        if (template is null) return new DlpTemplateResult(templateId, templateId, false, [], "unknown template");
        bool result = false;
        var hits = new List<DlpHit>();
        foreach (var term in template.Terms)
        {
            var identifier = snapshot.FindDlpIdentifier(term.IdentifierId);
            var found = identifier is null ? [] : Find(identifier, facts, texts, scanAttachments);
            bool present = found.Count > 0;
            switch (term.Operator)
            {
                case DlpOperator.First: result = present; if (present) hits.AddRange(found); break;
                case DlpOperator.And: result = result && present; if (present) hits.AddRange(found); break;
                case DlpOperator.Or: result = result || present; if (present) hits.AddRange(found); break;
                case DlpOperator.Except: result = result && !present; break;
            }
        }
        return new DlpTemplateResult(template.Id, template.Name, result, result ? hits : []);
    }

    private List<DlpHit> Find(DlpIdentifier identifier, MessageFacts facts, IReadOnlyList<DlpText> texts, bool scanAttachments)
    {
        var hits = new List<DlpHit>();
        switch (identifier)
        {
            case DlpExpression e:
                var regex = _regexes.GetOrAdd(e.Id + "\u0000" + e.Pattern, _ => Compile(e));
                if (regex is null) break;
                foreach (var t in texts)
                {
                    try
                    {
                        for (var m = regex.Match(t.Text); m.Success; m = m.NextMatch())
                        {
                            if (!DlpChecks.Passes(e.Validator, m.Value)) continue;
                            hits.Add(new DlpHit(e.Id, e.Name, t.Location, Mask(m.Value)));
                            break;
                        }
                    }
                    catch (RegexMatchTimeoutException) { }
                }
                break;
            case DlpKeywordList k:
                foreach (var t in texts)
                {
                    var found = k.Keywords.Where(w => w.Length > 0 && t.Text.Contains(w, StringComparison.OrdinalIgnoreCase)).ToList();
                    bool match = k.Match switch
                    {
                        KeywordMatch.Any => found.Count > 0,
                        KeywordMatch.All => k.Keywords.Count > 0 && found.Count == k.Keywords.Count,
                        KeywordMatch.Not => found.Count == 0,
                        KeywordMatch.Score => found.Count > k.Threshold,
                        _ => false,
                    };
                    if (match) hits.Add(new DlpHit(k.Id, k.Name, t.Location, string.Join(", ", found)));
                }
                break;
            case DlpFileAttribute f when scanAttachments:
                foreach (var a in facts.Attachments)
                {
                    bool typeOk = f.TrueTypes.Count == 0 || f.TrueTypes.Contains(a.TrueType.Id(), StringComparer.OrdinalIgnoreCase);
                    bool nameOk = f.NamePatterns.Count == 0 || f.NamePatterns.Any(p => Wildcards.Matches(Wildcards.Normalize(p), a.Name));
                    bool selected = typeOk && nameOk;
                    if (f.Except) selected = !selected;
                    if (selected && a.Size >= f.MinBytes && a.Size <= f.MaxBytes)
                        hits.Add(new DlpHit(f.Id, f.Name, a.ContainerPath, $"{a.TrueType.Id()}, {a.Size} bytes"));
                }
                break;
        }
        return hits;
    }

    private Regex? Compile(DlpExpression e)
    {
        try
        {
            return new Regex(e.Pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled | (e.CaseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase), matchTimeout);
        }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Keeps the last four characters of a matched value; the trace must not spread the data it protects.</summary>
    public static string Mask(string value)
    {
        if (value.Length <= 4) return new string('*', value.Length);
        return new string('*', value.Length - 4) + value[^4..];
    }
}
