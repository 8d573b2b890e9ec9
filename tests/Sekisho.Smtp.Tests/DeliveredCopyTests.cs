using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Authentication;
using Sekisho.Scanning.Dkim;
using Sekisho.Scanning.Dns;
using Sekisho.Scanning.WebReputation;
using Sekisho.Testing;
using Dns = Sekisho.Testing.FakeDnsServer;

namespace Sekisho.Smtp.Tests;

/// <summary>
/// The last steps on delivered copies, through SMTP with the real scanners: Authentication-Results (RFC 8601) with forged
/// ones removed, time-of-click links served by the click verdict, and outbound DKIM signing verified by dkimpy.
/// </summary>
public sealed class DeliveredCopyTests : IDisposable
{
    private readonly Dns _dns = new Dns()
        .Txt("remote.example", "v=spf1 ip4:127.0.0.0/8 -all")
        .A("bad.example.multi.uribl.test", "127.0.0.8");

    public void Dispose() => _dns.Dispose();

    private CachingDnsResolver Resolver() => new(new DnsResolverOptions { Servers = [new IPEndPoint(IPAddress.Loopback, _dns.Port)], Retries = 0 });

    private static PolicyContentPolicy Policy(PolicySnapshot snapshot, PolicyPorts ports, IOutboundSigner? signer = null, IClickProtection? click = null, IArcSealer? arc = null) =>
        new(new FixedPolicyRuntime(new PolicyRuntime(new PolicyEngine(snapshot, ports), new PolicyApplier(snapshot), new DeliveryFinisher(snapshot, signer, click, arc))), new MessageInspector());

    private static Rule Rule(string id, Direction direction, RuleType type, CriteriaSet criteria, IReadOnlyList<ModifyAction>? modify = null) => new()
    {
        Id = id, Name = id, Order = 1, Direction = direction, Type = type, Criteria = criteria,
        Scope = direction == Direction.Inbound ? RuleScope.Default : new RuleScope(Participants.Anyone, Participants.Anyone, []),
        Actions = new RuleActions(new DoNotIntercept(), modify ?? [], []), Created = PolicySamples.T0, Modified = PolicySamples.T0,
    };

    [Fact]
    public async Task Inbound_copies_get_authentication_results_and_incoming_ones_claiming_our_authserv_id_are_removed()
    {
        var snapshot = new PolicySnapshot
        {
            Domains = [PolicySamples.Domain(GatewayHarness.Managed)],
            Settings = GatewaySettings.Default with { Authentication = new AuthenticationSettings { Spf = new SpfSettings { InsertHeader = true } } },
        };
        var authenticator = new SenderAuthenticator(Resolver(), new SenderAuthenticatorOptions { AuthServId = "gw.sekisho.test" });
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Policy = Policy(snapshot, new PolicyPorts { Authenticator = authenticator }));
        var message = "Authentication-Results: gw.sekisho.test; spf=pass smtp.mailfrom=forged@remote.example\r\n" +
            "Authentication-Results: (a comment) GW.SEKISHO.TEST;\r\n dkim=pass header.d=forged.example\r\n" +
            "Authentication-Results: mx.other.example; dkim=pass header.d=other.example\r\n" +
            "X-Sekisho-Received-SPF: pass (forged)\r\n" + GatewayHarness.Message("auth");
        await using (var c = await h.ConnectAsync())
        {
            await c.EhloAsync("mx.remote.example");
            Assert.Equal(250, (await c.SendMessageAsync("sender@remote.example", ["user@managed.example"], message)).Code);
        }
        var text = (await h.Inbound.WaitForMessagesAsync(1))[0].Text;
        Assert.StartsWith("Authentication-Results: gw.sekisho.test;", text, StringComparison.Ordinal);
        var header = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Contains("spf=pass", header, StringComparison.Ordinal);
        Assert.DoesNotContain("forged", header, StringComparison.Ordinal);
        Assert.Contains("Authentication-Results: mx.other.example; dkim=pass header.d=other.example\r\n", header, StringComparison.Ordinal);
        Assert.Single(header.Split("\r\n"), l => l.StartsWith("X-Sekisho-Received-SPF: pass", StringComparison.Ordinal));
        Assert.Contains("Subject: auth\r\n", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbound_links_are_rewritten_for_time_of_click_and_the_click_verdict_names_the_original_url()
    {
        var urls = new UrlReputationChecker(Resolver(), [new UriBlocklist("multi.uribl.test", UriBlocklist.SurblMulti)], [], []);
        var click = new ClickProtection(new Uri("https://gw.sekisho.test/"), Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"), urls);
        var rule = Rule("web", Direction.Inbound, RuleType.Spam, CriteriaSet.AnyOf(new WebReputation(WebReputationLevel.High, TimeOfClick: TimeOfClickMode.AllUrls)));
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [rule] };
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Policy = Policy(snapshot, new PolicyPorts { UrlReputation = urls }, click: click));
        var body = "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
            "Invoice: https://clean.example/pay?id=1 and http://bad.example/login.\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
            "<html><body><a href=\"https://clean.example/pay?id=1&amp;x=2\">pay</a> <a href='http://bad.example/login'>login</a></body></html>\r\n--b--\r\n";
        var message = $"From: <sender@remote.example>\r\nTo: <user@managed.example>\r\nSubject: links\r\nMessage-ID: <{Guid.NewGuid():N}@remote.example>\r\n" + body;
        await using (var c = await h.ConnectAsync())
        {
            await c.EhloAsync();
            Assert.Equal(250, (await c.SendMessageAsync("sender@remote.example", ["user@managed.example"], message)).Code);
        }
        var delivered = MimeKit.MimeMessage.Load(new MemoryStream((await h.Inbound.WaitForMessagesAsync(1))[0].Data));
        var plain = delivered.TextBody;
        var html = delivered.HtmlBody;
        Assert.DoesNotContain("://clean.example", plain + html, StringComparison.Ordinal);
        Assert.DoesNotContain("://bad.example", plain + html, StringComparison.Ordinal);
        Assert.EndsWith(".", plain!.TrimEnd(), StringComparison.Ordinal);

        var links = System.Text.RegularExpressions.Regex.Matches(plain + WebUtility.HtmlDecode(html), @"https://gw\.sekisho\.test/click\?[^\s""'<>]+").Select(m => m.Value.TrimEnd('.')).ToList();
        Assert.Equal(4, links.Count);
        var verdicts = new List<ClickDecision>();
        foreach (var link in links)
        {
            var q = HttpUtility.ParseQueryString(new Uri(link).Query);
            verdicts.Add(await click.DecideAsync(q["u"], q["r"], q["t"], q["s"], default));
        }
        Assert.Equal([(ClickAction.Redirect, "https://clean.example/pay?id=1"), (ClickAction.Block, "http://bad.example/login"),
                      (ClickAction.Redirect, "https://clean.example/pay?id=1&x=2"), (ClickAction.Block, "http://bad.example/login")],
            verdicts.Select(v => (v.Action, v.Url)));
        Assert.All(verdicts, v => Assert.Equal("user@managed.example", v.Recipient));

        // A signed message keeps its links (the criterion does not allow signed messages): rewriting would break the signature.
        var signed = $"From: <sender@remote.example>\r\nTo: <user@managed.example>\r\nSubject: signed\r\nMessage-ID: <{Guid.NewGuid():N}@remote.example>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s\r\n\r\n" +
            "--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee https://clean.example/pay?id=1\r\n--s\r\n" +
            "Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--s--\r\n";
        await using (var c = await h.ConnectAsync())
        {
            await c.EhloAsync();
            Assert.Equal(250, (await c.SendMessageAsync("sender@remote.example", ["user@managed.example"], signed)).Code);
        }
        Assert.Contains("See https://clean.example/pay?id=1\r\n", (await h.Inbound.WaitForMessagesAsync(2))[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbound_copies_are_signed_after_every_modification_and_dkimpy_verifies_them()
    {
        var key = DkimKeyGenerator.Generate(GatewayHarness.Managed, "s1", DkimAlgorithm.RsaSha256);
        var signer = new DkimOutboundSigner([new DkimSigningKey { Domain = GatewayHarness.Managed, Selector = "s1", PrivateKeyPem = key.PrivateKeyPem }]);
        var rule = Rule("tag", Direction.Outbound, RuleType.Content, CriteriaSet.Empty, [new TagSubject("[ext]"), new InsertXHeader("X-Out", "1")]);
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [rule] };
        await using var h = await GatewayHarness.StartAsync(setup: s => { s.Policy = Policy(snapshot, PolicyPorts.None, signer); s.SmartHostToInbound = true; });
        await using (var c = await h.ConnectAsync(GatewayHarness.OutboundServerAddress))
        {
            await c.EhloAsync();
            var reply = await c.SendMessageAsync("ceo@managed.example", ["x@partner.example"],
                GatewayHarness.Message("report", from: "ceo@managed.example", to: "x@partner.example"));
            Assert.Equal(250, reply.Code);
        }
        var data = (await h.Inbound.WaitForMessagesAsync(1))[0].Data;
        var text = Encoding.ASCII.GetString(data);
        Assert.StartsWith("DKIM-Signature:", text, StringComparison.Ordinal);
        Assert.Contains("Subject: [ext] report\r\n", text, StringComparison.Ordinal);
        Assert.Contains("X-Out: 1\r\n", text, StringComparison.Ordinal);

        Assert.True(DkimpyVerifies(data, key));
        // Tampering after signing is caught: the check can fail.
        Assert.False(DkimpyVerifies(Encoding.ASCII.GetBytes(text.Replace("[ext] report", "[ext] rep0rt", StringComparison.Ordinal)), key));
    }

    [Fact]
    public async Task Redirected_copies_and_notifications_leaving_the_organization_are_signed_and_keep_their_senders()
    {
        var key = DkimKeyGenerator.Generate(GatewayHarness.Managed, "s1", DkimAlgorithm.RsaSha256);
        var signer = new DkimOutboundSigner([new DkimSigningKey { Domain = GatewayHarness.Managed, Selector = "s1", PrivateKeyPem = key.PrivateKeyPem }]);
        var notification = new Model.Objects.Notification
        {
            Id = "nt", Name = "nt", From = "gateway@managed.example", To = "compliance@partner.example", Subject = "held: %SUBJECT%", Body = "%SENDER%",
        };
        var rule = Rule("redirect", Direction.Outbound, RuleType.Content, CriteriaSet.Empty) with
        {
            Actions = new RuleActions(new ChangeRecipient(["review@partner.example"]), [], [new Notify("nt")]),
        };
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [rule], Notifications = [notification] };
        GatewayHarness? harness = null;
        var submitter = new GatewayMailSubmitter(() => harness!.Gateway, new StaticManagedDomainCatalog(GatewayHarness.DefaultDomains(0)), TimeProvider.System,
            SystemRandomSource.Instance, signer);
        var policy = new PolicyContentPolicy(new FixedPolicyRuntime(new PolicyRuntime(new PolicyEngine(snapshot), new PolicyApplier(snapshot),
            new DeliveryFinisher(snapshot, signer))), new MessageInspector(), submitter);
        await using var h = harness = await GatewayHarness.StartAsync(setup: s => { s.Policy = policy; s.SmartHostToInbound = true; });
        await using (var c = await h.ConnectAsync(GatewayHarness.OutboundServerAddress))
        {
            await c.EhloAsync();
            Assert.Equal(250, (await c.SendMessageAsync("ceo@managed.example", ["x@partner.example"],
                GatewayHarness.Message("plan", from: "ceo@managed.example", to: "x@partner.example"))).Code);
        }
        var delivered = await h.Inbound.WaitForMessagesAsync(2);
        var redirected = delivered.Single(m => m.Recipients.SequenceEqual(["review@partner.example"]));
        var note = delivered.Single(m => m.Recipients.SequenceEqual(["compliance@partner.example"]));
        Assert.Equal(("ceo@managed.example", ""), (redirected.MailFrom, note.MailFrom));
        Assert.True(DkimpyVerifies(redirected.Data, key));
        Assert.True(DkimpyVerifies(note.Data, key));
        Assert.DoesNotContain(delivered, m => m.Recipients.Contains("x@partner.example"));
    }

    [Fact]
    public async Task Inbound_copies_changed_by_the_policy_are_sealed_with_arc_and_dkimpy_validates_the_chain()
    {
        var key = DkimKeyGenerator.Generate("gw.sekisho.test", "arc", DkimAlgorithm.RsaSha256);
        var sealer = new ArcSealer(new DkimSigningKey { Domain = "gw.sekisho.test", Selector = "arc", PrivateKeyPem = key.PrivateKeyPem });
        var rule = Rule("tag", Direction.Inbound, RuleType.Content, CriteriaSet.Empty, [new TagSubject("[外部]")]);
        var snapshot = new PolicySnapshot { Domains = [PolicySamples.Domain(GatewayHarness.Managed)], Rules = [rule] };
        var authenticator = new SenderAuthenticator(Resolver(), new SenderAuthenticatorOptions { AuthServId = "gw.sekisho.test" });
        await using var h = await GatewayHarness.StartAsync(setup: s => s.Policy = Policy(snapshot, new PolicyPorts { Authenticator = authenticator }, arc: sealer));
        await using (var c = await h.ConnectAsync())
        {
            await c.EhloAsync("mx.remote.example");
            Assert.Equal(250, (await c.SendMessageAsync("sender@remote.example", ["user@managed.example"], GatewayHarness.Message("arc"))).Code);
        }
        var data = (await h.Inbound.WaitForMessagesAsync(1))[0].Data;
        var text = Encoding.UTF8.GetString(data);
        Assert.StartsWith("ARC-Seal: i=1; a=rsa-sha256;", text, StringComparison.Ordinal);
        var aar = Regex.Match(text, @"ARC-Authentication-Results: i=1;(.*\r\n[ \t].*)*").Value;
        Assert.Contains("gw.sekisho.test;", aar, StringComparison.Ordinal);
        Assert.Contains("spf=pass", aar, StringComparison.Ordinal);
        Assert.Equal("pass", Dkimpy("arc_verify", data, key));
        // A change after sealing breaks the chain: the check can fail.
        Assert.Equal("fail", Dkimpy("arc_verify", Encoding.UTF8.GetBytes(text.Replace("Subject:", "Subject: x", StringComparison.Ordinal)), key));
    }

    /// <summary>Whether dkimpy (Debian python3-dkim) verifies the message's signature against the key's published record.</summary>
    private static bool DkimpyVerifies(byte[] message, DkimKeyPair key) => Dkimpy("verify", message, key) == "True";

    /// <summary>Runs dkimpy's <c>verify</c> (True/False) or <c>arc_verify</c> (the chain validation: pass/fail/none) with the key's record published.</summary>
    private static string Dkimpy(string function, byte[] message, DkimKeyPair key)
    {
        using var dir = new TempDir("sekisho-dkim");
        var eml = Path.Combine(dir.Path, "out.eml");
        File.WriteAllBytes(eml, message);
        var script = Path.Combine(dir.Path, "verify.py");
        File.WriteAllText(script, """
            import sys, dkim
            record = open(sys.argv[2], 'rb').read()
            name = sys.argv[3].encode() + b'.'
            def dns(n, timeout=5):
                return record if n == name else None
            message = open(sys.argv[1], 'rb').read()
            if sys.argv[4] == 'verify':
                print(dkim.verify(message, dnsfunc=dns))
            else:
                print(dkim.arc_verify(message, dnsfunc=dns)[0].decode())
            """);
        File.WriteAllText(Path.Combine(dir.Path, "record"), key.RecordValue);
        var (code, output) = ExternalProcess.Run("/usr/bin/python3", [script, eml, Path.Combine(dir.Path, "record"), key.RecordName, function], check: false);
        Assert.Equal(0, code);
        return output.Trim();
    }
}
