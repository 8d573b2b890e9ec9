namespace Sekisho.Mail.Tests;

/// <summary>Real 2002 mail from the SpamAssassin public corpus (PDDL 1.0 / CC0), see tests/fixtures/mail/README.md.</summary>
public sealed class SpamAssassinCorpusTests
{
    private static MessageFacts Load(string name) => Material.Inspect(Material.Fixture("spamassassin", name));

    [Fact]
    public void Ham_with_an_outlook_tnef_part()
    {
        var facts = Load("00067.23813c5ac6ce66fd892ee5501fd5dbd2.txt");
        Assert.Equal("Save up to 70% on international calls!", facts.Subject);
        Assert.Equal("webster@ryanairmail.com", facts.Headers.From.Single().Address);
        Assert.True(facts.HasTnef);
        var tnef = facts.Attachments[0];
        Assert.Equal(("[1.2]", TrueFileType.Tnef, "application/ms-tnef", 2387L), (tnef.ContainerPath, tnef.TrueType, tnef.DeclaredMimeType, tnef.Size));
        Assert.Equal("http://www.bumblebeecommunications.com/lowcostcalls/", facts.Urls.Single().Url);
        Assert.Empty(facts.ScanExceptions);
    }

    [Fact]
    public void Forwarded_message_part()
    {
        var facts = Load("01294.8c242aa8998042dd666b7f9db56a6a3e.txt");
        Assert.Equal("Fw: some (null) eyecandy packages", facts.Subject);
        var eml = Assert.Single(facts.Attachments);
        Assert.Equal(("some (null) eyecandy packages.eml", TrueFileType.Eml, "message/rfc822", "1.2"), (eml.Name, eml.TrueType, eml.DeclaredMimeType, eml.PartPath));
        Assert.Equal(7, facts.Urls.Length);
        Assert.All(facts.Urls, u => Assert.Equal(new UrlSource(UrlSourceKind.AttachmentText, "1.2.1"), u.Sources.Single()));
        Assert.DoesNotContain("dudex.net", facts.BodyText);
    }
}
