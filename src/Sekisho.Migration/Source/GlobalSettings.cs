namespace Sekisho.Migration.Source;

/// <summary>Where a global setting value came from.</summary>
public enum SettingOrigin
{
    /// <summary>Only <c>db/tb_global_setting.csv</c> (the admin database).</summary>
    Database,
    /// <summary>Only <c>imss.ini</c>.</summary>
    ImssIni,
    /// <summary>Both, with the same value.</summary>
    Both,
}

/// <summary>One effective <c>tb_global_setting</c> row: section, name, value and the INI file it mirrors.</summary>
/// <param name="Section">INI section, e.g. <c>smtp</c>.</param>
/// <param name="Name">Key name.</param>
/// <param name="Value">Effective value (the database wins over <c>imss.ini</c>).</param>
/// <param name="IniFile">The <c>inifile</c> column, <c>imss.ini</c> for INI-only values.</param>
/// <param name="Origin">Which source(s) held it.</param>
/// <param name="At">Where the effective value was read.</param>
public sealed record GlobalSetting(string Section, string Name, string Value, string IniFile, SettingOrigin Origin, SourceLocation At);

/// <summary>How <c>imss.ini</c> and the database table disagree on one key.</summary>
public enum DisagreementKind
{
    /// <summary>Both have the key with different values (the database value is used).</summary>
    DifferentValue,
    /// <summary>Only the database has the key.</summary>
    MissingInIni,
    /// <summary>Only <c>imss.ini</c> has the key (its value is used, nothing contradicts it).</summary>
    MissingInDatabase,
}

/// <summary>A key on which <c>imss.ini</c> and <c>db/tb_global_setting.csv</c> disagree; reported as a warning.</summary>
public sealed record SettingDisagreement(
    string Section, string Name, DisagreementKind Kind, string? IniValue, string? DatabaseValue,
    SourceLocation? IniAt, SourceLocation? DatabaseAt);

/// <summary>Typed <c>[smtp]</c> settings.</summary>
/// <param name="MaxMessageSizeKb"><c>max_message_size_kb</c>.</param>
/// <param name="MaxRecipients"><c>max_recipients</c>.</param>
public sealed record SmtpGlobalSettings(long? MaxMessageSizeKb, int? MaxRecipients);

/// <summary>Typed <c>[euq]</c> settings.</summary>
/// <param name="ExpiredIntervalMinutes"><c>expired_interval</c>: lifetime of the distribution-list EUQ code (1–120 minutes).</param>
public sealed record EuqGlobalSettings(int? ExpiredIntervalMinutes);

/// <summary>Typed <c>[smart_scan]</c> settings.</summary>
/// <param name="UseLocal"><c>use_local</c>: a local Smart Protection Server instead of the cloud.</param>
public sealed record SmartScanGlobalSettings(bool? UseLocal);

/// <summary>
/// The global settings of <c>imss.ini</c> and <c>tb_global_setting</c>: the migration switch, typed known keys,
/// every effective row, the rows not read into typed settings, and the disagreements between the two sources.
/// </summary>
/// <param name="MigrationEnabled">True when the database holds <c>imp_exp/enable_ems_migrate=1</c>.</param>
/// <param name="Smtp">Typed <c>[smtp]</c>.</param>
/// <param name="Euq">Typed <c>[euq]</c>.</param>
/// <param name="SmartScan">Typed <c>[smart_scan]</c>.</param>
/// <param name="Effective">Every effective row.</param>
/// <param name="Unknown">Rows not read into typed settings (kept raw; reported as not supported).</param>
/// <param name="Disagreements">Keys on which <c>imss.ini</c> and the database disagree.</param>
public sealed record GlobalSettings(
    bool MigrationEnabled,
    SmtpGlobalSettings Smtp,
    EuqGlobalSettings Euq,
    SmartScanGlobalSettings SmartScan,
    IReadOnlyList<GlobalSetting> Effective,
    IReadOnlyList<GlobalSetting> Unknown,
    IReadOnlyList<SettingDisagreement> Disagreements)
{
    /// <summary>The effective value of a key, or null.</summary>
    public string? Get(string section, string name) => Effective.FirstOrDefault(s =>
        string.Equals(s.Section, section, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;
}
