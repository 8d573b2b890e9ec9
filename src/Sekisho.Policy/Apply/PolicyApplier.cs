using System.Text;
using MimeKit;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Apply;

/// <summary>Options of <see cref="PolicyApplier"/>.</summary>
public sealed record ApplyOptions
{
    /// <summary>The gateway's host name (%HOSTNAME%, notification Message-Ids).</summary>
    public string HostName { get; init; } = "sekisho.localhost";
}

/// <summary>
/// Carries out a <see cref="PolicyPlan"/> on the real message: modified copies per group of recipients that share the same
/// changes, quarantine with the trace, notifications, BCC and archive copies, redirected copies. The only part of the
/// policy that has effects, and only through its sinks.
/// </summary>
public sealed class PolicyApplier(
    PolicySnapshot snapshot, IQuarantineSink? quarantine = null, IArchiveSink? archive = null, IVirusScanner? virus = null,
    TimeProvider? time = null, ApplyOptions? options = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ApplyOptions _options = options ?? new ApplyOptions();

    public async Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> original, MessageFacts facts, MessageEnvelope envelope, PolicyPlan plan, CancellationToken ct = default)
    {
        var direction = envelope.Direction == TrafficDirection.Inbound ? Direction.Inbound : Direction.Outbound;
        var copies = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        var results = new List<AppliedRecipient>(plan.Recipients.Count);
        var outgoing = new List<OutgoingMessage>();
        var quarantineIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        var groupOf = plan.Recipients.GroupBy(r => Signature(r.Modify)).ToDictionary(g => g.Key, g => g.Select(r => r.Recipient).ToList());
        foreach (var r in plan.Recipients)
        {
            var names = r.MatchedRuleNames.ToList();
            if (r.DecidedBy is { Type: null } s && !names.Contains(s.Name)) names.Insert(0, s.Name);
            switch (r.Outcome)
            {
                case FinalAction.Reject:
                case FinalAction.Defer:
                case FinalAction.Delete:
                    results.Add(new AppliedRecipient(r.Recipient, r.Outcome, null, null, 0, null, null, names, []));
                    continue;
                case FinalAction.Quarantine:
                {
                    string? id = null;
                    if (quarantine is not null)
                    {
                        var source = r.DecidedBy!;
                        id = await quarantine.QuarantineAsync(new QuarantineRequest(r.Recipient, envelope.Sender, direction, facts.Subject, original,
                            source.Id, source.Name, r.Reason ?? "", (r.Intercept as Quarantine)?.Tag, ModelJson.Serialize(r), plan.EvaluatedAt, envelope.QueueId), ct).ConfigureAwait(false);
                        quarantineIds[r.Recipient] = id;
                    }
                    results.Add(new AppliedRecipient(r.Recipient, r.Outcome, null, null, 0, null, id, names, []));
                    continue;
                }
            }
            var key = Signature(r.Modify);
            if (!copies.TryGetValue(key, out var content))
            {
                content = r.Modify.Count == 0 ? null : await ModifyAsync(original, facts, envelope, r, plan, groupOf[key], ct).ConfigureAwait(false);
                copies[key] = content;
            }
            var deliverAt = r.Modify.Select(m => m.Action).OfType<DeliverAt>().LastOrDefault();
            DateTimeOffset? notBefore = deliverAt is null ? null : NextOccurrence(deliverAt, plan.EvaluatedAt);
            var deliverNow = r.Intercept as DeliverNow;
            var changed = r.Intercept is ChangeRecipient cr ? cr.Recipients : [];
            if (changed.Count > 0)
                outgoing.Add(new OutgoingMessage(OutgoingKind.ChangedRecipient, envelope.Sender, changed, content ?? original.ToArray(), r.DecidedBy?.Name ?? ""));
            results.Add(new AppliedRecipient(r.Recipient, r.Outcome, content, deliverNow?.Host, deliverNow?.Port ?? 0, notBefore, null, names, changed));
        }

        // Monitor actions: once per rule and action for all the recipients it fired for.
        foreach (var group in plan.Recipients.SelectMany(r => r.Monitor.Select(m => (Plan: r, Monitor: m)))
                     .GroupBy(x => x.Monitor.Source.Id + "\u0000" + ModelJson.Serialize(x.Monitor.Action)))
        {
            var first = group.First();
            var recipients = group.Select(x => x.Plan.Recipient).Distinct().ToList();
            var applied = results.First(a => a.Recipient == first.Plan.Recipient);
            var copy = applied.Content ?? original.ToArray();
            switch (first.Monitor.Action)
            {
                case Notify n when snapshot.FindNotification(n.NotificationId) is { } notification:
                    quarantineIds.TryGetValue(first.Plan.Recipient, out var qid);
                    var message = BuildNotification(notification, facts, envelope, recipients, first.Plan, first.Monitor.Source, plan, copy, qid);
                    if (message is not null) outgoing.Add(message);
                    break;
                case Bcc b when b.Recipients.Count > 0:
                    outgoing.Add(new OutgoingMessage(OutgoingKind.Bcc, envelope.Sender, b.Recipients, copy, first.Monitor.Source.Name));
                    break;
                case Archive a when archive is not null:
                    foreach (var rcpt in recipients) await archive.ArchiveAsync(a.Tag, rcpt, copy, ct).ConfigureAwait(false);
                    break;
            }
        }
        return new ApplyResult(results, outgoing);
    }

    private static string Signature(IReadOnlyList<PlannedModify> modify) =>
        modify.Count == 0 ? "" : string.Join("\u0001", modify.Select(m => ModelJson.Serialize(m.Action) + "|" + m.Source.Id + "|" + string.Join(",", m.AttachmentIndexes)));

    /// <summary>The next time the local clock shows <paramref name="at"/> after <paramref name="from"/>.</summary>
    public static DateTimeOffset NextOccurrence(DeliverAt at, DateTimeOffset from)
    {
        var zone = TimeZoneInfo.Utc;
        if (at.TimeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(at.TimeZone, out var z)) zone = z;
        var local = TimeZoneInfo.ConvertTime(from, zone);
        var candidate = new DateTime(DateOnly.FromDateTime(local.DateTime), at.At);
        if (candidate <= local.DateTime) candidate = candidate.AddDays(1);
        return new DateTimeOffset(candidate, zone.GetUtcOffset(candidate));
    }

    private async Task<byte[]> ModifyAsync(ReadOnlyMemory<byte> original, MessageFacts facts, MessageEnvelope envelope, RecipientPlan r, PolicyPlan plan,
        IReadOnlyList<string> groupRecipients, CancellationToken ct)
    {
        var editor = new MessageEditor(original);
        var topAttachments = facts.Attachments.Where(a => a.ParentIndex is null && a.Origin == AttachmentOrigin.MimePart).ToList();
        // Body parts of attached messages are not the message's body.
        var messageParts = facts.Parts.Where(p => p.Role == MimePartRole.Message).Select(p => p.Path + ".").ToList();
        var bodyPaths = facts.Parts.Where(p => p.Role == MimePartRole.Body && !messageParts.Any(mp => p.Path.StartsWith(mp, StringComparison.Ordinal))).Select(p => p.Path).ToHashSet();

        foreach (var m in r.Modify)
        {
            switch (m.Action)
            {
                case DeleteAttachments d:
                {
                    var paths = d.Scope == AttachmentScope.All
                        ? topAttachments.Select(a => a.PartPath).ToHashSet()
                        : m.AttachmentIndexes.Select(i => facts.Attachments[i].PartPath).ToHashSet();
                    editor.RemoveParts(paths, m.Source.Name);
                    break;
                }
                case CleanMalware c when virus is not null:
                {
                    var infected = new HashSet<string>();
                    foreach (var (path, entity, _) in editor.Entities().ToList())
                    {
                        if (entity is not MimePart part || !topAttachments.Any(a => a.PartPath == path)) continue;
                        using var s = new MemoryStream(editor.Decoded(part), writable: false);
                        var verdict = await virus.ScanAsync(s, part.FileName, ct).ConfigureAwait(false);
                        if (verdict.Infected) infected.Add(path);
                    }
                    // ClamAV cannot repair files: what is infected is removed (or every attachment, when asked).
                    if (infected.Count > 0)
                        editor.RemoveParts(c.Uncleanable == AttachmentScope.All ? topAttachments.Select(a => a.PartPath).ToHashSet() : infected, m.Source.Name);
                    break;
                }
                case InsertXHeader x:
                    editor.SetHeader(x.Name, x.Value);
                    break;
                case InsertStamp s when snapshot.FindStamp(s.StampId) is { } stamp:
                    StampWith(editor, stamp, facts, envelope, r, m.Source, plan, groupRecipients, bodyPaths);
                    break;
                case InsertSafeStamp s when snapshot.FindStamp(s.StampId) is { } stamp:
                    StampWith(editor, stamp, facts, envelope, r, m.Source, plan, groupRecipients, bodyPaths);
                    break;
                case TagSubject t:
                    if (!(t.SkipSignedMessages && facts.Security.IsSigned)) editor.TagSubject(t.Tag);
                    break;
            }
        }
        return editor.ToBytes();
    }

    private void StampWith(MessageEditor editor, Stamp stamp, MessageFacts facts, MessageEnvelope envelope, RecipientPlan r, ActionSource source,
        PolicyPlan plan, IReadOnlyList<string> recipients, IReadOnlyCollection<string> bodyPaths)
    {
        if (stamp.SkipSignedAndTnef && (facts.Security.IsSigned || facts.HasTnef)) return;
        var tokens = TokenValues.For(facts, envelope.Sender, recipients, r, source, plan, _options.HostName, "UTF-8", stamp.TimeZone, plan.EvaluatedAt, envelope.QueueId, null);
        editor.Stamp(stamp, tokens, bodyPaths);
    }

    private OutgoingMessage? BuildNotification(Notification n, MessageFacts facts, MessageEnvelope envelope, IReadOnlyList<string> recipients,
        RecipientPlan plan, ActionSource source, PolicyPlan whole, byte[] copy, string? quarantineId)
    {
        var tokens = TokenValues.For(facts, envelope.Sender, recipients, plan, source, whole, _options.HostName, n.Charset, n.TimeZone, whole.EvaluatedAt, envelope.QueueId, quarantineId);
        var to = tokens.Render(n.To).Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => a.Contains('@')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (to.Count == 0) return null;
        Encoding encoding;
        try { encoding = Encoding.GetEncoding(n.Charset); }
        catch (ArgumentException) { encoding = Encoding.UTF8; }
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.TryParse(tokens.Render(n.From), out var from) ? from : new MailboxAddress("", "postmaster@" + _options.HostName));
        foreach (var a in to)
            if (MailboxAddress.TryParse(a, out var mb)) message.To.Add(mb);
        message.Headers.Replace(HeaderId.Subject, encoding, tokens.Render(n.Subject));
        message.Date = whole.EvaluatedAt;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(_options.HostName);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var body = new TextPart(n.Format == TextFormat.Html ? "html" : "plain");
        body.SetText(encoding, tokens.Render(n.Body, html: n.Format == TextFormat.Html));
        if (n.AttachOriginal)
        {
            using var s = new MemoryStream(copy, writable: false);
            var attached = new MessagePart { Message = MimeMessage.Load(s) };
            attached.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "original.eml" };
            message.Body = new Multipart("mixed") { body, attached };
        }
        else message.Body = body;
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var ms = new MemoryStream();
        message.WriteTo(options, ms);
        // Notifications use the null reverse-path, like delivery reports, so that they never loop.
        return new OutgoingMessage(OutgoingKind.Notification, "", to, ms.ToArray(), source.Name);
    }
}
