using System.Globalization;
using System.Resources;

namespace Sekisho.Model.Localization;

/// <summary>The model's user-facing texts (validation messages and labels) in English and Japanese.</summary>
public static class ModelText
{
    private static readonly ResourceManager Resources = new("Sekisho.Model.Localization.ModelText", typeof(ModelText).Assembly);
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    /// <summary>A text in both languages, formatted with the arguments.</summary>
    public static LocalizedText Get(string key, params object?[] args) =>
        new(Format(key, Japanese, args), Format(key, CultureInfo.InvariantCulture, args));

    /// <summary>A text in one language ("ja" or "en").</summary>
    public static string In(string language, string key, params object?[] args) =>
        Format(key, language.StartsWith("ja", StringComparison.OrdinalIgnoreCase) ? Japanese : CultureInfo.InvariantCulture, args);

    private static string Format(string key, CultureInfo culture, object?[] args)
    {
        var template = Resources.GetString(key, culture) ?? throw new KeyNotFoundException("missing text: " + key);
        if (args.Length == 0) return template;
        var language = culture.Name.StartsWith("ja", StringComparison.Ordinal) ? "ja" : "en";
        var resolved = args.Select(a => a is LocalizedText t ? t.For(language) : a).ToArray();
        return string.Format(CultureInfo.InvariantCulture, template, resolved);
    }
}
