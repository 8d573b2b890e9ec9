using System.Text;
using Sekisho.Model.Settings;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Tests;

/// <summary>Authentication-Results on the raw bytes: ours prepended, forged ones (our authserv-id, folded or not) removed, the rest byte for byte.</summary>
public class AuthenticationHeadersTests
{
    private static AuthenticationVerdict Verdict(string results = "gw.example.org;\r\n\tspf=pass smtp.mailfrom=example.com") =>
        new(SpfResult.Pass, null, [], new DmarcResult("none", DmarcDisposition.None, "example.com"))
        {
            AuthenticationResults = results, ReceivedSpf = "pass (gw.example.org: 192.0.2.1 is allowed) client-ip=192.0.2.1",
        };

    [Theory]
    [InlineData("gw.example.org; spf=pass", "gw.example.org")]
    [InlineData(" (comment; with semicolon) GW.Example.Org (x) ;\r\n dkim=pass", "GW.Example.Org")]
    [InlineData("gw.example.org 1; none", "gw.example.org")]
    [InlineData("", "")]
    public void The_authserv_id_is_the_first_token_outside_comments(string value, string expected) =>
        Assert.Equal(expected, AuthenticationHeaders.AuthServId(value));

    [Fact]
    public void Forged_fields_are_removed_others_and_the_body_stay_byte_for_byte()
    {
        const string rest = "Received: from x by y; Mon, 07 Dec 2026 03:00:00 +0000\r\n" +
            "Authentication-Results: mx.other.example;\r\n dkim=pass header.d=other.example\r\n" +
            "From: a@example.com\r\nSubject: hi\r\n\r\nAuthentication-Results: gw.example.org; in the body\r\n";
        var message = "Authentication-Results: gw.example.org;\r\n spf=pass (forged)\r\nX-Sekisho-Received-SPF: pass (forged)\r\n" + rest;
        var withSpf = Encoding.UTF8.GetString(AuthenticationHeaders.Apply(Encoding.UTF8.GetBytes(message), Verdict(), receivedSpf: true)!);
        Assert.Equal("Authentication-Results: gw.example.org;\r\n\tspf=pass smtp.mailfrom=example.com\r\n" +
            "X-Sekisho-Received-SPF: pass (gw.example.org: 192.0.2.1 is allowed) client-ip=192.0.2.1\r\n" + rest, withSpf);

        var without = Encoding.UTF8.GetString(AuthenticationHeaders.Apply(Encoding.UTF8.GetBytes(message), Verdict(), receivedSpf: false)!);
        Assert.Equal("Authentication-Results: gw.example.org;\r\n\tspf=pass smtp.mailfrom=example.com\r\n" + rest, without);
    }

    [Fact]
    public void A_verdict_without_a_header_value_changes_nothing() =>
        Assert.Null(AuthenticationHeaders.Apply("Subject: x\r\n\r\nbody\r\n"u8, Verdict(results: ""), receivedSpf: true));
}
