using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Apply;

/// <summary>
/// The last steps on a copy that is delivered, after every policy modification: inbound, time-of-click link rewriting (when a
/// web reputation criterion of a rule in scope asks for it) and the <c>Authentication-Results</c> headers; outbound, the DKIM
/// signature of the sender's domain, as the very last change.
/// </summary>
public sealed class DeliveryFinisher(PolicySnapshot snapshot, IOutboundSigner? signer = null, IClickProtection? click = null, IArcSealer? arc = null)
{
    private readonly Dictionary<string, Rule> _rules = snapshot.Rules.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>
    /// Identifies the finished copy among recipients that share the same modified content: links are signed for one
    /// recipient, so a recipient whose links are rewritten gets a copy of their own.
    /// </summary>
    public string CopyKey(RecipientPlan r, MessageFacts facts) => TimeOfClick(r, facts) is null ? "" : r.Recipient;

    /// <summary>The finished copy of <paramref name="content"/> for <paramref name="r"/>, or null when nothing changes.</summary>
    public async Task<byte[]?> FinishAsync(ReadOnlyMemory<byte> content, MessageFacts facts, MessageEnvelope envelope, PolicyPlan plan, RecipientPlan r,
        CancellationToken ct)
    {
        byte[]? changed = null;
        if (envelope.Direction == TrafficDirection.Inbound)
        {
            if (click is not null && TimeOfClick(r, facts) is { } mode)
            {
                var reputations = (plan.Urls ?? []).GroupBy(u => u.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                bool Qualifies(string url) => mode switch
                {
                    TimeOfClickMode.AllUrls => true,
                    TimeOfClickMode.RiskyUrls => !reputations.TryGetValue(url, out var u) || u.Listed || u.Untested,
                    _ => !reputations.TryGetValue(url, out var u) || u.Untested,
                };
                changed = ClickRewriter.Rewrite(content, r.Recipient, click, Qualifies) ?? changed;
            }
            if (plan.Authentication is { } auth)
            {
                changed = AuthenticationHeaders.Apply((changed ?? content).Span, auth, snapshot.Settings.Authentication.Spf.InsertHeader) ?? changed;
                if (arc is not null && auth.AuthenticationResults.Length > 0)
                    changed = await SealAsync(arc, changed ?? content, auth.AuthenticationResults, ct).ConfigureAwait(false) ?? changed;
            }
        }
        else if (signer is not null)
        {
            var domain = facts.Headers.From.FirstOrDefault()?.Domain ?? DomainNames.DomainOf(envelope.Sender);
            if (domain is not null && await signer.SignAsync(changed ?? content, domain, ct).ConfigureAwait(false) is { } signature)
                changed = SignatureField.Prepend(signature, (changed ?? content).Span);
        }
        return changed;
    }

    /// <summary>The sealed copy, or null when the message cannot be sealed (unparseable headers): it is delivered unsealed, never held.</summary>
    private static async Task<byte[]?> SealAsync(IArcSealer arc, ReadOnlyMemory<byte> message, string authenticationResults, CancellationToken ct)
    {
        try
        {
            return SignatureField.Prepend(await arc.SealAsync(message, authenticationResults, ct).ConfigureAwait(false), message.Span);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The strongest time-of-click mode of the web reputation criteria of the rules in scope for the recipient (also when the
    /// antispam engine is down: the links are still checked at click time), or null.
    /// </summary>
    private TimeOfClickMode? TimeOfClick(RecipientPlan r, MessageFacts facts)
    {
        TimeOfClickMode? mode = null;
        foreach (var trace in r.Rules)
        {
            if (trace.Disposition is not (RuleDisposition.Matched or RuleDisposition.NotMatched or RuleDisposition.StageUnavailable) || !_rules.TryGetValue(trace.RuleId, out var rule)) continue;
            foreach (var w in rule.Criteria.Items.OfType<WebReputation>())
            {
                if (w.TimeOfClick == TimeOfClickMode.Off || (facts.Security.IsSigned && !w.ApplyToSignedMessages)) continue;
                if (mode is null || w.TimeOfClick > mode) mode = w.TimeOfClick;
            }
        }
        return mode;
    }
}
