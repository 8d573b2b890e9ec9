using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Testing;

namespace Sekisho.Model.Tests;

public class AddressPatternTests
{
    [Theory]
    [InlineData("taro@example.co.jp", "taro@example.co.jp", true)]
    [InlineData("taro@example.co.jp", "TARO@Example.CO.JP", true)]
    [InlineData("taro@example.co.jp", "hanako@example.co.jp", false)]
    [InlineData("*@example.co.jp", "anyone@example.co.jp", true)]
    [InlineData("*@example.co.jp", "anyone@sub.example.co.jp", false)]
    [InlineData("*@*.example.co.jp", "a@sub.example.co.jp", true)]
    [InlineData("*@*.example.co.jp", "a@deep.sub.example.co.jp", true)]
    [InlineData("*@*.example.co.jp", "a@example.co.jp", false)]
    [InlineData("*@*.example.co.jp", "a@badexample.co.jp", false)]
    [InlineData("sales@*", "sales@anywhere.example", true)]
    [InlineData("sales@*", "support@anywhere.example", false)]
    [InlineData("*@*", "x@y.example", true)]
    [InlineData("*@例え.jp", "user@xn--r8jz45g.jp", true)]
    public void Matches_as_administrators_expect(string pattern, string address, bool expected) =>
        Assert.Equal(expected, AddressPattern.Parse(pattern).Matches(address));

    [Theory]
    [InlineData("", AddressPatternError.Empty)]
    [InlineData("no-at-sign", AddressPatternError.MissingAt)]
    [InlineData("a*b@example.com", AddressPatternError.InvalidLocalPart)]
    [InlineData("\"quoted\"@example.com", AddressPatternError.InvalidLocalPart)]
    [InlineData("@a:b@example.com", AddressPatternError.InvalidLocalPart)]
    [InlineData("user@-bad-.example", AddressPatternError.InvalidDomain)]
    [InlineData("user@localhost", AddressPatternError.InvalidDomain)]
    [InlineData("user@[192.0.2.1]", AddressPatternError.InvalidDomain)]
    public void Refuses_what_is_not_a_pattern(string text, AddressPatternError error)
    {
        Assert.False(AddressPattern.TryParse(text, out _, out var e));
        Assert.Equal(error, e);
    }

    [Fact]
    public void Wildcard_domains_never_lie_within_managed_domains()
    {
        string[] managed = ["example.co.jp"];
        Assert.True(AddressPattern.Parse("*@example.co.jp").LiesWithin(managed));
        Assert.True(AddressPattern.Parse("ceo@example.co.jp").LiesWithin(managed));
        Assert.False(AddressPattern.Parse("*@*.example.co.jp").LiesWithin(managed));
        Assert.False(AddressPattern.Parse("ceo@*").LiesWithin(managed));
        Assert.False(AddressPattern.Parse("x@other.example").LiesWithin(managed));
    }
}

public class InboundRoutingTests
{
    // The example of the cloud product's documentation (cegp-target-model.md §3.2.1).
    private static readonly ManagedDomain TestCom = PolicySamples.Domain("test.com", true,
        new InboundServer("*", "1.2.3.4", 25, 10), new InboundServer("recipient1", "1.2.3.5", 25, 11), new InboundServer("recipient2", "1.2.3.6", 25, 9));

    [Fact]
    public void Wildcard_and_exact_entries_merge_by_preference()
    {
        Assert.Equal(["1.2.3.4", "1.2.3.5"], InboundRouting.OrderFor(TestCom, "recipient1", new Random(1)).Select(s => s.Host));
        Assert.Equal(["1.2.3.6", "1.2.3.4"], InboundRouting.OrderFor(TestCom, "recipient2", new Random(1)).Select(s => s.Host));
        Assert.Equal(["1.2.3.4"], InboundRouting.OrderFor(TestCom, "someone", new Random(1)).Select(s => s.Host));
    }

    [Fact]
    public void Equal_preferences_share_the_load()
    {
        var d = PolicySamples.Domain("lb.example", true, new InboundServer("*", "10.0.0.1", 25, 10), new InboundServer("*", "10.0.0.2", 25, 10), new InboundServer("*", "10.0.0.3", 25, 20));
        var firsts = Enumerable.Range(0, 200).Select(i => InboundRouting.OrderFor(d, "x", new Random(i))).ToList();
        Assert.All(firsts, order => Assert.Equal("10.0.0.3", order[2].Host));
        var counts = firsts.GroupBy(o => o[0].Host).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(counts["10.0.0.1"] > 50 && counts["10.0.0.2"] > 50, $"uneven: {string.Join(",", counts)}");
    }
}

public class DlpCheckTests
{
    [Theory]
    [InlineData("123456789018", true)]
    [InlineData("987654321093", true)]
    [InlineData("123456789012", false)]
    [InlineData("1234 5678 9018", true)]
    [InlineData("12345678901", false)]
    public void My_number_check_digit(string number, bool valid) => Assert.Equal(valid, DlpChecks.Passes(DlpValidator.JpMyNumber, number));

    [Theory]
    [InlineData("4111 1111 1111 1111", true)]
    [InlineData("5500-0000-0000-0004", true)]
    [InlineData("3400 000000 00009", true)]
    [InlineData("4111 1111 1111 1112", false)]
    public void Luhn_for_card_numbers(string number, bool valid) => Assert.Equal(valid, DlpChecks.Passes(DlpValidator.Luhn, number));

    [Theory]
    [InlineData("7000012050002", true)] // 国税庁
    [InlineData("8000012050002", false)]
    public void Corporate_number_check_digit(string number, bool valid) => Assert.Equal(valid, DlpChecks.Passes(DlpValidator.JpCorporateNumber, number));

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32", true)]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("DE89370400440532013001", false)]
    public void Iban_mod_97(string iban, bool valid) => Assert.Equal(valid, DlpChecks.Passes(DlpValidator.Iban, iban));

    [Fact]
    public void Predefined_templates_reference_existing_identifiers()
    {
        foreach (var t in PredefinedDlp.Templates)
            Assert.All(t.Terms, term => Assert.NotNull(PredefinedDlp.FindIdentifier(term.IdentifierId)));
    }

    [Theory]
    [InlineData("predefined:jp-my-number", "マイナンバーは 1234-5678-9018 です", true)]
    [InlineData("predefined:jp-my-number", "番号 1234-5678-9012", false)]
    [InlineData("predefined:jp-phone-number", "電話: 03-1234-5678", true)]
    [InlineData("predefined:jp-phone-number", "携帯 090-1234-5678", true)]
    [InlineData("predefined:jp-postal-address", "〒100-8994 東京都千代田区", true)]
    [InlineData("predefined:jp-bank-account", "普通預金 口座番号: 1234567", true)]
    [InlineData("predefined:payment-card-number", "card 4111-1111-1111-1111 exp", true)]
    [InlineData("predefined:payment-card-number", "order 1234-5678-9012-3456", false)]
    public void Predefined_expressions_find_real_looking_data(string id, string text, bool found)
    {
        var e = (DlpExpression)PredefinedDlp.FindIdentifier(id)!;
        var regex = new System.Text.RegularExpressions.Regex(e.Pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        var hit = regex.Matches(text).Any(m => DlpChecks.Passes(e.Validator, m.Value));
        Assert.Equal(found, hit);
    }
}
