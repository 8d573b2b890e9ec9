using System.Globalization;
using Sekisho.Migration.Export;
using Sekisho.Migration.Source;
using Sekisho.Testing.Imsva;
using static Sekisho.Migration.Tests.Support;

namespace Sekisho.Migration.Tests;

/// <summary>export.ini identification, required entries, imss.ini / tb_global_setting.csv and the migration switch.</summary>
public sealed class IdentificationAndSettingsTests
{
    private static readonly CultureInfo Ja = CultureInfo.GetCultureInfo("ja");
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en");

    [Theory]
    [InlineData("export.ini")]
    [InlineData("imss.ini")]
    [InlineData("db/tb_global_setting.csv")]
    [InlineData("policy/rules.xml")]
    [InlineData("policy/objects.xml")]
    public void Each_required_entry_is_required(string entry)
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().Without(entry).Build(), FatalErrorCode.MissingEntry);
        Assert.Equal(entry, fatal.Entry);
        Assert.Equal(4, fatal.EntriesFound.Count);
        Assert.DoesNotContain(entry, fatal.EntriesFound);
        Assert.Contains(entry, fatal.GetMessage(Ja));
        Assert.Contains(entry, fatal.GetMessage(En));
    }

    [Fact]
    public void An_export_wrapped_in_a_folder_is_diagnosed()
    {
        var inner = ImsvaExportBuilder.Minimal();
        var wrapped = new ImsvaExportBuilder();
        foreach (var name in inner.Names) wrapped.With("Config_Files_20240522/" + name, "x");
        var fatal = LoadFatal(wrapped.Build(), FatalErrorCode.MissingEntry);
        Assert.Equal("export.ini", fatal.Entry);
        Assert.Contains("inside the folder Config_Files_20240522/", fatal.Detail);
    }

    [Fact]
    public void An_empty_archive_lists_no_entries()
    {
        var fatal = LoadFatal(new ImsvaExportBuilder().WithDirectory("policy/").Build(), FatalErrorCode.MissingEntry);
        Assert.Empty(fatal.EntriesFound);
        Assert.Contains("(なし)", fatal.GetMessage(Ja));
        Assert.Contains("(none)", fatal.GetMessage(En));
    }

    [Theory]
    [InlineData("ScanMail", "linux", "9.1")]
    [InlineData("IMSVA", "linux", "9.0")]
    [InlineData("IMSS", "linux", "7.1")]
    [InlineData("IMSS", "windows", "9.1")]
    [InlineData("IMSS", "solaris", "9.1")]
    public void Other_products_versions_and_platforms_are_unsupported(string product, string platform, string version)
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal(product, 1500, platform, version).Build(), FatalErrorCode.UnsupportedProduct);
        Assert.Equal($"{product} {version} ({platform})", fatal.ProductFound);
        Assert.Contains(fatal.ProductFound!, fatal.GetMessage(Ja));
        Assert.Contains("IMSVA", fatal.GetMessage(En));
    }

    [Fact]
    public void The_product_is_checked_before_the_other_entries()
    {
        var file = ImsvaExportBuilder.Minimal("IMSS", 1500, "windows").Without("policy/rules.xml").Without("db/tb_global_setting.csv").Build();
        LoadFatal(file, FatalErrorCode.UnsupportedProduct);
    }

    [Fact]
    public void Another_export_format_is_unsupported()
    {
        var file = ImsvaExportBuilder.Minimal().With("export.ini", "[export]\nformat = 2\nproduct = IMSVA\nversion = 9.1\nbuild = 2011\n").Build();
        Assert.Contains("export format 2", LoadFatal(file, FatalErrorCode.UnsupportedProduct).ProductFound);
    }

    [Theory]
    [InlineData("IMSVA", 2010, true)]
    [InlineData("IMSVA", 2011, false)]
    [InlineData("IMSS", 1360, true)]
    [InlineData("IMSS", 1361, false)]
    public void A_build_below_the_floor_loads_and_is_flagged(string product, int build, bool below)
    {
        var info = LoadOk(ImsvaExportBuilder.Minimal(product, build).Build()).Info;
        Assert.Equal(below, info.IsBelowBuildFloor);
        Assert.Equal(product == "IMSVA" ? 2011 : 1361, info.BuildFloor);
        Assert.Equal($"9.1.0.{build}", info.FullVersion);
    }

    [Fact]
    public void Export_ini_tolerates_a_bom_crlf_comments_full_versions_and_missing_platform()
    {
        var file = ImsvaExportBuilder.Minimal()
            .WithUtf8Bom("export.ini", "; descriptor\r\n# another comment\r\n[export]\r\nproduct=imss\r\nversion=9.1.0\r\nbuild=9.1.0.1417\r\nlanguage = en ; console language\r\nvendor = Trend Micro\r\n[extra]\r\nkey=value\r\n")
            .Build();
        var export = LoadOk(file);
        Assert.Equal((ImsvaProduct.Imss, "linux", "9.1", 1417, "en"), (export.Info.Product, export.Info.Platform, export.Info.Version, export.Info.Build, export.Info.Language));
        Assert.Null(export.Info.ExportedAt);
        Assert.Equal([("export", "vendor", "Trend Micro", 8), ("extra", "key", "value", 10)],
            export.UnknownExportInfoKeys.Select(u => (u.Section, u.Name, u.Value, u.At.Line)));
    }

    [Theory]
    [InlineData("[export]\nproduct = IMSVA\nversion = 9.1\n", 1, "build")]
    [InlineData("[export]\nproduct = IMSVA\nversion = 9.1\nbuild = twenty\n", 4, "twenty")]
    [InlineData("[export]\nproduct = IMSVA\nversion = 9.1\nbuild = 2011\nexported_at = yesterday\n", 5, "yesterday")]
    [InlineData("[export]\nproduct = IMSVA\nthis line is wrong\n", 3, "name=value")]
    [InlineData("product = IMSVA\n[export]\n", 1, "before any [section]")]
    [InlineData("[export\nproduct = IMSVA\n", 1, "closing")]
    [InlineData("[other]\nproduct = IMSVA\n", null, "[export]")]
    public void A_malformed_export_ini_names_the_line(string ini, int? line, string detail)
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().With("export.ini", ini).Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal("export.ini", fatal.Entry);
        Assert.Equal(line, fatal.Line);
        Assert.Contains(detail, fatal.Detail);
        if (line is { } l) Assert.Contains($"{l} 行目", fatal.GetMessage(Ja));
    }

    [Fact]
    public void Invalid_utf8_is_malformed_with_its_line()
    {
        byte[] bad = [.. "[imp_exp]\nenable_ems_migrate=1\n[smtp]\nname="u8.ToArray(), 0xE9, 0x0A];
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().With("imss.ini", bad).Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal(("imss.ini", (int?)4), (fatal.Entry, fatal.Line));
        Assert.Contains("UTF-8", fatal.Detail);
    }

    [Fact]
    public void The_database_wins_over_imss_ini_and_every_disagreement_is_reported()
    {
        const string ini = """
            ; imss.ini regenerated by imssmgr
            [imp_exp]
            enable_ems_migrate=1
            [smtp]
            max_message_size_kb=20480
            max_recipients=1000
            [scan]
            only_in_ini=yes
            """;
        var file = ImsvaExportBuilder.Minimal()
            .WithGlobalSettings([("imp_exp", "enable_ems_migrate", "1"), ("smtp", "max_message_size_kb", "10240"), ("smtp", "max_recipients", "1000"), ("euq", "expired_interval", "15")], ini)
            .Build();
        var g = LoadOk(file).GlobalSettings;
        Assert.Equal(10240, g.Smtp.MaxMessageSizeKb);
        Assert.Equal(1000, g.Smtp.MaxRecipients);
        Assert.Equal(15, g.Euq.ExpiredIntervalMinutes);
        Assert.Equal("yes", g.Get("scan", "only_in_ini"));
        Assert.Collection(g.Disagreements,
            d => Assert.Equal(new SettingDisagreement("smtp", "max_message_size_kb", DisagreementKind.DifferentValue, "20480", "10240",
                new SourceLocation("imss.ini", 5), new SourceLocation("db/tb_global_setting.csv", 3)), d),
            d => Assert.Equal(new SettingDisagreement("euq", "expired_interval", DisagreementKind.MissingInIni, null, "15",
                null, new SourceLocation("db/tb_global_setting.csv", 5)), d),
            d => Assert.Equal(new SettingDisagreement("scan", "only_in_ini", DisagreementKind.MissingInDatabase, "yes", null,
                new SourceLocation("imss.ini", 8), null), d));
        Assert.Equal(SettingOrigin.Both, g.Effective.Single(s => s.Name == "max_recipients").Origin);
        Assert.Equal(SettingOrigin.Database, g.Effective.Single(s => s.Name == "max_message_size_kb").Origin);
        Assert.Equal(SettingOrigin.ImssIni, g.Effective.Single(s => s.Name == "only_in_ini").Origin);
    }

    [Fact]
    public void Unknown_keys_and_other_ini_files_are_kept_raw()
    {
        var csv = """
            section,name,value,inifile
            imp_exp,enable_ems_migrate,1,imss.ini
            smart_scan,use_local,1,imss.ini
            update,DefaultServer,"http://update.example/a,b",imss.ini
            scan,"odd ""quoted"" name","multi
            line",imss.ini
            foxproxy,tls_forced,1,foxproxy.ini
            """;
        const string ini = "[imp_exp]\nenable_ems_migrate=1\n[smart_scan]\nuse_local=1\n[update]\nDefaultServer=http://update.example/a,b\n[scan]\nodd \"quoted\" name=multi\n";
        var file = ImsvaExportBuilder.Minimal().With("db/tb_global_setting.csv", csv).With("imss.ini", ini).Build();
        var g = LoadOk(file).GlobalSettings;
        Assert.True(g.SmartScan.UseLocal);
        Assert.Equal([("update", "DefaultServer", "http://update.example/a,b", "imss.ini", 4), ("scan", "odd \"quoted\" name", "multi\nline", "imss.ini", 5), ("foxproxy", "tls_forced", "1", "foxproxy.ini", 7)],
            g.Unknown.Select(u => (u.Section, u.Name, u.Value, u.IniFile, u.At.Line)));
        var disagreement = Assert.Single(g.Disagreements);
        Assert.Equal(("odd \"quoted\" name", DisagreementKind.DifferentValue, "multi", "multi\nline"), (disagreement.Name, disagreement.Kind, disagreement.IniValue, disagreement.DatabaseValue));
    }

    [Theory]
    [InlineData("section,name,value\nimp_exp,enable_ems_migrate,1\n", 1, "header")]
    [InlineData("section,name,value,inifile\nimp_exp,enable_ems_migrate,1\n", 2, "3 fields")]
    [InlineData("section,name,value,inifile\nimp_exp,enable_ems_migrate,\"1,imss.ini\n", 2, "not closed")]
    [InlineData("section,name,value,inifile\nimp_exp,enable_\"ems\"_migrate,1,imss.ini\n", 2, "double quote")]
    [InlineData("section,name,value,inifile\nimp_exp,\"enable\"x,1,imss.ini\n", 2, "after a closing quote")]
    [InlineData("section,name,value,inifile\n,enable_ems_migrate,1,imss.ini\n", 2, "without section")]
    [InlineData("", 1, "empty")]
    [InlineData("section,name,value,inifile\nimp_exp,enable_ems_migrate,1,imss.ini\nsmtp,max_recipients,lots,imss.ini\n", 3, "max_recipients")]
    public void A_malformed_csv_names_the_line(string csv, int line, string detail)
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().With("db/tb_global_setting.csv", csv).Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal(("db/tb_global_setting.csv", (int?)line), (fatal.Entry, fatal.Line));
        Assert.Contains(detail, fatal.Detail);
    }

    [Fact]
    public void Csv_with_crlf_a_bom_and_blank_lines_is_read()
    {
        var file = ImsvaExportBuilder.Minimal().WithUtf8Bom("db/tb_global_setting.csv", "section,name,value,inifile\r\nimp_exp,enable_ems_migrate,1,imss.ini\r\n\r\nsmtp,max_recipients,42,imss.ini\r\n").Build();
        Assert.Equal(42, LoadOk(file).GlobalSettings.Smtp.MaxRecipients);
    }

    [Fact]
    public void Without_the_switch_row_the_IMSVA_command_is_shown()
    {
        var file = ImsvaExportBuilder.Minimal("IMSVA").WithGlobalSettings([("smtp", "max_recipients", "1000")]).Build();
        var fatal = LoadFatal(file, FatalErrorCode.MigrationNotEnabled);
        Assert.Equal(ImsvaProduct.Imsva, fatal.Product);
        Assert.Equal(MigrationSwitch.ImsvaCommand, fatal.EnableMigrationCommand);
        Assert.DoesNotContain("-h 127.0.0.1", fatal.EnableMigrationCommand);
        Assert.Contains("psql imss sa -c \"insert into tb_global_setting (section, name, value, inifile) values ('imp_exp', 'enable_ems_migrate', '1', 'imss.ini');\"", fatal.GetMessage(Ja));
        Assert.Contains("IMSVA のコンソールに root ユーザでログオン", fatal.GetMessage(Ja));
        Assert.Contains("Log on to the IMSVA server as root", fatal.GetMessage(En));
    }

    [Fact]
    public void A_switch_set_to_zero_or_only_in_imss_ini_does_not_count()
    {
        LoadFatal(ImsvaExportBuilder.Minimal().WithGlobalSettings([("imp_exp", "enable_ems_migrate", "0")]).Build(), FatalErrorCode.MigrationNotEnabled);
        var onlyIni = ImsvaExportBuilder.Minimal("IMSS", 1417).WithGlobalSettings([("smtp", "max_recipients", "10")], "[imp_exp]\nenable_ems_migrate=1\n").Build();
        var fatal = LoadFatal(onlyIni, FatalErrorCode.MigrationNotEnabled);
        Assert.Equal(MigrationSwitch.ImssCommand, fatal.EnableMigrationCommand);
        Assert.Contains("effective value '1'", fatal.Detail);
    }

    [Fact]
    public void Without_a_known_product_both_commands_are_shown()
    {
        var error = new ExportFatalError { Code = FatalErrorCode.MigrationNotEnabled, FileName = "x.dat", Detail = "" };
        Assert.Null(error.EnableMigrationCommand);
        Assert.Contains(MigrationSwitch.ImssCommand, error.GetMessage(Ja));
        Assert.Contains(MigrationSwitch.ImsvaCommand, error.GetMessage(En));
    }

    [Fact]
    public void Every_message_resource_exists_in_japanese_and_english()
    {
        var resources = new System.Resources.ResourceManager("Sekisho.Migration.Export.Messages", typeof(ExportFatalError).Assembly);
        var en = resources.GetResourceSet(CultureInfo.InvariantCulture, true, false)!.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        var ja = resources.GetResourceSet(Ja, true, false)!.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        Assert.Equal(en.Keys.Order(), ja.Keys.Order());
        Assert.All(en.Keys.Where(k => k.StartsWith("Problem.") || k.StartsWith("Fix.")), k => Assert.NotEqual(en[k], ja[k]));
        foreach (var code in Enum.GetValues<FatalErrorCode>())
        {
            var error = new ExportFatalError { Code = code, FileName = "f.dat", Detail = "d", Entry = "e", Limit = ExportLimitKind.EntryCount, LimitValue = 1, ActualValue = 2 };
            Assert.NotEqual(error.GetMessage(Ja), error.GetMessage(En));
            Assert.Contains("f.dat", error.GetMessage(Ja));
        }
        foreach (var limit in Enum.GetValues<ExportLimitKind>()) Assert.True(en.ContainsKey("Limit." + limit), limit.ToString());
        foreach (var reason in Enum.GetValues<UnsafeEntryReason>()) Assert.True(en.ContainsKey("Unsafe." + reason), reason.ToString());
        foreach (var reason in Enum.GetValues<NotAnExportReason>()) Assert.True(en.ContainsKey("NotAnExport." + reason), reason.ToString());
    }
}
