using Sekisho.Scanning.Dmarc;

namespace Sekisho.Scanning.Tests.Dmarc;

/// <summary>Cases from the PSL project's test_psl.txt (checkPublicSuffix), against the embedded 2023-02-09 list.</summary>
public sealed class PublicSuffixListTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("b.example.com", "example.com")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("example.uk.com", "example.uk.com")]
    [InlineData("b.example.uk.com", "example.uk.com")]
    [InlineData("test.ac", "test.ac")]
    [InlineData("b.c.mm", "b.c.mm")]
    [InlineData("a.b.c.mm", "b.c.mm")]
    [InlineData("test.jp", "test.jp")]
    [InlineData("www.test.jp", "test.jp")]
    [InlineData("test.ac.jp", "test.ac.jp")]
    [InlineData("www.test.ac.jp", "test.ac.jp")]
    [InlineData("test.kyoto.jp", "test.kyoto.jp")]
    [InlineData("b.ide.kyoto.jp", "b.ide.kyoto.jp")]
    [InlineData("a.b.ide.kyoto.jp", "b.ide.kyoto.jp")]
    [InlineData("c.kobe.jp", "c.kobe.jp")]
    [InlineData("b.c.kobe.jp", "b.c.kobe.jp")]
    [InlineData("city.kobe.jp", "city.kobe.jp")]
    [InlineData("www.city.kobe.jp", "city.kobe.jp")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("www.www.ck", "www.ck")]
    [InlineData("test.us", "test.us")]
    [InlineData("www.test.ak.us", "test.ak.us")]
    [InlineData("www.example.co.jp", "example.co.jp")]
    [InlineData("mail.example.co.uk", "example.co.uk")]
    [InlineData("foo.bar.example", "bar.example")] // unknown TLD: the default rule "*"
    [InlineData("食狮.com.cn", "xn--85x722f.com.cn")]
    [InlineData("www.食狮.公司.cn", "xn--85x722f.xn--55qx5d.cn")]
    public void Organizational_domain(string domain, string expected) =>
        Assert.Equal(expected, PublicSuffixList.Default.OrganizationalDomain(domain));

    [Theory]
    [InlineData("com", "com")]
    [InlineData("c.mm", "c.mm")]
    [InlineData("kyoto.jp", "kyoto.jp")]
    public void A_public_suffix_is_its_own_organizational_domain(string domain, string expected) =>
        Assert.Equal(expected, PublicSuffixList.Default.OrganizationalDomain(domain));
}
