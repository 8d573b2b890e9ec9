using System.Globalization;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>The ways an export file can be unusable (migration-mapping.md §5.1). Each stops the analysis.</summary>
public enum FatalErrorCode
{
    /// <summary><c>not-an-export</c>: not a gzip-compressed tar, or the stream is corrupt or truncated.</summary>
    NotAnExport,
    /// <summary><c>unsafe-entry</c>: absolute path, <c>..</c>, link or device entry.</summary>
    UnsafeEntry,
    /// <summary><c>limit-exceeded</c>: entry count, sizes, ratio or a parser bound.</summary>
    LimitExceeded,
    /// <summary><c>missing-entry</c>: a required entry is absent.</summary>
    MissingEntry,
    /// <summary><c>malformed-entry</c>: INI/CSV/XML syntax error, any DTD or entity declaration, invalid value.</summary>
    MalformedEntry,
    /// <summary><c>unsupported-product</c>: not IMSVA/IMSS 9.1 on Linux.</summary>
    UnsupportedProduct,
    /// <summary><c>migration-not-enabled</c>: the migration switch row is absent.</summary>
    MigrationNotEnabled,
}

/// <summary>Why an entry is refused as <c>unsafe-entry</c>.</summary>
public enum UnsafeEntryReason
{
    /// <summary>The name starts with <c>/</c> or a drive letter.</summary>
    AbsolutePath,
    /// <summary>The name has a <c>..</c> component.</summary>
    ParentDirectory,
    /// <summary>A symbolic link.</summary>
    SymbolicLink,
    /// <summary>A hard link.</summary>
    HardLink,
    /// <summary>A character or block device.</summary>
    Device,
    /// <summary>A named pipe.</summary>
    Fifo,
    /// <summary>Another tar entry type (sparse, multi-volume, …).</summary>
    UnsupportedType,
    /// <summary>Empty, or with a backslash or control character.</summary>
    InvalidName,
    /// <summary>The same file name appears twice, so which content counts would be ambiguous.</summary>
    Duplicate,
}

/// <summary>Why a file is <c>not-an-export</c>.</summary>
public enum NotAnExportReason
{
    /// <summary>The file is empty or shorter than a gzip header.</summary>
    Empty,
    /// <summary>The file does not start with the gzip signature.</summary>
    NotGzip,
    /// <summary>The gzip data is damaged or truncated, or followed by other data.</summary>
    CorruptGzip,
    /// <summary>The decompressed content is not a tar archive, or the archive is truncated.</summary>
    NotTar,
}

/// <summary>
/// A fatal error: what is wrong with the file, where (entry, line, limit), a diagnostic for support, and
/// a message in Japanese or English saying what to do.
/// </summary>
public sealed record ExportFatalError
{
    /// <summary>Which way the file is unusable.</summary>
    public required FatalErrorCode Code { get; init; }

    /// <summary>The file name as given by the user.</summary>
    public required string FileName { get; init; }

    /// <summary>Developer-facing diagnostic in English (what exactly was found).</summary>
    public required string Detail { get; init; }

    /// <summary>The entry concerned, when there is one.</summary>
    public string? Entry { get; init; }

    /// <summary>The 1-based line in <see cref="Entry"/>, when known.</summary>
    public int? Line { get; init; }

    /// <summary>The limit exceeded, for <see cref="FatalErrorCode.LimitExceeded"/>.</summary>
    public ExportLimitKind? Limit { get; init; }

    /// <summary>The value of that limit.</summary>
    public double? LimitValue { get; init; }

    /// <summary>The value found (at least this much when the reader stopped early).</summary>
    public double? ActualValue { get; init; }

    /// <summary>Why the entry is unsafe, for <see cref="FatalErrorCode.UnsafeEntry"/>.</summary>
    public UnsafeEntryReason? UnsafeReason { get; init; }

    /// <summary>Why the file is not an export, for <see cref="FatalErrorCode.NotAnExport"/>.</summary>
    public NotAnExportReason? NotAnExportReason { get; init; }

    /// <summary>Entries listed before the error (all of them when the archive could be listed).</summary>
    public IReadOnlyList<string> EntriesFound { get; init; } = [];

    /// <summary>The first bytes of the file in hex and printable ASCII, when it is not a gzip-compressed tar.</summary>
    public string? FirstBytes { get; init; }

    /// <summary>What the first bytes look like ("PDF document", "ZIP archive", …), when recognised.</summary>
    public string? LooksLike { get; init; }

    /// <summary>Product, version and platform read from <c>export.ini</c>, when it could be read.</summary>
    public string? ProductFound { get; init; }

    /// <summary>The product read from <c>export.ini</c>, for <see cref="FatalErrorCode.MigrationNotEnabled"/>.</summary>
    public ImsvaProduct? Product { get; init; }

    /// <summary>The code as written in reports and JSON, e.g. <c>not-an-export</c>.</summary>
    public string CodeName => Code.ToCodeName();

    /// <summary>
    /// For <see cref="FatalErrorCode.MigrationNotEnabled"/>: the command from the migration guide that enables
    /// the migration switch (the IMSS form connects to 127.0.0.1, the IMSVA form uses the local socket).
    /// </summary>
    public string? EnableMigrationCommand => Code == FatalErrorCode.MigrationNotEnabled && Product is { } p
        ? MigrationSwitch.CommandFor(p)
        : null;

    /// <summary>The full message for administrators: what is wrong and what to do, in the culture's language (ja or en).</summary>
    public string GetMessage(CultureInfo? culture = null) => GetProblem(culture) + " " + GetFix(culture);

    /// <summary>What is wrong, in the culture's language.</summary>
    public string GetProblem(CultureInfo? culture = null) => ExportText.Problem(this, culture ?? CultureInfo.CurrentUICulture);

    /// <summary>What to do, in the culture's language.</summary>
    public string GetFix(CultureInfo? culture = null) => ExportText.Fix(this, culture ?? CultureInfo.CurrentUICulture);

    /// <inheritdoc />
    public override string ToString()
    {
        var where = Entry is null ? "" : Line is { } l ? $" [{Entry}:{l}]" : $" [{Entry}]";
        return $"{CodeName}{where}: {Detail}";
    }
}

/// <summary>Codes of <see cref="FatalErrorCode"/> as written in the analysis JSON.</summary>
public static class FatalErrorCodeNames
{
    /// <summary>The kebab-case code, e.g. <c>migration-not-enabled</c>.</summary>
    public static string ToCodeName(this FatalErrorCode code) => code switch
    {
        FatalErrorCode.NotAnExport => "not-an-export",
        FatalErrorCode.UnsafeEntry => "unsafe-entry",
        FatalErrorCode.LimitExceeded => "limit-exceeded",
        FatalErrorCode.MissingEntry => "missing-entry",
        FatalErrorCode.MalformedEntry => "malformed-entry",
        FatalErrorCode.UnsupportedProduct => "unsupported-product",
        FatalErrorCode.MigrationNotEnabled => "migration-not-enabled",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}

/// <summary>The migration switch of the migration guide: the <c>tb_global_setting</c> row and the commands that add it.</summary>
public static class MigrationSwitch
{
    /// <summary>Section of the switch row.</summary>
    public const string Section = "imp_exp";

    /// <summary>Name of the switch row.</summary>
    public const string Name = "enable_ems_migrate";

    /// <summary>The SQL statement of the migration guide.</summary>
    public const string Sql = "insert into tb_global_setting (section, name, value, inifile) values ('imp_exp', 'enable_ems_migrate', '1', 'imss.ini');";

    /// <summary>The command for InterScan MSS (IMSS) for Linux, run as root on the server.</summary>
    public const string ImssCommand = "/opt/trend/imss/PostgreSQL/bin/psql imss sa -h 127.0.0.1 -c \"" + Sql + "\"";

    /// <summary>The command for IMSVA, run as root on the appliance.</summary>
    public const string ImsvaCommand = "/opt/trend/imss/PostgreSQL/bin/psql imss sa -c \"" + Sql + "\"";

    /// <summary>The command for a product.</summary>
    public static string CommandFor(ImsvaProduct product) => product == ImsvaProduct.Imss ? ImssCommand : ImsvaCommand;
}

/// <summary>Carries a fatal error out of the depths of a parser; converted to a result at the loader's boundary.</summary>
internal sealed class ExportFatalException(ExportFatalError error) : Exception(error.ToString())
{
    public ExportFatalError Error { get; } = error;
}
