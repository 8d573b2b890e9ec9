using System.Globalization;
using System.Resources;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>Administrator-facing texts of fatal errors, from <c>Messages.resx</c> (en) and <c>Messages.ja.resx</c> (ja).</summary>
internal static class ExportText
{
    internal static readonly ResourceManager Resources = new("Sekisho.Migration.Export.Messages", typeof(ExportText).Assembly);

    internal static string Get(string key, CultureInfo culture) =>
        Resources.GetString(key, culture) ?? throw new InvalidOperationException($"Missing resource {key}");

    private static string Format(CultureInfo culture, string key, params object?[] args) =>
        string.Format(culture, Get(key, culture), args);

    internal static string Problem(ExportFatalError e, CultureInfo c) => e.Code switch
    {
        FatalErrorCode.NotAnExport => Format(c, "Problem.NotAnExport", e.FileName,
            Get("NotAnExport." + (e.NotAnExportReason ?? NotAnExportReason.NotTar), c)
            + (e.LooksLike is null ? "" : Format(c, "LooksLike", e.LooksLike))),
        FatalErrorCode.UnsafeEntry => Format(c, "Problem.UnsafeEntry", e.FileName, e.Entry,
            Get("Unsafe." + (e.UnsafeReason ?? UnsafeEntryReason.UnsupportedType), c)),
        FatalErrorCode.LimitExceeded => Format(c, "Problem.LimitExceeded", e.FileName,
            Get("Limit." + (e.Limit ?? ExportLimitKind.TotalUncompressedSize), c),
            e.Entry is null ? "" : Format(c, "Where.Entry", e.Entry),
            LimitValue(e.Limit, e.ActualValue, c), LimitValue(e.Limit, e.LimitValue, c)),
        FatalErrorCode.MissingEntry => Format(c, "Problem.MissingEntry", e.FileName, e.Entry,
            e.EntriesFound.Count == 0 ? Get("None", c) : string.Join(", ", e.EntriesFound)),
        FatalErrorCode.MalformedEntry => Format(c, "Problem.MalformedEntry", e.FileName, e.Entry,
            e.Line is { } line ? Format(c, "Where.Line", line) : "", e.Detail),
        FatalErrorCode.UnsupportedProduct => Format(c, "Problem.UnsupportedProduct", e.FileName,
            e.ProductFound ?? Get("UnknownProduct", c)),
        FatalErrorCode.MigrationNotEnabled => Format(c, "Problem.MigrationNotEnabled", e.FileName),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Code, null),
    };

    internal static string Fix(ExportFatalError e, CultureInfo c) => e.Code switch
    {
        FatalErrorCode.NotAnExport => Get("Fix.NotAnExport", c),
        FatalErrorCode.UnsafeEntry => Get("Fix.UnsafeEntry", c),
        FatalErrorCode.LimitExceeded => Get("Fix.LimitExceeded", c),
        FatalErrorCode.MissingEntry => Get("Fix.MissingEntry", c),
        FatalErrorCode.MalformedEntry => Get("Fix.MalformedEntry", c),
        FatalErrorCode.UnsupportedProduct => Get("Fix.UnsupportedProduct", c),
        FatalErrorCode.MigrationNotEnabled => e.Product switch
        {
            ImsvaProduct.Imss => Format(c, "Fix.MigrationNotEnabled", "InterScan MSS", MigrationSwitch.ImssCommand),
            ImsvaProduct.Imsva => Format(c, "Fix.MigrationNotEnabled", "IMSVA", MigrationSwitch.ImsvaCommand),
            _ => Format(c, "Fix.MigrationNotEnabled", "InterScan MSS / IMSVA",
                Format(c, "Command.Imss", MigrationSwitch.ImssCommand) + " " + Format(c, "Command.Imsva", MigrationSwitch.ImsvaCommand)),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Code, null),
    };

    private static string LimitValue(ExportLimitKind? kind, double? value, CultureInfo c)
    {
        if (value is not { } v) return "?";
        return kind switch
        {
            ExportLimitKind.CompressionRatio => Format(c, "Unit.Ratio", v),
            ExportLimitKind.TotalUncompressedSize or ExportLimitKind.EntrySize or ExportLimitKind.FileSize => Format(c, "Unit.Bytes", v),
            _ => Format(c, "Unit.Count", v),
        };
    }
}
