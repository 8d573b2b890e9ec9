using System.Globalization;
using System.Resources;

namespace Sekisho.Cli.Localization;

/// <summary>The command line's texts in English and Japanese.</summary>
public static class CliText
{
    private static readonly ResourceManager Resources = new("Sekisho.Cli.Localization.CliText", typeof(CliText).Assembly);

    private static readonly AsyncLocal<string?> CurrentLanguage = new();

    /// <summary>The language of this run: "ja" or "en" (flows with the async call, so concurrent runs do not mix).</summary>
    public static string Language
    {
        get => CurrentLanguage.Value ?? "en";
        set => CurrentLanguage.Value = value;
    }

    public static string T(string key, params object?[] args) => In(Language, key, args);

    public static string In(string language, string key, params object?[] args)
    {
        var culture = language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture;
        var template = Resources.GetString(key, culture) ?? throw new KeyNotFoundException("missing text: " + key);
        return args.Length == 0 ? template : string.Format(CultureInfo.InvariantCulture, template, args);
    }

    /// <summary>The language from --lang, else from the locale environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG).</summary>
    public static string Detect(string[] args, string? localeLanguage = null)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--lang" && i + 1 < args.Length) return Normalize(args[i + 1]);
            if (args[i].StartsWith("--lang=", StringComparison.Ordinal)) return Normalize(args[i][7..]);
        }
        if (localeLanguage is not null) return Normalize(localeLanguage);
        foreach (var name in new[] { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" })
        {
            var v = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrEmpty(v) && v != "C" && v != "POSIX") return Normalize(v);
        }
        return "en";
    }

    private static string Normalize(string v) => v.StartsWith("ja", StringComparison.OrdinalIgnoreCase) ? "ja" : "en";
}
