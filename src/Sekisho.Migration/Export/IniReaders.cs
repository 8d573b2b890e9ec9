using System.Globalization;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>Reads <c>export.ini</c> and identifies the product: anything but IMSVA/IMSS 9.1 on Linux is <c>unsupported-product</c>.</summary>
internal static class ExportInfoReader
{
    private static readonly string[] KnownKeys = ["format", "product", "platform", "version", "build", "language", "hostname", "exported_at", "role"];

    public static (ExportInfo Info, IReadOnlyList<UnknownSetting> Unknown) Read(string fileName, ArchiveEntry entry, ExportLimits limits)
    {
        var ini = IniDocument.Parse(fileName, entry.Name, TextEntries.Decode(fileName, entry.Name, entry.Data), limits);
        var section = ini.Sections.FirstOrDefault(s => string.Equals(s.Name, "export", StringComparison.OrdinalIgnoreCase));
        if (section.Name is null) throw TextEntries.Malformed(fileName, entry.Name, null, "there is no [export] section");

        var keys = new Dictionary<string, IniKey>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<UnknownSetting>();
        foreach (var key in ini.Keys)
        {
            if (string.Equals(key.Section, "export", StringComparison.OrdinalIgnoreCase) && KnownKeys.Contains(key.Name.ToLowerInvariant()))
                keys[key.Name] = key;
            else
                unknown.Add(new UnknownSetting(key.Section, key.Name, key.Value, new SourceLocation(entry.Name, key.Line)));
        }

        string? Value(string name) => keys.TryGetValue(name, out var k) && k.Value.Length > 0 ? k.Value : null;
        int LineOf(string name) => keys.TryGetValue(name, out var k) ? k.Line : section.Line;
        string Required(string name) => Value(name) ?? throw TextEntries.Malformed(fileName, entry.Name, section.Line, $"key '{name}' is missing in [export]");

        var productText = Required("product");
        var platform = (Value("platform") ?? "linux").ToLowerInvariant();
        var versionText = Required("version");
        var buildText = Required("build");
        var formatText = Value("format");
        var described = $"{productText} {versionText} ({platform})";

        ImsvaProduct? product = productText.ToUpperInvariant() switch
        {
            "IMSVA" => ImsvaProduct.Imsva,
            "IMSS" => ImsvaProduct.Imss,
            _ => null,
        };
        if (product is null) throw Unsupported(fileName, described, $"product '{productText}' is neither IMSVA nor IMSS");
        if (platform != "linux")
            throw Unsupported(fileName, described, platform == "windows" ? "InterScan MSS for Windows exports are not supported" : $"platform '{platform}' is not linux");
        var version = versionText is "9.1" or "9.1.0" ? "9.1" : throw Unsupported(fileName, described, $"version '{versionText}' is not 9.1");
        var format = 1;
        if (formatText is not null && (!int.TryParse(formatText, NumberStyles.None, CultureInfo.InvariantCulture, out format) || format != 1))
            throw Unsupported(fileName, $"{described}, export format {formatText}", $"export format '{formatText}' is not 1, the layout this reader knows");

        var buildDigits = buildText.StartsWith("9.1.0.", StringComparison.Ordinal) ? buildText[6..] : buildText;
        if (!int.TryParse(buildDigits, NumberStyles.None, CultureInfo.InvariantCulture, out var build))
            throw TextEntries.Malformed(fileName, entry.Name, LineOf("build"), $"build '{buildText}' is not a number");

        DateTimeOffset? exportedAt = null;
        if (Value("exported_at") is { } at)
        {
            if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                throw TextEntries.Malformed(fileName, entry.Name, LineOf("exported_at"), $"exported_at '{at}' is not a date and time");
            exportedAt = parsed;
        }

        var info = new ExportInfo(format, product.Value, platform, version, build, Value("language"), Value("hostname"), exportedAt, Value("role"),
            new SourceLocation(entry.Name, section.Line));
        return (info, unknown);
    }

    private static ExportFatalException Unsupported(string fileName, string found, string detail) =>
        new(new ExportFatalError
        {
            Code = FatalErrorCode.UnsupportedProduct,
            FileName = fileName,
            Entry = EntryNames.ExportIni,
            ProductFound = found,
            Detail = detail,
        });
}

/// <summary>
/// Reads <c>imss.ini</c> and <c>db/tb_global_setting.csv</c>, merges them (the database wins; every disagreement
/// is kept), reads the known keys into typed settings and keeps the rest raw.
/// </summary>
internal static class GlobalSettingsReader
{
    private const string ImssIni = "imss.ini";

    private static readonly (string Section, string Name)[] TypedKeys =
    [
        (MigrationSwitch.Section, MigrationSwitch.Name), ("smtp", "max_message_size_kb"), ("smtp", "max_recipients"),
        ("euq", "expired_interval"), ("smart_scan", "use_local"),
    ];

    private sealed record Row(string Section, string Name, string Value, string IniFile, int Line);

    public static GlobalSettings Read(string fileName, ArchiveEntry iniEntry, ArchiveEntry csvEntry, ExportLimits limits)
    {
        var ini = IniDocument.Parse(fileName, iniEntry.Name, TextEntries.Decode(fileName, iniEntry.Name, iniEntry.Data), limits);
        var rows = ReadCsv(fileName, csvEntry, limits);

        static string Key(string section, string name) => section.ToLowerInvariant() + "\u0001" + name.ToLowerInvariant();

        var iniKeys = new Dictionary<string, IniKey>();
        foreach (var k in ini.Keys) iniKeys[Key(k.Section, k.Name)] = k;
        var dbKeys = new Dictionary<string, Row>();
        foreach (var r in rows.Where(r => IsImssIni(r.IniFile))) dbKeys[Key(r.Section, r.Name)] = r;

        var effective = new List<GlobalSetting>();
        var disagreements = new List<SettingDisagreement>();
        SourceLocation IniAt(IniKey k) => new(iniEntry.Name, k.Line);
        SourceLocation DbAt(Row r) => new(csvEntry.Name, r.Line);

        foreach (var row in rows)
        {
            var key = Key(row.Section, row.Name);
            if (!IsImssIni(row.IniFile) || !ReferenceEquals(dbKeys[key], row)) continue;
            if (iniKeys.TryGetValue(key, out var k))
            {
                var same = string.Equals(k.Value, row.Value, StringComparison.Ordinal);
                effective.Add(new GlobalSetting(row.Section, row.Name, row.Value, row.IniFile, same ? SettingOrigin.Both : SettingOrigin.Database, DbAt(row)));
                if (!same)
                    disagreements.Add(new SettingDisagreement(row.Section, row.Name, DisagreementKind.DifferentValue, k.Value, row.Value, IniAt(k), DbAt(row)));
            }
            else
            {
                effective.Add(new GlobalSetting(row.Section, row.Name, row.Value, row.IniFile, SettingOrigin.Database, DbAt(row)));
                disagreements.Add(new SettingDisagreement(row.Section, row.Name, DisagreementKind.MissingInIni, null, row.Value, null, DbAt(row)));
            }
        }
        foreach (var k in ini.Keys)
        {
            var key = Key(k.Section, k.Name);
            if (dbKeys.ContainsKey(key) || !ReferenceEquals(iniKeys[key], k)) continue;
            effective.Add(new GlobalSetting(k.Section, k.Name, k.Value, ImssIni, SettingOrigin.ImssIni, IniAt(k)));
            disagreements.Add(new SettingDisagreement(k.Section, k.Name, DisagreementKind.MissingInDatabase, k.Value, null, IniAt(k), null));
        }
        foreach (var r in rows.Where(r => !IsImssIni(r.IniFile)))
            effective.Add(new GlobalSetting(r.Section, r.Name, r.Value, r.IniFile, SettingOrigin.Database, DbAt(r)));

        // The switch is the database row of the migration guide; imss.ini alone does not count.
        var migration = dbKeys.TryGetValue(Key(MigrationSwitch.Section, MigrationSwitch.Name), out var sw) && sw.Value.Trim() == "1";

        GlobalSetting? Find(string section, string name) => effective.FirstOrDefault(s =>
            IsImssIni(s.IniFile) && string.Equals(s.Section, section, StringComparison.OrdinalIgnoreCase) && string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

        long? Number(string section, string name, long max)
        {
            if (Find(section, name) is not { } s || s.Value.Trim().Length == 0) return null;
            if (!long.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < 0 || n > max)
                throw TextEntries.Malformed(fileName, s.At.Entry, s.At.Line, $"[{section}] {name} must be a number from 0 to {max}, not '{s.Value}'");
            return n;
        }

        bool? Flag(string section, string name)
        {
            if (Find(section, name) is not { } s || s.Value.Trim().Length == 0) return null;
            return XmlContext.ParseBool(s.Value.Trim())
                ?? throw TextEntries.Malformed(fileName, s.At.Entry, s.At.Line, $"[{section}] {name} must be 0 or 1, not '{s.Value}'");
        }

        var smtp = new SmtpGlobalSettings(Number("smtp", "max_message_size_kb", long.MaxValue), (int?)Number("smtp", "max_recipients", int.MaxValue));
        var euq = new EuqGlobalSettings((int?)Number("euq", "expired_interval", int.MaxValue));
        var smart = new SmartScanGlobalSettings(Flag("smart_scan", "use_local"));
        var unknown = effective.Where(s => !IsImssIni(s.IniFile) || !TypedKeys.Any(t =>
            string.Equals(t.Section, s.Section, StringComparison.OrdinalIgnoreCase) && string.Equals(t.Name, s.Name, StringComparison.OrdinalIgnoreCase))).ToArray();
        return new GlobalSettings(migration, smtp, euq, smart, effective, unknown, disagreements);
    }

    private static bool IsImssIni(string iniFile) => string.Equals(iniFile.Trim(), ImssIni, StringComparison.OrdinalIgnoreCase);

    private static List<Row> ReadCsv(string fileName, ArchiveEntry entry, ExportLimits limits)
    {
        var records = Csv.Parse(fileName, entry.Name, TextEntries.Decode(fileName, entry.Name, entry.Data), limits);
        if (records.Count == 0) throw TextEntries.Malformed(fileName, entry.Name, 1, "the file is empty; the header section,name,value,inifile is required");
        var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
        if (!header.SequenceEqual(["section", "name", "value", "inifile"]))
            throw TextEntries.Malformed(fileName, entry.Name, records[0].Line, $"the header must be section,name,value,inifile, not {string.Join(',', records[0].Fields)}");
        var rows = new List<Row>();
        foreach (var (fields, line) in records.Skip(1))
        {
            if (fields.Length != 4)
                throw TextEntries.Malformed(fileName, entry.Name, line, $"a row has {fields.Length} fields instead of 4");
            if (fields[0].Trim().Length == 0 || fields[1].Trim().Length == 0)
                throw TextEntries.Malformed(fileName, entry.Name, line, "a row without section or name");
            rows.Add(new Row(fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[3].Trim(), line));
        }
        return rows;
    }
}
