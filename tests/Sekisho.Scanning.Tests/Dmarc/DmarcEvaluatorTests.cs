using System.Net;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Dmarc;
using Sekisho.Scanning.Dns;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Dmarc;

public sealed class DmarcEvaluatorTests : IDisposable
{
    private readonly FakeDnsServer _dns = new();

    private DmarcEvaluator Evaluator(int roll = 0) => new(_dns.Resolver(), percentRoll: () => roll);

    private static DkimSignatureResult Dkim(string result, string d) => new(result, d, "s1");

    /// <summary>RFC 7489 §3.1.1 / §3.1.2 alignment: relaxed accepts the same organizational domain, strict the same name.</summary>
    [Theory]
    [InlineData("example.com", "example.com", false, true)]
    [InlineData("example.com", "example.com", true, true)]
    [InlineData("mail.example.com", "example.com", false, true)]
    [InlineData("mail.example.com", "example.com", true, false)]
    [InlineData("example.com", "news.example.com", false, true)]
    [InlineData("example.com", "news.example.com", true, false)]
    [InlineData("a.example.com", "b.example.com", false, true)]
    [InlineData("example.net", "example.com", false, false)]
    [InlineData("example.co.uk", "other.co.uk", false, false)]
    [InlineData("mail.example.co.uk", "example.co.uk", false, true)]
    [InlineData("EXAMPLE.COM", "example.com", true, true)]
    [InlineData("example.com.", "example.com", true, true)]
    [InlineData("", "example.com", false, false)]
    public void Alignment_table(string identifier, string from, bool strict, bool aligned) =>
        Assert.Equal(aligned, Evaluator().Aligned(identifier, from, strict));

    [Fact]
    public async Task Aligned_spf_or_dkim_passes_and_neither_fails_with_the_policy()
    {
        _dns.Txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com");

        var viaSpf = await Evaluator().EvaluateAsync("example.com", new(SpfResult.Pass, "bounces.example.com"), [], default);
        Assert.Equal("pass", viaSpf.Result.Result);
        Assert.True(viaSpf.SpfAligned);

        var viaDkim = await Evaluator().EvaluateAsync("example.com", new(SpfResult.Fail, "example.com"), [Dkim("fail", "example.com"), Dkim("pass", "example.com")], default);
        Assert.Equal("pass", viaDkim.Result.Result);
        Assert.True(viaDkim.DkimAligned);

        var unaligned = await Evaluator().EvaluateAsync("example.com", new(SpfResult.Pass, "esp.example.net"), [Dkim("pass", "esp.example.net")], default);
        Assert.Equal("fail", unaligned.Result.Result);
        Assert.Equal(DmarcDisposition.Reject, unaligned.Result.Disposition);
        Assert.True(unaligned.Result.Sampled);
    }

    [Fact]
    public async Task Strict_modes_need_the_exact_domain()
    {
        _dns.Txt("_dmarc.example.com", "v=DMARC1; p=quarantine; adkim=s; aspf=s");
        var r = await Evaluator().EvaluateAsync("example.com", new(SpfResult.Pass, "mail.example.com"), [Dkim("pass", "mail.example.com")], default);
        Assert.Equal("fail", r.Result.Result);
        Assert.Equal(DmarcDisposition.Quarantine, r.Result.Disposition);
    }

    [Fact]
    public async Task A_subdomain_uses_the_organizational_record_and_its_sp()
    {
        _dns.Txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine");
        var r = await Evaluator().EvaluateAsync("news.example.com", new(SpfResult.None, "news.example.com"), [], default);
        Assert.Equal("fail", r.Result.Result);
        Assert.Equal(DmarcDisposition.Quarantine, r.Result.Disposition);
        Assert.Equal("example.com", r.Record!.FoundAt);

        _dns.Txt("_dmarc.news.example.com", "v=DMARC1; p=none");
        r = await Evaluator().EvaluateAsync("news.example.com", new(SpfResult.None, "news.example.com"), [], default);
        Assert.Equal(DmarcDisposition.None, r.Result.Disposition);
    }

    [Fact]
    public async Task Pct_excludes_messages_whose_roll_is_above_it()
    {
        _dns.Txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=30");
        Assert.True((await Evaluator(roll: 29).EvaluateAsync("example.com", new(SpfResult.Fail, "example.com"), [], default)).Result.Sampled);
        Assert.False((await Evaluator(roll: 30).EvaluateAsync("example.com", new(SpfResult.Fail, "example.com"), [], default)).Result.Sampled);
    }

    [Fact]
    public async Task No_record_several_records_invalid_records_and_dns_errors()
    {
        Assert.Equal(DmarcDisposition.NoRecord, (await Evaluator().EvaluateAsync("example.org", new(SpfResult.Pass, "example.org"), [], default)).Result.Disposition);

        _dns.Txt("_dmarc.two.example", "v=DMARC1; p=reject").Txt("_dmarc.two.example", "v=DMARC1; p=none");
        Assert.Equal("none", (await Evaluator().EvaluateAsync("two.example", new(SpfResult.Fail, "two.example"), [], default)).Result.Result);

        _dns.Txt("_dmarc.nop.example", "v=DMARC1; p=bogus");
        Assert.Equal("none", (await Evaluator().EvaluateAsync("nop.example", new(SpfResult.Fail, "nop.example"), [], default)).Result.Result);

        _dns.Txt("_dmarc.rua.example", "v=DMARC1; rua=mailto:x@rua.example");
        var rua = await Evaluator().EvaluateAsync("rua.example", new(SpfResult.Fail, "rua.example"), [], default);
        Assert.Equal(("fail", DmarcDisposition.None), (rua.Result.Result, rua.Result.Disposition));

        _dns.ServerFailure("_dmarc.broken.example");
        Assert.Equal("temperror", (await Evaluator().EvaluateAsync("broken.example", new(SpfResult.Pass, "broken.example"), [], default)).Result.Result);
    }

    public void Dispose() => _dns.Dispose();
}
