using System.Globalization;
using System.Text;

namespace Sekisho.Mail.Tests;

public sealed class MessageStructureTests
{
    [Fact]
    public void ClamAV_test_mail_has_a_body_and_an_executable_attachment()
    {
        var facts = Material.Inspect(Material.ClamAv("clam.mail"));
        Assert.Equal("ClamAV Test File", facts.Subject);
        Assert.Equal(1337, facts.SizeBytes);
        Assert.Equal(["1", "1.1", "1.2"], facts.Parts.Select(p => p.Path));
        Assert.Equal("This is a ClamAV test file with embedded clam.exe", facts.BodyText.Trim());
        var exe = Assert.Single(facts.Attachments);
        Assert.Equal(("clam.exe", "application/x-ms-dos-executable", TrueFileType.Exe, 544L, "1.2"), (exe.Name, exe.DeclaredMimeType, exe.TrueType, exe.Size, exe.PartPath));
        Assert.Empty(facts.ScanExceptions);
    }

    [Fact]
    public void Mbox_separator_line_is_skipped()
    {
        var facts = Material.Inspect(Material.ClamAv("clam.exe.mbox.base64"));
        Assert.Equal("test@example.com", facts.Headers.From.Single().Address);
        Assert.Equal(TrueFileType.Exe, facts.Attachments.Single().TrueType);
        Assert.True(facts.IsSubjectBlank);
    }

    [Fact]
    public void Winmail_dat_is_tnef_and_its_files_are_attachments()
    {
        // clam.tnef carries clam.exe; sent as application/octet-stream named winmail.dat, as Outlook does.
        var facts = Material.Inspect(Material.MessageWith("tnef", "see winmail", ("winmail.dat", "application/octet-stream", Material.ClamAv("clam.tnef"))));
        Assert.True(facts.HasTnef);
        Assert.Equal(MimePartRole.Tnef, facts.Parts.Single(p => p.Path == "1.2").Role);
        var tnef = facts.Attachments[0];
        Assert.Equal(("winmail.dat", TrueFileType.Tnef), (tnef.ContainerPath, tnef.TrueType));
        var inner = Assert.Single(facts.Attachments, a => a.Origin == AttachmentOrigin.TnefAttachment);
        Assert.Equal("winmail.dat/clam.exe", inner.ContainerPath);
        Assert.Equal(TrueFileType.Exe, inner.TrueType);
        Assert.Equal(544, inner.Size);
        Assert.Equal("1.2.t1", inner.PartPath);
        Assert.Equal(0, inner.ParentIndex);
    }

    [Fact]
    public void Attached_message_contents_are_attachments_under_its_name()
    {
        var inner = Encoding.ASCII.GetString(Material.MessageWith("Inner report", "inner body http://inner.example.org/x", ("data.zip", "application/zip", Material.ClamAv("clam.zip"))));
        var outer = "From: a@example.com\r\nTo: b@example.jp\r\nSubject: Fwd: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n"
            + "--fwd\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n--fwd\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"report.eml\"\r\n\r\n"
            + inner + "\r\n--fwd--\r\n";
        var facts = Material.Inspect(Encoding.ASCII.GetBytes(outer));
        Assert.Equal("forwarding", facts.BodyText.Trim());
        Assert.Equal(["report.eml", "report.eml/data.zip", "report.eml/data.zip/clam.exe"], facts.Attachments.Select(a => a.ContainerPath));
        Assert.Equal([0, 1, 2], facts.Attachments.Select(a => a.Depth));
        Assert.Equal(TrueFileType.Eml, facts.Attachments[0].TrueType);
        Assert.Equal("1.2.1.2", facts.Attachments[1].PartPath);
        Assert.Contains("inner body", facts.Attachments[0].Text);
        Assert.Contains("Inner report", facts.Attachments[0].Text);
        Assert.Equal(UrlSourceKind.AttachmentText, facts.Urls.Single().Sources.Single().Kind);
        Assert.Equal(MimePartRole.Message, facts.Parts.Single(p => p.Path == "1.2").Role);
    }

    [Fact]
    public void Smime_and_pgp_signatures_and_encryption_are_flagged()
    {
        var signed = Material.Inspect(Material.Fixture("spamassassin", "00183.a008f2e258860eff155bb06a065f7d56.txt"));
        Assert.True(signed.Security.IsDigitallySigned);
        Assert.False(signed.Security.IsEncrypted);
        Assert.Equal(SecurityFormats.SMime, signed.Security.Formats);
        Assert.Equal(MimePartRole.Signature, signed.Parts.Single(p => p.Path == "1.2").Role);

        var pgp = "From: a@example.com\r\nSubject: secret\r\nMIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"e\"\r\n\r\n"
            + "--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n--e--\r\n";
        var encrypted = Material.Inspect(Encoding.ASCII.GetBytes(pgp));
        Assert.True(encrypted.Security.IsEncrypted);
        Assert.Equal(SecurityFormats.PgpMime, encrypted.Security.Formats);
        Assert.All(encrypted.Parts.Skip(1), p => Assert.Equal(MimePartRole.Protected, p.Role));

        var smime = "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\r\n";
        var enveloped = Material.Inspect(Encoding.ASCII.GetBytes(smime));
        Assert.True(enveloped.Security.IsEncrypted);
        Assert.Equal(SecurityFormats.SMime, enveloped.Security.Formats);

        var inline = Material.Inspect(Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: i\r\n\r\n-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nhello\r\n-----BEGIN PGP SIGNATURE-----\r\nx\r\n-----END PGP SIGNATURE-----\r\n"));
        Assert.True(inline.Security.IsSigned);
        Assert.Equal(SecurityFormats.InlinePgp, inline.Security.Formats);

        Assert.False(Material.Inspect(Material.ClamAv("clam.mail")).Security.IsSigned);
    }

    [Fact]
    public void Blank_subject_and_blank_body_are_facts()
    {
        var facts = Material.Inspect(Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject:   \r\nContent-Type: text/html\r\n\r\n<html><body> <script>var x=1;</script> </body></html>\r\n"));
        Assert.True(facts.IsSubjectBlank);
        Assert.True(facts.IsBodyBlank);
        Assert.Equal("", facts.Subject);
    }

    [Fact]
    public void Any_header_is_available_by_name_decoded()
    {
        var facts = Material.Inspect(Encoding.ASCII.GetBytes("From: a@example.com\r\nX-Custom: =?UTF-8?B?44GC44GE?=\r\nReceived: one\r\nReceived: two\r\nReply-To: \"R\" <r@example.net>\r\nSender: s@example.org\r\n\r\nbody\r\n"));
        Assert.Equal("あい", facts.Headers.Get("x-custom"));
        Assert.Equal(["one", "two"], facts.Headers.GetAll("Received"));
        Assert.Equal("r@example.net", facts.Headers.ReplyTo.Single().Address);
        Assert.Equal("example.org", facts.Headers.Sender?.Domain);
        Assert.Null(facts.Headers.Subject);
        Assert.Null(facts.Headers.Date);
    }

    [Fact]
    public void Truncated_multipart_is_malformed_but_its_content_is_still_inspected()
    {
        var facts = Material.Inspect(Material.Fixture("spamassassin", "00078.6944f51ce9c0586d8f9137d2d2207df0.txt"));
        Assert.True(facts.IsMalformed);
        var e = Assert.Single(facts.ScanExceptions);
        Assert.Equal((ScanExceptionKind.MalformedMessage, "1"), (e.Kind, e.PartPath));
        Assert.Contains("Your home refinance loan is approved!", facts.BodyText);
        Assert.Equal(["http://www.mortgagepower3.com/", "http://www.mortgagepower3.com/remove.html"], facts.Urls.Select(u => u.Url));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\u0001\u0002\u0003 not a message")]
    [InlineData("just text without headers\r\n\r\n")]
    public void Garbage_gives_facts_with_a_malformed_exception(string input)
    {
        var facts = Material.Inspect(Encoding.Latin1.GetBytes(input));
        Assert.True(facts.IsMalformed);
        Assert.Equal(input.Length, facts.SizeBytes);
        Assert.Empty(facts.Attachments);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(42);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            if (i % 2 == 0) Encoding.ASCII.GetBytes("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n").CopyTo(bytes, 0);
            var facts = Material.Inspect(bytes);
            Assert.Equal(bytes.Length, facts.SizeBytes);
        }
    }

    [Fact]
    public void Deep_nesting_stops_at_the_depth_limit_as_malformed()
    {
        var sb = new StringBuilder("From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
        for (int i = 0; i < 60; i++) sb.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        sb.Append("Content-Type: text/plain\r\n\r\nbottom\r\n");
        for (int i = 59; i >= 0; i--) sb.Append($"--b{i}--\r\n");
        var facts = Material.Inspect(Encoding.ASCII.GetBytes(sb.ToString()));
        Assert.True(facts.IsMalformed);
        Assert.Contains(facts.ScanExceptions, e => e.Detail.Contains("nesting deeper than 32"));
        Assert.True(facts.Parts.Max(p => p.Depth) <= 33);
    }

    [Fact]
    public void Part_and_header_counts_are_bounded()
    {
        var sb = new StringBuilder("From: a@example.com\r\nSubject: many\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n");
        for (int i = 0; i < 30; i++) sb.Append("--m\r\nContent-Type: text/plain\r\n\r\nx\r\n");
        sb.Append("--m--\r\n");
        var facts = Material.Inspect(Encoding.ASCII.GetBytes(sb.ToString()), InspectionOptions.Default with { MaxParts = 10, MaxHeaders = 2 });
        Assert.Equal(10, facts.Parts.Length);
        Assert.Equal(2, facts.Headers.All.Length);
        Assert.Contains(facts.ScanExceptions, e => e.Detail == "more than 10 MIME parts");
        Assert.Contains(facts.ScanExceptions, e => e.Detail == "more than 2 header fields");
    }

    [Fact]
    public void Unknown_charset_falls_back_to_detection()
    {
        var body = Encoding.UTF8.GetBytes("料金のお知らせ");
        var head = Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        Assert.Equal("料金のお知らせ", Material.Inspect([.. head, .. body]).BodyText);
        // Shift_JIS bytes mislabelled as ISO-2022-JP, a common mistake of old Japanese mailers.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var sjis = Encoding.GetEncoding(932).GetBytes("請求書");
        var mislabelled = Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n");
        Assert.Equal("請求書", Material.Inspect([.. mislabelled, .. sjis]).BodyText);
    }

    [Fact]
    public void Oversized_messages_are_not_parsed()
    {
        var facts = new MessageInspector(InspectionOptions.Default with { MaxMessageBytes = 100 }).Inspect(Material.ClamAv("clam.mail"));
        Assert.Equal(ScanExceptionKind.MessageTooLarge, Assert.Single(facts.ScanExceptions).Kind);
        Assert.Equal(1337, facts.SizeBytes);
    }

    [Fact]
    public async Task Stream_input_gives_the_same_facts()
    {
        await using var stream = new MemoryStream(Material.ClamAv("clam.mail"));
        var facts = await new MessageInspector().InspectAsync(stream, TestContext.Token);
        Assert.Equal(1337, facts.SizeBytes);
        Assert.Equal("clam.exe", facts.Attachments.Single().Name);
    }

    [Fact]
    public async Task Caller_cancellation_throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new MessageInspector().InspectAsync(Material.ClamAv("clam.mail"), cts.Token));
    }

    [Fact]
    public void Spent_time_budget_returns_partial_facts_with_a_scan_exception()
    {
        var facts = new MessageInspector(null, new ExpiredClock()).Inspect(Material.ClamAv("clam.mail"));
        var e = Assert.Single(facts.ScanExceptions);
        Assert.Equal(ScanExceptionKind.TimeBudgetExceeded, e.Kind);
        Assert.Equal(1337, facts.SizeBytes);
    }

    [Fact]
    public void Scan_exceptions_describe_themselves_in_japanese_and_english()
    {
        var e = new ScanException(ScanExceptionKind.TooManyFiles, "1.2", "many.zip", "354 files, limit 353");
        Assert.Equal("Too many files in an archive (many.zip): 354 files, limit 353.", e.Describe(CultureInfo.GetCultureInfo("en")));
        Assert.Equal("アーカイブ内のファイル数が上限を超えています（many.zip）: 354 files, limit 353", e.Describe(CultureInfo.GetCultureInfo("ja-JP")));
        Assert.Equal("Malformed message (part 1): x.", new ScanException(ScanExceptionKind.MalformedMessage, "1", null, "x").Describe(CultureInfo.InvariantCulture));
        foreach (var kind in Enum.GetValues<ScanExceptionKind>())
        {
            var text = new ScanException(kind, null, null, "d").Describe(CultureInfo.GetCultureInfo("ja"));
            Assert.DoesNotContain(kind.ToString(), text);
            Assert.Contains("メッセージ", text);
        }
    }

    /// <summary>A clock whose timers fire at once: the budget is spent before inspection starts.</summary>
    private sealed class ExpiredClock : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            callback(state);
            return new Spent();
        }

        private sealed class Spent : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
