using Sekisho.Smtp.Protocol;

namespace Sekisho.Smtp;

/// <summary>Read access to a spooled message (the bytes as they will be delivered, our Received header included).</summary>
public interface IMessageContent
{
    long Length { get; }
    /// <summary>A fresh read-only stream over the whole message; the caller disposes it.</summary>
    Stream OpenRead();
}

/// <summary>One recipient as the content policy sees it.</summary>
public sealed record PolicyRecipient(int Index, string Address, MailDirection Direction);

/// <summary>Everything the content policy gets about one accepted message.</summary>
/// <param name="Session">The SMTP session facts (restored from the queue file when the policy runs after a restart).</param>
/// <param name="Sender">The envelope sender, or null for the null reverse-path.</param>
public sealed record ContentPolicyRequest(
    string QueueId,
    SessionFacts Session,
    string? Sender,
    IReadOnlyList<PolicyRecipient> Recipients,
    IMessageContent Message,
    DateTimeOffset ReceivedAt);

/// <summary>A modified copy of the message produced by the policy; recipients sharing one instance share one stored copy.</summary>
public sealed class MessageCopy(ReadOnlyMemory<byte> content)
{
    public ReadOnlyMemory<byte> Content { get; } = content;
}

/// <summary>What happens to one recipient. <see cref="Rules"/> names the policy rules that decided it (for tracking).</summary>
public abstract record RecipientOutcome(IReadOnlyList<string> Rules)
{
    /// <summary>Deliver the original (or <paramref name="Copy"/>), to the normal route (or <paramref name="Route"/>), now (or not before <paramref name="NotBefore"/>).</summary>
    public sealed record Deliver(MessageCopy? Copy = null, NextHop? Route = null, DateTimeOffset? NotBefore = null, IReadOnlyList<string>? RuleNames = null)
        : RecipientOutcome(RuleNames ?? []);

    /// <summary>The policy has already put the message in quarantine; the queue forgets this recipient.</summary>
    public sealed record Quarantined(string? Reference = null, IReadOnlyList<string>? RuleNames = null) : RecipientOutcome(RuleNames ?? []);

    /// <summary>Drop silently (the policy logged why).</summary>
    public sealed record Deleted(IReadOnlyList<string>? RuleNames = null) : RecipientOutcome(RuleNames ?? []);

    /// <summary>Refuse in the SMTP dialogue with <paramref name="Reply"/>; after the budget, or when other recipients are accepted, this becomes a bounce.</summary>
    public sealed record RejectInDialog(SmtpReply Reply, IReadOnlyList<string>? RuleNames = null) : RecipientOutcome(RuleNames ?? []);

    /// <summary>
    /// Not decided yet (a scanner the policy needs is down and fails closed): the whole message is refused with the temporary
    /// <paramref name="Reply"/> in the dialogue, or, when the policy runs from the queue, kept queued and the policy retried later.
    /// </summary>
    public sealed record Defer(SmtpReply Reply, IReadOnlyList<string>? RuleNames = null) : RecipientOutcome(RuleNames ?? []);
}

/// <summary>The policy's answer: one outcome per recipient, in the order of <see cref="ContentPolicyRequest.Recipients"/>.</summary>
public sealed record ContentPolicyResult(IReadOnlyList<RecipientOutcome> Outcomes)
{
    /// <summary>The first <see cref="RecipientOutcome.Defer"/>, when the policy could not decide yet (the message is retried).</summary>
    public RecipientOutcome.Defer? Deferral => Outcomes.OfType<RecipientOutcome.Defer>().FirstOrDefault();
}

/// <summary>
/// The content policy hook (the policy engine implements it). It runs after the message is on disk and before
/// the final reply, within the gateway's budget; past the budget the message is accepted and the same call
/// finishes from the queue. It must be safe to call again for the same message after a crash.
/// </summary>
public interface IContentPolicy
{
    ValueTask<ContentPolicyResult> EvaluateAsync(ContentPolicyRequest request, CancellationToken ct);
}

/// <summary>Delivers every recipient unchanged: the default until the policy engine is wired in.</summary>
public sealed class PassThroughContentPolicy : IContentPolicy
{
    private static readonly RecipientOutcome DeliverOriginal = new RecipientOutcome.Deliver();

    public ValueTask<ContentPolicyResult> EvaluateAsync(ContentPolicyRequest request, CancellationToken ct)
    {
        var outcomes = new RecipientOutcome[request.Recipients.Count];
        Array.Fill(outcomes, DeliverOriginal);
        return ValueTask.FromResult(new ContentPolicyResult(outcomes));
    }
}
