using System.Text.RegularExpressions;
using Sekisho.Model.Objects;

namespace Sekisho.Policy.Matching;

/// <summary>One expression of a keyword list that matched, with what it matched.</summary>
/// <param name="Pattern">The expression (as written in the list).</param>
/// <param name="Text">The first matched text (shortened).</param>
/// <param name="Score">The expression's score.</param>
/// <param name="Index">Where the match starts in the text it was found in (-1 when unknown).</param>
/// <param name="TextIndex">Which of the searched texts it was found in (-1 when unknown).</param>
public sealed record KeywordHit(string Pattern, string Text, int Score, int Index = -1, int TextIndex = -1);

/// <summary>The outcome of matching one keyword list against a text.</summary>
/// <param name="Matched">Whether the list matches under its match mode.</param>
/// <param name="Hits">The expressions that were found (for <see cref="KeywordMatch.Not"/> these are the ones that prevented a match).</param>
/// <param name="TotalScore">Sum of the scores of the expressions found.</param>
/// <param name="TimedOut">True when an expression ran out of time (it counts as not found).</param>
public sealed record KeywordResult(bool Matched, IReadOnlyList<KeywordHit> Hits, int TotalScore, bool TimedOut);

/// <summary>
/// A keyword list compiled for matching: every expression is a .NET regular expression run with a match timeout
/// (a runaway expression counts as not found and is reported, never hangs the gateway).
/// </summary>
public sealed class CompiledKeywordList
{
    private readonly (KeywordExpression Expression, Regex? Regex)[] _expressions;

    /// <summary>Compiles the list; an expression that does not parse is kept as an error and never matches.</summary>
    public CompiledKeywordList(KeywordList list, TimeSpan matchTimeout)
    {
        List = list;
        var errors = new List<string>();
        _expressions = list.Expressions.Select(e =>
        {
            try
            {
                var options = RegexOptions.CultureInvariant | RegexOptions.Compiled | (e.CaseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase);
                return (e, (Regex?)new Regex(e.Pattern, options, matchTimeout));
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{e.Pattern}: {ex.Message}");
                return (e, (Regex?)null);
            }
        }).ToArray();
        Errors = errors;
    }

    public KeywordList List { get; }

    /// <summary>Expressions that could not be compiled (they never match).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Matches the texts (searched one after the other, as one document) under the list's match mode.</summary>
    public KeywordResult Match(IEnumerable<string> texts)
    {
        var materialized = texts as IReadOnlyList<string> ?? texts.ToList();
        var hits = new List<KeywordHit>();
        bool timedOut = false;
        int found = 0, score = 0;
        foreach (var (expression, regex) in _expressions)
        {
            if (regex is null) continue;
            for (int t = 0; t < materialized.Count; t++)
            {
                var text = materialized[t];
                if (text.Length == 0) continue;
                System.Text.RegularExpressions.Match m;
                try { m = regex.Match(text); }
                catch (RegexMatchTimeoutException) { timedOut = true; continue; }
                if (!m.Success) continue;
                hits.Add(new KeywordHit(expression.Pattern, Shorten(m.Value), expression.Score, m.Index, t));
                found++;
                score += expression.Score;
                break;
            }
            // Any and Not are decided by the first hit; keep going for the trace only when it is cheap to know.
            if (found > 0 && List.Match is KeywordMatch.Any or KeywordMatch.Not) break;
        }
        bool matched = List.Match switch
        {
            KeywordMatch.Any => found > 0,
            KeywordMatch.All => _expressions.Length > 0 && found == _expressions.Length,
            KeywordMatch.Not => found == 0,
            KeywordMatch.Score => score > List.Threshold,
            _ => false,
        };
        return new KeywordResult(matched, hits, score, timedOut);
    }

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
