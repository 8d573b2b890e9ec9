using System.Globalization;
using System.Text;
using Sekisho.Smtp.Resources;
using Sekisho.Smtp.Spool;

namespace Sekisho.Smtp.Queue;

/// <summary>One failed recipient for a DSN.</summary>
internal sealed record DsnRecipient(string Address, RecipientState State, string? LastReply, string? RemoteMta, DateTimeOffset? LastAttempt);

/// <summary>
/// Builds RFC 3464 delivery status notifications (multipart/report): a human part in English and Japanese,
/// the machine-readable message/delivery-status, and the original headers.
/// </summary>
internal static class DsnBuilder
{
    public static byte[] Build(string reportingMta, QueuedEnvelope original, IReadOnlyList<DsnRecipient> failed, byte[] originalHeaders, DateTimeOffset now, string messageIdLocal)
    {
        var boundary = "=_sekisho_" + messageIdLocal;
        var sb = new StringBuilder(4096);
        var subject = SmtpText.Get("DsnSubject", SmtpText.English) + " / " + SmtpText.Get("DsnSubject", SmtpText.Japanese);
        sb.Append("From: Mail Delivery System <MAILER-DAEMON@").Append(reportingMta).Append(">\r\n");
        sb.Append("To: <").Append(original.Sender).Append(">\r\n");
        sb.Append("Subject: ").Append(MimeKit.Utils.Rfc2047.EncodeText(Encoding.UTF8, subject)).Append("\r\n");
        sb.Append("Date: ").Append(MessageHeaders.Rfc5322Date(now)).Append("\r\n");
        sb.Append("Message-ID: <").Append(messageIdLocal).Append('@').Append(reportingMta).Append(">\r\n");
        sb.Append("Auto-Submitted: auto-replied\r\n");
        sb.Append("MIME-Version: 1.0\r\n");
        sb.Append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").Append(boundary).Append("\"\r\n\r\n");
        sb.Append("This is a MIME-encapsulated message.\r\n\r\n");

        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Description: Notification\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        sb.Append(Base64Lines(Encoding.UTF8.GetBytes(HumanText(reportingMta, original, failed, SmtpText.English) + "\r\n\r\n" + HumanText(reportingMta, original, failed, SmtpText.Japanese))));

        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n");
        sb.Append("Reporting-MTA: dns; ").Append(reportingMta).Append("\r\n");
        sb.Append("X-Sekisho-Queue-ID: ").Append(original.Id).Append("\r\n");
        sb.Append("Arrival-Date: ").Append(MessageHeaders.Rfc5322Date(original.ArrivedAt)).Append("\r\n");
        foreach (var r in failed)
        {
            sb.Append("\r\n");
            sb.Append(original.SmtpUtf8 && !Ascii.IsValid(r.Address) ? "Final-Recipient: utf-8; " : "Final-Recipient: rfc822; ").Append(r.Address).Append("\r\n");
            sb.Append("Action: failed\r\n");
            sb.Append("Status: ").Append(StatusCode(r)).Append("\r\n");
            if (r.RemoteMta is not null) sb.Append("Remote-MTA: dns; ").Append(MessageHeaders.Sanitize(r.RemoteMta)).Append("\r\n");
            if (r.LastReply is not null) sb.Append("Diagnostic-Code: smtp; ").Append(SanitizeLine(r.LastReply)).Append("\r\n");
            if (r.LastAttempt is { } la) sb.Append("Last-Attempt-Date: ").Append(MessageHeaders.Rfc5322Date(la)).Append("\r\n");
        }
        sb.Append("\r\n");

        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n");
        if (!Ascii.IsValid(originalHeaders)) sb.Append("Content-Transfer-Encoding: 8bit\r\n");
        sb.Append("\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        var tail = Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n");
        var result = new byte[head.Length + originalHeaders.Length + tail.Length];
        head.CopyTo(result, 0);
        originalHeaders.CopyTo(result, head.Length);
        tail.CopyTo(result, head.Length + originalHeaders.Length);
        return result;
    }

    private static string HumanText(string mta, QueuedEnvelope original, IReadOnlyList<DsnRecipient> failed, CultureInfo culture)
    {
        var sb = new StringBuilder();
        sb.Append(SmtpText.Format("DsnIntro", culture, mta).Replace("\n", "\r\n", StringComparison.Ordinal)).Append("\r\n\r\n");
        foreach (var r in failed)
        {
            var error = r.LastReply ?? SmtpText.Get("DsnNoError", culture);
            var line = r.State == RecipientState.Expired
                ? SmtpText.Format("DsnExpired", culture, r.Address, ((r.LastAttempt ?? original.ArrivedAt) - original.ArrivedAt).TotalDays, error)
                : SmtpText.Format("DsnBounced", culture, r.Address, error);
            sb.Append("  ").Append(line).Append("\r\n");
        }
        return sb.ToString();
    }

    private static string StatusCode(DsnRecipient r)
    {
        if (r.State == RecipientState.Expired) return "4.4.7";
        var reply = r.LastReply ?? "";
        // "550 5.1.1 text": take the enhanced code when the reply has one.
        var parts = reply.Split(' ', 3);
        if (parts.Length >= 2 && parts[1].Count(c => c == '.') == 2 && parts[1][0] is '4' or '5') return "5" + parts[1][1..];
        return "5.0.0";
    }

    private static string SanitizeLine(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s) sb.Append(c is '\r' or '\n' ? ' ' : c);
        return sb.Length > 900 ? sb.ToString(0, 900) : sb.ToString();
    }

    private static string Base64Lines(byte[] data)
    {
        var b64 = Convert.ToBase64String(data);
        var sb = new StringBuilder(b64.Length + b64.Length / 76 * 2 + 4);
        for (var i = 0; i < b64.Length; i += 76) sb.Append(b64.AsSpan(i, Math.Min(76, b64.Length - i))).Append("\r\n");
        return sb.ToString();
    }
}
