using Sekisho.Mail;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Engine;

/// <summary>Everything known about one message while it is evaluated: facts, envelope and the engines' verdicts.</summary>
public sealed class MessageContext
{
    public required MessageFacts Facts { get; init; }
    public required MessageEnvelope Envelope { get; init; }
    /// <summary>When the gateway received the message (received-time criteria, notifications).</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
    public VirusVerdict? Virus { get; init; }
    public SpamVerdict? Spam { get; init; }
    public AuthenticationVerdict? Authentication { get; init; }
    public ConnectionVerdict? Connection { get; init; }
    public IReadOnlyList<UrlReputation>? Urls { get; init; }

    /// <summary>The sender used for scopes: the envelope sender, or the header From for the null reverse-path.</summary>
    public string ScopeSender => Envelope.Sender.Length > 0 ? Envelope.Sender : Facts.Headers.From.FirstOrDefault()?.Address ?? "";
}
