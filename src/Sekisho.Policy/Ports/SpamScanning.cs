using Sekisho.Model.Rules;

namespace Sekisho.Policy.Ports;

/// <summary>
/// The antispam verdict (rspamd). <see cref="Score"/> is mapped to <see cref="SpamLevel"/> by the policy's
/// thresholds; the classified flags come from the engine's symbols, interpreted by the adapter.
/// </summary>
public sealed record SpamVerdict(ScanStatus Status, double Score, IReadOnlyList<EngineFinding> Symbols)
{
    /// <summary>The engine's own recommended action (<c>reject</c>, <c>add header</c>, …), for the trace.</summary>
    public string? EngineAction { get; init; }
    public bool Phishing { get; init; }
    public bool SocialEngineering { get; init; }
    /// <summary>Business email compromise indications found.</summary>
    public IReadOnlyList<BecMode> Bec { get; init; } = [];
    /// <summary>Graymail categories found (marketing, social network, forum).</summary>
    public IReadOnlyList<GraymailCategory> Graymail { get; init; } = [];
    /// <summary>URLs the engine found on blocklists (URIBL/SURBL symbols), for web reputation.</summary>
    public IReadOnlyList<string> ListedUrls { get; init; } = [];
    public string? Error { get; init; }
    /// <summary>For <see cref="ScanStatus.Unavailable"/>: deliver (fail-open, marked with a header) instead of deferring (fail-closed).</summary>
    public bool FailOpen { get; init; }

    public static SpamVerdict Unavailable(string error) => new(ScanStatus.Unavailable, 0, []) { Error = error };
}

/// <summary>An antispam engine: the raw message plus its envelope.</summary>
public interface ISpamScanner
{
    ValueTask<SpamVerdict> CheckAsync(Stream message, MessageEnvelope envelope, CancellationToken ct);
}
