using System.Globalization;
using System.Resources;
using Sekisho.Model;
using Sekisho.Model.Rules;

namespace Sekisho.Migration.Mapping;

/// <summary>Builds migration findings from their code: message and fix instruction in Japanese and English.</summary>
public static class Findings
{
    private static readonly ResourceManager Resources = new("Sekisho.Migration.Mapping.MappingText", typeof(Findings).Assembly);
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    public static MigrationFinding Make(string code, FindingStatus status, params object?[] args) =>
        new(code, status, Text(code + ".message", args), Text(code + ".fix", args));

    public static MigrationFinding Error(string code, params object?[] args) => Make(code, FindingStatus.Error, args);
    public static MigrationFinding Warning(string code, params object?[] args) => Make(code, FindingStatus.Warning, args);
    public static MigrationFinding NotSupported(string code, params object?[] args) => Make(code, FindingStatus.NotSupported, args);
    public static MigrationFinding Info(string code, params object?[] args) => Make(code, FindingStatus.Successful, args);

    /// <summary>A text in both languages; arguments that are <see cref="LocalizedText"/> are rendered in each language.</summary>
    public static LocalizedText Text(string key, params object?[] args) => new(Format(key, Japanese, args), Format(key, CultureInfo.InvariantCulture, args));

    private static string Format(string key, CultureInfo culture, object?[] args)
    {
        var template = Resources.GetString(key, culture) ?? throw new KeyNotFoundException("missing migration text: " + key);
        var language = culture.Name.StartsWith("ja", StringComparison.Ordinal) ? "ja" : "en";
        return string.Format(CultureInfo.InvariantCulture, template, args.Select(a => a is LocalizedText t ? t.For(language) : a).ToArray());
    }

    /// <summary>The item status that a set of findings gives: the worst of error, warning, successful (not-supported counts as warning).</summary>
    public static FindingStatus StatusOf(IEnumerable<MigrationFinding> findings, bool created)
    {
        if (!created) return FindingStatus.NotSupported;
        var all = findings.ToList();
        if (all.Any(f => f.Status == FindingStatus.Error)) return FindingStatus.Error;
        if (all.Any(f => f.Status is FindingStatus.Warning or FindingStatus.NotSupported)) return FindingStatus.Warning;
        return FindingStatus.Successful;
    }
}
