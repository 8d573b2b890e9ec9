using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

namespace Sekisho.Migration.Keywords;

/// <summary>The result of translating one InterScan keyword expression.</summary>
/// <param name="Expression">The expression as written in InterScan.</param>
/// <param name="CaseSensitive">The expression's "case sensitive" flag.</param>
public abstract record KeywordTranslation(string Expression, bool CaseSensitive);

/// <summary>A translated expression: a .NET pattern and options, already checked to compile.</summary>
/// <param name="Expression">The expression as written.</param>
/// <param name="CaseSensitive">The case flag.</param>
/// <param name="Pattern">The .NET regular expression.</param>
/// <param name="Options"><see cref="RegexOptions.CultureInvariant"/>, plus <see cref="RegexOptions.IgnoreCase"/> when not case sensitive.</param>
public sealed record TranslatedKeyword(string Expression, bool CaseSensitive, string Pattern, RegexOptions Options)
    : KeywordTranslation(Expression, CaseSensitive)
{
    /// <summary>A regex for matching, bounded by a match timeout (the dialect allows backtracking constructs).</summary>
    public Regex ToRegex(TimeSpan matchTimeout) => new(Pattern, Options, matchTimeout);
}

/// <summary>Why an expression cannot be translated.</summary>
public enum KeywordFailureReason
{
    /// <summary>The expression is empty.</summary>
    Empty,
    /// <summary>The expression is longer than the limit.</summary>
    TooLong,
    /// <summary>A <c>[</c> bracket expression is not closed.</summary>
    UnclosedBracket,
    /// <summary><c>\b</c> in the middle of an expression (a syntax error in InterScan).</summary>
    WordBoundaryInMiddle,
    /// <summary>An <c>{UPPERCASE}</c> token that is not an InterScan shorthand.</summary>
    UnknownShorthand,
    /// <summary>A <c>[:name:]</c> class that is not a POSIX class.</summary>
    UnknownPosixClass,
    /// <summary>A backslash escape the dialect does not define.</summary>
    UnsupportedEscape,
    /// <summary>A byte escape above 0x7F: a single byte of a multi-byte character cannot be matched in decoded text.</summary>
    NonAsciiByte,
    /// <summary>Syntax of other regex dialects (<c>(?…)</c>, <c>[=a=]</c>, <c>[.a.]</c>).</summary>
    UnsupportedConstruct,
    /// <summary>A range whose end is before its start, or with a class as an end.</summary>
    InvalidRange,
    /// <summary>The expression ends with a lone backslash.</summary>
    TrailingBackslash,
    /// <summary>The translated expression does not compile (unbalanced parentheses, a quantifier after nothing, …).</summary>
    DoesNotCompile,
}

/// <summary>
/// An expression that cannot be translated, with the reason; the mapping turns it into the finding
/// <c>keyword-invalid-regex</c>.
/// </summary>
/// <param name="Expression">The expression as written.</param>
/// <param name="CaseSensitive">The case flag.</param>
/// <param name="Reason">Why.</param>
/// <param name="Position">0-based position in <paramref name="Expression"/> (or in the translated pattern for <see cref="KeywordFailureReason.DoesNotCompile"/>).</param>
/// <param name="Fragment">The offending part of the expression, or the .NET parser message.</param>
public sealed record UntranslatableKeyword(string Expression, bool CaseSensitive, KeywordFailureReason Reason, int Position, string Fragment)
    : KeywordTranslation(Expression, CaseSensitive)
{
    private static readonly ResourceManager Resources = new("Sekisho.Migration.Keywords.Messages", typeof(UntranslatableKeyword).Assembly);

    /// <summary>The reason for administrators, in the culture's language (ja or en).</summary>
    public string GetMessage(CultureInfo? culture = null)
    {
        culture ??= CultureInfo.CurrentUICulture;
        var format = Resources.GetString("Reason." + Reason, culture) ?? throw new InvalidOperationException($"Missing resource Reason.{Reason}");
        return string.Format(culture, format, Position + 1, Fragment, KeywordExpressionTranslator.MaxExpressionLength);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Reason} at {Position}: {Fragment} in \"{Expression}\"";
}
