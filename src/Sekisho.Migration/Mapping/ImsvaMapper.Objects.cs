using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Migration.Keywords;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Src = Sekisho.Migration.Source;

namespace Sekisho.Migration.Mapping;

public sealed partial class ImsvaMapper
{
    /// <summary>An address group as migrated: the group itself and, where it names the organization's own people, an internal version.</summary>
    private sealed record MappedGroup(AddressGroup Group, AddressGroup? InternalCopy, IReadOnlyList<string> WildcardsRemoved)
    {
        /// <summary>The group to use on the protected side (inbound recipients / outbound senders).</summary>
        public AddressGroup ForProtectedSide => InternalCopy ?? Group;
    }

    private readonly Dictionary<string, MappedGroup> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _groupsUsedProtected = new(StringComparer.Ordinal);
    private readonly List<AddressGroup> _groupObjects = [];
    private readonly Dictionary<string, KeywordList> _keywordLists = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, bool), KeywordTranslation> _translations = [];
    private readonly Dictionary<string, List<MigrationFinding>> _keywordListErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Notification> _notifications = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Stamp> _stamps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DlpIdentifier> _dlpIdentifiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DlpTemplate> _dlpTemplates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _predefinedTemplateNames = new(StringComparer.Ordinal);

    /// <summary>Tokens Sekisho renders in notifications and stamps (cegp §3.8.2 plus InterScan's own).</summary>
    public static readonly IReadOnlySet<string> KnownTokens = new HashSet<string>(StringComparer.Ordinal)
    {
        "%SENDER%", "%HEADER_SENDER%", "%RCPTS%", "%SUBJECT%", "%DATE&TIME%", "%HEADERS%", "%MAILID%", "%RULENAME%", "%RULETYPE%",
        "%DETECTED%", "%FILENAME%", "%DEF_CHARSET%", "%MSG_SIZE%", "%ATTACH_SIZE%", "%ATTACH_COUNT%", "%TACTION%", "%ACTION%",
        "%VIRUSNAME%", "%VIRUSACTION%", "%HPU_CONFIRMED_URL%", "%HPU_DENIED_URL%", "%SPFRESULT%", "%UNUSUAL_SIGNAL_NAME%",
        "%CI_RULE_NAME%", "%CI_RULE_DESC%",
        "%ENTITY%", "%QUARANTINE_PATH%", "%QUARANTINE_AREA%", "%PROTOCOL%", "%HOSTNAME%", "%MAILCHARSET%", "%SUSPICIOUS_URL%",
    };

    private static readonly Regex TokenPattern = new("%[A-Z_&]+%", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // ------------------------------------------------------------------ address groups

    /// <summary>Which groups name the organization's own recipients (inbound) or senders (outbound).</summary>
    private void PlanAddressGroupUsage()
    {
        foreach (var rule in _export.Rules)
        {
            var (inbound, outbound) = Directions(rule.Route.ApplyTo);
            if (inbound)
                foreach (var g in rule.Route.Recipients.OfType<Src.AddressGroupEntry>()) _groupsUsedProtected.Add(g.GroupId);
            if (outbound)
                foreach (var g in rule.Route.Senders.OfType<Src.AddressGroupEntry>()) _groupsUsedProtected.Add(g.GroupId);
        }
    }

    private void MapAddressGroups()
    {
        foreach (var g in _export.Objects.AddressGroups)
        {
            var findings = new List<MigrationFinding>();
            var entries = new List<AddressGroupEntry>();
            foreach (var a in g.Addresses)
            {
                if (AddressPattern.TryParse(a, out var p, out _)) entries.Add(new AddressGroupEntry(p!));
                else findings.Add(Findings.Warning("address-invalid", a));
            }
            bool allInternal = entries.All(e => LiesWithinManaged(e.Address));
            var group = new AddressGroup
            {
                Id = NewId("address-group", g.Id), Name = g.Name, Internal = allInternal, Entries = entries, Provenance = Prov(g.Id),
            };
            AddressGroup? copy = null;
            var wildcards = new List<string>();
            if (!allInternal && _groupsUsedProtected.Contains(g.Id))
            {
                var kept = entries.Where(e => LiesWithinManaged(e.Address)).ToList();
                var removed = entries.Where(e => !LiesWithinManaged(e.Address)).ToList();
                wildcards = removed.Where(e => e.Address.HasWildcardDomain && e.Address.DomainMatch != DomainMatch.Any).Select(e => e.Address.ToString()).ToList();
                copy = new AddressGroup
                {
                    Id = NewId("address-group", g.Id + "#internal"), Name = g.Name + " - internal", Internal = true, Entries = kept,
                    Description = L($"「{g.Name}」から管理対象ドメインのアドレスのみを抜き出したコピー", $"Copy of '{g.Name}' holding only addresses of the managed domains").For(Language),
                    Provenance = Prov(g.Id + "#internal"),
                };
                foreach (var w in wildcards) findings.Add(Findings.Error("address-group-wildcard-internal", w, g.Name));
                var unmanaged = removed.Select(e => e.Address.ToString()).Except(wildcards).ToList();
                if (unmanaged.Count > 0 || wildcards.Count == 0)
                    findings.Add(Findings.Warning("address-group-internal-copy", string.Join(", ", unmanaged), copy.Name));
            }
            _groups[g.Id] = new MappedGroup(group, copy, wildcards);
            _groupObjects.Add(group);
            var targets = new List<AnalysisTarget> { new("address-group", null, group.Name, null, group.Id) };
            if (copy is not null)
            {
                _groupObjects.Add(copy);
                targets.Add(new("address-group", null, copy.Name, null, copy.Id));
            }
            AddItem("address-group:" + g.Id, "address-group", g.Name, $"Policy > Policy Objects > Address Groups > {g.Name}", targets, findings, created: true);
        }
    }

    /// <summary>The report language: the export's language (Japanese exports read Japanese first).</summary>
    private string Language => _export.Info.Language?.StartsWith("ja", StringComparison.OrdinalIgnoreCase) == true ? "ja" : "en";

    // ------------------------------------------------------------------ keyword lists

    private void MapKeywordLists()
    {
        foreach (var k in _export.Objects.KeywordLists)
        {
            var findings = new List<MigrationFinding>();
            var expressions = new List<KeywordExpression>();
            foreach (var e in k.Expressions)
            {
                // Exports repeat the same expressions in many lists: translate (and compile-check) each once.
                if (!_translations.TryGetValue((e.Text, e.CaseSensitive), out var translation))
                    _translations[(e.Text, e.CaseSensitive)] = translation = KeywordExpressionTranslator.Translate(e);
                switch (translation)
                {
                    case TranslatedKeyword t:
                        expressions.Add(new KeywordExpression(t.Pattern, e.CaseSensitive, e.Score, "", t.Pattern == e.Text ? null : e.Text));
                        break;
                    case UntranslatableKeyword u:
                        findings.Add(Findings.Error("keyword-invalid-regex", e.Text, k.Name,
                            new LocalizedText(u.GetMessage(System.Globalization.CultureInfo.GetCultureInfo("ja")), u.GetMessage(System.Globalization.CultureInfo.InvariantCulture))));
                        break;
                }
            }
            if (k.Match == Src.KeywordMatch.Unknown) findings.Add(Findings.NotSupported("unknown-setting", L("照合方法", "Match"), "?", k.Name));
            var list = new KeywordList
            {
                Id = NewId("keyword-list", k.Id), Name = k.Name,
                Match = k.Match switch
                {
                    Src.KeywordMatch.All => KeywordMatch.All,
                    Src.KeywordMatch.Not => KeywordMatch.Not,
                    Src.KeywordMatch.Score => KeywordMatch.Score,
                    _ => KeywordMatch.Any,
                },
                Threshold = Math.Max(0, k.Threshold ?? 0), Expressions = expressions, Provenance = Prov(k.Id),
            };
            _keywordLists[k.Id] = list;
            if (findings.Any(f => f.Code == "keyword-invalid-regex")) _keywordListErrors[k.Id] = findings.Where(f => f.Code == "keyword-invalid-regex").ToList();
            AddItem("keyword-list:" + k.Id, "keyword-list", k.Name, $"Policy > Policy Objects > Keywords & Expressions > {k.Name}",
                [new("keyword-list", null, list.Name, null, list.Id)], findings, created: true);
        }
    }

    // ------------------------------------------------------------------ notifications and stamps

    private void MapNotifications()
    {
        foreach (var n in _export.Objects.Notifications)
        {
            var findings = new List<MigrationFinding>();
            foreach (var token in TokensOf(n.Subject, n.Body, n.To, n.From).Where(t => !KnownTokens.Contains(t)))
                findings.Add(Findings.Warning("notification-variable-unknown", token));
            string from = n.From.Trim();
            if (!IsAddressOrToken(from))
            {
                var fallback = "postmaster@" + (_managed.Order(StringComparer.Ordinal).FirstOrDefault() ?? "localhost.localdomain");
                findings.Add(Findings.Error("notification-address-invalid", L("送信者", "sender"), from, fallback));
                from = fallback;
            }
            var to = string.Join(";", n.To.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t =>
            {
                if (IsAddressOrToken(t)) return true;
                findings.Add(Findings.Error("notification-address-invalid", L("宛先", "recipient"), t, "-"));
                return false;
            }));
            string charset = n.Charset ?? "UTF-8";
            try { Encoding.GetEncoding(charset); }
            catch (ArgumentException)
            {
                findings.Add(Findings.NotSupported("unknown-setting", L("文字セット", "Charset"), charset, n.Name));
                charset = "UTF-8";
            }
            var note = new Notification
            {
                Id = NewId("notification", n.Id), Name = n.Name, From = from, To = to.Length == 0 ? "%SENDER%" : to, Subject = n.Subject, Body = n.Body,
                Charset = charset, AttachOriginal = n.AttachOriginal, Format = TextFormat.Text, Provenance = Prov(n.Id),
            };
            _notifications[n.Id] = note;
            AddItem("notification:" + n.Id, "notification", n.Name, $"Policy > Policy Objects > Notifications > {n.Name}",
                [new("notification", null, note.Name, null, note.Id)], findings, created: true);
        }
    }

    private static IEnumerable<string> TokensOf(params string[] texts) =>
        texts.SelectMany(t => TokenPattern.Matches(t).Select(m => m.Value)).Distinct(StringComparer.Ordinal);

    private static bool IsAddressOrToken(string s) =>
        TokenPattern.IsMatch(s) && TokenPattern.Match(s).Value == s || (AddressPattern.TryParse(s, out var a, out _) && a!.IsSingleAddress);

    private void MapStamps()
    {
        foreach (var s in _export.Objects.Stamps)
        {
            var findings = new List<MigrationFinding>();
            foreach (var token in TokensOf(s.Text).Where(t => !KnownTokens.Contains(t)))
                findings.Add(Findings.Warning("notification-variable-unknown", token));
            if (s.Position == Src.StampPosition.Unknown) findings.Add(Findings.NotSupported("unknown-setting", L("挿入位置", "Position"), "?", s.Name));
            bool html = s.Format == Src.StampFormat.Html;
            var stamp = new Stamp
            {
                Id = NewId("stamp", s.Id), Name = s.Name, Position = s.Position == Src.StampPosition.Beginning ? StampPosition.Beginning : StampPosition.End,
                Text = html ? Regex.Replace(s.Text, "<[^>]*>", "", RegexOptions.None, TimeSpan.FromSeconds(1)) : s.Text,
                Html = html ? s.Text : null, SkipSignedAndTnef = s.SkipSigned, Provenance = Prov(s.Id),
            };
            _stamps[s.Id] = stamp;
            AddItem("stamp:" + s.Id, "stamp", s.Name, $"Policy > Policy Objects > Stamps > {s.Name}", [new("stamp", null, stamp.Name, null, stamp.Id)], findings, created: true);
        }
    }

    // ------------------------------------------------------------------ DLP

    private void MapDlp()
    {
        var predefined = new List<string>();
        foreach (var d in _export.Objects.DlpDataIdentifiers)
        {
            if (d.Predefined) { predefined.Add(d.Name); continue; }
            var findings = new List<MigrationFinding>();
            DlpIdentifier? identifier = null;
            switch (d)
            {
                case Src.DlpExpressionIdentifier e:
                    var error = e.Pattern is null ? "empty pattern" : Model.Validation.PolicyValidator.RegexError(e.Pattern);
                    if (error is null) identifier = new DlpExpression { Id = NewId("dlp-identifier", d.Id), Name = d.Name, Pattern = e.Pattern!, Provenance = Prov(d.Id) };
                    else findings.Add(Findings.Error("dlp-expression-invalid", e.Pattern ?? "", error));
                    break;
                case Src.DlpFileAttributeIdentifier f:
                    var types = new List<string>();
                    foreach (var t in f.Types)
                    {
                        if (TrueFileTypes.IsKnown(t)) types.Add(t);
                        else findings.Add(Findings.Warning("true-type-unknown", t));
                    }
                    identifier = new DlpFileAttribute
                    {
                        Id = NewId("dlp-identifier", d.Id), Name = d.Name, TrueTypes = types, NamePatterns = f.Extensions, Except = f.Except,
                        MinBytes = f.MinBytes ?? 0, MaxBytes = f.MaxBytes ?? long.MaxValue, Provenance = Prov(d.Id),
                    };
                    break;
                case Src.DlpKeywordListIdentifier k:
                    identifier = new DlpKeywordList { Id = NewId("dlp-identifier", d.Id), Name = d.Name, Keywords = k.Keywords, Provenance = Prov(d.Id) };
                    break;
            }
            if (identifier is not null) _dlpIdentifiers[d.Id] = identifier;
            AddItem("dlp-identifier:" + d.Id, "dlp-identifier", d.Name, $"Policy > Policy Objects > DLP Data Identifiers > {d.Name}",
                identifier is null ? [] : [new("dlp-identifier", null, identifier.Name, null, identifier.Id)], findings, created: identifier is not null);
        }
        foreach (var t in _export.Objects.DlpTemplates)
        {
            if (t.Predefined) { predefined.Add(t.Name); _predefinedTemplateNames[t.Id] = t.Name; continue; }
            var findings = new List<MigrationFinding>();
            DlpTemplate? template = null;
            if (t.Condition is null)
                findings.Add(Findings.Error("dlp-template-condition-invalid", t.ConditionText, t.ConditionError ?? "?"));
            else
            {
                var terms = new List<DlpTemplateTerm>();
                foreach (var term in t.Condition.Terms)
                {
                    string? id = _dlpIdentifiers.TryGetValue(term.IdentifierId, out var mapped) ? mapped.Id : PredefinedIdentifierFor(term.IdentifierId);
                    if (id is null) { findings.Add(Findings.Error("dlp-identifier-unknown", term.IdentifierId)); continue; }
                    var op = terms.Count == 0 ? DlpOperator.First : term.Operator switch
                    {
                        Src.DlpOperator.And => DlpOperator.And,
                        Src.DlpOperator.Except => DlpOperator.Except,
                        _ => DlpOperator.Or,
                    };
                    terms.Add(new DlpTemplateTerm(op, id));
                }
                if (terms.Count > 0) template = new DlpTemplate { Id = NewId("dlp-template", t.Id), Name = t.Name, Terms = terms, Provenance = Prov(t.Id) };
            }
            if (template is not null) _dlpTemplates[t.Id] = template;
            AddItem("dlp-template:" + t.Id, "dlp-template", t.Name, $"Policy > Policy Objects > DLP Compliance Templates > {t.Name}",
                template is null ? [] : [new("dlp-template", null, template.Name, null, template.Id)], findings, created: template is not null);
        }
        if (predefined.Count > 0)
            AddItem("setting:dlp-predefined", "setting", "DLP predefined", "Policy > Policy Objects > DLP (predefined)", [],
                [Findings.NotSupported("dlp-predefined", string.Join(", ", predefined))], created: false);
    }

    /// <summary>A predefined InterScan identifier used in a custom template, mapped by name to Sekisho's predefined one.</summary>
    private string? PredefinedIdentifierFor(string sourceId)
    {
        var source = _export.Objects.DlpDataIdentifiers.FirstOrDefault(i => i.Id == sourceId && i.Predefined);
        if (source is null) return null;
        return PredefinedDlp.Identifiers.FirstOrDefault(i => string.Equals(i.Name, source.Name, StringComparison.OrdinalIgnoreCase)
                                                              || string.Equals(i.Description, source.Name, StringComparison.OrdinalIgnoreCase))?.Id;
    }
}
