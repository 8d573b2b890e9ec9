using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Domains;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;

namespace Sekisho.Testing;

/// <summary>Policies for tests. <see cref="Full"/> uses every field of the model at least once.</summary>
public static class PolicySamples
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);

    public static ManagedDomain Domain(string name, bool verified = true, params InboundServer[] inbound) => new()
    {
        Id = Ids.FromSeed("domain:" + name),
        Name = name,
        InboundServers = inbound.Length > 0 ? inbound : [new InboundServer("*", "10.0.0.25", 25, 10)],
        Outbound = new OutboundServers(OutboundProvider.UserDefined, ["10.0.0.25", "192.0.2.0/28"]),
        VerificationToken = "tok" + name.Replace(".", ""),
        Status = verified ? DomainStatus.Verified : DomainStatus.NeedsSetup,
        StatusReason = verified ? null : DomainStatusReasons.NotVerified,
        Added = T0,
        VerifiedAt = verified ? T0.AddHours(1) : null,
    };

    /// <summary>A policy exercising every type and field of the model.</summary>
    public static PolicySnapshot Full()
    {
        var prov = new Provenance("ab12cd34", "R12", "task1");
        var d1 = Domain("example.co.jp", true,
            new InboundServer("*", "10.0.0.25", 25, 10), new InboundServer("*", "10.0.0.26", 25, 20),
            new InboundServer("ceo", "mx-exec.example.co.jp", 2525, 5));
        var d2 = Domain("example-group.co.jp", false) with { Origin = DomainOrigin.MigrationProposal, Provenance = prov, Outbound = new OutboundServers(OutboundProvider.Microsoft365, []) };
        var internalGroup = new AddressGroup
        {
            Id = "ag-internal", Name = "役員", Description = "経営陣", Internal = true,
            Entries = [new(AddressPattern.Parse("ceo@example.co.jp"), "社長"), new(AddressPattern.Parse("*@example.co.jp"))],
        };
        var hybridGroup = new AddressGroup
        {
            Id = "ag-hybrid", Name = "取引先", Internal = false, Provenance = prov,
            Entries = [new(AddressPattern.Parse("*@*.partner.example")), new(AddressPattern.Parse("sales@*")), new(AddressPattern.Parse("*@*"))],
        };
        var kw = new KeywordList
        {
            Id = "kw1", Name = "機密", Description = "confidential words", Match = KeywordMatch.Score, Threshold = 10,
            Expressions = [new("社外秘", false, 5, "secret"), new("[0-9]{4}-[0-9]{4}", true, 6, "", "{D}{D}{D}{D}-{D}{D}{D}{D}")],
            Provenance = prov,
        };
        var kw2 = new KeywordList { Id = "kw2", Name = "件名", Match = KeywordMatch.All, Expressions = [new("請求書")] };
        var kw3 = new KeywordList { Id = "kw3", Name = "除外", Match = KeywordMatch.Not, Expressions = [new("newsletter")] };
        var kw4 = new KeywordList { Id = "kw4", Name = "いずれか", Match = KeywordMatch.Any, Expressions = [new("urgent", true)] };
        var note = new Notification
        {
            Id = "nt1", Name = "管理者通知", Description = "to admins", From = "gateway@example.co.jp", To = "admin@example.co.jp;%SENDER%",
            Subject = "[Sekisho] %RULENAME%", Body = "%SENDER% → %RCPTS%\n%SUBJECT% %DATE&TIME%", Format = TextFormat.Html,
            Charset = "ISO-2022-JP", AttachOriginal = true, TimeZone = "Asia/Tokyo", Provenance = prov,
        };
        var stamp = new Stamp
        {
            Id = "st1", Name = "外部メール注意", Position = StampPosition.Beginning, Text = "【外部メール】", Html = "<p>【外部メール】</p>",
            SkipSignedAndTnef = false, TimeZone = "Asia/Tokyo", Provenance = prov,
        };
        DlpIdentifier[] identifiers =
        [
            new DlpExpression { Id = "dx1", Name = "社員番号", Description = "EMP-nnnnn", Pattern = "EMP-[0-9]{5}", Validator = DlpValidator.None, CaseSensitive = true, Provenance = prov },
            new DlpExpression { Id = "dx2", Name = "カード", Pattern = "[0-9]{16}", Validator = DlpValidator.Luhn },
            new DlpFileAttribute { Id = "df1", Name = "CSV", TrueTypes = ["xlsx", "xls"], NamePatterns = ["*.csv"], MinBytes = 1, MaxBytes = 2147483648, Except = true },
            new DlpKeywordList { Id = "dk1", Name = "顧客", Keywords = ["顧客名簿", "customer list"], Match = KeywordMatch.Score, Threshold = 1 },
        ];
        var template = new DlpTemplate
        {
            Id = "dt1", Name = "個人情報(社内)", Description = "custom",
            Terms = [new(DlpOperator.First, "dx1"), new(DlpOperator.Or, "dk1"), new(DlpOperator.And, "predefined:jp-my-number"), new(DlpOperator.Except, "df1")],
        };
        var settings = new GatewaySettings
        {
            Limits = new GatewayLimits { MaxMessageSizeBytes = 20 * GatewayLimits.MegaByte, MaxRecipients = 500 },
            ConnectionFiltering = new ConnectionFiltering
            {
                ApprovedIps = [new("203.0.113.10", "partner relay", prov), new("2001:db8::/32")],
                BlockedIps = [new("192.0.2.200", "spammer")],
                IpReputationEnabled = true, IpReputationLevel = 3,
                DnsBlocklists = [new("bl.example.net", 1, ["127.0.0.2"]), new("dul.example.net", 3)],
                BypassSpamForApprovedIps = true, ValidateRecipients = true,
                RateLimitPerClientIpPerMinute = 500, RateLimitPerRecipientPerMinute = 50,
            },
            SenderFilter = new SenderFilter
            {
                Entries =
                [
                    new(SenderListKind.Approved, SenderListScope.Organization, null, AddressPattern.Parse("*@newsletter.partner.example"), SenderListSource.Administrator, prov),
                    new(SenderListKind.Blocked, SenderListScope.Domain, "example.co.jp", AddressPattern.Parse("*@spam.example.org")),
                    new(SenderListKind.Approved, SenderListScope.Recipient, "taro@example.co.jp", AddressPattern.Parse("friend@mail.example"), SenderListSource.EndUser),
                ],
                MatchHeaderAddresses = false, InsertApprovedSenderHeader = true,
                ApprovedBypass = [ApprovedSenderBypass.Spam, ApprovedSenderBypass.Graymail],
            },
            Authentication = new AuthenticationSettings
            {
                Spf = new SpfSettings
                {
                    Enabled = true, InsertHeader = true, IgnoredPeers = ["relay.partner.example", "198.51.100.0/24"],
                    Actions = new Dictionary<SpfResult, AuthAction>
                    {
                        [SpfResult.Fail] = new(AuthIntercept.Quarantine, "[SPF fail]", ["nt1"]),
                        [SpfResult.SoftFail] = new(AuthIntercept.Accept, "[SPF softfail]"),
                        [SpfResult.PermError] = AuthAction.Accept,
                    },
                },
                DkimVerification =
                [
                    DkimVerificationPolicy.DefaultPolicy with { EnforcedPeers = ["bank.example"], IgnoredPeers = ["partner.example.com"], Action = new(AuthIntercept.Quarantine), Provenance = prov },
                    new DkimVerificationPolicy { Domain = "example.co.jp", Enabled = false, SkipBlankEnvelopeSender = false, InsertHeader = true, UseHeaderSenderForEnforced = false, Action = new(AuthIntercept.Delete, "[DKIM]") },
                ],
                Dmarc =
                [
                    DmarcPolicySettings.DefaultPolicy with { ExceptionIps = ["203.0.113.10"], InsertHeader = true },
                    new DmarcPolicySettings { Domain = "example.co.jp", EnableArc = false, EnforcedPeers = ["pay.example.com"], IgnoredPeers = ["lists.example.org"], Actions = new Dictionary<DmarcDisposition, AuthAction> { [DmarcDisposition.Reject] = new(AuthIntercept.Reject) } },
                ],
                DkimSigning =
                [
                    new DkimSigningKey
                    {
                        Domain = "example.co.jp", Selector = "s2026", Algorithm = DkimAlgorithm.RsaSha256, KeyBits = 2048,
                        PrivateKeyPem = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n",
                        HeaderCanonicalization = DkimCanonicalization.Relaxed, BodyCanonicalization = DkimCanonicalization.Simple,
                        SignedHeaders = ["From", "Subject"], ExpireDays = 7, BodyLength = 0, Auid = "@example.co.jp", Enabled = true,
                        SignBlankEnvelopeSender = false, Provenance = prov,
                    },
                ],
                SenderIpMatch = [new("example.co.jp", ["10.0.0.0/8"], new(AuthIntercept.Quarantine))],
            },
            TlsPeers = [new(Direction.Inbound, "bank.example", TlsLevel.Mandatory, "1.2", prov), new(Direction.Outbound, "*", TlsLevel.Opportunistic)],
            WebReputationApprovedList = [new(ApprovedUrlKind.Domain, "intra.example.co.jp"), new(ApprovedUrlKind.Url, "https://intra.example.co.jp/a", "wiki", false), new(ApprovedUrlKind.Ip, "10.1.1.1")],
            UrlKeywordExceptions = ["unsubscribe_token"],
            ScanExceptions = new ScanExceptionSettings
            {
                Inbound = [new(ScanExceptionTrigger.TooManyLayers, new RuleActions(new DeleteMessage(), [new TagSubject("[unscannable]")], [new Notify("nt1")]))],
                Outbound = [new(ScanExceptionTrigger.MalformedMessage, RuleActions.DoNotIntercept)],
            },
            Retention = new RetentionSettings { QuarantineDays = 14, MailTrackingDays = 60, AuditDays = 365 },
            Directory = new DirectorySettings { Kind = DirectoryKind.Ldap, LdapServer = "dc01.example.co.jp:389", BaseDn = "dc=example,dc=co,dc=jp" },
        };

        Rule R(string id, Direction d, RuleType t, string name, int order) => new()
        {
            Id = id, Direction = d, Type = t, Name = name, Order = order, Created = T0, Modified = T0.AddMinutes(order),
        };

        var contentAll = R("r-content", Direction.Inbound, RuleType.Content, "全部入り", 1) with
        {
            Notes = "every content criterion", Enabled = false, LastUsed = T0.AddDays(2),
            Scope = new RuleScope(
                Participants.Of(new AddressParticipant(AddressPattern.Parse("*@example.co.jp")), new DomainParticipant("example.co.jp"),
                    new AddressGroupParticipant("ag-internal"), new DirectoryGroupParticipant("cn=sales,ou=groups,dc=example,dc=co,dc=jp", "sales")),
                Participants.Of(new AddressGroupParticipant("ag-hybrid"), new AddressParticipant(AddressPattern.Parse("*@*.partner.example"))),
                [new ScopeException(Participants.Anyone, Participants.Of(new AddressParticipant(AddressPattern.Parse("soumu@example.co.jp"))))]),
            Criteria = CriteriaSet.AllOf(
                new EnvelopeSenderBlank(), new HeaderSenderDiffersFromEnvelopeSender(), new HeaderSenderDiffersFromReplyTo(),
                new HeaderMatches(["X-Mailer", "User-Agent"], ["kw4"]), new SubjectMatches(["kw1", "kw2"]), new SubjectBlank(),
                new BodyMatches(["kw3"]), new BodyBlank(), new AttachmentContentMatches(["kw1"]),
                new AttachmentName(Selection.Selected, ["*.exe", "invoice*.pdf"]), new AttachmentMimeType(Selection.NotSelected, ["text/plain"]),
                new AttachmentTrueType(Selection.Selected, ["exe", "msi", "lnk", "7z"]), new AttachmentSize(Comparison.GreaterThan, 5 * 1024 * 1024),
                new AttachmentCount(Comparison.Equal, 3), new AttachmentPasswordProtected(), new AttachmentActiveContent(),
                new MessageSize(Comparison.LessOrEqual, 1024), new RecipientCount(Comparison.GreaterOrEqual, 50),
                new ReceivedTimeWindow([DayOfWeek.Saturday, DayOfWeek.Sunday], new TimeOnly(22, 0), new TimeOnly(6, 30), "Asia/Tokyo"),
                new SpoofedInternal(["10.0.0.0/8", "2001:db8::1"])),
            Actions = new RuleActions(new ChangeRecipient(["security@example.co.jp"]),
                [new DeleteAttachments(AttachmentScope.All), new InsertXHeader("X-Checked", "yes"), new InsertStamp("st1"), new TagSubject("[要確認]", false), new DeliverAt(new TimeOnly(22, 0), "Asia/Tokyo")],
                [new Notify("nt1"), new Bcc(["audit@example.co.jp"]), new Archive("監査")]),
            Migration = new RuleMigration(prov, MigrationStatus.NeedsFix,
                [new MigrationFinding("bcc-unmanaged-domain", FindingStatus.Error, new("BCC 宛先を削除しました", "BCC removed"), new("修正してください", "Fix it"))]),
        };
        var spam = R("r-spam", Direction.Inbound, RuleType.Spam, "スパム", 1) with
        {
            Scope = RuleScope.Default with { Senders = Participants.MyOrganization },
            Criteria = CriteriaSet.AnyOf(new SpamDetection(SpamLevel.ModeratelyLow), new Phishing(),
                new Bec([BecMode.DetectedByEngine, BecMode.SuspectedByEngine]),
                new Graymail([GraymailCategory.Marketing, GraymailCategory.Bulk], ["192.0.2.1"]), new SocialEngineering(),
                new WebReputation(WebReputationLevel.ModeratelyHigh, UntestedUrlAction.ApplyAction, TimeOfClickMode.RiskyUrls, true, false, true)),
            Actions = new RuleActions(new Quarantine("QA1"), [], []),
            Migration = new RuleMigration(prov, MigrationStatus.Confirmed, []),
        };
        var virus = R("r-virus", Direction.Outbound, RuleType.Virus, "ウイルス", 1) with
        {
            Scope = new RuleScope(Participants.Anyone, Participants.Of(new AddressParticipant(AddressPattern.Parse("ceo@example.co.jp"))), []),
            Criteria = CriteriaSet.AnyOf(new MalwareDetection([DetectionType.Cleanable, DetectionType.MassMailing, DetectionType.Uncleanable, DetectionType.IntelliTrap], ["spyware", "adware"])),
            Actions = new RuleActions(new DoNotIntercept(), [new CleanMalware(AttachmentScope.All), new InsertSafeStamp("st1")], [new Notify("nt1")]),
            DetectionOverrides = [new DetectionOverride(DetectionKind.MassMailing, new RuleActions(new DeleteMessage(), [], [])), new DetectionOverride(DetectionKind.Spyware, new RuleActions(new Quarantine(), [], []))],
        };
        var dlp = R("r-dlp", Direction.Outbound, RuleType.Dlp, "DLP", 1) with
        {
            Scope = new RuleScope(Participants.Anyone, Participants.Of(new AddressGroupParticipant("ag-internal")), []),
            Criteria = CriteriaSet.AnyOf(new DlpMatch(["dt1", "predefined:pci-dss"], [DlpField.Subject, DlpField.Body, DlpField.Headers, DlpField.Attachments])),
            Actions = new RuleActions(new DeliverNow("10.0.0.50", 2525), [], []),
        };
        var content2 = R("r-content2", Direction.Inbound, RuleType.Content, "削除", 2) with
        {
            Actions = new RuleActions(new DeleteMessage(), [new DeleteAttachments()], []),
            Criteria = CriteriaSet.AnyOf(new AttachmentTrueType(Selection.Selected, ["exe"])),
        };
        var content3 = R("r-content3", Direction.Outbound, RuleType.Content, "既定経路", 1) with
        {
            Scope = new RuleScope(Participants.Anyone, Participants.MyOrganization, []),
            Actions = new RuleActions(new DeliverNow(), [], []),
        };

        return new PolicySnapshot
        {
            Domains = [d1, d2],
            AddressGroups = [internalGroup, hybridGroup],
            KeywordLists = [kw, kw2, kw3, kw4],
            Notifications = [note],
            Stamps = [stamp],
            DlpIdentifiers = identifiers,
            DlpTemplates = [template],
            Settings = settings,
            Rules = [contentAll, content2, spam, virus, dlp, content3],
        };
    }
}
