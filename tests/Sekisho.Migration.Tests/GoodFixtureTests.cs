using System.Xml;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Sekisho.Migration.Export;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Tests;

/// <summary>
/// The two good fixtures load completely; what the model holds is compared with the unpacked XML of the
/// fixture directories, read independently with LINQ to XML.
/// </summary>
public sealed class GoodFixtureTests
{
    private static readonly Lazy<ImsvaExport> Enterprise = new(() => LoadFixture("enterprise-ja"));
    private static readonly Lazy<ImsvaExport> Seed = new(() => LoadFixture("seed-example"));

    private static ImsvaExport LoadFixture(string name)
    {
        var result = ImsvaExportLoader.LoadFileAsync(Support.FixtureDat(name + ".dat")).GetAwaiter().GetResult();
        Assert.True(result.Succeeded, result.Fatal?.ToString());
        return result.Export;
    }

    private static XElement Xml(string fixture, string entry) =>
        XDocument.Load(Path.Combine(Support.FixtureDir(fixture), entry), LoadOptions.SetLineInfo).Root!;

    public static TheoryData<string> Fixtures => new() { "enterprise-ja", "seed-example" };

    private static ImsvaExport Get(string fixture) => fixture == "seed-example" ? Seed.Value : Enterprise.Value;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void File_identity_is_the_hash_of_the_bytes_and_export_ini_matches_expected_json(string fixture)
    {
        var export = Get(fixture);
        var bytes = File.ReadAllBytes(Support.FixtureDat(fixture + ".dat"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), export.File.Sha256);
        Assert.Equal(fixture + ".dat", export.File.FileName);
        Assert.Equal(bytes.Length, export.File.CompressedBytes);

        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Support.FixtureDir(fixture), "expected.json")));
        var source = expected.RootElement.GetProperty("source");
        Assert.Equal(source.GetProperty("product").GetString(), export.Info.Product.ToString().ToUpperInvariant());
        Assert.Equal(source.GetProperty("build").GetInt32(), export.Info.Build);
        Assert.Equal(source.GetProperty("language").GetString(), export.Info.Language);
        Assert.Equal("9.1", export.Info.Version);
        Assert.Equal("linux", export.Info.Platform);
        Assert.False(export.Info.IsBelowBuildFloor);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_entry_of_the_unpacked_directory_is_in_the_export_and_nothing_is_unknown(string fixture)
    {
        var export = Get(fixture);
        var dir = Support.FixtureDir(fixture);
        var onDisk = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(dir, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(n => n != "expected.json").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(onDisk, export.Entries.Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());
        foreach (var entry in export.Entries)
            Assert.Equal(new FileInfo(Path.Combine(dir, entry.Name)).Length, entry.Size);
        Assert.Empty(export.UnknownEntries);
        Assert.Empty(export.UnknownXml);
        Assert.Empty(export.UnknownExportInfoKeys);
        Assert.Empty(export.DanglingReferences);
        Assert.Empty(export.GlobalSettings.Disagreements);
        Assert.True(export.GlobalSettings.MigrationEnabled);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Rules_match_the_unpacked_rules_xml(string fixture)
    {
        var export = Get(fixture);
        var xml = Xml(fixture, "policy/rules.xml").Elements("Rule").ToArray();
        Assert.Equal(xml.Length, export.Rules.Count);
        foreach (var (element, rule) in xml.Zip(export.Rules))
        {
            Assert.Equal((string)element.Attribute("id")!, rule.Id);
            Assert.Equal((int)element.Attribute("order")!, rule.Order);
            Assert.Equal((bool)element.Attribute("enabled")!, rule.Enabled);
            Assert.Equal(element.Element("Name")!.Value, rule.Name);
            Assert.Equal(element.Element("Notes")?.Value ?? "", rule.Notes);
            Assert.Equal((string)element.Attribute("type")!, rule.Type switch
            {
                RuleType.Antivirus => "antivirus", RuleType.Other => "other", RuleType.DkimEnforcement => "dkim_enforcement", _ => "?",
            });
            var route = element.Element("Route")!;
            Assert.Equal((string)route.Attribute("applyTo")!, rule.Route.ApplyTo.ToString().ToLowerInvariant());
            Assert.Equal(route.Element("Senders")?.Elements().Select(e => e.Name.LocalName) ?? [], rule.Route.Senders.Select(EntryName));
            Assert.Equal(route.Element("Recipients")?.Elements().Select(e => e.Name.LocalName) ?? [], rule.Route.Recipients.Select(EntryName));
            Assert.Equal(route.Element("Exceptions")?.Elements("Pair").Count() ?? 0, rule.Route.Exceptions.Count);

            var conditions = element.Element("Conditions");
            if (conditions is null) Assert.Null(rule.Conditions);
            else
            {
                Assert.NotNull(rule.Conditions);
                Assert.Equal((string?)conditions.Attribute("match"), rule.Conditions.Match?.ToString().ToLowerInvariant());
                Assert.Equal(conditions.Elements().Select(e => e.Name.LocalName), rule.Conditions.Items.Select(ConditionName));
            }
            Assert.Equal(element.Element("DkimEnforcement")?.Elements("Domain").Select(d => d.Value) ?? [], rule.DkimEnforcement?.Domains ?? []);

            var actions = element.Element("Actions")!;
            Assert.Equal((string?)actions.Element("Intercept")?.Attribute("type"), InterceptName(rule.Actions.Intercept));
            Assert.Equal(actions.Elements("Modify").Elements().Select(e => e.Name.LocalName), rule.Actions.Modify.Select(m => m.GetType().Name));
            Assert.Equal(actions.Elements("Monitor").Elements().Select(e => e.Name.LocalName == "Archive" ? "ArchiveTo" : e.Name.LocalName), rule.Actions.Monitor.Select(m => m.GetType().Name));
            Assert.Equal((string?)actions.Element("VirusHandling")?.Attribute("mode"), rule.Actions.VirusHandling is { } v ? Snake(v.Mode.ToString()) : null);
            Assert.Equal(element.Elements("SpecialActions").Select(s => (string)s.Attribute("kind")!), rule.SpecialActions.Select(s => Snake(s.Kind.ToString())));
            Assert.Equal(new SourceLocation("policy/rules.xml", ((IXmlLineInfo)element).LineNumber, ((IXmlLineInfo)element).LinePosition), rule.At);
        }
    }

    private static string EntryName(RouteEntry entry) => entry switch
    {
        AnyoneEntry => "Anyone", AddressEntry => "Address", AddressGroupEntry => "AddressGroup",
        LdapUserEntry => "LdapUser", LdapGroupEntry => "LdapGroup", _ => "?",
    };

    private static string ConditionName(ScanningCondition c) => c switch
    {
        ContentKeywords k => k.Area + "Keywords",
        _ => c.GetType().Name,
    };

    private static string? InterceptName(Intercept? i) => i switch
    {
        null => null, DoNotIntercept => "none", DeleteEntireMessage => "delete", QuarantineTo => "quarantine",
        ChangeRecipientTo => "change_recipient", Handoff => "handoff", _ => "?",
    };

    private static string Snake(string pascal) => string.Concat(pascal.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "_" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    [Fact]
    public void Rule_R16_keeps_its_all_match_spam_and_attachment_size_conditions()
    {
        var r16 = Enterprise.Value.Rule("R16")!;
        Assert.Equal("混在ルール(AND)", r16.Name);
        Assert.Equal("スパム判定かつ大きい添付", r16.Notes);
        Assert.Equal(7, r16.Order);
        Assert.Equal(ConditionMatch.All, r16.Conditions!.Match);
        Assert.Collection(r16.Conditions.Items,
            c => Assert.Equal(SpamCatchRate.High, Assert.IsType<Spam>(c).CatchRate),
            c =>
            {
                var size = Assert.IsType<AttachmentSize>(c);
                Assert.Equal(ComparisonOperator.GreaterThan, size.Op);
                Assert.Equal(5242880, size.Bytes);
            });
        Assert.IsType<DeleteEntireMessage>(r16.Actions.Intercept);
        Assert.Equal(RouteDirection.Incoming, r16.Route.ApplyTo);
        Assert.Equal("AG1", Assert.IsType<AddressGroupEntry>(Assert.Single(r16.Route.Recipients)).GroupId);
        Assert.True(r16.Route.AnySender);
        Assert.Equal(new SourceLocation("policy/rules.xml", 77, 4), r16.At);
    }

    [Fact]
    public void Rule_R24_is_the_global_dkim_enforcement_rule_with_its_domains()
    {
        var r24 = Enterprise.Value.Rule("R24")!;
        Assert.Equal(RuleType.DkimEnforcement, r24.Type);
        Assert.Equal(["bank.example", "pay.example.com"], r24.DkimEnforcement!.Domains);
        Assert.Null(r24.Conditions);
        Assert.Equal("QA1", Assert.IsType<QuarantineTo>(r24.Actions.Intercept).AreaId);
    }

    [Fact]
    public void Enterprise_rules_carry_every_attribute_of_their_conditions_and_actions()
    {
        var e = Enterprise.Value;
        var r10 = e.Rule("R10")!;
        Assert.Equal(BuiltinRule.GlobalAntivirus, r10.Builtin);
        Assert.Equal(RouteDirection.All, r10.Route.ApplyTo);
        Assert.Null(r10.Conditions!.Match);
        Assert.Collection(r10.Conditions.Items,
            c => Assert.Equal(FilesToScanMode.IntelliScan, Assert.IsType<FilesToScan>(c).Mode),
            c => Assert.Equal(new IntelliTrap(true, false, c.At), c),
            c => Assert.Equal(["spyware", "adware", "dialer", "hacking_tool", "joke", "remote_access", "password_cracker", "other"], Assert.IsType<SpywareGrayware>(c).Categories),
            c =>
            {
                var a = Assert.IsType<AdvancedThreats>(c);
                Assert.True(a.Atse);
                Assert.False(a.VirtualAnalyzer);
                Assert.Equal(SecurityLevel.Low, a.Level);
            });
        Assert.Equal(VirusHandlingMode.CleanThenDeleteMatching, r10.Actions.VirusHandling!.Mode);
        Assert.Equal("NT1", Assert.IsType<Notify>(Assert.Single(r10.Actions.Monitor)).NotificationId);
        var special = Assert.Single(r10.SpecialActions);
        Assert.Equal(SpecialVirusKind.MassMailing, special.Kind);
        Assert.IsType<DeleteEntireMessage>(special.Actions.Intercept);

        var spam = Assert.IsType<Spam>(Assert.Single(e.Rule("R11")!.Conditions!.Items));
        Assert.Equal(BuiltinRule.DefaultSpam, e.Rule("R11")!.Builtin);
        Assert.Equal(["*@newsletter.partner.example"], spam.ApprovedSenders);
        Assert.Equal(["*@spam.example.org"], spam.BlockedSenders);

        var r12 = e.Rule("R12")!;
        Assert.Equal(["exe", "msi", "lnk", "7z"], Assert.IsType<AttachmentTrueFileType>(r12.Conditions!.Items[0]).Types);
        var names = Assert.IsType<AttachmentName>(r12.Conditions.Items[1]);
        Assert.Equal(AttachmentSelection.Selected, names.Select);
        Assert.Equal(["*.scr", "*.js"], names.Patterns);
        Assert.Equal("実行形式・ショートカット・7z を削除", r12.Notes);

        var r13 = e.Rule("R13")!;
        Assert.Equal(RouteDirection.Outgoing, r13.Route.ApplyTo);
        Assert.Equal("AG2", Assert.IsType<AddressGroupEntry>(Assert.Single(r13.Route.Senders)).GroupId);
        Assert.Equal(["KW2"], Assert.IsType<ContentKeywords>(r13.Conditions!.Items[0]).ListIds);
        Assert.Equal(new AttachmentCount(ComparisonOperator.GreaterThan, 0, r13.Conditions.Items[1].At), r13.Conditions.Items[1]);

        var r14 = e.Rule("R14")!.Conditions!.Items;
        Assert.Equal(20971520, Assert.IsType<MessageSize>(r14[0]).Bytes);
        Assert.Equal(100, Assert.IsType<RecipientCount>(r14[1]).Value);

        var wrs = Assert.IsType<WebReputation>(e.Rule("R15")!.Conditions!.Items[1]);
        Assert.Equal((SecurityLevel.Medium, UntestedUrlAction.SubmitToVirtualAnalyzer, TimeOfClick.SmartFlags, false, true),
            (wrs.Level, wrs.Untested, wrs.TimeOfClick, wrs.SignedMessages, wrs.UseApprovedList));
        Assert.IsType<Phishing>(e.Rule("R15")!.Conditions!.Items[0]);

        var ldapGroup = Assert.IsType<LdapGroupEntry>(Assert.Single(e.Rule("R17")!.Route.Recipients));
        Assert.Equal(("cn=executives,ou=groups,dc=example,dc=co,dc=jp", "executives"), (ldapGroup.Dn, ldapGroup.Name));
        Assert.Equal("[役員宛・要確認]", Assert.IsType<TagSubject>(Assert.Single(e.Rule("R17")!.Actions.Modify)).Text);

        var ldapUser = Assert.IsType<LdapUserEntry>(Assert.Single(e.Rule("R18")!.Route.Recipients));
        Assert.Equal("eigyo@example.co.jp", ldapUser.Mail);
        var header = Assert.IsType<ContentKeywords>(Assert.Single(e.Rule("R18")!.Conditions!.Items));
        Assert.Equal(KeywordArea.Header, header.Area);
        Assert.Equal(["X-Mailer", "User-Agent"], header.Headers);
        var xheader = Assert.IsType<InsertXHeader>(Assert.Single(e.Rule("R18")!.Actions.Modify));
        Assert.Equal(("X-Checked-By", "imsva"), (xheader.Name, xheader.Value));

        Assert.Equal(RouteDirection.Pop3, e.Rule("R19")!.Route.ApplyTo);
        Assert.Empty(e.Rule("R19")!.Route.Recipients);
        Assert.Equal(new TimeOnly(22, 0), Assert.IsType<PostponeDelivery>(Assert.Single(e.Rule("R20")!.Actions.Modify)).DeliverAt);
        Assert.Equal("C&Cメール検出", e.Rule("R21")!.Name);
        Assert.IsType<CnCEmail>(Assert.Single(e.Rule("R21")!.Conditions!.Items));
        Assert.Equal(["application/x-msdownload"], Assert.IsType<AttachmentMimeType>(Assert.Single(e.Rule("R22")!.Conditions!.Items)).Types);
        Assert.Equal(new Handoff("10.0.0.50", 25, e.Rule("R22")!.Actions.Intercept!.At), e.Rule("R22")!.Actions.Intercept);
        Assert.Equal(["security@example.co.jp", "soc@mssp.example.net"], Assert.IsType<ChangeRecipientTo>(e.Rule("R23")!.Actions.Intercept).Addresses);
        Assert.Equal(["DT1"], Assert.IsType<Dlp>(Assert.Single(e.Rule("R25")!.Conditions!.Items)).TemplateIds);
        Assert.False(e.Rule("R26")!.Enabled);
        var threshold = Assert.IsType<Spam>(Assert.Single(e.Rule("R27")!.Conditions!.Items));
        Assert.Equal((SpamCatchRate.Threshold, 6.5m), (threshold.CatchRate, threshold.Threshold));
        var exemption = Assert.Single(Assert.IsType<Spam>(Assert.Single(e.Rule("R28")!.Conditions!.Items)).TextExemptions);
        Assert.Equal(("社内通知", TextScanArea.From, false, "From: ", "@example-group.co.jp"),
            (exemption.Name, exemption.ScanArea, exemption.CaseSensitive, exemption.LineBeginning, exemption.LineEnd));
        Assert.Equal(["audit@example.co.jp"], Assert.IsType<Bcc>(Assert.Single(e.Rule("R29")!.Actions.Monitor)).Addresses);
        Assert.Equal(["KW4"], Assert.IsType<ContentKeywords>(Assert.Single(e.Rule("R31")!.Conditions!.Items)).ListIds);
        Assert.Equal(Enumerable.Range(1, 22), e.RulesInOrder.Select(r => r.Order));
    }

    [Fact]
    public void Enterprise_objects_match_the_unpacked_objects_xml()
    {
        var o = Enterprise.Value.Objects;
        var xml = Xml("enterprise-ja", "policy/objects.xml");
        Assert.Equal(
            xml.Element("AddressGroups")!.Elements().Select(g => ((string)g.Attribute("id")!, (string)g.Attribute("name")!, string.Join("|", g.Elements("Address").Select(a => a.Value)))),
            o.AddressGroups.Select(g => (g.Id, g.Name, string.Join("|", g.Addresses))));
        Assert.Equal(
            xml.Element("KeywordExpressions")!.Elements("List").SelectMany(l => l.Elements("Expression").Select(x =>
                ((string)l.Attribute("id")!, x.Value, (bool)x.Attribute("caseSensitive")!, (int)x.Attribute("score")!))),
            o.KeywordLists.SelectMany(l => l.Expressions.Select(x => (l.Id, x.Text, x.CaseSensitive, x.Score))));
        var kw2 = o.KeywordLists.Single(l => l.Id == "KW2");
        Assert.Equal((KeywordMatch.Score, (int?)10), (kw2.Match, kw2.Threshold));
        Assert.Equal("{D}{D}{D}{D}-{D}{D}{D}{D}-{D}{D}{D}{D}-{D}{D}{D}{D}", kw2.Expressions[2].Text);

        Assert.Equal(xml.Element("Notifications")!.Elements().Select(n => (string)n.Attribute("id")!), o.Notifications.Select(n => n.Id));
        var nt1 = o.Notifications[0];
        Assert.Equal(("管理者通知", "policy", "ISO-2022-JP", "imsva@example.co.jp", "admin@example.co.jp", "[IMSVA] %RULENAME%", false),
            (nt1.Name, nt1.Type, nt1.Charset, nt1.From, nt1.To, nt1.Subject, nt1.AttachOriginal));
        Assert.Equal("%SENDER% から %RCPTS% 宛のメール「%SUBJECT%」を処理しました (%VIRUSNAME%)。", nt1.Body);
        Assert.Equal(["%RULENAME%", "%SENDER%", "%RCPTS%", "%SUBJECT%", "%VIRUSNAME%"], nt1.Variables);
        Assert.Equal(["%CUSTOM_FIELD%", "%SUBJECT%"], o.Notifications[2].Variables);
        Assert.True(o.Notifications[2].AttachOriginal);

        var st1 = Assert.Single(o.Stamps);
        Assert.Equal(("ST1", "外部メール注意", StampPosition.Beginning, true, StampFormat.Text, "【外部メール】差出人をご確認ください。"),
            (st1.Id, st1.Name, st1.Position, st1.SkipSigned, st1.Format, st1.Text));
        Assert.Equal(["partner.example.com"], o.DkimApprovedList);
        Assert.Equal(["intra.example.co.jp", "*.example-group.co.jp"], o.WebReputationApprovedList.Domains);
        Assert.Equal(["unsubscribe_token", "ab"], o.UrlKeywordList);

        var dx1 = Assert.IsType<DlpExpressionIdentifier>(o.DlpDataIdentifiers[0]);
        Assert.Equal(("DX1", "マイナンバー(12桁)", false, "\\b\\d{4}\\s?\\d{4}\\s?\\d{4}\\b"), (dx1.Id, dx1.Name, dx1.Predefined, dx1.Pattern));
        var df1 = Assert.IsType<DlpFileAttributeIdentifier>(o.DlpDataIdentifiers[1]);
        Assert.Equal((false, 0, "*.csv", 1L, 2147483648L), (df1.Except, df1.Types.Count, df1.Extensions.Single(), df1.MinBytes, df1.MaxBytes));
        var dt1 = Assert.Single(o.DlpTemplates);
        Assert.Equal("[DX1] Or [DF1]", dt1.ConditionText);
        Assert.Equal([new DlpConditionTerm(DlpOperator.First, "DX1"), new DlpConditionTerm(DlpOperator.Or, "DF1")], dt1.Condition!.Terms);
        Assert.Null(dt1.ConditionError);
    }

    [Fact]
    public void Enterprise_settings_screens_are_read()
    {
        var e = Enterprise.Value;
        Assert.Equal("domains", e.InternalAddresses!.Mode);
        Assert.Equal(["example.co.jp", "example-group.co.jp"], e.InternalAddresses.Domains);

        var sf = e.SenderFiltering!;
        Assert.True(sf.ApprovedList!.Enabled && sf.ApprovedList.ApplyToErsIpProfiler);
        Assert.Equal(["203.0.113.10", "198.51.100.0/24", "10.1.2.3"], sf.ApprovedList.Ips);
        Assert.Equal(["relay.partner.example"], sf.ApprovedList.Domains);
        Assert.Equal(("本社MTA", "192.0.2.0/28"), (sf.ApprovedList.ComputerGroups[0].Name, sf.ApprovedList.ComputerGroups[0].Ips.Single()));
        Assert.Equal([("192.0.2.200", BlockAction.BlockPermanently, (int?)null), ("198.51.100.77", BlockAction.BlockTemporarily, 60)],
            sf.BlockedList!.Entries.Select(b => (b.Ip, b.Action, b.Minutes)));
        Assert.Equal((true, ErsLevel.Advanced), (sf.EmailReputation!.Enabled, sf.EmailReputation.Level));
        Assert.Equal([(IpProfilerKind.Spam, true, (int?)60), (IpProfilerKind.DirectoryHarvest, false, null)], sf.IpProfilerRules.Select(r => (r.Kind, r.Enabled, r.BlockMinutes)));
        Assert.Equal((true, true, false, "*", "203.0.113.10"), (sf.Dmarc!.Enabled, sf.Dmarc.InsertXHeader, sf.Dmarc.DailyReports, sf.Dmarc.VerificationDomains.Single(), sf.Dmarc.ExceptionIps.Single()));
        Assert.Equal([(DmarcPolicy.None, DmarcDisposition.Deliver), (DmarcPolicy.Quarantine, DmarcDisposition.Quarantine), (DmarcPolicy.Reject, DmarcDisposition.Reject), (DmarcPolicy.NoRecord, DmarcDisposition.Deliver)],
            sf.Dmarc.Actions.Select(a => (a.Policy, a.Do)));

        var smtp = e.SmtpRouting!;
        Assert.Equal((25, 200, 5), (smtp.Connections!.Port, smtp.Connections.MaxConnections, smtp.Connections.IdleMinutes));
        Assert.Equal((20, 1000), (smtp.MessageRule!.MaxMessageSizeMb, smtp.MessageRule.MaxRecipients));
        Assert.Equal(["example.co.jp", "example-group.co.jp", "subsidiary.example.jp"], smtp.RelayDomains);
        Assert.Equal((RelaySenderMode.Specified, "10.0.0.25,10.0.0.26"), (smtp.PermittedRelaySenders!.Mode, string.Join(",", smtp.PermittedRelaySenders.Ips)));
        Assert.Equal([("example.co.jp", "10.0.0.25", 25, 10), ("example.co.jp", "10.0.0.26", 25, 20), ("example-group.co.jp", "10.0.1.25", 25, 10), ("subsidiary.example.jp", "mail.subsidiary.example.jp", 2525, 10)],
            smtp.Delivery.SelectMany(r => r.Servers.Select(s => (r.Target, s.Host, s.Port, s.Preference))));
        Assert.All(smtp.Delivery, r => Assert.Equal(DeliveryMethod.Static, r.Method));
        Assert.Equal((true, false, "bank.example", TlsLevel.Must), (smtp.Tls!.Incoming, smtp.Tls.OnlyTls, smtp.Tls.Peers.Single().Match, smtp.Tls.Peers.Single().Level));

        var sig = Assert.Single(e.DkimSignatures!);
        Assert.Equal(("example.co.jp", "imsva2024", (int?)2048, DkimCanonicalization.Relaxed, DkimCanonicalization.Relaxed), (sig.Domain, sig.Selector, sig.KeyBits, sig.HeaderCanonicalization, sig.BodyCanonicalization));
        Assert.Equal(["From", "To", "Subject", "Date", "Message-ID"], sig.Headers);
        Assert.Equal(["example-group.co.jp"], sig.ExemptDomains);
        var pem = XDocument.Load(Path.Combine(Support.FixtureDir("enterprise-ja"), "dkim_signature.xml")).Root!.Element("Signature")!.Element("PrivateKeyPem")!.Value;
        Assert.Equal(pem, sig.PrivateKeyPem.Reveal());
        Assert.DoesNotContain("BEGIN PRIVATE KEY", sig.ToString());
        Assert.DoesNotContain("MIIEvwIBADANBgkqhkiG9w0BAQEFAASC", e.ToString());

        var ldap = e.Ldap!;
        Assert.Equal((LdapServerType.ActiveDirectory, "dc01.example.co.jp", (int?)389, true), (ldap.ServerType, ldap.Servers[0].Host, ldap.Servers[0].Port, ldap.Servers[0].Enabled));
        Assert.Equal(("svc-imsva@example.co.jp", "dc=example,dc=co,dc=jp", true, "simple"), (ldap.AdminAccount, ldap.BaseDn, ldap.PasswordSet, ldap.AuthMethod));

        Assert.Equal([("QA1", "Default", (int?)30)], e.Areas!.Quarantine.Select(a => (a.Id, a.Name, a.Days)));
        Assert.Equal([("AA1", "監査アーカイブ", (int?)365)], e.Areas.Archive.Select(a => (a.Id, a.Name, a.Days)));
        Assert.Null(e.EndUserQuarantine);
        Assert.Null(e.ScanningExceptions);
        Assert.Empty(e.AdminScreens);

        var g = e.GlobalSettings;
        Assert.Equal((20480L, 1000), (g.Smtp.MaxMessageSizeKb!.Value, g.Smtp.MaxRecipients!.Value));
        Assert.Equal(5, g.Euq.ExpiredIntervalMinutes);
        Assert.False(g.SmartScan.UseLocal);
        Assert.Empty(g.Unknown);
        Assert.All(g.Effective, s => Assert.Equal(SettingOrigin.Both, s.Origin));
    }

    [Fact]
    public void Seed_example_is_the_migration_guide_policy_table()
    {
        var s = Seed.Value;
        Assert.Equal((ImsvaProduct.Imss, 1417, "IMSS 9.1 Linux", "9.1.0.1417"), (s.Info.Product, s.Info.Build, s.Info.ProductLabel, s.Info.FullVersion));
        Assert.Equal(new DateTimeOffset(2024, 5, 22, 6, 39, 25, TimeSpan.Zero), s.Info.ExportedAt);
        Assert.Equal(("imss01.example.co.jp", "parent", 1), (s.Info.Hostname, s.Info.Role, s.Info.Format));
        Assert.Equal(["R1", "R2", "R3", "R4"], s.Rules.Select(r => r.Id));
        var r1 = s.Rule("R1")!;
        Assert.Null(r1.Conditions);
        Assert.IsType<DoNotIntercept>(r1.Actions.Intercept);
        Assert.Equal(["ddei-bcc@ddei.example.local"], Assert.IsType<Bcc>(Assert.Single(r1.Actions.Monitor)).Addresses);
        var r4 = s.Rule("R4")!;
        Assert.Equal("AG1", Assert.IsType<AddressGroupEntry>(Assert.Single(r4.Route.Senders)).GroupId);
        var pair = Assert.Single(r4.Route.Exceptions);
        Assert.Equal(("*@*", "soumu@example.co.jp"), (pair.Sender, pair.Recipient));
        Assert.Equal("ST1", Assert.IsType<InsertStamp>(Assert.Single(r4.Actions.Modify)).StampId);
        Assert.IsType<PasswordProtectedZip>(Assert.Single(r4.Conditions!.Items));
        var body = Assert.Single(s.Objects.Notifications).Body;
        Assert.Equal("差出人: %SENDER%\n宛先: %RCPTS%\n件名: %SUBJECT%\n日時: %DATE&TIME%", body);
        Assert.Contains("%DATE&TIME%", s.Objects.Notifications[0].Variables);
        Assert.Null(s.SenderFiltering);
        Assert.Null(s.DkimSignatures);
        Assert.Equal(10240, s.GlobalSettings.Smtp.MaxMessageSizeKb);
        Assert.Equal(500, s.GlobalSettings.Smtp.MaxRecipients);
        Assert.Null(s.GlobalSettings.Euq.ExpiredIntervalMinutes);
    }

    [Fact]
    public void The_same_export_repacked_differently_has_another_hash_but_the_same_content()
    {
        var repacked = Sekisho.Testing.Imsva.ImsvaExportBuilder.FromDirectory(Support.FixtureDir("enterprise-ja")).Build();
        var again = Support.LoadOk(repacked, "enterprise-ja.dat");
        Assert.NotEqual(Enterprise.Value.File.Sha256, again.File.Sha256);
        Assert.Equal(Enterprise.Value.File.UncompressedBytes, again.File.UncompressedBytes);
        Assert.Equal(Enterprise.Value.Rules.Select(r => (r.Id, r.Name, r.Conditions?.Items.Count, r.At)), again.Rules.Select(r => (r.Id, r.Name, r.Conditions?.Items.Count, r.At)));
    }
}
