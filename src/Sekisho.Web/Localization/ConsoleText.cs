using System.Globalization;
using System.Resources;
using Sekisho.Model;

namespace Sekisho.Web.Localization;

/// <summary>The console's texts in Japanese and English, in the language of the current request (CurrentUICulture).</summary>
public static class ConsoleText
{
    private static readonly ResourceManager Resources = new("Sekisho.Web.Localization.ConsoleText", typeof(ConsoleText).Assembly);

    /// <summary>"ja" or "en" for the current request.</summary>
    public static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja" ? "ja" : "en";

    public static string T(string key, params object?[] args)
    {
        var culture = Language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture;
        var template = Resources.GetString(key, culture) ?? throw new KeyNotFoundException("missing text: " + key);
        return args.Length == 0 ? template : string.Format(CultureInfo.InvariantCulture, template, args);
    }

    /// <summary>The text if the key exists, else the fallback (for open-ended keys such as audit event names).</summary>
    public static string TOr(string key, string fallback)
    {
        var culture = Language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture;
        return Resources.GetString(key, culture) ?? fallback;
    }

    public static string For(LocalizedText text) => text.For(Language);

    /// <summary>A time as the console shows it: yyyy/MM/dd HH:mm in the server's local time.</summary>
    public static string When(DateTimeOffset? t) => t is null ? T("never") : t.Value.ToLocalTime().ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture);
}
