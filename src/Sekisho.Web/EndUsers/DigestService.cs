using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Policy.Apply;
using Sekisho.Store;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.EndUsers;

/// <summary>One digest sent: to whom, how many new messages it reported, and where it went.</summary>
public sealed record DigestSent(string Recipient, int NewMessages, string Route);

/// <summary>What one digest run did: digests sent, and recipients whose digest could not be sent (they get it on the next run).</summary>
public sealed record DigestRun(IReadOnlyList<DigestSent> Sent, IReadOnlyList<(string Recipient, string Error)> Failed);

/// <summary>
/// Quarantine digests (隔離通知): each recipient with inbound mail quarantined since their last digest gets one message (HTML and text,
/// in the configured language) listing up to <see cref="EndUserQuarantineSettings.DigestMaxMessages"/> of them with signed links —
/// release, approve sender, block sender — and a sign-in link. Links open a confirmation page; nothing happens on a plain GET.
/// </summary>
public sealed class DigestService(ConsoleContext console, EndUserLinks links, EndUserService endUsers,
    Sekisho.Smtp.IGeneratedMailSubmitter? gateway = null)
{
    private readonly QuarantineStore _store = new(console.Store, console.Organization);

    /// <summary>Sends the digests that are due now.</summary>
    public async Task<DigestRun> RunAsync(CancellationToken ct)
    {
        var now = console.Time.GetUtcNow();
        PolicySnapshot snapshot;
        IReadOnlyDictionary<string, DateTimeOffset> last;
        await using (var s = await console.ReadAsync("system:digest", ct))
        {
            snapshot = await s.LoadSnapshotAsync(ct);
            last = await s.DigestTimesAsync(ct);
        }
        var settings = snapshot.Settings.EndUserQuarantine;
        var all = await _store.QueryAsync(new QuarantineQuery { Until = now.AddTicks(1), Limit = 10_000 }, ct);
        var sent = new List<DigestSent>();
        var failed = new List<(string, string)>();
        foreach (var group in all.Where(m => m.Direction == Direction.Inbound).GroupBy(m => m.Recipient, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var fresh = group.Where(m => !last.TryGetValue(group.Key, out var t) || m.Quarantined > t).ToList();
            if (fresh.Count == 0) continue;
            var shown = (await endUsers.MessagesAsync(group.Key, ct)).Where(m => fresh.Any(f => f.Id == m.Message.Id))
                .Take(Math.Clamp(settings.DigestMaxMessages, 1, 1000)).ToList();
            var message = Build(group.Key, fresh.Count, shown, settings);
            byte[] content;
            using (var ms = new MemoryStream())
            {
                // SMTP wants CRLF line ends; MimeKit's default follows the platform.
                var format = FormatOptions.Default.Clone();
                format.NewLineFormat = NewLineFormat.Dos;
                await message.WriteToAsync(format, ms, ct);
                content = ms.ToArray();
            }
            try
            {
                var route = await SendAsync(group.Key, content, snapshot, ct);
                await using var s = await console.BeginAsync("system:digest", ct);
                await s.RecordDigestAsync(group.Key, now, fresh.Count, ct);
                await s.CommitAsync(ct);
                sent.Add(new DigestSent(group.Key, fresh.Count, route));
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.CommandException or ConsoleProblem)
            {
                failed.Add((group.Key, e.Message));
            }
        }
        return new DigestRun(sent, failed);
    }

    /// <summary>Sends a message the console wrote (null reverse-path): to <see cref="ConsoleOptions.ReleaseVia"/> when set, else into the running gateway's queue, else to the recipient domain's inbound server.</summary>
    private async Task<string> SendAsync(string recipient, byte[] content, PolicySnapshot snapshot, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(console.Options.ReleaseVia) && gateway is not null)
        {
            await gateway.SubmitAsync(new OutgoingMessage(OutgoingKind.Notification, "", [recipient], content, "digest"), ct);
            return QuarantineService.GatewayQueue;
        }
        var hop = QuarantineDelivery.Route(console.Options.ReleaseVia, snapshot, recipient)
                  ?? throw new ConsoleProblem("quarantine.release.no-route", new LocalizedText($"{recipient} の配信先サーバがありません。", $"No server to deliver to {recipient}."), 409);
        await QuarantineDelivery.DeliverAsync(hop, "", [recipient], content, ct);
        return $"{hop.Host}:{hop.Port}";
    }

    /// <summary>The digest for one recipient, in the configured language.</summary>
    public MimeMessage Build(string recipient, int newCount, IReadOnlyList<EndUserMessage> shown, EndUserQuarantineSettings settings)
    {
        var saved = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(settings.DigestLanguage == "en" ? "en" : "ja");
        try
        {
            var validFor = TimeSpan.FromDays(Math.Clamp(settings.LinkValidityDays, 1, 30));
            string Link(EndUserLinkAction action, string id, string sender) =>
                Base() + "/my/link?t=" + links.Create(action, recipient, id, sender, validFor);
            var signIn = Link(EndUserLinkAction.SignIn, "", "");
            var title = ConsoleText.T("digest.subject", newCount);
            var text = new StringBuilder();
            var html = new StringBuilder();
            html.Append("<!DOCTYPE html><html lang=\"").Append(ConsoleText.Language).Append("\"><head><meta charset=\"utf-8\"><title>").Append(H(title)).Append("</title></head><body>");
            html.Append("<h1>").Append(H(ConsoleText.T("digest.heading"))).Append("</h1><p>").Append(H(ConsoleText.T("digest.intro", recipient, newCount))).Append("</p>");
            text.AppendLine(ConsoleText.T("digest.heading")).AppendLine().AppendLine(ConsoleText.T("digest.intro", recipient, newCount)).AppendLine();
            if (newCount > shown.Count)
            {
                html.Append("<p>").Append(H(ConsoleText.T("digest.more", shown.Count))).Append("</p>");
                text.AppendLine(ConsoleText.T("digest.more", shown.Count)).AppendLine();
            }
            html.Append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>").Append(H(ConsoleText.T("quarantine.time"))).Append("</th><th>")
                .Append(H(ConsoleText.T("quarantine.sender"))).Append("</th><th>").Append(H(ConsoleText.T("quarantine.subject"))).Append("</th><th>")
                .Append(H(ConsoleText.T("quarantine.reason"))).Append("</th><th>").Append(H(ConsoleText.T("digest.actions"))).Append("</th></tr>");
            foreach (var m in shown)
            {
                var q = m.Message;
                var when = q.Quarantined.ToLocalTime().ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture);
                var sender = q.Sender.Length == 0 ? "<>" : q.Sender;
                var reason = ConsoleText.T("my.reason." + ReasonKey(m.Reason));
                var actions = new List<(string Label, string Url)>();
                if (m.Releasable) actions.Add((ConsoleText.T("my.release"), Link(EndUserLinkAction.Release, q.Id, q.Sender)));
                if (m.Releasable && q.Sender.Length > 0) actions.Add((ConsoleText.T("my.approve"), Link(EndUserLinkAction.Approve, q.Id, q.Sender)));
                if (q.Sender.Length > 0) actions.Add((ConsoleText.T("my.block"), Link(EndUserLinkAction.Block, q.Id, q.Sender)));
                html.Append("<tr><td>").Append(H(when)).Append("</td><td>").Append(H(sender)).Append("</td><td>").Append(H(q.Subject)).Append("</td><td>").Append(H(reason)).Append("</td><td>")
                    .Append(string.Join(" | ", actions.Select(a => $"<a href=\"{H(a.Url)}\">{H(a.Label)}</a>"))).Append("</td></tr>");
                text.AppendLine($"- {when}  {sender}").AppendLine($"  {ConsoleText.T("quarantine.subject")}: {q.Subject}").AppendLine($"  {ConsoleText.T("quarantine.reason")}: {reason}");
                foreach (var (label, url) in actions) text.AppendLine($"  {label}: {url}");
                text.AppendLine();
            }
            html.Append("</table><p><a href=\"").Append(H(signIn)).Append("\">").Append(H(ConsoleText.T("digest.signin"))).Append("</a></p><p>")
                .Append(H(ConsoleText.T("digest.footer", (int)validFor.TotalDays))).Append("</p></body></html>");
            text.AppendLine(ConsoleText.T("digest.signin") + ": " + signIn).AppendLine().AppendLine(ConsoleText.T("digest.footer", (int)validFor.TotalDays));

            var domain = recipient[(recipient.LastIndexOf('@') + 1)..];
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress(ConsoleText.T("digest.from-name"), "postmaster@" + domain));
            message.To.Add(MailboxAddress.Parse(recipient));
            message.Subject = title;
            message.Date = console.Time.GetUtcNow();
            message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(domain);
            message.Headers.Add("Auto-Submitted", "auto-generated");
            message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
            return message;
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    /// <summary>The resource key part of a reason.</summary>
    public static string ReasonKey(EndUserReason r) => r switch
    {
        EndUserReason.Spam => "spam",
        EndUserReason.Virus => "virus",
        EndUserReason.Content => "content",
        EndUserReason.DataLoss => "dlp",
        EndUserReason.Authentication => "authentication",
        EndUserReason.ScanException => "scan-exception",
        EndUserReason.BlockedSender => "blocked-sender",
        _ => "other",
    };

    private string Base() => (console.Options.PublicUrl?.ToString() ?? "http://127.0.0.1:8025/").TrimEnd('/');

    private static string H(string s) => WebUtility.HtmlEncode(s);
}
