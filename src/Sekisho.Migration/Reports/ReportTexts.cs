using System.Globalization;
using System.Resources;

namespace Sekisho.Migration.Reports;

/// <summary>The report vocabulary (statuses, kinds, section titles) in English and Japanese, for every renderer of the reports.</summary>
public static class ReportTexts
{
    private static readonly ResourceManager Resources = new("Sekisho.Migration.Reports.ReportText", typeof(ReportTexts).Assembly);

    public static string Get(string key, string language) =>
        Resources.GetString(key, language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture) ?? throw new KeyNotFoundException("missing report text: " + key);

    /// <summary>Item statuses in report order.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["not-supported", "error", "warning", "successful"];

    /// <summary>Item kinds in report order.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["rule", "address-group", "keyword-list", "notification", "stamp", "dlp-template", "dlp-identifier", "setting"];
}
