using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;

namespace Sekisho.Web.Services;

/// <summary>
/// The end-user quarantine settings (エンドユーザー隔離) as the screen and the API see them. In a change, a field left out (null)
/// keeps its value. <see cref="ReleasableRuleTypes"/>: rule types (virus, spam, content, dlp) whose holds end users may release.
/// </summary>
public sealed record EndUserQuarantineSettingsDto
{
    public bool? DigestEnabled { get; init; }
    /// <summary>Hours between digests, 1–168 (24 = daily).</summary>
    public int? DigestIntervalHours { get; init; }
    /// <summary>Hour of the day (0–23) a daily digest goes out.</summary>
    public int? DigestHour { get; init; }
    /// <summary><c>ja</c> or <c>en</c>.</summary>
    public string? DigestLanguage { get; init; }
    /// <summary>1–1000 messages per digest.</summary>
    public int? DigestMaxMessages { get; init; }
    /// <summary>1–30 days.</summary>
    public int? LinkValidityDays { get; init; }
    public IReadOnlyList<string>? ReleasableRuleTypes { get; init; }

    public static EndUserQuarantineSettingsDto From(GatewaySettings s) => new()
    {
        DigestEnabled = s.EndUserQuarantine.DigestEnabled,
        DigestIntervalHours = s.EndUserQuarantine.DigestIntervalHours,
        DigestHour = s.EndUserQuarantine.DigestHour,
        DigestLanguage = s.EndUserQuarantine.DigestLanguage,
        DigestMaxMessages = s.EndUserQuarantine.DigestMaxMessages,
        LinkValidityDays = s.EndUserQuarantine.LinkValidityDays,
        ReleasableRuleTypes = s.EndUserQuarantine.ReleasableRuleTypes.Select(t => ModelJson.EnumName(t)).ToList(),
    };
}

/// <summary>
/// The end-user quarantine settings screen and API: digest schedule, language and size, link validity, and which holds end users
/// may release. Every value is checked before anything is saved; a change is audited (<c>settings.updated</c>).
/// </summary>
public sealed class EndUserQuarantineSettingsService(ConsoleContext console)
{
    public Task<GatewaySettings> GetAsync(string actor, CancellationToken ct) => console.ReadSettingsAsync(actor, ct);

    /// <summary>Applies a change; 400 with every problem (in Japanese and English) and no change when any value is wrong.</summary>
    public Task<GatewaySettings> SaveAsync(EndUserQuarantineSettingsDto change, string actor, CancellationToken ct) =>
        console.UpdateSettingsAsync(actor, current => Apply(current, change), ct);

    /// <summary>The settings with the change applied; throws a <see cref="ConsoleProblem"/> listing every wrong value.</summary>
    public static GatewaySettings Apply(GatewaySettings current, EndUserQuarantineSettingsDto change)
    {
        var problems = new List<LocalizedText>();
        var e = current.EndUserQuarantine;
        int Range(int? value, int old, int min, int max, string ja, string en)
        {
            var v = value ?? old;
            if (v < min || v > max) problems.Add(new($"{ja} {v} は {min}〜{max} で指定してください。", $"{en} {v} must be {min} to {max}."));
            return v;
        }
        var interval = Range(change.DigestIntervalHours, e.DigestIntervalHours, 1, 168, "通知の間隔（時間）", "The digest interval (hours)");
        var hour = Range(change.DigestHour, e.DigestHour, 0, 23, "通知の時刻", "The digest hour");
        var max = Range(change.DigestMaxMessages, e.DigestMaxMessages, 1, 1000, "通知に載せる最大件数", "The most messages per digest");
        var days = Range(change.LinkValidityDays, e.LinkValidityDays, 1, 30, "リンクの有効期間（日）", "The link validity (days)");
        var language = (change.DigestLanguage ?? e.DigestLanguage).Trim().ToLowerInvariant();
        if (language is not ("ja" or "en"))
            problems.Add(new($"通知の言語「{language}」は ja か en で指定してください。", $"The digest language '{language}' must be ja or en."));
        var types = e.ReleasableRuleTypes;
        if (change.ReleasableRuleTypes is { } names)
        {
            var list = new List<RuleType>();
            foreach (var name in names.Take(10))
            {
                if (ModelJson.TryParseEnum<RuleType>(name ?? "", out var t)) { if (!list.Contains(t)) list.Add(t); }
                else problems.Add(new($"「{name}」はルールの種類ではありません（virus, spam, content, dlp）。", $"'{name}' is not a rule type (virus, spam, content, dlp)."));
            }
            types = list;
        }
        if (problems.Count > 0)
            throw new ConsoleProblem("settings.end-user-quarantine.invalid", new LocalizedText(
                string.Join(" ", problems.Select(p => p.Ja)), string.Join(" ", problems.Select(p => p.En))));
        return current with
        {
            EndUserQuarantine = e with
            {
                DigestEnabled = change.DigestEnabled ?? e.DigestEnabled, DigestIntervalHours = interval, DigestHour = hour,
                DigestLanguage = language, DigestMaxMessages = max, LinkValidityDays = days, ReleasableRuleTypes = types,
            },
        };
    }
}
