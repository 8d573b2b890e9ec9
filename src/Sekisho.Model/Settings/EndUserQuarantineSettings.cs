using Sekisho.Model.Rules;

namespace Sekisho.Model.Settings;

/// <summary>
/// The end-user quarantine (エンドユーザーコンソール) and its digests (隔離通知): what end users may release and when digests go out.
/// End users only ever see inbound mail addressed to them; outbound quarantine stays invisible to them.
/// </summary>
public sealed record EndUserQuarantineSettings
{
    /// <summary>Send digests on the schedule.</summary>
    public bool DigestEnabled { get; init; } = true;

    /// <summary>Hours between digests (24 = daily).</summary>
    public int DigestIntervalHours { get; init; } = 24;

    /// <summary>The hour of the day (gateway's local time, 0–23) a daily digest goes out.</summary>
    public int DigestHour { get; init; } = 8;

    /// <summary>Language of the digest: <c>ja</c> or <c>en</c>.</summary>
    public string DigestLanguage { get; init; } = "ja";

    /// <summary>Most messages listed in one digest (CEGP: 100).</summary>
    public int DigestMaxMessages { get; init; } = 100;

    /// <summary>Days a digest's signed links stay valid.</summary>
    public int LinkValidityDays { get; init; } = 7;

    /// <summary>
    /// Rule types whose quarantined messages end users may release (and approve the sender of); messages held by other rules,
    /// by sender authentication or by a scan exception can only be viewed and deleted by them.
    /// </summary>
    public IReadOnlyList<RuleType> ReleasableRuleTypes { get; init; } = [RuleType.Spam, RuleType.Content];
}
