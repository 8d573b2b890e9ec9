namespace Sekisho.Mail.Tests;

/// <summary>Japanese mail in the four charsets it is sent in, written by Python's codecs (tests/fixtures/mail/japanese/make.py).</summary>
public sealed class JapaneseMessageTests
{
    private static MessageFacts Load(string name) => Material.Inspect(Material.Fixture("japanese", name));

    [Fact]
    public void Iso_2022_jp_subject_names_body_and_rfc2231_file_name_decode()
    {
        var facts = Load("iso-2022-jp.eml");
        Assert.Equal("会議のお知らせ（第３回）", facts.Subject);
        var from = Assert.Single(facts.Headers.From);
        Assert.Equal("山田 太郎", from.DisplayName);
        Assert.Equal("taro@example.co.jp", from.Address);
        Assert.Equal("佐藤 花子", Assert.Single(facts.Headers.To).DisplayName);
        Assert.Equal("audit@example.co.jp", Assert.Single(facts.Headers.Cc).Address);
        Assert.Equal("iso-2022-jp.sekisho-test@example.co.jp", facts.Headers.MessageId);
        Assert.Equal(new DateTimeOffset(2024, 3, 4, 10, 15, 0, TimeSpan.FromHours(9)), facts.Headers.Date);
        Assert.Equal("明日の会議は本社３階で行います。\r\n資料：https://例え.jp/資料/第3回\r\n", facts.BodyText);
        var attachment = Assert.Single(facts.Attachments);
        Assert.Equal("見積書.txt", attachment.Name);
        Assert.Equal("text/plain", attachment.DeclaredMimeType);
        Assert.Equal(TrueFileType.Text, attachment.TrueType);
        Assert.Equal("見積金額：１２０万円", attachment.Text?.Trim());
        Assert.Equal("1.2", attachment.PartPath);
        var url = Assert.Single(facts.Urls);
        Assert.Equal("https://xn--r8jz45g.jp/資料/第3回", url.Url);
        Assert.Equal("xn--r8jz45g.jp", url.Host);
        Assert.Equal([new UrlSource(UrlSourceKind.BodyText, "1.1")], url.Sources.ToArray());
        Assert.Empty(facts.ScanExceptions);
    }

    [Fact]
    public void Shift_jis_alternative_bodies_decode_and_hidden_html_text_is_left_out()
    {
        var facts = Load("shift_jis.eml");
        Assert.Equal("【重要】パスワード変更のお願い", facts.Subject);
        Assert.Equal("山田 太郎", facts.Headers.From[0].DisplayName);
        Assert.Contains("下記のリンクから変更してください。", facts.BodyText);
        Assert.Contains("こちらから変更", facts.BodyText);
        Assert.DoesNotContain("隠しテキスト", facts.BodyText);
        Assert.Equal(["1", "1.1", "1.2"], facts.Parts.Select(p => p.Path));
        Assert.Equal([MimePartRole.Multipart, MimePartRole.Body, MimePartRole.Body], facts.Parts.Select(p => p.Role));
        Assert.Equal("Shift_JIS", facts.Parts[1].Charset);
        var url = Assert.Single(facts.Urls);
        Assert.Equal("http://login.example.com/change?id=7", url.Url);
        Assert.Equal(UrlSourceKind.BodyHtmlLink, url.Sources.Single().Kind);
        Assert.Empty(facts.Attachments);
    }

    [Fact]
    public void Euc_jp_subject_and_body_decode()
    {
        var facts = Load("euc-jp.eml");
        Assert.Equal("納品書の送付について", facts.Subject);
        Assert.Equal("山田 太郎", facts.Headers.From[0].DisplayName);
        Assert.Equal("納品書を送付いたします。ご確認ください。\r\n株式会社関所\r\n", facts.BodyText);
        Assert.Equal(MimePartRole.Body, Assert.Single(facts.Parts).Role);
    }

    [Fact]
    public void Utf8_rfc2047_file_name_and_utf8_zip_member_names_decode()
    {
        var facts = Load("utf-8.eml");
        Assert.Equal("請求書のご案内", facts.Subject);
        Assert.Equal("請求書を添付します。\r\n", facts.BodyText);
        Assert.Equal(["請求書.zip", "請求書.zip/請求書/明細.txt"], facts.Attachments.Select(a => a.ContainerPath));
        var member = facts.Attachments[1];
        Assert.Equal("明細.txt", member.Name);
        Assert.Equal(1, member.Depth);
        Assert.Equal(0, member.ParentIndex);
        Assert.Equal(AttachmentOrigin.ArchiveMember, member.Origin);
        Assert.Equal("1.2", member.PartPath);
        Assert.Equal("合計 ５００円", member.Text?.Trim());
        Assert.Equal(TrueFileType.Zip, facts.Attachments[0].TrueType);
    }

    [Fact]
    public void Undeclared_raw_shift_jis_subject_and_body_fall_back_to_detection()
    {
        var facts = Load("undeclared-sjis.eml");
        Assert.Equal("未申告の件名です", facts.Subject);
        Assert.Equal("本文も文字コードの宣言がありません。\r\n", facts.BodyText);
        Assert.False(facts.IsSubjectBlank);
        Assert.False(facts.IsBodyBlank);
    }
}
