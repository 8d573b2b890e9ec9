namespace Sekisho.Migration.Source;

/// <summary>How a term joins what comes before it in a DLP template condition.</summary>
public enum DlpOperator
{
    /// <summary>The first term (no operator before it).</summary>
    First,
    /// <summary>And.</summary>
    And,
    /// <summary>Or.</summary>
    Or,
    /// <summary>Except: must not match. A leading Except means the identifier must not match at all.</summary>
    Except,
}

/// <summary>One term of a DLP template condition: an operator and a data identifier id.</summary>
public sealed record DlpConditionTerm(DlpOperator Operator, string IdentifierId);

/// <summary>
/// A DLP template condition statement: identifiers in brackets joined by And / Or / Except, evaluated left
/// to right (no precedence), e.g. <c>[DX1] And [DX2] Except [DX3]</c>.
/// </summary>
public sealed record DlpTemplateCondition(IReadOnlyList<DlpConditionTerm> Terms)
{
    private const int MaxTerms = 1000;

    /// <summary>Parses a condition statement; returns false with a reason when it is not well formed.</summary>
    public static bool TryParse(string text, out DlpTemplateCondition? condition, out string? error)
    {
        condition = null;
        var terms = new List<DlpConditionTerm>();
        var pos = 0;
        var pending = DlpOperator.First;
        var expectTerm = true;
        while (true)
        {
            SkipSpaces(text, ref pos);
            if (pos >= text.Length) break;
            if (expectTerm)
            {
                if (text[pos] == '[')
                {
                    var close = text.IndexOf(']', pos + 1);
                    if (close < 0) { error = $"unclosed '[' at position {pos + 1}"; return false; }
                    var id = text[(pos + 1)..close].Trim();
                    if (id.Length == 0) { error = $"empty identifier at position {pos + 1}"; return false; }
                    if (terms.Count >= MaxTerms) { error = $"more than {MaxTerms} terms"; return false; }
                    terms.Add(new DlpConditionTerm(pending, id));
                    pos = close + 1;
                    expectTerm = false;
                    continue;
                }
                if (terms.Count == 0 && pending == DlpOperator.First && TryOperator(text, ref pos, out var lead) && lead == DlpOperator.Except)
                {
                    pending = DlpOperator.Except;
                    continue;
                }
                error = $"expected [identifier] at position {pos + 1}";
                return false;
            }
            if (!TryOperator(text, ref pos, out var op))
            {
                error = $"expected And, Or or Except at position {pos + 1}";
                return false;
            }
            pending = op;
            expectTerm = true;
        }
        if (terms.Count == 0) { error = "no identifier"; return false; }
        if (expectTerm) { error = "the condition ends with an operator"; return false; }
        condition = new DlpTemplateCondition(terms);
        error = null;
        return true;
    }

    /// <summary>The statement in canonical form.</summary>
    public override string ToString() => string.Join(" ", Terms.Select(t => t.Operator switch
    {
        DlpOperator.First => $"[{t.IdentifierId}]",
        _ => $"{t.Operator} [{t.IdentifierId}]",
    }));

    private static void SkipSpaces(string s, ref int pos)
    {
        while (pos < s.Length && char.IsWhiteSpace(s[pos])) pos++;
    }

    private static bool TryOperator(string s, ref int pos, out DlpOperator op)
    {
        foreach (var (word, value) in new[] { ("And", DlpOperator.And), ("Or", DlpOperator.Or), ("Except", DlpOperator.Except) })
        {
            if (pos + word.Length <= s.Length
                && string.Compare(s, pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
                && (pos + word.Length == s.Length || char.IsWhiteSpace(s[pos + word.Length]) || s[pos + word.Length] == '['))
            {
                pos += word.Length;
                op = value;
                return true;
            }
        }
        op = DlpOperator.First;
        return false;
    }
}
