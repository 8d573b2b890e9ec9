using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Keywords;

/// <summary>
/// Translates InterScan keyword expressions (the eManager dialect, imsva-source-model.md §7.2) into .NET regular
/// expressions.
/// </summary>
/// <remarks>
/// <para>Semantics are deliberately ASCII, like the byte-oriented POSIX engine InterScan uses: <c>\d</c> is
/// <c>[0-9]</c>, <c>\w</c> is <c>[_0-9A-Za-z]</c>, <c>\s</c> is space, tab, LF, VT, FF and CR, POSIX classes are
/// their C-locale sets, and <c>\b</c> at an end is a boundary between those word characters and anything else. .NET's
/// own <c>\d</c>, <c>\w</c>, <c>\s</c>, <c>\b</c> are Unicode-aware and are never emitted, so a Japanese character is
/// neither a digit, a word character nor a space, as its UTF-8 bytes are not in InterScan. Japanese literals match
/// as characters.</para>
/// <para>Shorthand (<c>{D}</c>, <c>{WSP}</c>, …) is expanded except inside brackets and between double quotes (where
/// <c>{D}</c> stays the literal text); the quotes themselves are literal characters. A multi-character expansion is
/// wrapped in a non-capturing group so that a quantifier after it applies to all of it. <c>.</c> is any character
/// but LF; <c>$</c> is the end of the text (<c>\z</c>), as in POSIX without REG_NEWLINE. Octal escapes are octal
/// (never back-references). Byte escapes above 0x7F and syntax of other dialects (<c>(?…)</c>, <c>[=a=]</c>) are
/// refused rather than guessed.</para>
/// </remarks>
public static class KeywordExpressionTranslator
{
    /// <summary>Longest expression accepted.</summary>
    public const int MaxExpressionLength = 4096;

    private const string WordClass = "_0-9A-Za-z";
    private const string DigitClass = "0-9";
    private const string SpaceClass = "\\t\\n\\v\\f\\r ";
    private const string WordBoundary = "(?:(?<=[" + WordClass + "])(?![" + WordClass + "])|(?<![" + WordClass + "])(?=[" + WordClass + "]))";

    private static readonly TimeSpan ValidationTimeout = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string> Shorthand = new(StringComparer.Ordinal)
    {
        ["D"] = "[0-9]",
        ["L"] = "[A-Za-z]",
        ["SP"] = "[(),;.\\\\<>@\\[\\]:]",
        ["NUMBER"] = "(?:[0-9]+)",
        ["WORD"] = "(?:[A-Za-z]+)",
        ["CR"] = "\\r",
        ["LF"] = "\\n",
        ["LWSP"] = "[ \\t]",
        ["CRLF"] = "(?:\\r\\n)",
        ["WSP"] = "(?:[ \\t\\f]+)",
        ["ALLC"] = ".",
    };

    private static readonly Dictionary<string, string> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alpha"] = "A-Za-z",
        ["digit"] = "0-9",
        ["alnum"] = "0-9A-Za-z",
        ["upper"] = "A-Z",
        ["lower"] = "a-z",
        ["space"] = SpaceClass,
        ["blank"] = " \\t",
        ["punct"] = "!-/:-@\\[-`{-~",
        ["print"] = "\\x20-\\x7E",
        ["graph"] = "\\x21-\\x7E",
        ["cntrl"] = "\\x00-\\x1F\\x7F",
        ["xdigit"] = "0-9A-Fa-f",
    };

    /// <summary>Translates a keyword expression of a list.</summary>
    public static KeywordTranslation Translate(KeywordExpression expression) => Translate(expression.Text, expression.CaseSensitive);

    /// <summary>Translates one expression with its case flag; never throws for bad input.</summary>
    public static KeywordTranslation Translate(string expression, bool caseSensitive)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length == 0) return Fail(expression, caseSensitive, KeywordFailureReason.Empty, 0, "");
        if (expression.Length > MaxExpressionLength) return Fail(expression, caseSensitive, KeywordFailureReason.TooLong, MaxExpressionLength, "");
        var options = RegexOptions.CultureInvariant | (caseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase);
        try
        {
            var pattern = new Translation(expression).Run();
            try
            {
                _ = new Regex(pattern, options, ValidationTimeout);
            }
            catch (RegexParseException ex)
            {
                return Fail(expression, caseSensitive, KeywordFailureReason.DoesNotCompile, Math.Max(0, ex.Offset), ex.Error + ": " + ex.Message);
            }
            return new TranslatedKeyword(expression, caseSensitive, pattern, options);
        }
        catch (TranslationError e)
        {
            return Fail(expression, caseSensitive, e.Reason, e.Position, e.Fragment);
        }
    }

    private static UntranslatableKeyword Fail(string expression, bool caseSensitive, KeywordFailureReason reason, int position, string fragment) =>
        new(expression, caseSensitive, reason, position, fragment);

    private sealed class TranslationError(KeywordFailureReason reason, int position, string fragment) : Exception(reason.ToString())
    {
        public KeywordFailureReason Reason { get; } = reason;
        public int Position { get; } = position;
        public string Fragment { get; } = fragment;
    }

    /// <summary>One element of a bracket expression: a character, or a class (possibly negated).</summary>
    private readonly record struct BracketItem(char? Char, string? Class, bool Negated);

    private sealed class Translation(string s)
    {
        private readonly StringBuilder output = new(s.Length * 2);
        private int i;
        private bool inQuotes;

        public string Run()
        {
            while (i < s.Length)
            {
                var c = s[i];
                switch (c)
                {
                    case '"':
                        inQuotes = !inQuotes;
                        output.Append('"');
                        i++;
                        break;
                    case '{':
                        OpenBrace();
                        break;
                    case '[':
                        Bracket();
                        break;
                    case '\\':
                        Escape();
                        break;
                    case '(' when i + 1 < s.Length && s[i + 1] == '?':
                        throw new TranslationError(KeywordFailureReason.UnsupportedConstruct, i, "(?");
                    case '$':
                        output.Append("\\z");
                        i++;
                        break;
                    default:
                        output.Append(c);
                        i++;
                        break;
                }
            }
            return output.ToString();
        }

        private void OpenBrace()
        {
            var close = s.IndexOf('}', i + 1);
            var name = close > i + 1 ? s[(i + 1)..close] : "";
            if (name.Length > 0 && name.All(char.IsAsciiLetterUpper))
            {
                if (inQuotes)
                    output.Append("\\{").Append(name).Append("\\}");
                else if (Shorthand.TryGetValue(name, out var expansion))
                    output.Append(expansion);
                else
                    throw new TranslationError(KeywordFailureReason.UnknownShorthand, i, "{" + name + "}");
                i = close + 1;
                return;
            }
            output.Append('{');
            i++;
        }

        private void Escape()
        {
            var start = i;
            if (i + 1 >= s.Length) throw new TranslationError(KeywordFailureReason.TrailingBackslash, i, "\\");
            var d = s[i + 1];
            switch (d)
            {
                case 'b':
                    if (s.Length == 2) output.Append("\\x08");
                    else if (start == 0 || start + 2 == s.Length) output.Append(WordBoundary);
                    else throw new TranslationError(KeywordFailureReason.WordBoundaryInMiddle, start, "\\b");
                    i += 2;
                    return;
                case 'd': output.Append('[').Append(DigitClass).Append(']'); i += 2; return;
                case 'D': output.Append("[^").Append(DigitClass).Append(']'); i += 2; return;
                case 'w': output.Append('[').Append(WordClass).Append(']'); i += 2; return;
                case 'W': output.Append("[^").Append(WordClass).Append(']'); i += 2; return;
                case 's': output.Append('[').Append(SpaceClass).Append(']'); i += 2; return;
                case 'S': output.Append("[^").Append(SpaceClass).Append(']'); i += 2; return;
            }
            var ch = EscapedChar(ref i, inBracket: false);
            output.Append(LiteralOutside(ch));
        }

        /// <summary>Reads an escape that stands for one character (i at the backslash; advanced past it).</summary>
        private char EscapedChar(ref int pos, bool inBracket)
        {
            var start = pos;
            var d = s[pos + 1];
            switch (d)
            {
                case 'a': pos += 2; return '\a';
                case 'f': pos += 2; return '\f';
                case 'n': pos += 2; return '\n';
                case 'r': pos += 2; return '\r';
                case 't': pos += 2; return '\t';
                case 'v': pos += 2; return '\v';
                case 'b' when inBracket: pos += 2; return '\b';
                case 'x':
                {
                    if (pos + 4 <= s.Length && IsHex(s[pos + 2]) && IsHex(s[pos + 3]))
                    {
                        var value = int.Parse(s.AsSpan(pos + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        var fragment = s[pos..(pos + 4)];
                        pos += 4;
                        return Ascii(value, start, fragment);
                    }
                    throw new TranslationError(KeywordFailureReason.UnsupportedEscape, start, s[start..Math.Min(s.Length, start + 4)]);
                }
                case >= '0' and <= '7':
                {
                    var max = d <= '3' ? 3 : 2;
                    var end = pos + 1;
                    while (end < s.Length && end - (pos + 1) < max && s[end] is >= '0' and <= '7') end++;
                    var digits = s[(pos + 1)..end];
                    var value = Convert.ToInt32(digits, 8);
                    pos = end;
                    return Ascii(value, start, "\\" + digits);
                }
            }
            if (char.IsAsciiLetterOrDigit(d))
                throw new TranslationError(KeywordFailureReason.UnsupportedEscape, start, "\\" + d);
            pos += 2;
            return d;
        }

        private static char Ascii(int value, int position, string fragment) =>
            value <= 0x7F ? (char)value : throw new TranslationError(KeywordFailureReason.NonAsciiByte, position, fragment);

        private void Bracket()
        {
            var open = i;
            var j = i + 1;
            var negate = false;
            if (j < s.Length && s[j] == '^')
            {
                negate = true;
                j++;
            }
            var items = new List<BracketItem>();
            var first = true;
            while (true)
            {
                if (j >= s.Length) throw new TranslationError(KeywordFailureReason.UnclosedBracket, open, s[open..]);
                var c = s[j];
                if (c == ']' && !first)
                {
                    j++;
                    break;
                }
                first = false;
                if (c == '[' && j + 1 < s.Length && s[j + 1] == ':')
                {
                    var end = s.IndexOf(":]", j + 2, StringComparison.Ordinal);
                    if (end < 0) throw new TranslationError(KeywordFailureReason.UnclosedBracket, open, s[open..]);
                    var name = s[(j + 2)..end];
                    if (!PosixClasses.TryGetValue(name, out var body))
                        throw new TranslationError(KeywordFailureReason.UnknownPosixClass, j, s[j..(end + 2)]);
                    items.Add(new BracketItem(null, body, false));
                    j = end + 2;
                    continue;
                }
                if (c == '[' && j + 1 < s.Length && s[j + 1] is '=' or '.')
                    throw new TranslationError(KeywordFailureReason.UnsupportedConstruct, j, s.Substring(j, 2));

                var itemStart = j;
                var item = BracketElement(ref j, open);
                if (item.Char is { } low && j + 1 < s.Length && s[j] == '-' && s[j + 1] != ']')
                {
                    j++;
                    var highItem = s[j] == '[' ? throw new TranslationError(KeywordFailureReason.InvalidRange, itemStart, s[itemStart..Math.Min(s.Length, j + 2)])
                        : BracketElement(ref j, open);
                    if (highItem.Char is not { } high || high < low)
                        throw new TranslationError(KeywordFailureReason.InvalidRange, itemStart, s[itemStart..j]);
                    items.Add(new BracketItem(null, ClassChar(low) + "-" + ClassChar(high), false));
                    continue;
                }
                items.Add(item);
            }
            i = j;
            output.Append(Compose(items, negate));
        }

        private BracketItem BracketElement(ref int j, int open)
        {
            var c = s[j];
            if (c != '\\')
            {
                j++;
                return new BracketItem(c, null, false);
            }
            if (j + 1 >= s.Length) throw new TranslationError(KeywordFailureReason.UnclosedBracket, open, s[open..]);
            switch (s[j + 1])
            {
                case 'd': j += 2; return new BracketItem(null, DigitClass, false);
                case 'D': j += 2; return new BracketItem(null, DigitClass, true);
                case 'w': j += 2; return new BracketItem(null, WordClass, false);
                case 'W': j += 2; return new BracketItem(null, WordClass, true);
                case 's': j += 2; return new BracketItem(null, SpaceClass, false);
                case 'S': j += 2; return new BracketItem(null, SpaceClass, true);
            }
            return new BracketItem(EscapedChar(ref j, inBracket: true), null, false);
        }

        /// <summary>
        /// A bracket as a .NET expression. Negated meta-symbols inside a bracket (<c>[a\S]</c>) have no ASCII
        /// form within one .NET class, so they become alternations and lookaheads.
        /// </summary>
        private static string Compose(List<BracketItem> items, bool negate)
        {
            var positive = new StringBuilder();
            var negatedClasses = new List<string>();
            foreach (var item in items)
            {
                if (item.Char is { } ch) positive.Append(ClassChar(ch));
                else if (item.Negated) negatedClasses.Add(item.Class!);
                else positive.Append(item.Class);
            }
            if (negatedClasses.Count == 0) return (negate ? "[^" : "[") + positive + "]";
            var sb = new StringBuilder("(?:");
            if (!negate)
            {
                var parts = new List<string>();
                if (positive.Length > 0) parts.Add("[" + positive + "]");
                parts.AddRange(negatedClasses.Select(c => "[^" + c + "]"));
                sb.Append(string.Join('|', parts));
            }
            else
            {
                if (positive.Length > 0) sb.Append("(?![").Append(positive).Append("])");
                foreach (var c in negatedClasses) sb.Append("(?=[").Append(c).Append("])");
                sb.Append("[\\s\\S]");
            }
            return sb.Append(')').ToString();
        }

        private static string ClassChar(char c) => c switch
        {
            '\\' or ']' or '[' or '^' or '-' => "\\" + c,
            < ' ' or '\x7F' => $"\\x{(int)c:X2}",
            _ => c.ToString(),
        };

        private static string LiteralOutside(char c) => c switch
        {
            < ' ' or '\x7F' => $"\\x{(int)c:X2}",
            _ when c < 0x80 && !char.IsAsciiLetterOrDigit(c) && c != ' ' && c != '_' => "\\" + c,
            _ => c.ToString(),
        };

        private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
    }
}
