using Sekisho.Model.Rules;

namespace Sekisho.Policy.Engine;

/// <summary>How risky a listed URL is, in the three bands Trend Micro's web reputation uses.</summary>
public enum UrlRisk
{
    /// <summary>Listed for spam or an unknown reason.</summary>
    Suspicious = 1,
    /// <summary>Listed as cracked or compromised, or by the antispam engine's URL lists.</summary>
    HighlySuspicious = 2,
    /// <summary>Listed for phishing or malware.</summary>
    Dangerous = 3,
}

/// <summary>
/// Maps a rule's web reputation security level to the risks it acts on. The two highest levels act on every listed
/// URL, the two middle levels on dangerous and highly suspicious URLs, the two lowest on dangerous URLs only.
/// URI blocklist categories are mapped to risks by <see cref="Of"/>.
/// </summary>
public static class WebRisk
{
    /// <summary>The risk of URLs the antispam engine reports as listed (it does not say why).</summary>
    public const UrlRisk AntispamListed = UrlRisk.HighlySuspicious;

    /// <summary>The lowest risk a rule at <paramref name="level"/> acts on.</summary>
    public static UrlRisk Threshold(WebReputationLevel level) => level switch
    {
        WebReputationLevel.Highest or WebReputationLevel.High => UrlRisk.Suspicious,
        WebReputationLevel.ModeratelyHigh or WebReputationLevel.ModeratelyLow => UrlRisk.HighlySuspicious,
        _ => UrlRisk.Dangerous,
    };

    /// <summary>The risk of a blocklist category (SURBL names: phishing, malware, cracked, spam; anything else is suspicious).</summary>
    public static UrlRisk Of(string? category) => category?.Trim().ToLowerInvariant() switch
    {
        "phishing" or "malware" or "ph" or "mw" => UrlRisk.Dangerous,
        "cracked" or "compromised" or "cr" or "abuse" => UrlRisk.HighlySuspicious,
        _ => UrlRisk.Suspicious,
    };
}
