using System.Text;

namespace Sekisho.Mail.Tests;

public sealed class UrlTests
{
    [Fact]
    public void Urls_are_normalised_deduplicated_and_keep_every_source()
    {
        const string html = "<html><body><a href=\"HTTPS://WWW.Example.COM:443/Path?Q=1\">x</a><img src=\"http://cdn.example.com/p.gif\">"
            + "<form action=\"http://ｆｏｒｍ．example．jp/post\"></form><a href=\"mailto:x@example.com\">m</a><a href=\"javascript:alert(1)\">j</a>"
            + "<a href=\"/relative\">r</a><p>Visit www.example.org/info.</p></body></html>";
        var message = "From: a@example.com\r\nSubject: see https://www.example.com/Path?Q=1\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
            + "--a\r\nContent-Type: text/plain\r\n\r\nGo to https://www.example.com/Path?Q=1, or http://[2001:db8::1]:8080/x (soon).\r\n"
            + "--a\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n--a--\r\n";
        var facts = Material.Inspect(Encoding.UTF8.GetBytes(message));
        Assert.Equal(
            ["https://www.example.com/Path?Q=1", "http://[2001:db8::1]:8080/x", "http://cdn.example.com/p.gif", "http://form.example.jp/post", "http://www.example.org/info"],
            facts.Urls.Select(u => u.Url));
        var first = facts.Urls[0];
        Assert.Equal("www.example.com", first.Host);
        Assert.Equal([UrlSourceKind.Subject, UrlSourceKind.BodyText, UrlSourceKind.BodyHtmlLink], first.Sources.Select(s => s.Kind));
        Assert.Equal(["subject", "1.1", "1.2"], first.Sources.Select(s => s.Location));
        Assert.Equal(UrlSourceKind.BodyHtmlText, facts.Urls[4].Sources.Single().Kind);
    }

    [Fact]
    public void Idn_hosts_become_punycode_and_url_count_is_bounded()
    {
        var body = string.Join(" ", Enumerable.Range(0, 50).Select(i => $"http://host{i}.例え.テスト/"));
        var facts = Material.Inspect(Encoding.UTF8.GetBytes("From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"),
            InspectionOptions.Default with { MaxUrls = 10 });
        Assert.Equal(10, facts.Urls.Length);
        Assert.Equal("http://host0.xn--r8jz45g.xn--zckzah/", facts.Urls[0].Url);
    }
}
