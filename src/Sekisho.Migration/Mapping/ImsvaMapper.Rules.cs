using System.Globalization;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Src = Sekisho.Migration.Source;

namespace Sekisho.Migration.Mapping;

public sealed partial class ImsvaMapper
{
    /// <summary>A rule on its way: the source rule, the Sekisho rules it becomes, and the item's findings.</summary>
    private sealed class RuleDraft(Src.PolicyRule source)
    {
        public Src.PolicyRule Source { get; } = source;
        public List<Rule> Targets { get; } = [];
        public List<MigrationFinding> Findings { get; } = [];
        public bool Created => Targets.Count > 0;
        public bool Terminal { get; set; }
    }

    private readonly List<RuleDraft> _ruleDrafts = [];
    private readonly List<SenderListEntry> _senderEntries = [];
    private readonly List<string> _dkimEnforced = [];
    private AuthAction? _dkimEnforcedAction;

    private static (bool Inbound, bool Outbound) Directions(Src.RouteDirection d) => d switch
    {
        Src.RouteDirection.Incoming => (true, false),
        Src.RouteDirection.Outgoing => (false, true),
        Src.RouteDirection.Both or Src.RouteDirection.All => (true, true),
        _ => (false, false),
    };

    private static LocalizedText TypeLabel(RuleType t) => Model.Localization.ModelText.Get("type." + ModelJsonName(t));

    private static int TypeRank(RuleType t) => t switch { RuleType.Virus => 0, RuleType.Spam => 1, RuleType.Content => 2, _ => 3 };

    private void MapRules()
    {
        foreach (var source in _export.RulesInOrder)
        {
            var draft = new RuleDraft(source);
            _ruleDrafts.Add(draft);
            if (source.Type == Src.RuleType.DkimEnforcement) { MapDkimEnforcement(source, draft); continue; }
            switch (source.Route.ApplyTo)
            {
                case Src.RouteDirection.Pop3:
                    draft.Findings.Add(Findings.NotSupported("route-pop3"));
                    continue;
                case Src.RouteDirection.Unknown:
                    draft.Findings.Add(Findings.NotSupported("route-unknown", "?"));
                    continue;
                case Src.RouteDirection.Both or Src.RouteDirection.All:
                    draft.Findings.Add(Findings.Warning("route-split-direction", source.Route.ApplyTo == Src.RouteDirection.All ? L("すべてのメッセージ", "all messages") : L("受信と送信", "incoming and outgoing")));
                    break;
            }
            if (source.Type == Src.RuleType.Unknown)
            {
                draft.Findings.Add(Findings.NotSupported("condition-unknown", "type"));
                continue;
            }

            // Criteria per rule type.
            var families = source.Type == Src.RuleType.Antivirus ? VirusCriteria(source, draft) : OtherCriteria(source, draft);
            if (families is null) continue;
            var actions = MapActions(source.Actions, draft.Findings, source.Type == Src.RuleType.Antivirus);
            draft.Terminal = actions.Intercept.IsTerminal;
            var overrides = source.SpecialActions
                .Where(s => s.Kind != Src.SpecialVirusKind.Unknown)
                .Select(s => new DetectionOverride(s.Kind switch
                {
                    Src.SpecialVirusKind.MassMailing => DetectionKind.MassMailing,
                    Src.SpecialVirusKind.Spyware => DetectionKind.Spyware,
                    _ => DetectionKind.IntelliTrap,
                }, MapActions(s.Actions, draft.Findings, antivirus: true)))
                .ToList();

            var (inbound, outbound) = Directions(source.Route.ApplyTo);
            bool split = inbound && outbound;
            foreach (var direction in new[] { (inbound, Direction.Inbound), (outbound, Direction.Outbound) }.Where(x => x.Item1).Select(x => x.Item2))
            {
                var scope = MapScope(source.Route, direction, draft.Findings, split);
                foreach (var (type, criteria) in families)
                {
                    var suffix = split ? (direction == Direction.Inbound ? " (inbound)" : " (outbound)") : "";
                    var provId = source.Id + (split ? "/" + ModelJsonName(direction) : "") + (families.Count > 1 ? "/" + ModelJsonName(type) : "");
                    draft.Targets.Add(new Rule
                    {
                        Id = NewId("rule", provId), Direction = direction, Type = type, Name = source.Name + suffix, Notes = source.Notes,
                        Enabled = source.Enabled, Scope = scope, Criteria = criteria,
                        Actions = actions, DetectionOverrides = type == RuleType.Virus ? overrides : [],
                        Created = _ctx.Now, Modified = _ctx.Now,
                        Migration = new RuleMigration(Prov(provId), MigrationStatus.Successful, []),
                    });
                }
            }
            MapSpamSenderLists(source, draft);
        }
        FlagEvaluationOrderChanges();
        foreach (var d in _ruleDrafts) FinishRuleItem(d);
    }

    private static string ModelJsonName<T>(T value) where T : struct, Enum => Model.Serialization.ModelJson.EnumName(value);

    // ------------------------------------------------------------------ scope

    private RuleScope MapScope(Src.Route route, Direction direction, List<MigrationFinding> findings, bool split)
    {
        bool inbound = direction == Direction.Inbound;
        var recipients = MapSide(route.Recipients, route.AnyRecipient, protectedSide: inbound, L("受信者", "Recipient"), findings, split && !inbound);
        var senders = MapSide(route.Senders, route.AnySender, protectedSide: !inbound, L("送信者", "Sender"), findings, split && inbound);
        var exceptions = new List<ScopeException>();
        foreach (var pair in route.Exceptions)
        {
            var s = ExceptionSide(pair.Sender, protectedSide: !inbound, L("例外の送信者", "Exception sender"), findings);
            var r = ExceptionSide(pair.Recipient, protectedSide: inbound, L("例外の受信者", "Exception recipient"), findings);
            if (s is not null && r is not null) exceptions.Add(new ScopeException(s, r));
        }
        return new RuleScope(recipients, senders, exceptions);
    }

    /// <param name="quiet">For the second half of a split rule, findings already reported by the first half are not repeated.</param>
    private Participants MapSide(IReadOnlyList<Src.RouteEntry> entries, bool anyone, bool protectedSide, LocalizedText label, List<MigrationFinding> findings, bool quiet)
    {
        if (anyone) return protectedSide ? Participants.MyOrganization : Participants.Anyone;
        var list = new List<Participant>();
        void Report(MigrationFinding f) { if (!quiet || protectedSide) AddOnce(findings, f); }
        foreach (var e in entries)
        {
            switch (e)
            {
                case Src.AddressEntry a:
                    if (!AddressPattern.TryParse(a.Address, out var p, out _)) { Report(Findings.Error("route-invalid-address", a.Address)); break; }
                    if (p!.LocalPart is null && p.DomainMatch == DomainMatch.Any) return protectedSide ? Participants.MyOrganization : Participants.Anyone;
                    if (protectedSide && !LiesWithinManaged(p)) { Report(Findings.Error("route-unmanaged-domain", label, a.Address)); break; }
                    list.Add(new AddressParticipant(p));
                    break;
                case Src.AddressGroupEntry g:
                    if (!_groups.TryGetValue(g.GroupId, out var mapped)) { Report(Findings.Error("dangling-reference", L("アドレスグループ", "address group"), g.GroupId)); break; }
                    if (protectedSide)
                    {
                        list.Add(new AddressGroupParticipant(mapped.ForProtectedSide.Id));
                        foreach (var w in mapped.WildcardsRemoved) Report(Findings.Error("address-group-wildcard-internal", w, mapped.Group.Name));
                    }
                    else list.Add(new AddressGroupParticipant(mapped.Group.Id));
                    break;
                case Src.LdapUserEntry u:
                    if (u.Mail is null || !AddressPattern.TryParse(u.Mail, out var mail, out _)) { Report(Findings.Error("ldap-user-no-mail", u.Dn)); break; }
                    if (protectedSide && !LiesWithinManaged(mail!)) { Report(Findings.Error("route-unmanaged-domain", label, u.Mail)); break; }
                    Report(Findings.Warning("ldap-user-static", u.Dn, u.Mail));
                    list.Add(new AddressParticipant(mail!));
                    break;
                case Src.LdapGroupEntry lg:
                    var name = lg.Name ?? lg.Dn;
                    if (_ctx.DirectoryConfigured)
                    {
                        Report(Findings.Warning("ldap-group-directory", name));
                        list.Add(new DirectoryGroupParticipant(lg.Dn, name));
                    }
                    else Report(Findings.Error("ldap-group-unresolved", name));
                    break;
                case Src.AnyoneEntry:
                    return protectedSide ? Participants.MyOrganization : Participants.Anyone;
                default:
                    Report(Findings.Make("unknown-setting", FindingStatus.Error, label, e.GetType().Name, e.At.ToString()));
                    break;
            }
        }
        return new Participants(ParticipantsMode.Specified, list);
    }

    private Participants? ExceptionSide(string text, bool protectedSide, LocalizedText label, List<MigrationFinding> findings)
    {
        var t = text.Trim();
        if (t is "*" or "*@*" or "") return Participants.Anyone;
        if (!AddressPattern.TryParse(t, out var p, out _)) { AddOnce(findings, Findings.Error("route-invalid-address", t)); return null; }
        if (protectedSide && !LiesWithinManaged(p!)) { AddOnce(findings, Findings.Error("route-unmanaged-domain", label, t)); return null; }
        return Participants.Of(new AddressParticipant(p!));
    }

    private static void AddOnce(List<MigrationFinding> findings, MigrationFinding f)
    {
        if (!findings.Any(x => x.Code == f.Code && x.Message.En == f.Message.En)) findings.Add(f);
    }

    // ------------------------------------------------------------------ criteria

    private List<(RuleType, CriteriaSet)> VirusCriteria(Src.PolicyRule source, RuleDraft draft)
    {
        var types = new List<DetectionType> { DetectionType.Cleanable, DetectionType.MassMailing, DetectionType.Uncleanable };
        var spyware = new List<string>();
        foreach (var c in source.Conditions?.Items ?? [])
        {
            switch (c)
            {
                case Src.FilesToScan { Mode: Src.FilesToScanMode.Specific } f:
                    draft.Findings.Add(Findings.Warning("av-scans-all-files", string.Join(", ", f.Categories.Concat(f.Extensions))));
                    break;
                case Src.IntelliTrap { Enabled: true }:
                    types.Add(DetectionType.IntelliTrap);
                    break;
                case Src.SpywareGrayware s:
                    spyware.AddRange(s.Categories);
                    break;
                case Src.AdvancedThreats { VirtualAnalyzer: true }:
                    draft.Findings.Add(Findings.Warning("no-sandbox"));
                    break;
                case Src.UnknownCondition u:
                    draft.Findings.Add(Findings.NotSupported("condition-unknown", u.Element.Name));
                    break;
            }
        }
        return [(RuleType.Virus, CriteriaSet.AnyOf(new MalwareDetection(types, spyware.Distinct().ToList())))];
    }

    private static RuleType? FamilyOf(Src.ScanningCondition c) => c switch
    {
        Src.Spam or Src.Phishing or Src.SocialEngineering or Src.Graymail or Src.WebReputation => RuleType.Spam,
        Src.AttachmentTrueFileType or Src.AttachmentName or Src.AttachmentMimeType or Src.AttachmentSize or Src.AttachmentCount
            or Src.ContentKeywords or Src.MessageSize or Src.RecipientCount or Src.ReceivedTimeRange or Src.PasswordProtectedZip
            or Src.UnableToDecrypt or Src.SpoofedInternal => RuleType.Content,
        Src.Dlp => RuleType.Dlp,
        _ => null,
    };

    /// <summary>One criteria set per rule type the "other" rule's conditions belong to; null when nothing can be created.</summary>
    private List<(RuleType, CriteriaSet)>? OtherCriteria(Src.PolicyRule source, RuleDraft draft)
    {
        var conditions = source.Conditions?.Items ?? [];
        if (conditions.Count == 0) return [(RuleType.Content, CriteriaSet.Empty)];
        bool all = source.Conditions!.Match == Src.ConditionMatch.All;
        var supported = new List<Src.ScanningCondition>();
        foreach (var c in conditions)
        {
            if (FamilyOf(c) is not null) { supported.Add(c); continue; }
            draft.Findings.Add(c switch
            {
                Src.CnCEmail => Findings.NotSupported("cnc-email"),
                Src.UnknownCondition u => Findings.NotSupported("condition-unknown", u.Element.Name),
                _ => Findings.NotSupported("condition-unknown", c.GetType().Name),
            });
        }
        if (supported.Count == 0)
        {
            draft.Findings.Add(Findings.NotSupported("rule-no-supported-condition"));
            return null;
        }
        if (all && supported.Count < conditions.Count) draft.Findings.Add(Findings.Error("and-condition-dropped"));

        var byFamily = supported.GroupBy(c => FamilyOf(c)!.Value).OrderBy(g => TypeRank(g.Key)).ToList();
        if (byFamily.Count > 1)
        {
            var names = string.Join(", ", byFamily.Select(g => RuleKind(g.Key)));
            draft.Findings.Add(Findings.Warning("split-rule-type", names));
            if (all) draft.Findings.Add(Findings.Error("and-across-rule-types", names));
        }
        var result = new List<(RuleType, CriteriaSet)>();
        foreach (var g in byFamily)
        {
            var criteria = g.SelectMany(c => MapCondition(c, draft.Findings)).ToList();
            if (criteria.Count == 0) continue; // every condition of this family was dropped: never create a rule that matches everything
            var match = all && byFamily.Count == 1 ? MatchMode.All : MatchMode.Any;
            result.Add((g.Key, new CriteriaSet(match, criteria.Distinct().ToList())));
        }
        if (result.Count == 0)
        {
            draft.Findings.Add(Findings.NotSupported("rule-no-supported-condition"));
            return null;
        }
        return result;
    }

    private IEnumerable<Criterion> MapCondition(Src.ScanningCondition c, List<MigrationFinding> findings)
    {
        switch (c)
        {
            case Src.Spam s:
                if (s.CatchRate == Src.SpamCatchRate.Threshold && s.Threshold is { } t)
                {
                    var level = LevelForThreshold(t);
                    findings.Add(Findings.Warning("spam-threshold-approximated", t.ToString(CultureInfo.InvariantCulture), ModelJsonName(level)));
                    yield return new SpamDetection(level);
                }
                else yield return new SpamDetection(s.CatchRate switch
                {
                    Src.SpamCatchRate.Low => SpamLevel.Low,
                    Src.SpamCatchRate.High => SpamLevel.High,
                    _ => SpamLevel.ModeratelyLow,
                });
                foreach (var te in s.TextExemptions) findings.Add(Findings.NotSupported("spam-text-exemption", te.Name));
                break;
            case Src.Phishing: yield return new Phishing(); break;
            case Src.SocialEngineering: yield return new SocialEngineering(); break;
            case Src.Graymail g:
                var categories = new List<GraymailCategory>();
                foreach (var cat in g.Categories)
                {
                    GraymailCategory? m = cat switch { "marketing" => GraymailCategory.Marketing, "social" => GraymailCategory.SocialNetwork, "forum" => GraymailCategory.Forum, "bulk" => GraymailCategory.Bulk, _ => null };
                    if (m is { } v) categories.Add(v);
                    else findings.Add(Findings.NotSupported("unknown-setting", L("グレーメールの分類", "Graymail category"), cat, "Graymail"));
                }
                if (categories.Count == 0) categories.AddRange(Enum.GetValues<GraymailCategory>());
                yield return new Graymail(categories, g.ExceptionIps.Where(Model.Validation.PolicyValidator.IsIpOrCidr).ToList());
                break;
            case Src.WebReputation w:
                if (w.Untested == Src.UntestedUrlAction.SubmitToVirtualAnalyzer) findings.Add(Findings.Warning("no-sandbox"));
                yield return new WebReputation(
                    w.Level switch { Src.SecurityLevel.Low => WebReputationLevel.Low, Src.SecurityLevel.High => WebReputationLevel.High, _ => WebReputationLevel.ModeratelyHigh },
                    w.Untested == Src.UntestedUrlAction.Bypass ? UntestedUrlAction.Bypass : UntestedUrlAction.ApplyAction,
                    w.TimeOfClick switch { Src.TimeOfClick.Untested => TimeOfClickMode.UntestedUrls, Src.TimeOfClick.SmartFlags => TimeOfClickMode.RiskyUrls, Src.TimeOfClick.All => TimeOfClickMode.AllUrls, _ => TimeOfClickMode.Off },
                    w.SignedMessages, w.UseApprovedList);
                break;
            case Src.AttachmentTrueFileType tft:
                var types = new List<string>();
                foreach (var type in tft.Types)
                {
                    if (TrueFileTypes.IsKnown(type)) types.Add(type);
                    else findings.Add(Findings.Warning("true-type-unknown", type));
                }
                if (types.Count > 0) yield return new AttachmentTrueType(Sel(tft.Select), types);
                break;
            case Src.AttachmentName n when n.Patterns.Count > 0: yield return new AttachmentName(Sel(n.Select), n.Patterns); break;
            case Src.AttachmentMimeType m when m.Types.Count > 0: yield return new AttachmentMimeType(Sel(m.Select), m.Types); break;
            case Src.AttachmentSize a: yield return new AttachmentSize(Cmp(a.Op), CapSize(a.Bytes, findings)); break;
            case Src.AttachmentCount a: yield return new AttachmentCount(Cmp(a.Op), Math.Max(0, a.Value)); break;
            case Src.ContentKeywords k:
                var ids = new List<string>();
                foreach (var id in k.ListIds)
                {
                    if (!_keywordLists.TryGetValue(id, out var list)) { findings.Add(Findings.Error("dangling-reference", L("キーワードリスト", "keyword list"), id)); continue; }
                    ids.Add(list.Id);
                    if (_keywordListErrors.TryGetValue(id, out var errors)) foreach (var e in errors) AddOnce(findings, e);
                }
                if (ids.Count == 0) break;
                yield return k.Area switch
                {
                    Src.KeywordArea.Subject => new SubjectMatches(ids),
                    Src.KeywordArea.Body => new BodyMatches(ids),
                    Src.KeywordArea.AttachmentContent => new AttachmentContentMatches(ids),
                    _ => new HeaderMatches(k.Headers.Count > 0 ? k.Headers : ["From", "To", "Cc", "Reply-To", "Subject"], ids),
                };
                break;
            case Src.MessageSize m:
                var limit = EffectiveMaxMessageSize;
                if (m.Op == Src.ComparisonOperator.GreaterThan && m.Bytes >= limit)
                    findings.Add(Findings.Warning("size-over-limit", FormatSize(m.Bytes), FormatSize(limit)));
                yield return new MessageSize(Cmp(m.Op), CapSize(m.Bytes, findings));
                break;
            case Src.RecipientCount r: yield return new RecipientCount(Cmp(r.Op), Math.Max(0, r.Value)); break;
            case Src.ReceivedTimeRange r: yield return new ReceivedTimeWindow(r.Days, r.From, r.To); break;
            case Src.PasswordProtectedZip: yield return new AttachmentPasswordProtected(); break;
            case Src.UnableToDecrypt:
                findings.Add(Findings.Warning("unable-to-decrypt-approximated"));
                yield return new AttachmentPasswordProtected();
                break;
            case Src.SpoofedInternal s: yield return new SpoofedInternal(s.TrustedIps.Where(Model.Validation.PolicyValidator.IsIpOrCidr).ToList()); break;
            case Src.Dlp d:
                var templates = new List<string>();
                foreach (var id in d.TemplateIds)
                {
                    if (_dlpTemplates.TryGetValue(id, out var custom)) { templates.Add(custom.Id); continue; }
                    var name = _predefinedTemplateNames.GetValueOrDefault(id) ?? _export.Objects.DlpTemplates.FirstOrDefault(x => x.Id == id)?.Name ?? id;
                    if (_predefinedTemplateNames.ContainsKey(id) && PredefinedDlp.FindTemplateByName(name) is { } mapped)
                    {
                        findings.Add(Findings.Warning("dlp-predefined-mapped", name, mapped.Name));
                        templates.Add(mapped.Id);
                    }
                    else findings.Add(Findings.Error("dlp-template-unknown", name));
                }
                if (templates.Count > 0) yield return new DlpMatch(templates, [DlpField.Subject, DlpField.Body, DlpField.Headers, DlpField.Attachments]);
                break;
        }
    }

    /// <summary>InterScan's spam threshold (3.0 catches most … 10.0 fewest) to the nearest catch rate.</summary>
    internal static SpamLevel LevelForThreshold(decimal t) => t switch
    {
        <= 3.5m => SpamLevel.Highest,
        <= 4.5m => SpamLevel.High,
        <= 5.5m => SpamLevel.ModeratelyHigh,
        <= 7.0m => SpamLevel.ModeratelyLow,
        <= 8.5m => SpamLevel.Low,
        _ => SpamLevel.Lowest,
    };

    private static Selection Sel(Src.AttachmentSelection s) => s == Src.AttachmentSelection.NotSelected ? Selection.NotSelected : Selection.Selected;

    private static Comparison Cmp(Src.ComparisonOperator c) => c switch
    {
        Src.ComparisonOperator.LessThan => Comparison.LessThan,
        Src.ComparisonOperator.EqualTo => Comparison.Equal,
        _ => Comparison.GreaterThan,
    };

    private static long CapSize(long bytes, List<MigrationFinding> findings)
    {
        if (bytes <= GatewayLimits.MaxAllowedMessageSize) return Math.Max(1, bytes);
        AddOnce(findings, Findings.Warning("size-over-limit", FormatSize(bytes), FormatSize(GatewayLimits.MaxAllowedMessageSize)));
        return GatewayLimits.MaxAllowedMessageSize;
    }

    internal static string FormatSize(long bytes) =>
        bytes >= GatewayLimits.MegaByte && bytes % GatewayLimits.MegaByte == 0 ? $"{bytes / GatewayLimits.MegaByte} MB"
        : bytes >= GatewayLimits.MegaByte ? $"{(bytes / (double)GatewayLimits.MegaByte).ToString("0.##", CultureInfo.InvariantCulture)} MB ({bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    // ------------------------------------------------------------------ actions

    private RuleActions MapActions(Src.RuleActions a, List<MigrationFinding> findings, bool antivirus)
    {
        InterceptAction intercept = new DoNotIntercept();
        switch (a.Intercept)
        {
            case null or Src.DoNotIntercept: break;
            case Src.DeleteEntireMessage: intercept = new DeleteMessage(); break;
            case Src.QuarantineTo q: intercept = new Quarantine(AreaName(q.AreaId, quarantine: true)); break;
            case Src.ChangeRecipientTo c:
                var keep = new List<string>();
                var removed = new List<string>();
                foreach (var addr in c.Addresses)
                {
                    if (AddressPattern.TryParse(addr, out var p, out _) && p!.IsSingleAddress && LiesWithinManaged(p)) keep.Add(addr.Trim());
                    else removed.Add(addr);
                }
                if (removed.Count > 0) AddOnce(findings, Findings.Error("change-recipient-unmanaged", string.Join(", ", removed)));
                if (keep.Count > 0) intercept = new ChangeRecipient(keep);
                break;
            case Src.Handoff h:
                AddOnce(findings, Findings.Warning("handoff-deliver-now", h.Host, h.Port));
                intercept = new DeliverNow(h.Host, h.Port);
                break;
            case Src.UnknownIntercept u:
                AddOnce(findings, Findings.Error("action-unknown", u.Element.Name));
                break;
        }

        var modify = new List<ModifyAction>();
        if (antivirus && a.VirusHandling is { } vh)
        {
            switch (vh.Mode)
            {
                case Src.VirusHandlingMode.ActiveAction:
                    AddOnce(findings, Findings.Warning("active-action-approximated"));
                    modify.Add(new CleanMalware(AttachmentScope.Matching));
                    break;
                case Src.VirusHandlingMode.CleanThenDeleteMatching: modify.Add(new CleanMalware(AttachmentScope.Matching)); break;
                case Src.VirusHandlingMode.CleanThenDeleteAll: modify.Add(new CleanMalware(AttachmentScope.All)); break;
                case Src.VirusHandlingMode.DeleteMatching: modify.Add(new DeleteAttachments(AttachmentScope.Matching)); break;
                case Src.VirusHandlingMode.DeleteAll: modify.Add(new DeleteAttachments(AttachmentScope.All)); break;
                default: AddOnce(findings, Findings.NotSupported("action-unknown", "VirusHandling")); break;
            }
        }
        foreach (var m in a.Modify)
        {
            switch (m)
            {
                case Src.InsertXHeader x:
                    if (x.Name.StartsWith(Model.Validation.PolicyValidator.ReservedHeaderPrefix, StringComparison.OrdinalIgnoreCase)) { AddOnce(findings, Findings.Error("x-header-reserved", x.Name)); break; }
                    if (!System.Text.RegularExpressions.Regex.IsMatch(x.Name, "^X-[A-Za-z0-9-]{1,74}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))) { AddOnce(findings, Findings.Error("x-header-invalid", x.Name)); break; }
                    modify.RemoveAll(y => y is InsertXHeader h && string.Equals(h.Name, x.Name, StringComparison.OrdinalIgnoreCase));
                    modify.Add(new InsertXHeader(x.Name, x.Value.ReplaceLineEndings(" ")));
                    break;
                case Src.DeleteAttachments d:
                    modify.Add(new DeleteAttachments(d.Scope == Src.AttachmentDeletionScope.All ? AttachmentScope.All : AttachmentScope.Matching));
                    break;
                case Src.InsertStamp s:
                    if (_stamps.TryGetValue(s.StampId, out var stamp)) modify.Add(new InsertStamp(stamp.Id));
                    else AddOnce(findings, Findings.Error("dangling-reference", L("スタンプ", "stamp"), s.StampId));
                    break;
                case Src.TagSubject t when !string.IsNullOrWhiteSpace(t.Text): modify.Add(new TagSubject(t.Text, SkipSignedMessages: false)); break;
                case Src.PostponeDelivery p: modify.Add(new DeliverAt(p.DeliverAt)); break;
                case Src.UnknownModifyAction u: AddOnce(findings, Findings.NotSupported("action-unknown", u.Element.Name)); break;
            }
        }
        if (a.SafeStamp is { } safe)
        {
            if (_stamps.TryGetValue(safe.StampId, out var stamp)) modify.Add(new InsertSafeStamp(stamp.Id));
            else AddOnce(findings, Findings.Error("dangling-reference", L("スタンプ", "stamp"), safe.StampId));
        }

        var monitor = new List<MonitorAction>();
        foreach (var m in a.Monitor)
        {
            switch (m)
            {
                case Src.Notify n:
                    if (_notifications.TryGetValue(n.NotificationId, out var note)) monitor.Add(new Notify(note.Id));
                    else AddOnce(findings, Findings.Error("dangling-reference", L("通知", "notification"), n.NotificationId));
                    break;
                case Src.ArchiveTo ar: monitor.Add(new Archive(AreaName(ar.AreaId, quarantine: false))); break;
                case Src.Bcc b:
                    var keep = new List<string>();
                    foreach (var addr in b.Addresses)
                    {
                        if (AddressPattern.TryParse(addr, out var p, out _) && p!.IsSingleAddress && LiesWithinManaged(p)) keep.Add(addr.Trim());
                        else AddOnce(findings, Findings.Error("bcc-unmanaged-domain", addr));
                    }
                    if (keep.Count > 0) monitor.Add(new Bcc(keep));
                    break;
                case Src.UnknownMonitorAction u: AddOnce(findings, Findings.NotSupported("action-unknown", u.Element.Name)); break;
            }
        }
        foreach (var u in a.Unknown) AddOnce(findings, Findings.NotSupported("action-unknown", u.Name));
        return new RuleActions(intercept, modify, monitor);
    }

    private string? AreaName(string? id, bool quarantine)
    {
        if (id is null) return null;
        var areas = quarantine ? _export.Areas?.Quarantine : _export.Areas?.Archive;
        return areas?.FirstOrDefault(a => a.Id == id)?.Name ?? id;
    }

    // ------------------------------------------------------------------ spam sender lists, DKIM enforcement

    private void MapSpamSenderLists(Src.PolicyRule source, RuleDraft draft)
    {
        var spam = source.Conditions?.Items.OfType<Src.Spam>().FirstOrDefault();
        if (spam is null || spam.ApprovedSenders.Count + spam.BlockedSenders.Count == 0) return;
        var recipients = draft.Targets.FirstOrDefault(t => t.Direction == Direction.Inbound)?.Scope.Recipients ?? Participants.MyOrganization;
        var scopes = new List<(SenderListScope, string?)>();
        if (recipients.Mode != ParticipantsMode.Specified) scopes.Add((SenderListScope.Organization, null));
        else
        {
            foreach (var e in recipients.Entries)
            {
                IEnumerable<AddressPattern> patterns = e switch
                {
                    AddressParticipant a => [a.Pattern],
                    AddressGroupParticipant g => _groupObjects.Find(x => x.Id == g.GroupId)?.Entries.Select(x => x.Address) ?? [],
                    _ => [],
                };
                foreach (var p in patterns)
                    scopes.Add(p.IsSingleAddress ? (SenderListScope.Recipient, p.ToString()) : (SenderListScope.Domain, p.Domain));
                if (e is DirectoryGroupParticipant) scopes.Add((SenderListScope.Organization, null));
            }
        }
        int count = 0;
        foreach (var (list, senders) in new[] { (SenderListKind.Approved, spam.ApprovedSenders), (SenderListKind.Blocked, spam.BlockedSenders) })
        {
            foreach (var s in senders)
            {
                if (!AddressPattern.TryParse(s, out var p, out _)) { draft.Findings.Add(Findings.Warning("route-invalid-address", s)); continue; }
                foreach (var (scope, value) in scopes.Distinct())
                {
                    _senderEntries.Add(new SenderListEntry(list, scope, value, p!, SenderListSource.Administrator, Prov(source.Id)));
                    count++;
                }
            }
        }
        draft.Findings.Add(Findings.Warning("spam-lists-moved", count));
        _senderListTargets.Add(source.Id);
    }

    private readonly HashSet<string> _senderListTargets = [];

    private void MapDkimEnforcement(Src.PolicyRule source, RuleDraft draft)
    {
        var domains = source.DkimEnforcement?.Domains ?? [];
        if (source.Enabled)
        {
            _dkimEnforced.AddRange(domains.Select(DomainNames.NormalizeOrSelf));
            _dkimEnforcedAction = source.Actions.Intercept switch
            {
                Src.DeleteEntireMessage => new AuthAction(AuthIntercept.Delete),
                Src.QuarantineTo => new AuthAction(AuthIntercept.Quarantine),
                _ => AuthAction.Accept,
            };
        }
        draft.Findings.Add(Findings.Warning("dkim-enforced-peer-matching", string.Join(", ", domains)));
    }

    // ------------------------------------------------------------------ evaluation order and items

    /// <summary>
    /// InterScan runs one list in order; Sekisho runs virus, spam, content, then DLP rules. A rule that now runs ahead of
    /// an earlier source rule with a terminal action gets a warning.
    /// </summary>
    private void FlagEvaluationOrderChanges()
    {
        // For each direction and rule type, the first enabled source rule with a terminal action that produced a rule of that type.
        var firstTerminal = new Dictionary<(Direction, RuleType), (int Index, RuleDraft Draft)>();
        int index = 0;
        foreach (var draft in _ruleDrafts.Where(d => d.Created))
        {
            index++;
            foreach (var target in draft.Targets)
            {
                var ahead = firstTerminal.Where(kv => kv.Key.Item1 == target.Direction && TypeRank(kv.Key.Item2) > TypeRank(target.Type))
                    .OrderBy(kv => kv.Value.Index).Select(kv => (kv.Value.Draft, Type: kv.Key.Item2)).FirstOrDefault();
                if (ahead.Draft is not null)
                    AddOnce(draft.Findings, Findings.Warning("evaluation-order-changed", ahead.Draft.Source.Name, TypeLabel(ahead.Type), TypeLabel(target.Type), TypeLabel(ahead.Type)));
            }
            if (draft.Terminal && draft.Source.Enabled)
                foreach (var t in draft.Targets) firstTerminal.TryAdd((t.Direction, t.Type), (index, draft));
        }
    }

    private void FinishRuleItem(RuleDraft d)
    {
        var status = Findings.StatusOf(d.Findings, d.Created);
        var migrationStatus = status switch
        {
            FindingStatus.Error => MigrationStatus.NeedsFix,
            FindingStatus.Warning => MigrationStatus.NeedsConfirmation,
            _ => MigrationStatus.Successful,
        };
        for (int i = 0; i < d.Targets.Count; i++)
        {
            var t = d.Targets[i];
            d.Targets[i] = t with
            {
                Enabled = t.Enabled && status != FindingStatus.Error,
                Migration = t.Migration! with { Status = migrationStatus, Findings = d.Findings.ToList() },
            };
        }
        var targets = d.Source.Type == Src.RuleType.DkimEnforcement
            ? [new AnalysisTarget("dkim-verification", null, d.Source.Name, null)]
            : d.Targets.Select(t => new AnalysisTarget(RuleKind(t.Type), t.Direction, t.Name, t.Enabled, t.Id)).ToList();
        if (_senderListTargets.Contains(d.Source.Id)) targets = [.. targets, new AnalysisTarget("sender-filter", Direction.Inbound, d.Source.Name, null)];
        bool created = d.Created || d.Source.Type == Src.RuleType.DkimEnforcement;
        AddItem(new AnalysisItem("rule:" + d.Source.Id, "rule", d.Source.Name, $"Policy > Policy List > {d.Source.Name}",
            Findings.StatusOf(d.Findings, created), targets, d.Findings));
    }
}
