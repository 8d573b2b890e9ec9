using System.Net;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Authentication;
using Sekisho.Scanning.Dkim;
using Sekisho.Scanning.Dns;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Authentication;

public sealed class SenderAuthenticatorTests : IDisposable
{
    private readonly FakeDnsServer _dns = new();
    private readonly DkimKeyPair _exampleKey = DkimKeyGenerator.Generate("example.com", "s1", DkimAlgorithm.RsaSha256);
    private readonly DkimKeyPair _listKey = DkimKeyGenerator.Generate("list.example.net", "arc", DkimAlgorithm.RsaSha256);

    private const string Original =
        "From: Alice <alice@example.com>\r\nTo: team@list.example.net\r\nSubject: Plans\r\n" +
        "Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <p1@example.com>\r\n\r\nSee you on Friday.\r\n";

    public SenderAuthenticatorTests()
    {
        _dns.Txt("example.com", "v=spf1 ip4:192.0.2.10 -all")
            .Txt("_dmarc.example.com", "v=DMARC1; p=reject")
            .Txt(_exampleKey.RecordName, _exampleKey.RecordValue)
            .Txt("list.example.net", "v=spf1 ip4:198.51.100.7 -all")
            .Txt(_listKey.RecordName, _listKey.RecordValue)
            .Ptr("192.0.2.10", "mail.example.com").A("mail.example.com", "192.0.2.10")
            .Ptr("198.51.100.7", "lists.example.net").A("lists.example.net", "203.0.113.1");
    }

    private SenderAuthenticator Authenticator(SenderAuthenticatorOptions? options = null) =>
        new(_dns.Resolver(),
            options ?? new SenderAuthenticatorOptions { AuthServId = "gw.example.org" });

    private async Task<byte[]> SignedOriginalAsync()
    {
        var signer = new DkimOutboundSigner([new DkimSigningKey { Domain = "example.com", Selector = "s1", PrivateKeyPem = _exampleKey.PrivateKeyPem }]);
        var bytes = Encoding.ASCII.GetBytes(Original);
        return Encoding.ASCII.GetBytes((await signer.SignAsync(bytes, "example.com", default))!).Concat(bytes).ToArray();
    }

    private static MessageEnvelope Envelope(string ip, string sender, string helo) =>
        new(IPAddress.Parse(ip), helo, sender, ["bob@example.org"], TrafficDirection.Inbound);

    [Fact]
    public async Task Direct_mail_passes_spf_dkim_dmarc_and_iprev_and_says_so_in_authentication_results()
    {
        var verdict = await Authenticator().AuthenticateAsync(await SignedOriginalAsync(), Envelope("192.0.2.10", "alice@example.com", "mail.example.com"), default);

        Assert.Equal(SpfResult.Pass, verdict.Spf);
        Assert.Equal("pass", Assert.Single(verdict.Dkim).Result);
        Assert.Equal(("pass", DmarcDisposition.Reject), (verdict.Dmarc.Result, verdict.Dmarc.Disposition));
        Assert.Equal(("pass", "mail.example.com"), (verdict.ReverseDns, verdict.ReverseDnsName));
        Assert.Equal("none", verdict.Arc);

        var ar = AuthenticationResults.Parse(Encoding.ASCII.GetBytes(verdict.AuthenticationResults));
        Assert.Equal("gw.example.org", ar.AuthenticationServiceIdentifier);
        Assert.Equal(["spf=pass", "dkim=pass", "dmarc=pass", "arc=none", "iprev=pass"], ar.Results.Select(r => $"{r.Method}={r.Result}"));
        Assert.Contains("header.d=example.com", verdict.AuthenticationResults);
        Assert.StartsWith("pass (", verdict.ReceivedSpf);
        Assert.Contains("client-ip=192.0.2.10;", verdict.ReceivedSpf);
        Assert.Empty(AuthenticationDecisions.Decide(verdict, Envelope("192.0.2.10", "alice@example.com", "mail.example.com"), "example.com", new AuthenticationSettings()));
    }

    [Fact]
    public async Task A_spoofed_sender_fails_spf_and_dmarc_and_the_default_spf_action_deletes()
    {
        var envelope = Envelope("203.0.113.66", "alice@example.com", "spoof.example");
        var verdict = await Authenticator().AuthenticateAsync(Encoding.ASCII.GetBytes(Original), envelope, default);

        Assert.Equal(SpfResult.Fail, verdict.Spf);
        Assert.Equal("fail", verdict.Dmarc.Result);
        Assert.Equal("fail", verdict.ReverseDns);
        var decision = Assert.Single(AuthenticationDecisions.Decide(verdict, envelope, "example.com", new AuthenticationSettings()));
        Assert.Equal(("spf", AuthIntercept.Delete), (decision.Check, decision.Action.Intercept));

        // SPF ignored for that peer: DMARC still fails, and p=reject deletes by default
        var settings = new AuthenticationSettings { Spf = new SpfSettings { IgnoredPeers = ["203.0.113.0/24"] } };
        decision = Assert.Single(AuthenticationDecisions.Decide(verdict, envelope, "example.com", settings));
        Assert.Equal(("dmarc", AuthIntercept.Delete), (decision.Check, decision.Action.Intercept));
    }

    [Fact]
    public async Task Mail_forwarded_by_a_list_fails_dmarc_but_passes_arc_and_is_accepted_when_arc_is_enabled()
    {
        var message = MimeMessage.Load(new MemoryStream(await SignedOriginalAsync()));
        message.Subject = "[team] Plans"; // the list breaks the author's signature
        var sealer = new ListArcSigner(_listKey.PrivateKeyPem);
        await sealer.SignAsync(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        using var output = new MemoryStream();
        message.WriteTo(output);
        var envelope = Envelope("198.51.100.7", "team-bounces@list.example.net", "lists.example.net");

        var verdict = await Authenticator().AuthenticateAsync(output.ToArray(), envelope, default);

        Assert.Equal(SpfResult.Pass, verdict.Spf);          // the list's own domain, not aligned with example.com
        Assert.Equal("fail", Assert.Single(verdict.Dkim).Result);
        Assert.Equal("fail", verdict.Dmarc.Result);
        Assert.Equal("pass", verdict.Arc);
        Assert.Equal(["list.example.net"], verdict.ArcSealers);
        Assert.Equal("fail", verdict.ReverseDns);           // lists.example.net does not resolve back

        Assert.Empty(AuthenticationDecisions.Decide(verdict, envelope, "example.com", new AuthenticationSettings()));
        var noArc = new AuthenticationSettings { Dmarc = [DmarcPolicySettings.DefaultPolicy with { EnableArc = false }] };
        var decision = Assert.Single(AuthenticationDecisions.Decide(verdict, envelope, "example.com", noArc));
        Assert.Equal(("dmarc", AuthIntercept.Delete), (decision.Check, decision.Action.Intercept));
    }

    [Fact]
    public async Task Sender_ip_match_stands_in_for_spf_and_a_mismatch_takes_its_action()
    {
        var options = new SenderAuthenticatorOptions
        {
            SenderIpMatch = [new SenderIpMatch("*.example.com", ["203.0.113.0/24"], new AuthAction(AuthIntercept.Quarantine)),
                             new SenderIpMatch("example.com", ["203.0.113.0/24"], new AuthAction(AuthIntercept.Quarantine))],
        };
        var envelope = Envelope("203.0.113.5", "alice@example.com", "crm.example");
        var verdict = await Authenticator(options).AuthenticateAsync(Encoding.ASCII.GetBytes(Original), envelope, default);
        Assert.Equal(SpfResult.Pass, verdict.Spf);
        Assert.Equal("pass", verdict.Dmarc.Result);
        Assert.Contains(verdict.Findings, f => f.Engine == "sender-ip-match" && f.Name == "pass");

        var settings = new AuthenticationSettings { SenderIpMatch = options.SenderIpMatch };
        var other = Envelope("192.0.2.10", "alice@example.com", "mail.example.com");
        verdict = await Authenticator(options).AuthenticateAsync(await SignedOriginalAsync(), other, default);
        var decision = Assert.Single(AuthenticationDecisions.Decide(verdict, other, "example.com", settings));
        Assert.Equal(("sender-ip-match", AuthIntercept.Quarantine), (decision.Check, decision.Action.Intercept));
    }

    [Fact]
    public async Task An_enforced_dkim_peer_without_a_signature_is_quarantined_unless_ignored()
    {
        var envelope = Envelope("192.0.2.10", "alice@example.com", "mail.example.com");
        var verdict = await Authenticator().AuthenticateAsync(Encoding.ASCII.GetBytes(Original), envelope, default);
        var enforced = new AuthenticationSettings { DkimVerification = [DkimVerificationPolicy.DefaultPolicy with { EnforcedPeers = ["example.com"] }] };
        var decision = Assert.Single(AuthenticationDecisions.Decide(verdict, envelope, "example.com", enforced));
        Assert.Equal(("dkim", AuthIntercept.Quarantine), (decision.Check, decision.Action.Intercept));

        var ignored = new AuthenticationSettings { DkimVerification = [DkimVerificationPolicy.DefaultPolicy with { EnforcedPeers = ["example.com"], IgnoredPeers = ["example.com"] }] };
        Assert.Empty(AuthenticationDecisions.Decide(verdict, envelope, "example.com", ignored));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\u0000\u0001 not a message at all")]
    [InlineData("From: a@example.com, b@other.example\r\n\r\nbody\r\n")]
    public async Task A_message_without_a_single_from_domain_is_a_dmarc_permerror_not_an_exception(string text)
    {
        var envelope = Envelope("192.0.2.10", "alice@example.com", "mail.example.com");
        var verdict = await Authenticator().AuthenticateAsync(Encoding.UTF8.GetBytes(text), envelope, default);
        Assert.Equal(SpfResult.Pass, verdict.Spf);
        Assert.Empty(verdict.Dkim);
        Assert.Equal("permerror", verdict.Dmarc.Result);
        Assert.Contains("dmarc=permerror", verdict.AuthenticationResults);
    }

    /// <summary>A mailing list's ARC sealer (MimeKit), recording what it saw in ARC-Authentication-Results.</summary>
    private sealed class ListArcSigner(string pem) : ArcSigner(new MemoryStream(Encoding.ASCII.GetBytes(pem)), "list.example.net", "arc", DkimSignatureAlgorithm.RsaSha256)
    {
        protected override AuthenticationResults GenerateArcAuthenticationResults(FormatOptions options, MimeMessage message, CancellationToken cancellationToken)
        {
            var results = new AuthenticationResults("lists.example.net");
            results.Results.Add(new AuthenticationMethodResult("dkim", "pass"));
            results.Results.Add(new AuthenticationMethodResult("dmarc", "pass"));
            return results;
        }

        protected override Task<AuthenticationResults> GenerateArcAuthenticationResultsAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
            Task.FromResult(GenerateArcAuthenticationResults(options, message, cancellationToken));
    }

    public void Dispose() => _dns.Dispose();
}
