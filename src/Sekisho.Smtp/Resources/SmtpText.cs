using System.Globalization;
using System.Resources;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp.Resources;

/// <summary>Texts people read (DSN explanations, queue and tracking listings), in English and Japanese.</summary>
public static class SmtpText
{
    private static readonly ResourceManager Resources = new("Sekisho.Smtp.Resources.Messages", typeof(SmtpText).Assembly);

    public static CultureInfo English { get; } = CultureInfo.GetCultureInfo("en");
    public static CultureInfo Japanese { get; } = CultureInfo.GetCultureInfo("ja");

    /// <summary>A text by key in <paramref name="culture"/> (the current UI culture when null).</summary>
    public static string Get(string key, CultureInfo? culture = null) =>
        Resources.GetString(key, culture ?? CultureInfo.CurrentUICulture) ?? throw new KeyNotFoundException($"Missing text '{key}'");

    public static string Format(string key, CultureInfo? culture, params object?[] args)
    {
        var c = culture ?? CultureInfo.CurrentUICulture;
        return string.Format(c, Get(key, c), args);
    }

    /// <summary>The display name of a tracking action.</summary>
    public static string Action(TrackingAction action, CultureInfo? culture = null) => Get("Action" + action, culture);
}
