using System.Globalization;
using System.Text.RegularExpressions;
using Sekisho.Migration.Keywords;
using Sekisho.Migration.Source;
using Sekisho.Testing.Imsva;
using static Sekisho.Migration.Tests.Support;

namespace Sekisho.Migration.Tests;

/// <summary>InterScan's keyword dialect (eManager) translated to .NET: one test per construct, checked by matching text.</summary>
public sealed class KeywordTranslationTests
{
    private static Regex R(string expression, bool caseSensitive = false)
    {
        var translation = KeywordExpressionTranslator.Translate(expression, caseSensitive);
        var translated = Assert.IsType<TranslatedKeyword>(translation);
        return translated.ToRegex(TimeSpan.FromSeconds(2));
    }

    private static UntranslatableKeyword F(string expression, KeywordFailureReason reason)
    {
        var failure = Assert.IsType<UntranslatableKeyword>(KeywordExpressionTranslator.Translate(expression, caseSensitive: false));
        Assert.Equal(reason, failure.Reason);
        return failure;
    }

    private static void Matches(Regex regex, params string[] texts) => Assert.All(texts, t => Assert.True(regex.IsMatch(t), $"{regex} should match \"{t}\""));

    private static void DoesNotMatch(Regex regex, params string[] texts) => Assert.All(texts, t => Assert.False(regex.IsMatch(t), $"{regex} should not match \"{t}\""));

    [Fact]
    public void Japanese_literals_match_as_characters()
    {
        var r = R("社外秘");
        Matches(r, "この資料は社外秘です", "【社外秘】");
        DoesNotMatch(r, "社外", "秘密");
        Matches(R("請求書.*至急"), "請求書の件、至急ご確認ください");
    }

    [Fact]
    public void The_case_flag_selects_ignore_case_and_culture_invariance_is_always_on()
    {
        var insensitive = Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate("Invoice", false));
        Assert.Equal(RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, insensitive.Options);
        var sensitive = Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate("Invoice", true));
        Assert.Equal(RegexOptions.CultureInvariant, sensitive.Options);
        Matches(R("Invoice"), "INVOICE 42", "invoice");
        DoesNotMatch(R("Invoice", caseSensitive: true), "INVOICE 42", "invoice");
        Matches(R("Invoice", caseSensitive: true), "Invoice");
    }

    [Fact]
    public void Shorthand_D_matches_a_digit_as_in_the_fixture_card_number()
    {
        var r = R("{D}{D}{D}{D}-{D}{D}{D}{D}-{D}{D}{D}{D}-{D}{D}{D}{D}");
        Matches(r, "カード番号 1234-5678-9012-3456 です");
        DoesNotMatch(r, "1234-5678-9012-345x", "1234 5678 9012 3456", "１２３４-５６７８-９０１２-３４５６");
        Matches(R("{D}{3}-{D}{4}"), "〒100-0001");
    }

    [Fact]
    public void Shorthand_L_SP_NUMBER_WORD()
    {
        Matches(R("^{L}{L}$", caseSensitive: true), "ab", "ZZ");
        DoesNotMatch(R("^{L}{L}$", caseSensitive: true), "a1", "あい");
        var sp = R("x{SP}y");
        Matches(sp, "x(y", "x)y", "x,y", "x;y", "x.y", "x\\y", "x<y", "x>y", "x@y", "x[y", "x]y", "x:y");
        DoesNotMatch(sp, "x y", "x-y", "xzy");
        var number = R("no{NUMBER}end");
        Matches(number, "no1end", "no123456end");
        DoesNotMatch(number, "noend", "no12a3end");
        var word = R("^{WORD}$", caseSensitive: true);
        Matches(word, "abc", "XyZ");
        DoesNotMatch(word, "ab1", "", "ab c");
        Matches(R("{NUMBER}+"), "1");
    }

    [Fact]
    public void Shorthand_CR_LF_CRLF_LWSP_WSP_ALLC()
    {
        Matches(R("a{CR}b"), "a\rb");
        DoesNotMatch(R("a{CR}b"), "a\nb");
        Matches(R("a{LF}b"), "a\nb");
        Matches(R("a{CRLF}b"), "a\r\nb");
        DoesNotMatch(R("a{CRLF}b"), "a\nb", "a\rb");
        Matches(R("a{LWSP}b"), "a b", "a\tb");
        DoesNotMatch(R("a{LWSP}b"), "a\fb", "a  b");
        var wsp = R("bulk{WSP}sender");
        Matches(wsp, "X-Mailer: bulk sender", "bulk \t\f sender", "BULK\tSENDER");
        DoesNotMatch(wsp, "bulksender", "bulk\nsender", "bulk\u3000sender");
        Matches(R("a{ALLC}c"), "abc", "aあc");
        DoesNotMatch(R("a{ALLC}c"), "a\nc");
    }

    [Fact]
    public void Shorthand_is_not_expanded_inside_brackets_or_double_quotes()
    {
        var bracket = R("^[{D}]$", caseSensitive: true);
        Matches(bracket, "{", "D", "}");
        DoesNotMatch(bracket, "5");
        var quoted = R("\"{D}\"", caseSensitive: true);
        Matches(quoted, "say \"{D}\" please");
        DoesNotMatch(quoted, "\"5\"");
        Matches(R("\"{D}\"{D}"), "\"{D}\"7");
    }

    [Fact]
    public void Braces_that_are_not_shorthand_are_regex_bounds_or_literals()
    {
        Matches(R("^a{2,3}$"), "aa", "aaa");
        DoesNotMatch(R("^a{2,3}$"), "a", "aaaa");
        Matches(R("{d}"), "{d}");
        var unknown = F("price{EURO}", KeywordFailureReason.UnknownShorthand);
        Assert.Equal((5, "{EURO}"), (unknown.Position, unknown.Fragment));
    }

    [Fact]
    public void Word_boundary_at_either_end_is_an_ascii_word_boundary()
    {
        var r = R("\\bMassMailer\\b", caseSensitive: true);
        Matches(r, "X-Mailer: MassMailer 2.0", "MassMailer", "(MassMailer)", "MassMailer-2");
        DoesNotMatch(r, "SuperMassMailer", "MassMailerPro", "massmailer", "MassMailer2", "MassMailer_");
        Matches(R("\\bluck"), "good luck", "luck");
        DoesNotMatch(R("\\bluck"), "goodluck");
        Matches(R("luck\\b"), "luck!", "luck");
        DoesNotMatch(R("luck\\b"), "lucky");
        // Japanese characters are not word characters, as their bytes are not for InterScan.
        Matches(R("\\bluck\\b"), "幸運luck幸運");
        DoesNotMatch(R("\\bテスト"), "テスト");
        Matches(R("\\bテスト"), "aテスト");
    }

    [Fact]
    public void Word_boundary_alone_or_in_brackets_is_backspace_and_in_the_middle_is_an_error()
    {
        Matches(R("\\b"), "a\bb");
        DoesNotMatch(R("\\b"), "ab");
        Matches(R("x[\\b]y"), "x\by");
        DoesNotMatch(R("x[\\b]y"), "x y");
        var middle = F("mass\\bmailer", KeywordFailureReason.WordBoundaryInMiddle);
        Assert.Equal(4, middle.Position);
        Assert.Contains("5 文字目", middle.GetMessage(CultureInfo.GetCultureInfo("ja")));
        Assert.Contains("position 5", middle.GetMessage(CultureInfo.GetCultureInfo("en")));
    }

    [Theory]
    [InlineData("alpha", "aZ", "1_あé")]
    [InlineData("digit", "09", "a５٣")]
    [InlineData("alnum", "a9Z", "_-あ")]
    [InlineData("upper", "AZ", "aあ")]
    [InlineData("lower", "az", "AZ")]
    [InlineData("space", " \t\n\v\f\r", "a\u3000\u00a0")]
    [InlineData("blank", " \t", "\na")]
    [InlineData("punct", "!/:@[`{~", "a0 あ")]
    [InlineData("print", " a~", "\t\u007fあ")]
    [InlineData("graph", "!a~", " \tあ")]
    [InlineData("cntrl", "\u0000\u001f\u007f", " a")]
    [InlineData("xdigit", "09afAF", "gG")]
    public void Posix_classes_are_their_c_locale_sets(string name, string inside, string outside)
    {
        var r = R($"^[[:{name}:]]$", caseSensitive: true);
        Matches(r, inside.Select(c => c.ToString()).ToArray());
        DoesNotMatch(r, outside.Select(c => c.ToString()).ToArray());
    }

    [Fact]
    public void Posix_classes_combine_with_other_bracket_items_and_unknown_ones_fail()
    {
        var r = R("^[[:digit:][:upper:]_-]+$", caseSensitive: true);
        Matches(r, "AB_12-");
        DoesNotMatch(r, "ab");
        Matches(R("^[^[:space:]]+$"), "token");
        DoesNotMatch(R("^[^[:space:]]+$"), "two words");
        var unknown = F("[[:kanji:]]", KeywordFailureReason.UnknownPosixClass);
        Assert.Equal("[:kanji:]", unknown.Fragment);
        F("[[=a=]]", KeywordFailureReason.UnsupportedConstruct);
        F("[[.hyphen.]]", KeywordFailureReason.UnsupportedConstruct);
    }

    [Fact]
    public void Meta_symbols_outside_brackets_are_ascii()
    {
        Matches(R("^\\d+$"), "0123456789");
        DoesNotMatch(R("^\\d$"), "５", "٣", "a");
        Matches(R("^\\D$"), "a", "５");
        Matches(R("^\\w+$"), "abc_XYZ_09");
        DoesNotMatch(R("^\\w$"), "あ", "é", "-");
        Matches(R("^\\W$"), "あ", "-");
        Matches(R("a\\sb"), "a b", "a\tb", "a\vb");
        DoesNotMatch(R("a\\sb"), "a\u3000b", "a\u00a0b");
        Matches(R("a\\Sb"), "axb", "a\u3000b");
        DoesNotMatch(R("a\\Sb"), "a b");
    }

    [Fact]
    public void Meta_symbols_inside_brackets_including_negated_ones()
    {
        Matches(R("^[\\w.]+@example\\.co\\.jp$"), "taro.yamada@example.co.jp");
        DoesNotMatch(R("^[\\w.]+@example\\.co\\.jp$"), "山田@example.co.jp");
        Matches(R("^[\\d-]+$"), "03-1234-5678");
        var positive = R("^[a\\S]$", caseSensitive: true);
        Matches(positive, "a", "x", "あ");
        DoesNotMatch(positive, " ", "\t");
        var negated = R("^[^a\\S]$", caseSensitive: true);
        Matches(negated, " ", "\t");
        DoesNotMatch(negated, "a", "x");
        var twoNegated = R("^[^\\S\\D]$");
        DoesNotMatch(twoNegated, " ", "1", "a");
        Matches(R("^[\\s\\d]+$"), "1 2\t3");
    }

    [Fact]
    public void Control_escapes()
    {
        Matches(R("a\\ab"), "a\ab");
        Matches(R("a\\fb"), "a\fb");
        Matches(R("a\\nb"), "a\nb");
        Matches(R("a\\rb"), "a\rb");
        Matches(R("a\\tb"), "a\tb");
        Matches(R("a\\vb"), "a\vb");
        Matches(R("^[\\t\\n]+$"), "\t\n");
    }

    [Fact]
    public void Octal_escapes_are_octal_never_back_references()
    {
        Matches(R("\\101", caseSensitive: true), "A");
        DoesNotMatch(R("\\101", caseSensitive: true), "a");
        Matches(R("a\\7b"), "a\ab");
        Matches(R("a\\12b"), "a\nb");
        Matches(R("a\\0b"), "a\0b");
        Matches(R("(a)\\1"), "a\u0001");
        DoesNotMatch(R("(a)\\1"), "aa");
        Matches(R("\\400"), " 0");
        Matches(R("[\\101-\\103]+"), "ABC");
        F("\\8", KeywordFailureReason.UnsupportedEscape);
        Assert.Equal("\\377", F("x\\377", KeywordFailureReason.NonAsciiByte).Fragment);
    }

    [Fact]
    public void Hex_escapes()
    {
        Matches(R("\\x41\\x20B", caseSensitive: true), "A B");
        Matches(R("[\\x30-\\x39]"), "7");
        F("\\x4", KeywordFailureReason.UnsupportedEscape);
        F("\\xZZ", KeywordFailureReason.UnsupportedEscape);
        var nonAscii = F("\\xE3\\x81\\x82", KeywordFailureReason.NonAsciiByte);
        Assert.Equal((0, "\\xE3"), (nonAscii.Position, nonAscii.Fragment));
        Assert.Contains("0x7F", nonAscii.GetMessage(CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public void Dot_is_any_character_but_newline_and_dollar_is_the_end_of_the_text()
    {
        Matches(R("a.c"), "abc", "a c", "a漢c");
        DoesNotMatch(R("a.c"), "a\nc");
        Matches(R("abc$"), "xabc");
        DoesNotMatch(R("abc$"), "abc\n", "abcd");
        Matches(R("^abc"), "abcd");
        DoesNotMatch(R("^abc"), "xabc");
    }

    [Fact]
    public void Escaped_metacharacters_are_literals()
    {
        Matches(R("a\\.b"), "a.b");
        DoesNotMatch(R("a\\.b"), "axb");
        Matches(R("\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$"), "*+?()[]{}|^$");
        Matches(R("C:\\\\temp"), "C:\\temp");
        Matches(R("\\\"q\\\""), "\"q\"");
        Matches(R("a\\/b\\-c\\<d\\>e\\ f"), "a/b-c<d>e f");
        Matches(R("\\あ"), "あ");
    }

    [Fact]
    public void Bracket_expressions_follow_posix_rules()
    {
        Matches(R("^[]a]+$"), "]a]");
        Matches(R("^[^]a]$"), "b");
        DoesNotMatch(R("^[^]a]$"), "]", "a");
        Matches(R("^[a-]+$"), "a-a");
        Matches(R("^[-a]+$"), "-a");
        Matches(R("^[a^]+$"), "^a");
        Matches(R("^[a[b]+$"), "a[b");
        Matches(R("^[\\]]$"), "]");
        Matches(R("^[あ-お]+$"), "あいうえお");
        Assert.Equal((2, "z-a"), (F("x[z-a]", KeywordFailureReason.InvalidRange).Position, F("x[z-a]", KeywordFailureReason.InvalidRange).Fragment));
        F("[a-\\d]", KeywordFailureReason.InvalidRange);
        F("[a-[:digit:]]", KeywordFailureReason.InvalidRange);
    }

    [Fact]
    public void Regex_operators_pass_through()
    {
        Matches(R("^(ab)+$"), "ababab");
        Matches(R("cat|dog"), "hotdog");
        Matches(R("colou?r"), "color", "colour");
        Matches(R("a+b*c"), "aaac");
    }

    [Fact]
    public void Syntax_errors_are_typed_failures()
    {
        var unclosed = F("[abc", KeywordFailureReason.UnclosedBracket);
        Assert.Equal((0, "[abc"), (unclosed.Position, unclosed.Fragment));
        var paren = F("(unclosed", KeywordFailureReason.DoesNotCompile);
        Assert.Contains("InsufficientClosingParentheses", paren.Fragment);
        F("*abc", KeywordFailureReason.DoesNotCompile);
        F("a)b", KeywordFailureReason.DoesNotCompile);
        F("(?i)abc", KeywordFailureReason.UnsupportedConstruct);
        F("a(?=b)", KeywordFailureReason.UnsupportedConstruct);
        F("abc\\", KeywordFailureReason.TrailingBackslash);
        F("", KeywordFailureReason.Empty);
        F(new string('a', KeywordExpressionTranslator.MaxExpressionLength + 1), KeywordFailureReason.TooLong);
        R(new string('a', KeywordExpressionTranslator.MaxExpressionLength));
    }

    [Theory]
    [InlineData("\\q")]
    [InlineData("\\B")]
    [InlineData("\\A")]
    [InlineData("\\z")]
    [InlineData("\\p{L}")]
    [InlineData("\\k<x>")]
    [InlineData("\\Qabc\\E")]
    [InlineData("\\9")]
    public void Escapes_of_other_dialects_are_refused(string expression) => F(expression, KeywordFailureReason.UnsupportedEscape);

    [Fact]
    public void The_fixture_keyword_lists_translate_and_the_broken_list_fails_with_reasons()
    {
        var export = LoadOk(File.ReadAllBytes(FixtureDat("enterprise-ja.dat")));
        var lists = export.Objects.KeywordLists.ToDictionary(l => l.Id);
        foreach (var id in new[] { "KW1", "KW2", "KW3" })
            Assert.All(lists[id].Expressions, e => Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate(e)));
        var mass = Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate(lists["KW3"].Expressions[0]));
        Assert.True(mass.CaseSensitive);
        Assert.Equal(
            [(KeywordFailureReason.UnclosedBracket, "[abc"), (KeywordFailureReason.DoesNotCompile, "(unclosed")],
            lists["KW4"].Expressions.Select(e => Assert.IsType<UntranslatableKeyword>(KeywordExpressionTranslator.Translate(e))).Select(f => (f.Reason, f.Expression)));
    }

    [Fact]
    public void Every_sample_expression_of_the_generated_export_translates()
    {
        Assert.All(LargeImsvaExport.SampleExpressions, e => Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate(new KeywordExpression(e, false, 0, new SourceLocation("x", 1)))));
    }

    [Fact]
    public void A_regex_runs_with_the_given_match_timeout()
    {
        var translated = Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate("(a+)+b", false));
        Assert.Equal(TimeSpan.FromMilliseconds(50), translated.ToRegex(TimeSpan.FromMilliseconds(50)).MatchTimeout);
    }

    [Fact]
    public void Every_failure_reason_has_a_japanese_and_an_english_message()
    {
        foreach (var reason in Enum.GetValues<KeywordFailureReason>())
        {
            var failure = new UntranslatableKeyword("x", false, reason, 0, "frag");
            var ja = failure.GetMessage(CultureInfo.GetCultureInfo("ja"));
            var en = failure.GetMessage(CultureInfo.GetCultureInfo("en"));
            Assert.False(string.IsNullOrWhiteSpace(ja));
            Assert.NotEqual(ja, en);
        }
    }
}
