using Sekisho.Migration.Export;
using Sekisho.Migration.Source;
using Sekisho.Testing.Imsva;
using static Sekisho.Migration.Tests.Support;

namespace Sekisho.Migration.Tests;

/// <summary>XML entries: safety, limits, unknown content kept with its place, optional screens, references.</summary>
public sealed class XmlEntryTests
{
    private const string Head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    private static ImsvaExportBuilder WithRules(string rules) => ImsvaExportBuilder.Minimal().With("policy/rules.xml", Head + rules);

    private const string RouteAnyone = "<Route applyTo=\"incoming\"><Senders><Anyone/></Senders><Recipients><Anyone/></Recipients></Route>";

    private static string Rule(string body, string attributes = "") =>
        $"<PolicyList>\n<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"{attributes}>\n<Name>n</Name>\n{RouteAnyone}\n{body}\n</Rule>\n</PolicyList>";

    [Theory]
    [InlineData("policy/rules.xml", "PolicyList")]
    [InlineData("policy/objects.xml", "PolicyObjects")]
    [InlineData("sender_filtering.xml", "SenderFiltering")]
    [InlineData("admin/accounts.xml", "Accounts")]
    public void Any_dtd_is_malformed(string entry, string root)
    {
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().WithDtd(entry, root).Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal((entry, (int?)2), (fatal.Entry, fatal.Line));
    }

    [Fact]
    public void An_internal_entity_declaration_is_malformed_too()
    {
        var xml = Head + "<!DOCTYPE PolicyList [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<PolicyList>&lol2;</PolicyList>";
        LoadFatal(ImsvaExportBuilder.Minimal().With("policy/rules.xml", xml).Build(), FatalErrorCode.MalformedEntry);
    }

    [Theory]
    [InlineData("<PolicyList><Rule></PolicyList>", 2)]
    [InlineData("<PolicyList>\n<Rule id=\"R1\" id=\"R2\"/>\n</PolicyList>", 3)]
    [InlineData("<Policies/>", 2)]
    [InlineData("", null)]
    public void Xml_syntax_errors_name_the_line(string xml, int? line)
    {
        var fatal = LoadFatal(WithRules(xml).Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal(("policy/rules.xml", line), (fatal.Entry, fatal.Line));
    }

    [Fact]
    public void An_xml_declaration_in_another_encoding_is_ignored_because_entries_are_utf8()
    {
        var export = LoadOk(ImsvaExportBuilder.Minimal().With("policy/rules.xml", "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>" + Rule("")).Build());
        Assert.Equal("n", export.Rules[0].Name);
    }

    [Fact]
    public void A_byte_order_mark_is_tolerated()
    {
        var export = LoadOk(ImsvaExportBuilder.Minimal().WithUtf8Bom("policy/rules.xml", Head + Rule("")).Build());
        Assert.Single(export.Rules);
    }

    [Theory]
    [InlineData("<Rule id=\"R1\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "</Rule>", "'type'")]
    [InlineData("<Rule type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "</Rule>", "'id'")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"first\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "</Rule>", "integer")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"maybe\"><Name>n</Name>" + RouteAnyone + "</Rule>", "true or false")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\">" + RouteAnyone + "</Rule>", "<Name>")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name></Rule>", "<Route>")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + RouteAnyone + "</Rule>", "only once")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "</Rule><Rule id=\"R1\" type=\"other\" order=\"2\" enabled=\"true\"><Name>m</Name>" + RouteAnyone + "</Rule>", "used twice")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "<Conditions><Spam catchRate=\"threshold\"/></Conditions></Rule>", "threshold")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "<Conditions><ReceivedTimeRange days=\"mon\" from=\"25:00\" to=\"26:00\"/></Conditions></Rule>", "HH:MM")]
    [InlineData("<Rule id=\"R1\" type=\"other\" order=\"1\" enabled=\"true\"><Name>n</Name>" + RouteAnyone + "<Actions><Intercept type=\"delete\"/><Intercept type=\"none\"/></Actions></Rule>", "only once")]
    public void Missing_or_invalid_required_values_are_malformed_with_the_line(string rule, string detail)
    {
        var fatal = LoadFatal(WithRules("<PolicyList>\n" + rule + "\n</PolicyList>").Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal("policy/rules.xml", fatal.Entry);
        Assert.Equal(3, fatal.Line);
        Assert.Contains(detail, fatal.Detail);
    }

    [Fact]
    public void Unknown_elements_attributes_and_values_are_kept_with_entry_line_and_owner()
    {
        var rules = Rule("""
            <Conditions match="any" weight="3">
              <SubjectKeywords refs="KW1"/>
              <QuantumFilter level="11"><Param>x</Param></QuantumFilter>
              <AttachmentTrueFileType><Type>exe</Type><Type>hologram</Type></AttachmentTrueFileType>
              <ReceivedTimeRange days="mon,funday" from="09:00" to="17:30"/>
            </Conditions>
            <Actions>
              <Intercept type="teleport" target="mars"/>
              <Modify><TagSubject text="[x]"/><Encrypt method="s/mime"/></Modify>
              <Monitor><Notify ref="NT1"/><Syslog host="10.0.0.9"/></Monitor>
              <Escalate/>
            </Actions>
            <Schedule>nightly</Schedule>
            """, " priority=\"high\"").Replace("applyTo=\"incoming\"", "applyTo=\"sideways\"").Replace("<Recipients><Anyone/>", "<Recipients><Anyone/><Department code=\"42\"/>");
        var objects = Head + "<PolicyObjects><KeywordExpressions><List id=\"KW1\" name=\"k\" match=\"any\"><Expression>x</Expression></List></KeywordExpressions>"
            + "<Notifications><Notification id=\"NT1\" name=\"n\"/></Notifications><BatvKeys><Key>abc</Key></BatvKeys></PolicyObjects>";
        var export = LoadOk(WithRules(rules).With("policy/objects.xml", objects).Build());
        var rule = export.Rules[0];

        Assert.Equal(RouteDirection.Unknown, rule.Route.ApplyTo);
        Assert.IsType<UnknownRouteEntry>(rule.Route.Recipients[1]);
        var conditions = rule.Conditions!.Items;
        var quantum = Assert.IsType<UnknownCondition>(conditions[1]);
        Assert.Equal(("QuantumFilter", "11", "x"), (quantum.Element.Name, quantum.Element.Attribute("level"), quantum.Element.Children[0].Text));
        Assert.Equal(["exe", "hologram"], Assert.IsType<AttachmentTrueFileType>(conditions[2]).Types);
        Assert.Equal([DayOfWeek.Monday], Assert.IsType<ReceivedTimeRange>(conditions[3]).Days);
        Assert.Equal(new TimeOnly(17, 30), ((ReceivedTimeRange)conditions[3]).To);
        Assert.Equal("teleport", Assert.IsType<UnknownIntercept>(rule.Actions.Intercept).Element.Attribute("type"));
        Assert.Equal("Encrypt", Assert.IsType<UnknownModifyAction>(rule.Actions.Modify[1]).Element.Name);
        Assert.Equal("Syslog", Assert.IsType<UnknownMonitorAction>(rule.Actions.Monitor[1]).Element.Name);
        Assert.Equal("Escalate", Assert.Single(rule.Actions.Unknown).Name);

        var unknown = export.UnknownXml.Select(u => (u.Kind, u.Name, u.Value, u.Path, u.OwnerId, u.At.Entry, u.At.Line)).ToArray();
        Assert.Equal(
        [
            (UnknownXmlKind.Attribute, "priority", "high", "PolicyList/Rule[R1]", "R1", "policy/rules.xml", 3),
            (UnknownXmlKind.AttributeValue, "applyTo", "sideways", "PolicyList/Rule[R1]/Route", "R1", "policy/rules.xml", 5),
            (UnknownXmlKind.Element, "Department", null, "PolicyList/Rule[R1]/Route/Recipients/Department", "R1", "policy/rules.xml", 5),
            (UnknownXmlKind.Attribute, "weight", "3", "PolicyList/Rule[R1]/Conditions", "R1", "policy/rules.xml", 6),
            (UnknownXmlKind.Element, "QuantumFilter", null, "PolicyList/Rule[R1]/Conditions/QuantumFilter", "R1", "policy/rules.xml", 8),
            (UnknownXmlKind.ListValue, "Type", "hologram", "PolicyList/Rule[R1]/Conditions/AttachmentTrueFileType", "R1", "policy/rules.xml", 9),
            (UnknownXmlKind.ListValue, "days", "funday", "PolicyList/Rule[R1]/Conditions/ReceivedTimeRange", "R1", "policy/rules.xml", 10),
            (UnknownXmlKind.AttributeValue, "type", "teleport", "PolicyList/Rule[R1]/Actions/Intercept", "R1", "policy/rules.xml", 13),
            (UnknownXmlKind.Attribute, "target", "mars", "PolicyList/Rule[R1]/Actions/Intercept", "R1", "policy/rules.xml", 13),
            (UnknownXmlKind.Element, "Encrypt", null, "PolicyList/Rule[R1]/Actions/Modify/Encrypt", "R1", "policy/rules.xml", 14),
            (UnknownXmlKind.Element, "Syslog", null, "PolicyList/Rule[R1]/Actions/Monitor/Syslog", "R1", "policy/rules.xml", 15),
            (UnknownXmlKind.Element, "Escalate", null, "PolicyList/Rule[R1]/Actions/Escalate", "R1", "policy/rules.xml", 16),
            (UnknownXmlKind.Element, "Schedule", null, "PolicyList/Rule[R1]/Schedule", "R1", "policy/rules.xml", 18),
            (UnknownXmlKind.Element, "BatvKeys", null, "PolicyObjects/BatvKeys", null, "policy/objects.xml", 2),
        ], unknown);
        Assert.Equal("nightly", export.UnknownXml.Single(u => u.Name == "Schedule").Element!.Text);
    }

    [Fact]
    public void Secrets_in_unknown_content_are_redacted()
    {
        var ldap = Head + "<Ldap serverType=\"openldap\"><Server host=\"ldap\" port=\"389\" enabled=\"true\"/><Admin account=\"cn=admin\" baseDn=\"dc=x\" passwordSet=\"true\" password=\"hunter2\"/><Auth method=\"kerberos\" keytabSecret=\"abc\"/></Ldap>";
        var admin = Head + "<Accounts><Account name=\"admin\"><Password>s3cret</Password><PasswordHash>$6$abc</PasswordHash></Account></Accounts>";
        var export = LoadOk(ImsvaExportBuilder.Minimal().With("ldap.xml", ldap).With("admin/accounts.xml", admin).Build());
        Assert.Equal([("password", "[redacted]"), ("keytabSecret", "[redacted]")], export.UnknownXml.Select(u => (u.Name, u.Value)));
        var screen = Assert.Single(export.AdminScreens);
        Assert.Equal(("accounts", "admin/accounts.xml", "Accounts"), (screen.Name, screen.Entry, screen.Content.Name));
        Assert.All(screen.Content.Children[0].Children, c => Assert.Equal("[redacted]", c.Text));
        Assert.DoesNotContain("hunter2", export.ToString());
        Assert.True(export.Ldap!.PasswordSet);
        Assert.Equal(LdapServerType.OpenLdap, export.Ldap.ServerType);
    }

    [Fact]
    public void Unknown_entries_and_admin_screens_are_listed()
    {
        var export = LoadOk(ImsvaExportBuilder.Minimal()
            .With("admin/notifications.xml", Head + "<NotificationSettings smtp=\"localhost\"/>")
            .With("admin/updates.xml", Head + "<Updates><Source>cloud</Source></Updates>")
            .With("admin/sub/nested.xml", Head + "<Nested/>")
            .With("admin/readme.txt", "hello")
            .With("policy/Policy.xml", Head + "<Active/>")
            .With("db/tb_policy_list.csv", "id,name\n")
            .Build());
        Assert.Equal(["notifications", "updates"], export.AdminScreens.Select(s => s.Name));
        Assert.Equal("localhost", export.AdminScreens[0].Content.Attribute("smtp"));
        Assert.Equal([("admin/sub/nested.xml", 48L), ("admin/readme.txt", 5L), ("policy/Policy.xml", 48L), ("db/tb_policy_list.csv", 8L)],
            export.UnknownEntries.Select(u => (u.Name, u.Size)));
        Assert.Empty(export.UnknownXml);
    }

    [Fact]
    public void Xml_depth_element_attribute_and_text_limits_are_enforced()
    {
        var deep = "<PolicyList>" + string.Concat(Enumerable.Repeat("<a>", 40)) + string.Concat(Enumerable.Repeat("</a>", 40)) + "</PolicyList>";
        var fatal = LoadFatal(WithRules(deep).Build(), FatalErrorCode.LimitExceeded);
        Assert.Equal((ExportLimitKind.XmlDepth, 32d, 33d, "policy/rules.xml"), (fatal.Limit!.Value, fatal.LimitValue!.Value, fatal.ActualValue!.Value, fatal.Entry));

        var manyAttributes = "<PolicyList " + string.Join(' ', Enumerable.Range(0, 65).Select(n => $"a{n}=\"{n}\"")) + "/>";
        Assert.Equal(ExportLimitKind.XmlAttributeCount, LoadFatal(WithRules(manyAttributes).Build(), FatalErrorCode.LimitExceeded).Limit);

        var options = new LoaderOptions { Limits = ExportLimits.Default with { MaxXmlElements = 100, MaxXmlTextLength = 1000 } };
        var many = "<PolicyList>" + string.Concat(Enumerable.Repeat("<x/>", 100)) + "</PolicyList>";
        Assert.Equal(ExportLimitKind.XmlElementCount, LoadFatal(WithRules(many).Build(), FatalErrorCode.LimitExceeded, options: options).Limit);
        var longText = "<PolicyList><x>" + new string('y', 1001) + "</x></PolicyList>";
        Assert.Equal(ExportLimitKind.XmlTextLength, LoadFatal(WithRules(longText).Build(), FatalErrorCode.LimitExceeded, options: options).Limit);
        var longAttribute = "<PolicyList x=\"" + new string('y', 1001) + "\"/>";
        Assert.Equal(ExportLimitKind.XmlTextLength, LoadFatal(WithRules(longAttribute).Build(), FatalErrorCode.LimitExceeded, options: options).Limit);
    }

    [Fact]
    public void Ini_line_length_and_count_limits_are_enforced()
    {
        var longLine = "[imp_exp]\nenable_ems_migrate=1\n[x]\nk=" + new string('v', 70_000) + "\n";
        Assert.Equal(ExportLimitKind.LineLength, LoadFatal(ImsvaExportBuilder.Minimal().With("imss.ini", longLine).Build(), FatalErrorCode.LimitExceeded).Limit);
        var options = new LoaderOptions { Limits = ExportLimits.Default with { MaxLines = 10 } };
        var manyLines = string.Concat(Enumerable.Repeat("; comment\n", 11));
        Assert.Equal(ExportLimitKind.LineCount, LoadFatal(ImsvaExportBuilder.Minimal().With("imss.ini", manyLines).Build(), FatalErrorCode.LimitExceeded, options: options).Limit);
        var manyRows = "section,name,value,inifile\n" + string.Concat(Enumerable.Range(0, 11).Select(n => $"s,k{n},v,imss.ini\n"));
        Assert.Equal(ExportLimitKind.LineCount, LoadFatal(ImsvaExportBuilder.Minimal().With("db/tb_global_setting.csv", manyRows).Build(), FatalErrorCode.LimitExceeded, options: options).Limit);
        var longField = "section,name,value,inifile\ns,k,\"" + new string('v', 70_000) + "\",imss.ini\n";
        Assert.Equal(ExportLimitKind.LineLength, LoadFatal(ImsvaExportBuilder.Minimal().With("db/tb_global_setting.csv", longField).Build(), FatalErrorCode.LimitExceeded).Limit);
    }

    [Fact]
    public void Dangling_references_are_listed_with_their_place_and_are_not_fatal()
    {
        var rules = Head + """
            <PolicyList>
              <Rule id="R1" type="other" order="1" enabled="true">
                <Name>n</Name>
                <Route applyTo="incoming"><Senders><AddressGroup ref="AG9"/></Senders><Recipients><AddressGroup ref="AG1"/></Recipients></Route>
                <Conditions match="any"><SubjectKeywords refs="KW1 KW9"/><Dlp templates="DT9"/></Conditions>
                <Actions>
                  <Intercept type="quarantine" area="QA9"/>
                  <Modify><InsertStamp ref="ST9"/></Modify>
                  <Monitor><Notify ref="NT9"/><Archive area="AA9"/></Monitor>
                </Actions>
              </Rule>
              <Rule id="R2" type="antivirus" order="2" enabled="true">
                <Name>av</Name>
                <Route applyTo="all"/>
                <Actions><SafeStamp ref="ST8"/></Actions>
                <SpecialActions kind="spyware"><Monitor><Notify ref="NT8"/></Monitor></SpecialActions>
              </Rule>
            </PolicyList>
            """;
        var objects = Head + """
            <PolicyObjects>
              <AddressGroups><AddressGroup id="AG1" name="g"><Address>*@example.co.jp</Address></AddressGroup></AddressGroups>
              <KeywordExpressions><List id="KW1" name="k" match="any"><Expression>x</Expression></List></KeywordExpressions>
              <DlpTemplates><Template id="DT1" name="t" condition="[DX1] And [DX2]"/></DlpTemplates>
              <DlpDataIdentifiers><Expression id="DX1" name="x" pattern="a"/></DlpDataIdentifiers>
            </PolicyObjects>
            """;
        var export = LoadOk(ImsvaExportBuilder.Minimal().With("policy/rules.xml", rules).With("policy/objects.xml", objects).Build());
        Assert.Equal(
        [
            (ReferenceKind.AddressGroup, "AG9", "rule:R1", 5),
            (ReferenceKind.KeywordList, "KW9", "rule:R1", 6),
            (ReferenceKind.DlpTemplate, "DT9", "rule:R1", 6),
            (ReferenceKind.QuarantineArea, "QA9", "rule:R1", 8),
            (ReferenceKind.Stamp, "ST9", "rule:R1", 9),
            (ReferenceKind.Notification, "NT9", "rule:R1", 10),
            (ReferenceKind.ArchiveArea, "AA9", "rule:R1", 10),
            (ReferenceKind.Stamp, "ST8", "rule:R2", 16),
            (ReferenceKind.Notification, "NT8", "rule:R2", 17),
            (ReferenceKind.DlpDataIdentifier, "DX2", "dlp-template:DT1", 5),
        ], export.DanglingReferences.Select(d => (d.Kind, d.Id, d.ReferencedBy, d.At.Line)));
        Assert.All(export.DanglingReferences, d => Assert.Equal(d.Kind == ReferenceKind.DlpDataIdentifier ? "policy/objects.xml" : "policy/rules.xml", d.At.Entry));
    }

    [Fact]
    public void Duplicate_object_ids_are_malformed()
    {
        var objects = Head + "<PolicyObjects>\n<Stamps>\n<Stamp id=\"ST1\" name=\"a\" position=\"end\">a</Stamp>\n<Stamp id=\"ST1\" name=\"b\" position=\"end\">b</Stamp>\n</Stamps>\n</PolicyObjects>";
        var fatal = LoadFatal(ImsvaExportBuilder.Minimal().With("policy/objects.xml", objects).Build(), FatalErrorCode.MalformedEntry);
        Assert.Equal(("policy/objects.xml", (int?)5), (fatal.Entry, fatal.Line));
        var identifiers = Head + "<PolicyObjects><DlpDataIdentifiers><Expression id=\"D1\" name=\"a\"/><KeywordList id=\"D1\" name=\"b\"/></DlpDataIdentifiers></PolicyObjects>";
        LoadFatal(ImsvaExportBuilder.Minimal().With("policy/objects.xml", identifiers).Build(), FatalErrorCode.MalformedEntry);
    }

    [Fact]
    public void Dlp_template_conditions_are_parsed_left_to_right_and_bad_ones_are_kept_with_the_reason()
    {
        var objects = Head + """
            <PolicyObjects><DlpTemplates>
              <Template id="T1" name="a" condition="Except [DX1] And [DK1] or [DF1]"/>
              <Template id="T2" name="b" condition="[DX1] [DX2]"/>
              <Template id="T3" name="c" condition="[DX1] Or"/>
              <Template id="T4" name="d" condition="[DX1] Xor [DX2]"/>
              <Template id="T5" name="e" predefined="true" condition="[個人情報]"/>
            </DlpTemplates></PolicyObjects>
            """;
        var templates = LoadOk(ImsvaExportBuilder.Minimal().With("policy/objects.xml", objects).Build()).Objects.DlpTemplates;
        Assert.Equal([new DlpConditionTerm(DlpOperator.Except, "DX1"), new DlpConditionTerm(DlpOperator.And, "DK1"), new DlpConditionTerm(DlpOperator.Or, "DF1")], templates[0].Condition!.Terms);
        Assert.Equal("Except [DX1] And [DK1] Or [DF1]", templates[0].Condition!.ToString());
        Assert.Null(templates[1].Condition);
        Assert.Contains("expected And, Or or Except", templates[1].ConditionError);
        Assert.Contains("ends with an operator", templates[2].ConditionError);
        Assert.NotNull(templates[3].ConditionError);
        Assert.True(templates[4].Predefined);
        Assert.Equal("個人情報", templates[4].Condition!.Terms.Single().IdentifierId);
    }

    [Fact]
    public void Optional_screens_absent_from_the_fixtures_are_read()
    {
        var scanning = Head + """
            <ScanningExceptions>
              <SecurityViolation maxMessageSizeMb="50" maxRecipients="500" maxCompressionLayers="20">
                <Intercept type="quarantine" area="QA1"/>
                <Monitor><Notify ref="NT1"/></Monitor>
              </SecurityViolation>
              <Encryption><Intercept type="none"/><Modify><TagSubject text="[暗号化]"/></Modify></Encryption>
              <Malformed><Intercept type="delete"/></Malformed>
            </ScanningExceptions>
            """;
        var euq = Head + """
            <EndUserQuarantine enabled="true" daysToKeep="14" maxApprovedSenders="200">
              <UserApprovedSenders user="taro@example.co.jp"><Address>news@shop.example</Address><Address>*@partner.example</Address></UserApprovedSenders>
            </EndUserQuarantine>
            """;
        var sender = Head + """
            <SenderFiltering>
              <EmailReputation enabled="true" level="standard" customCode="554" customText="Rejected by ERS"/>
              <SuspiciousIp><Ip>192.0.2.99</Ip></SuspiciousIp>
            </SenderFiltering>
            """;
        var smtp = Head + """
            <SmtpRouting>
              <Connections port="25"><Deny><Ip>203.0.113.0/24</Ip></Deny></Connections>
              <Delivery><Route target="*" method="mx"/></Delivery>
            </SmtpRouting>
            """;
        var dkim = Head + "<DkimSignatures><Signature domain=\"example.co.jp\" selector=\"s1\"><PrivateKeyPem>-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----</PrivateKeyPem></Signature></DkimSignatures>";
        var internalAddresses = Head + "<InternalAddresses mode=\"ldap\"><LdapGroup dn=\"cn=all,dc=x\" name=\"all\"/></InternalAddresses>";
        var export = LoadOk(ImsvaExportBuilder.Minimal().With("policy/scanning_exceptions.xml", scanning).With("euq.xml", euq)
            .With("sender_filtering.xml", sender).With("smtp_routing.xml", smtp).With("dkim_signature.xml", dkim)
            .With("policy/internal_addresses.xml", internalAddresses).Build());

        var items = export.ScanningExceptions!.Items;
        Assert.Equal([ScanningExceptionKind.SecurityViolation, ScanningExceptionKind.Encryption, ScanningExceptionKind.Malformed], items.Select(i => i.Kind));
        Assert.Equal([("maxMessageSizeMb", "50"), ("maxRecipients", "500"), ("maxCompressionLayers", "20")], items[0].Settings.Select(s => (s.Name, s.Value)));
        Assert.Equal("QA1", Assert.IsType<QuarantineTo>(items[0].Actions.Intercept).AreaId);
        Assert.Equal("[暗号化]", Assert.IsType<TagSubject>(Assert.Single(items[1].Actions.Modify)).Text);
        Assert.Equal([(ReferenceKind.QuarantineArea, "QA1", "scanning-exception:SecurityViolation"), (ReferenceKind.Notification, "NT1", "scanning-exception:SecurityViolation")],
            export.DanglingReferences.Select(d => (d.Kind, d.Id, d.ReferencedBy)));

        var q = export.EndUserQuarantine!;
        Assert.Equal((true, (int?)14, (int?)200), (q.Enabled, q.DaysToKeep, q.MaxApprovedSenders));
        Assert.Equal(("taro@example.co.jp", "news@shop.example|*@partner.example"), (q.UserApprovedSenders[0].User, string.Join("|", q.UserApprovedSenders[0].Addresses)));

        Assert.Equal((ErsLevel.Standard, (int?)554, "Rejected by ERS"), (export.SenderFiltering!.EmailReputation!.Level, export.SenderFiltering.EmailReputation.CustomCode, export.SenderFiltering.EmailReputation.CustomText));
        Assert.Equal(["192.0.2.99"], export.SenderFiltering.SuspiciousIp!.Ips);
        Assert.Null(export.SenderFiltering.ApprovedList);
        Assert.Equal(["203.0.113.0/24"], export.SmtpRouting!.Connections!.Deny);
        Assert.Equal((DeliveryMethod.Mx, 0), (export.SmtpRouting.Delivery[0].Method, export.SmtpRouting.Delivery[0].Servers.Count));
        var sig = Assert.Single(export.DkimSignatures!);
        Assert.Equal((DkimCanonicalization.Simple, DkimCanonicalization.Simple, 0), (sig.HeaderCanonicalization, sig.BodyCanonicalization, sig.Headers.Count));
        Assert.Equal("[redacted]", sig.PrivateKeyPem.ToString());
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", sig.PrivateKeyPem.Reveal());
        Assert.Equal(("ldap", "cn=all,dc=x"), (export.InternalAddresses!.Mode, export.InternalAddresses.LdapGroups.Single().Dn));
        Assert.Empty(export.UnknownXml);
    }
}
