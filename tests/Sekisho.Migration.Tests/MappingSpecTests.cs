using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Testing;
using Sekisho.Testing.Imsva;

namespace Sekisho.Migration.Tests;

/// <summary>The rows of spec/migration-mapping.md §3–§4, each with an export written for it.</summary>
public class MappingSpecTests
{
    private const string Objects = """
        <PolicyObjects>
          <AddressGroups>
            <AddressGroup id="AG1" name="社内"><Address>*@example.co.jp</Address></AddressGroup>
            <AddressGroup id="AG2" name="混在"><Address>*@example.co.jp</Address><Address>x@partner.example</Address></AddressGroup>
          </AddressGroups>
          <KeywordExpressions>
            <List id="KW1" name="件名" match="any"><Expression caseSensitive="false" score="0">至急</Expression></List>
            <List id="KWB" name="壊れ" match="any"><Expression caseSensitive="false" score="0">[abc</Expression><Expression caseSensitive="false" score="0">ok</Expression></List>
          </KeywordExpressions>
          <Notifications><Notification id="NT1" name="通知" type="policy" charset="UTF-8"><From>gw@example.co.jp</From><To>%SENDER%</To><Subject>%RULENAME%</Subject><Body>%SUBJECT% %BOGUS%</Body><AttachOriginal>false</AttachOriginal></Notification></Notifications>
          <Stamps><Stamp id="ST1" name="注意" position="end" skipSigned="true" format="text">注意</Stamp></Stamps>
          <DlpDataIdentifiers>
            <Expression id="DX1" name="社員番号" predefined="false" pattern="EMP-\d{5}"/>
            <KeywordList id="DK9" name="Credit card numbers" predefined="true"/>
          </DlpDataIdentifiers>
          <DlpTemplates>
            <Template id="DT1" name="社内" predefined="false" condition="[DX1]"/>
            <Template id="DTP" name="PCI-DSS (クレジットカード番号)" predefined="true" condition="[DK9]"/>
            <Template id="DTX" name="Some vendor template" predefined="true" condition="[DK9]"/>
          </DlpTemplates>
        </PolicyObjects>
        """;

    private static string Rule(string id, string body, string applyTo = "incoming", string type = "other", int order = 1, bool enabled = true,
        string recipients = "<Address>*@example.co.jp</Address>", string senders = "<Anyone/>", string actions = "<Intercept type=\"none\"/>") => $"""
        <Rule id="{id}" type="{type}" order="{order}" enabled="{(enabled ? "true" : "false")}">
          <Name>{id} name</Name><Notes/>
          <Route applyTo="{applyTo}"><Senders>{senders}</Senders><Recipients>{recipients}</Recipients></Route>
          {body}
          <Actions>{actions}</Actions>
        </Rule>
        """;

    private static async Task<MigrationAnalysis> AnalyzeAsync(string rules, Func<ImsvaExportBuilder, ImsvaExportBuilder>? more = null, MappingContext? context = null, string product = "IMSVA", int build = 2011)
    {
        var builder = ImsvaExportBuilder.Minimal(product, build)
            .With("policy/rules.xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PolicyList>{rules}</PolicyList>")
            .With("policy/objects.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + Objects);
        if (more is not null) builder = more(builder);
        var load = await ImsvaExportLoader.LoadAsync(new MemoryStream(builder.Build()), "test.dat");
        Assert.True(load.Succeeded, load.Fatal?.ToString());
        return ImsvaMapper.Analyze(load.Export, context ?? MappingContext.Offline(["example.co.jp"], MigrationMode.Merge, PolicySamples.T0));
    }

    private static string[] Codes(AnalysisItem item) => item.Findings.Select(f => f.Code).ToArray();

    [Fact]
    public async Task Route_both_becomes_two_rules_and_pop3_nothing()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>", applyTo: "both",
            senders: "<Address>*@example.co.jp</Address>", recipients: "<Anyone/>") + Rule("R2", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>", applyTo: "pop3", order: 2));
        var r1 = a.Item("rule:R1")!;
        Assert.Equal(FindingStatus.Warning, r1.Status);
        Assert.Contains("route-split-direction", Codes(r1));
        Assert.Equal(["R1 name (inbound)", "R1 name (outbound)"], a.Plan.Rules.Select(r => r.Name));
        var inbound = a.Plan.Rules[0];
        Assert.Equal(ParticipantsMode.MyOrganization, inbound.Scope.Recipients.Mode);
        Assert.Equal(MigrationStatus.NeedsConfirmation, inbound.Migration!.Status);
        Assert.True(inbound.Enabled);
        Assert.Equal(FindingStatus.NotSupported, a.Item("rule:R2")!.Status);
        Assert.Equal(["route-pop3"], Codes(a.Item("rule:R2")!));
    }

    [Fact]
    public async Task Ldap_users_become_static_addresses_and_groups_need_a_directory()
    {
        var rule = Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>",
            recipients: "<LdapUser dn=\"cn=a\" mail=\"a@example.co.jp\"/><LdapGroup dn=\"cn=g,dc=x\" name=\"sales\"/>");
        var offline = await AnalyzeAsync(rule);
        Assert.Equal(FindingStatus.Error, offline.Item("rule:R1")!.Status);
        Assert.Contains("ldap-group-unresolved", Codes(offline.Item("rule:R1")!));
        Assert.False(offline.Plan.Rules.Single().Enabled);

        var withDirectory = await AnalyzeAsync(rule, context: MappingContext.Offline(["example.co.jp"], MigrationMode.Merge, PolicySamples.T0) with { DirectoryConfigured = true });
        var item = withDirectory.Item("rule:R1")!;
        Assert.Equal(FindingStatus.Warning, item.Status);
        Assert.Equal(["ldap-user-static", "ldap-group-directory"], Codes(item));
        var recipients = withDirectory.Plan.Rules.Single().Scope.Recipients.Entries;
        Assert.Equal("a@example.co.jp", Assert.IsType<AddressParticipant>(recipients[0]).Pattern.ToString());
        Assert.Equal("cn=g,dc=x", Assert.IsType<DirectoryGroupParticipant>(recipients[1]).DistinguishedName);
    }

    [Fact]
    public async Task Recipients_outside_managed_domains_are_dropped_with_an_error()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>",
            recipients: "<Address>*@example.co.jp</Address><Address>boss@other.example</Address>"));
        var item = a.Item("rule:R1")!;
        Assert.Equal(FindingStatus.Error, item.Status);
        Assert.Contains("route-unmanaged-domain", Codes(item));
        Assert.Equal(["*@example.co.jp"], a.Plan.Rules.Single().Scope.Recipients.Entries.Cast<AddressParticipant>().Select(p => p.Pattern.ToString()));
    }

    [Fact]
    public async Task Mixed_groups_get_an_internal_copy_on_the_protected_side()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>", recipients: "<AddressGroup ref=\"AG2\"/>",
            senders: "<AddressGroup ref=\"AG2\"/>"));
        var group = a.Item("address-group:AG2")!;
        Assert.Equal(FindingStatus.Warning, group.Status);
        Assert.Equal(["混在", "混在 - internal"], group.Targets.Select(t => t.Name));
        var copy = a.Plan.AddressGroups.Single(g => g.Name == "混在 - internal");
        Assert.True(copy.Internal);
        Assert.Equal(["*@example.co.jp"], copy.Entries.Select(e => e.Address.ToString()));
        var rule = a.Plan.Rules.Single();
        Assert.Equal(copy.Id, Assert.IsType<AddressGroupParticipant>(rule.Scope.Recipients.Entries.Single()).GroupId);
        Assert.Equal(a.Plan.AddressGroups.Single(g => g.Name == "混在").Id, Assert.IsType<AddressGroupParticipant>(rule.Scope.Senders.Entries.Single()).GroupId);
        Assert.True(a.Plan.AddressGroups.Single(g => g.Name == "社内").Internal);
    }

    [Fact]
    public async Task Other_rules_split_by_family_and_and_across_families_is_an_error()
    {
        var any = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><Phishing/><AttachmentName select=\"selected\"><Pattern>*.exe</Pattern></AttachmentName><Dlp templates=\"DT1\"/></Conditions>"));
        Assert.Equal(FindingStatus.Warning, any.Item("rule:R1")!.Status);
        Assert.Equal([RuleType.Spam, RuleType.Content, RuleType.Dlp], any.Plan.Rules.Select(r => r.Type));
        var all = await AnalyzeAsync(Rule("R1", "<Conditions match=\"all\"><Phishing/><AttachmentName select=\"selected\"><Pattern>*.exe</Pattern></AttachmentName></Conditions>"));
        Assert.Equal(FindingStatus.Error, all.Item("rule:R1")!.Status);
        Assert.Contains("and-across-rule-types", Codes(all.Item("rule:R1")!));
        Assert.All(all.Plan.Rules, r => Assert.Equal(MatchMode.Any, r.Criteria.Match));
        Assert.All(all.Plan.Rules, r => Assert.False(r.Enabled));
        var sameFamily = await AnalyzeAsync(Rule("R1", "<Conditions match=\"all\"><AttachmentCount op=\"gt\" value=\"0\"/><BodyKeywords refs=\"KW1\"/></Conditions>"));
        Assert.Equal(MatchMode.All, sameFamily.Plan.Rules.Single().Criteria.Match);
        Assert.Equal(FindingStatus.Successful, sameFamily.Item("rule:R1")!.Status);
    }

    [Fact]
    public async Task A_rule_whose_conditions_are_all_unsupported_is_never_created()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><CnCEmail/></Conditions>", actions: "<Intercept type=\"delete\"/>"));
        Assert.Equal(FindingStatus.NotSupported, a.Item("rule:R1")!.Status);
        Assert.Empty(a.Plan.Rules);
        var partial = await AnalyzeAsync(Rule("R1", "<Conditions match=\"all\"><CnCEmail/><AttachmentCount op=\"gt\" value=\"3\"/></Conditions>"));
        Assert.Contains("and-condition-dropped", Codes(partial.Item("rule:R1")!));
        Assert.Equal(FindingStatus.Error, partial.Item("rule:R1")!.Status);
    }

    [Fact]
    public async Task Actions_are_mapped_and_unsafe_parts_removed()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>", actions: """
            <Intercept type="change_recipient" to="sec@example.co.jp;soc@mssp.example"/>
            <Modify><InsertXHeader name="X-Sekisho-Mine" value="1"/><InsertXHeader name="X-Ok" value="1"/><TagSubject text="[!]"/><PostponeDelivery at="22:00"/><InsertStamp ref="ST1"/><DeleteAttachments scope="all"/></Modify>
            <Monitor><Bcc to="audit@example.co.jp;ddei@ddei.example.local"/><Notify ref="NT1"/><Archive area="AA1"/></Monitor>
            """));
        var item = a.Item("rule:R1")!;
        Assert.Equal(["change-recipient-unmanaged", "x-header-reserved", "bcc-unmanaged-domain"], Codes(item));
        var r = a.Plan.Rules.Single();
        Assert.Equal(["sec@example.co.jp"], Assert.IsType<ChangeRecipient>(r.Actions.Intercept).Recipients);
        Assert.Equal(["X-Ok"], r.Actions.Modify.OfType<InsertXHeader>().Select(x => x.Name));
        Assert.Equal(new TimeOnly(22, 0), r.Actions.Modify.OfType<DeliverAt>().Single().At);
        Assert.Equal(AttachmentScope.All, r.Actions.Modify.OfType<DeleteAttachments>().Single().Scope);
        Assert.Equal(["audit@example.co.jp"], r.Actions.Monitor.OfType<Bcc>().Single().Recipients);
        Assert.Single(r.Actions.Monitor.OfType<Notify>());
        Assert.Single(r.Actions.Monitor.OfType<Archive>());

        var handoff = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>", actions: "<Intercept type=\"handoff\" host=\"10.0.0.5\" port=\"2525\"/>"));
        Assert.Equal(new DeliverNow("10.0.0.5", 2525), handoff.Plan.Rules.Single().Actions.Intercept);
        Assert.Equal(["handoff-deliver-now"], Codes(handoff.Item("rule:R1")!));
    }

    [Fact]
    public async Task Antivirus_rules_keep_their_handling_and_special_actions()
    {
        var a = await AnalyzeAsync("""
            <Rule id="AV" type="antivirus" order="1" enabled="true"><Name>AV</Name><Notes/>
              <Route applyTo="incoming"><Senders><Anyone/></Senders><Recipients><Anyone/></Recipients></Route>
              <Conditions><FilesToScan mode="specific"/><IntelliTrap enabled="true" sendSamples="false"/><SpywareGrayware categories="spyware,adware"/><AdvancedThreats atse="true" virtualAnalyzer="true" securityLevel="low"/></Conditions>
              <Actions><Intercept type="none"/><VirusHandling mode="active_action"/><SafeStamp ref="ST1"/></Actions>
              <SpecialActions kind="mass_mailing"><Intercept type="delete"/></SpecialActions>
            </Rule>
            """);
        Assert.Equal(["av-scans-all-files", "no-sandbox", "active-action-approximated"], Codes(a.Item("rule:AV")!));
        var r = a.Plan.Rules.Single();
        Assert.Equal(RuleType.Virus, r.Type);
        var malware = Assert.IsType<MalwareDetection>(r.Criteria.Items.Single());
        Assert.Contains(DetectionType.IntelliTrap, malware.Types);
        Assert.Equal(["spyware", "adware"], malware.SpywareCategories);
        Assert.Equal([typeof(CleanMalware), typeof(InsertSafeStamp)], r.Actions.Modify.Select(m => m.GetType()));
        Assert.Equal(DetectionKind.MassMailing, r.DetectionOverrides.Single().Kind);
        Assert.IsType<DeleteMessage>(r.DetectionOverrides.Single().Actions.Intercept);
    }

    [Theory]
    [InlineData("<Spam catchRate=\"low\"/>", SpamLevel.Low, null)]
    [InlineData("<Spam catchRate=\"medium\"/>", SpamLevel.ModeratelyLow, null)]
    [InlineData("<Spam catchRate=\"high\"/>", SpamLevel.High, null)]
    [InlineData("<Spam catchRate=\"threshold\" threshold=\"3.0\"/>", SpamLevel.Highest, "spam-threshold-approximated")]
    [InlineData("<Spam catchRate=\"threshold\" threshold=\"9.5\"/>", SpamLevel.Lowest, "spam-threshold-approximated")]
    public async Task Spam_catch_rates(string condition, SpamLevel level, string? code)
    {
        var a = await AnalyzeAsync(Rule("R1", $"<Conditions match=\"any\">{condition}</Conditions>"));
        Assert.Equal(level, Assert.IsType<SpamDetection>(a.Plan.Rules.Single().Criteria.Items.Single()).Level);
        if (code is null) Assert.Empty(a.Item("rule:R1")!.Findings);
        else Assert.Equal([code], Codes(a.Item("rule:R1")!));
    }

    [Fact]
    public async Task Invalid_keyword_expressions_are_dropped_and_every_rule_using_the_list_needs_a_fix()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><BodyKeywords refs=\"KWB\"/></Conditions>"));
        Assert.Equal(FindingStatus.Error, a.Item("keyword-list:KWB")!.Status);
        Assert.Equal(["ok"], a.Plan.KeywordLists.Single(k => k.Name == "壊れ").Expressions.Select(e => e.Pattern));
        Assert.Contains("keyword-invalid-regex", Codes(a.Item("rule:R1")!));
        Assert.False(a.Plan.Rules.Single().Enabled);
    }

    [Fact]
    public async Task Dlp_predefined_templates_map_by_name_or_fail()
    {
        var a = await AnalyzeAsync(Rule("R1", "<Conditions match=\"any\"><Dlp templates=\"DTP DT1\"/></Conditions>", applyTo: "outgoing", senders: "<Address>*@example.co.jp</Address>", recipients: "<Anyone/>")
                                   + Rule("R2", "<Conditions match=\"any\"><Dlp templates=\"DTX\"/></Conditions>", applyTo: "outgoing", order: 2, senders: "<Address>*@example.co.jp</Address>", recipients: "<Anyone/>"));
        Assert.Equal(["dlp-predefined-mapped"], Codes(a.Item("rule:R1")!));
        var dlp = Assert.IsType<DlpMatch>(a.Plan.Rules.Single(r => r.Name == "R1 name").Criteria.Items.Single());
        Assert.Equal(["predefined:pci-dss", a.Plan.DlpTemplates.Single().Id], dlp.TemplateIds);
        Assert.Equal(FindingStatus.NotSupported, a.Item("rule:R2")!.Status);
        Assert.Contains("dlp-template-unknown", Codes(a.Item("rule:R2")!));
        Assert.Equal(FindingStatus.NotSupported, a.Item("setting:dlp-predefined")!.Status);
    }

    [Fact]
    public async Task Notification_tokens_outside_the_known_set_are_warned_about()
    {
        var a = await AnalyzeAsync("");
        var item = a.Item("notification:NT1")!;
        Assert.Equal(FindingStatus.Warning, item.Status);
        Assert.Contains("%BOGUS%", item.Findings.Single().Message.En);
    }

    [Fact]
    public async Task A_build_below_the_floor_is_an_error_on_the_prerequisites_and_unverified_domains_a_warning()
    {
        var a = await AnalyzeAsync("", product: "IMSS", build: 1300,
            context: new MappingContext { Domains = [new("example.co.jp", Verified: false)], Now = PolicySamples.T0 });
        var p = a.Item("setting:prerequisites")!;
        Assert.Equal(FindingStatus.Error, p.Status);
        Assert.Equal(["build-below-floor", "domain-unverified"], Codes(p));
        Assert.Contains("9.1.0.1361", p.Findings[0].Message.En);
    }

    [Fact]
    public async Task A_content_rule_that_ran_after_a_terminal_content_rule_is_flagged_when_it_now_runs_first()
    {
        var a = await AnalyzeAsync(
            Rule("R1", "<Conditions match=\"any\"><AttachmentCount op=\"gt\" value=\"0\"/></Conditions>", actions: "<Intercept type=\"delete\"/>")
            + Rule("R2", "<Conditions match=\"any\"><Spam catchRate=\"medium\"/></Conditions>", order: 2)
            + Rule("R3", "<Conditions match=\"any\"><AttachmentCount op=\"gt\" value=\"5\"/></Conditions>", order: 3));
        Assert.Contains("evaluation-order-changed", Codes(a.Item("rule:R2")!));
        Assert.Empty(a.Item("rule:R1")!.Findings);
        Assert.Empty(a.Item("rule:R3")!.Findings);
        Assert.Equal([1, 2], a.Plan.Rules.Where(r => r.Type == RuleType.Content).Select(r => r.Order));
    }

    [Fact]
    public async Task Sender_filtering_and_routing_become_settings_and_proposed_domains()
    {
        var a = await AnalyzeAsync("", b => b.With("sender_filtering.xml", """
            <SenderFiltering>
              <ApprovedList enabled="true" applyToErsIpProfiler="false"><Ip>203.0.113.10</Ip></ApprovedList>
              <BlockedList enabled="true"><Entry ip="192.0.2.200" action="block_permanently"/><Entry ip="192.0.2.9" action="block_temporarily" minutes="5"/></BlockedList>
            </SenderFiltering>
            """).With("smtp_routing.xml", """
            <SmtpRouting>
              <MessageRule maxMessageSizeMb="100" maxRecipients="2000"/>
              <RelayDomains><Domain>example.co.jp</Domain><Domain>new.example.jp</Domain><Domain>*.example.co.jp</Domain></RelayDomains>
              <PermittedRelaySenders mode="specified"><Ip>10.0.0.25</Ip></PermittedRelaySenders>
              <Delivery><Route target="new.example.jp" method="static"><Server host="10.9.9.9" port="25" preference="10"/></Route></Delivery>
              <Tls incoming="true" onlyTls="false"><Peer match="bank.example" level="verify"/></Tls>
            </SmtpRouting>
            """));
        Assert.Equal(FindingStatus.NotSupported, a.Item("setting:sender-filtering.approved")!.Status);
        Assert.Equal(["approved-ip-not-applied"], Codes(a.Item("setting:sender-filtering.approved")!));
        Assert.Equal(["192.0.2.200"], a.Plan.Settings.BlockedIps.Select(e => e.Cidr));
        var domain = a.Plan.Domains.Single();
        Assert.Equal("new.example.jp", domain.Name);
        Assert.False(domain.IsVerified);
        Assert.Equal("10.9.9.9", domain.InboundServers.Single().Host);
        Assert.Equal(["10.0.0.25"], domain.Outbound.AllowedIps);
        Assert.Contains("relay-domain-wildcard", Codes(a.Item("setting:smtp-routing")!));
        Assert.Equal(100 * GatewayLimits.MegaByte, a.Plan.Settings.MaxMessageSizeBytes);
        Assert.Equal(2000, a.Plan.Settings.MaxRecipients);
        Assert.Equal(TlsLevel.MandatoryVerify, a.Plan.Settings.TlsPeers.Single().Level);
    }

    [Fact]
    public async Task Merge_renames_taken_names_and_recognises_its_own_earlier_objects()
    {
        var rules = Rule("R1", "<Conditions match=\"any\"><SubjectKeywords refs=\"KW1\"/></Conditions>");
        var first = await AnalyzeAsync(rules);
        var existing = PolicySnapshot.Empty with
        {
            Domains = [PolicySamples.Domain("example.co.jp")],
            KeywordLists = [new Model.Objects.KeywordList { Id = "mine", Name = "件名", Expressions = [new("x")] }],
        };
        var context = MappingContext.Offline(["example.co.jp"], MigrationMode.Merge, PolicySamples.T0) with { Existing = existing };
        var renamed = await AnalyzeAsync(rules, context: context);
        Assert.Contains("renamed-on-merge", Codes(renamed.Item("keyword-list:KW1")!));
        Assert.Equal("件名 (2)", renamed.Plan.KeywordLists.Single(k => k.Provenance?.SourceId == "KW1").Name);

        // What the first run created is recognised by id and provenance and not created again.
        var after = existing with { Rules = first.Plan.Rules, KeywordLists = [.. existing.KeywordLists, .. first.Plan.KeywordLists.Select(k => k with { Name = k.Name + " (2)" })] };
        var rerun = await AnalyzeAsync(rules, context: context with { Existing = after });
        Assert.Empty(rerun.Plan.Rules);
        Assert.Empty(rerun.Plan.KeywordLists);
        Assert.Contains("already-migrated", Codes(rerun.Item("rule:R1")!));
    }
}
