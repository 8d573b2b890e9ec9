using System.Text.Json;
using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Policy;

/// <summary>
/// The rule form (ルールの追加 / 編集) as posted: basic information, recipients and senders, scanning criteria, actions.
/// Common criteria and actions have their own fields; the rest are edited as JSON in the policy file's form.
/// </summary>
public sealed class RuleForm
{
    /// <summary>Largest JSON text accepted in one of the "other" fields.</summary>
    public const int MaxJsonChars = 200_000;

    public string? Direction { get; set; }
    public string? Type { get; set; }
    public string? Name { get; set; }
    public bool Enabled { get; set; }
    public string? Order { get; set; }
    public string? Notes { get; set; }

    public string RecipientsMode { get; set; } = "my-organization";
    public string? Recipients { get; set; }
    public string SendersMode { get; set; } = "anyone";
    public string? Senders { get; set; }
    public string? Exceptions { get; set; }

    public string Match { get; set; } = "any";
    public List<string> SubjectKeywords { get; set; } = [];
    public List<string> BodyKeywords { get; set; } = [];
    public string? AttachmentNames { get; set; }
    public string? SizeOverKb { get; set; }
    public string? SpamLevel { get; set; }
    public string? OtherCriteria { get; set; }

    public string Intercept { get; set; } = "do-not-intercept";
    public string? InterceptValue { get; set; }
    public string? TagSubject { get; set; }
    public string? Notify { get; set; }
    public string? OtherModify { get; set; }
    public string? OtherMonitor { get; set; }

    /// <summary>The fields of a stored rule.</summary>
    public static RuleForm From(Rule r, RuleFormObjects objects)
    {
        var f = new RuleForm
        {
            Direction = ModelJson.EnumName(r.Direction), Type = ModelJson.EnumName(r.Type), Name = r.Name, Enabled = r.Enabled,
            Order = r.Order.ToString(System.Globalization.CultureInfo.InvariantCulture), Notes = r.Notes,
            RecipientsMode = ModelJson.EnumName(r.Scope.Recipients.Mode), Recipients = Entries(r.Scope.Recipients, objects, "\n"),
            SendersMode = ModelJson.EnumName(r.Scope.Senders.Mode), Senders = Entries(r.Scope.Senders, objects, "\n"),
            Exceptions = string.Join("\n", r.Scope.Exceptions.Select(e => Side(e.Sender, objects) + " -> " + Side(e.Recipient, objects))),
            Match = ModelJson.EnumName(r.Criteria.Match),
        };
        var rest = new List<Criterion>();
        bool content = r.Type == RuleType.Content, spam = r.Type == RuleType.Spam; // the page shows these fields only for their type
        foreach (var c in r.Criteria.Items)
        {
            switch (c)
            {
                case SubjectMatches s when content && f.SubjectKeywords.Count == 0 && s.KeywordListIds.Count > 0: f.SubjectKeywords = [.. s.KeywordListIds]; break;
                case BodyMatches b when content && f.BodyKeywords.Count == 0 && b.KeywordListIds.Count > 0: f.BodyKeywords = [.. b.KeywordListIds]; break;
                case AttachmentName n when content && f.AttachmentNames is null && n.Selection == Selection.Selected: f.AttachmentNames = string.Join(", ", n.Patterns); break;
                case MessageSize m when content && f.SizeOverKb is null && m.Comparison == Comparison.GreaterThan && m.Bytes % 1024 == 0:
                    f.SizeOverKb = (m.Bytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                case SpamDetection d when spam && f.SpamLevel is null: f.SpamLevel = ModelJson.EnumName(d.Level); break;
                default: rest.Add(c); break;
            }
        }
        f.OtherCriteria = rest.Count == 0 ? "" : ModelJson.Serialize(rest, indented: true);
        f.Intercept = CriterionNames.Of(r.Actions.Intercept);
        f.InterceptValue = r.Actions.Intercept switch
        {
            Model.Rules.Quarantine q => q.Tag,
            ChangeRecipient c => string.Join(", ", c.Recipients),
            DeliverNow d when d.Host is not null => d.Port == 25 ? d.Host : $"{d.Host}:{d.Port}",
            _ => null,
        };
        var modify = new List<ModifyAction>();
        foreach (var m in r.Actions.Modify)
        {
            if (m is TagSubject { SkipSignedMessages: true } t && f.TagSubject is null) f.TagSubject = t.Tag;
            else modify.Add(m);
        }
        var monitor = new List<MonitorAction>();
        foreach (var m in r.Actions.Monitor)
        {
            if (m is Notify n && f.Notify is null) f.Notify = n.NotificationId;
            else monitor.Add(m);
        }
        f.OtherModify = modify.Count == 0 ? "" : ModelJson.Serialize(modify, indented: true);
        f.OtherMonitor = monitor.Count == 0 ? "" : ModelJson.Serialize(monitor, indented: true);
        return f;
    }

    /// <summary>
    /// The rule these fields describe, on top of <paramref name="current"/> (detection overrides and everything the form does
    /// not show stay). Fields that cannot be read add a localized message under their field key and give null.
    /// </summary>
    public Rule? ToRule(Rule current, RuleFormObjects objects, FieldErrors errors)
    {
        int order = string.IsNullOrEmpty(current.Id) ? int.MaxValue : current.Order; // empty: a new rule goes last, an edited one stays
        if (!string.IsNullOrWhiteSpace(Order) && !int.TryParse(Order.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out order))
            errors.Add("order", ConsoleText.T("RuleEdit.error.number", Order));
        var recipients = ReadSide(RecipientsMode, Recipients, objects, errors, "recipients");
        var senders = ReadSide(SendersMode, Senders, objects, errors, "senders");
        var exceptions = new List<ScopeException>();
        foreach (var line in Lines(Exceptions))
        {
            var parts = line.Split(["->", "→"], 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2) { errors.Add("exceptions", ConsoleText.T("RuleEdit.error.exception", line)); continue; }
            var s = ReadSide(parts[0], objects, errors, "exceptions");
            var rcp = ReadSide(parts[1], objects, errors, "exceptions");
            if (s is not null && rcp is not null) exceptions.Add(new(s, rcp));
        }

        if (!ModelJson.TryParseEnum<MatchMode>(Match, out var match)) errors.Add("criteria", ConsoleText.T("RuleEdit.error.choice", Match));
        var criteria = new List<Criterion>();
        if (SubjectKeywords.Count > 0) criteria.Add(new SubjectMatches(SubjectKeywords.Distinct().ToList()));
        if (BodyKeywords.Count > 0) criteria.Add(new BodyMatches(BodyKeywords.Distinct().ToList()));
        var names = Split(AttachmentNames);
        if (names.Count > 0) criteria.Add(new AttachmentName(Selection.Selected, names));
        if (!string.IsNullOrWhiteSpace(SizeOverKb))
        {
            if (long.TryParse(SizeOverKb.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var kb) && kb is >= 0 and < long.MaxValue / 1024)
                criteria.Add(new MessageSize(Comparison.GreaterThan, kb * 1024));
            else errors.Add("criteria", ConsoleText.T("RuleEdit.error.number", SizeOverKb));
        }
        if (!string.IsNullOrEmpty(SpamLevel))
        {
            if (ModelJson.TryParseEnum<Model.Rules.SpamLevel>(SpamLevel, out var level)) criteria.Add(new SpamDetection(level));
            else errors.Add("criteria", ConsoleText.T("RuleEdit.error.choice", SpamLevel));
        }
        criteria.AddRange(Json<Criterion>(OtherCriteria, errors, "criteria"));

        InterceptAction? intercept = Intercept switch
        {
            "do-not-intercept" => new DoNotIntercept(),
            "delete" => new DeleteMessage(),
            "quarantine" => new Model.Rules.Quarantine(string.IsNullOrWhiteSpace(InterceptValue) ? null : InterceptValue.Trim()),
            "change-recipient" => new ChangeRecipient(Split(InterceptValue)),
            "deliver-now" => DeliverTo(InterceptValue, errors),
            _ => null,
        };
        if (intercept is null) errors.Add("intercept", ConsoleText.T("RuleEdit.error.choice", Intercept));
        var modify = new List<ModifyAction>();
        if (!string.IsNullOrWhiteSpace(TagSubject)) modify.Add(new TagSubject(TagSubject.Trim()));
        modify.AddRange(Json<ModifyAction>(OtherModify, errors, "modify"));
        var monitor = new List<MonitorAction>();
        if (!string.IsNullOrEmpty(Notify)) monitor.Add(new Notify(Notify));
        monitor.AddRange(Json<MonitorAction>(OtherMonitor, errors, "monitor"));

        if (errors.Count > 0 || recipients is null || senders is null || intercept is null) return null;
        return current with
        {
            Name = (Name ?? "").Trim(), Enabled = Enabled, Order = order, Notes = (Notes ?? "").Trim(),
            Scope = new RuleScope(recipients, senders, exceptions),
            Criteria = new CriteriaSet(match, criteria),
            Actions = new RuleActions(intercept, modify, monitor),
        };
    }

    /// <summary>The form field a validator problem belongs to (its path under <c>rule.</c>).</summary>
    public static string FieldOf(ValidationProblem p)
    {
        var path = p.Path.StartsWith("rule.", StringComparison.Ordinal) ? p.Path["rule.".Length..] : p.Path;
        string[][] prefixes =
        [
            ["name", "name"], ["order", "order"], ["notes", "notes"], ["scope.recipients", "recipients"], ["scope.senders", "senders"],
            ["scope.exceptions", "exceptions"], ["criteria", "criteria"], ["actions.intercept", "intercept"], ["actions.modify", "modify"],
            ["actions.monitor", "monitor"], ["detectionOverrides", "intercept"],
        ];
        return prefixes.FirstOrDefault(x => path.StartsWith(x[0], StringComparison.Ordinal))?[1] ?? "general";
    }

    private static Participants? ReadSide(string mode, string? text, RuleFormObjects objects, FieldErrors errors, string field) => mode switch
    {
        "anyone" => Participants.Anyone,
        "my-organization" => Participants.MyOrganization,
        "specified" => ReadEntries(SplitEntries(text), objects, errors, field),
        _ => Fail(errors, field, ConsoleText.T("RuleEdit.error.choice", mode)),
    };

    // One side of an exception: "*" anyone, "my-organization", or entries separated by commas.
    private static Participants? ReadSide(string text, RuleFormObjects objects, FieldErrors errors, string field) => text switch
    {
        "*" => Participants.Anyone,
        "my-organization" => Participants.MyOrganization,
        _ => ReadEntries(SplitEntries(text), objects, errors, field),
    };

    private static Participants? ReadEntries(IReadOnlyList<string> entries, RuleFormObjects objects, FieldErrors errors, string field)
    {
        var list = new List<Participant>();
        int before = errors.Count;
        foreach (var e in entries)
        {
            if (e.StartsWith('[') && e.EndsWith(']'))
            {
                var name = e[1..^1].Trim();
                var group = objects.AddressGroups.FirstOrDefault(g => g.Name == name) ?? objects.AddressGroups.FirstOrDefault(g => g.Id == name);
                if (group is null) errors.Add(field, ConsoleText.T("RuleEdit.error.group", name));
                else list.Add(new AddressGroupParticipant(group.Id));
            }
            else if (e.StartsWith("ldap:", StringComparison.OrdinalIgnoreCase))
            {
                var dn = e[5..].Trim();
                var first = dn.Split(',')[0];
                list.Add(new DirectoryGroupParticipant(dn, first.Contains('=') ? first[(first.IndexOf('=') + 1)..] : first));
            }
            else if (e.StartsWith('@') && DomainNames.TryNormalize(e[1..], out var domain)) list.Add(new DomainParticipant(domain));
            else if (AddressPattern.TryParse(e, out var pattern, out _)) list.Add(new AddressParticipant(pattern!));
            else errors.Add(field, ConsoleText.T("RuleEdit.error.address", e));
        }
        return errors.Count > before ? null : new Participants(ParticipantsMode.Specified, list);
    }

    private static DeliverNow? DeliverTo(string? text, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return new DeliverNow();
        var t = text.Trim();
        int colon = t.LastIndexOf(':');
        if (colon > 0 && t.Count(c => c == ':') == 1) // host:port; an IPv6 address alone has several colons
        {
            if (int.TryParse(t[(colon + 1)..], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var port)) return new DeliverNow(t[..colon], port);
            errors.Add("intercept", ConsoleText.T("RuleEdit.error.number", t[(colon + 1)..]));
            return null;
        }
        return new DeliverNow(t);
    }

    private static IEnumerable<T> Json<T>(string? text, FieldErrors errors, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        if (text.Length > MaxJsonChars) { errors.Add(field, ConsoleText.T("RuleEdit.error.too-long", MaxJsonChars)); return []; }
        try
        {
            var items = JsonSerializer.Deserialize<List<T>>(text, ModelJson.Options);
            if (items is null || items.Any(i => i is null)) { errors.Add(field, ConsoleText.T("RuleEdit.error.json", "null")); return []; }
            return items;
        }
        catch (JsonException e)
        {
            errors.Add(field, ConsoleText.T("RuleEdit.error.json", e.Message));
            return [];
        }
        catch (NotSupportedException e)
        {
            errors.Add(field, ConsoleText.T("RuleEdit.error.json", e.Message));
            return [];
        }
    }

    private static Participants? Fail(FieldErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return null;
    }

    private static string Entries(Participants p, RuleFormObjects objects, string separator) =>
        string.Join(separator, p.Entries.Select(e => e switch
        {
            AddressParticipant a => a.Pattern.ToString(),
            DomainParticipant d => "@" + d.Domain,
            AddressGroupParticipant g => "[" + (objects.AddressGroups.FirstOrDefault(x => x.Id == g.GroupId)?.Name ?? g.GroupId) + "]",
            DirectoryGroupParticipant dg => "ldap:" + dg.DistinguishedName,
            _ => "",
        }));

    private static string Side(Participants p, RuleFormObjects objects) => p.Mode switch
    {
        ParticipantsMode.Anyone => "*",
        ParticipantsMode.MyOrganization => "my-organization",
        _ => Entries(p, objects, ", "),
    };

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    // Entries separated by lines or commas; the commas inside a directory group's DN (ldap:cn=a,ou=b) stay in it.
    private static List<string> SplitEntries(string? text)
    {
        var entries = new List<string>();
        foreach (var token in Split(text))
        {
            if (entries.Count > 0 && entries[^1].StartsWith("ldap:", StringComparison.OrdinalIgnoreCase) && token.Contains('=') && !token.Contains('@'))
                entries[^1] += "," + token;
            else entries.Add(token);
        }
        return entries;
    }

    private static List<string> Split(string? text) =>
        (text ?? "").Split([',', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
}

/// <summary>Localized messages by form field (<c>name</c>, <c>recipients</c>, <c>criteria</c>, …), shown next to the field.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

    public int Count => _byField.Values.Sum(v => v.Count);

    public void Add(string field, string message)
    {
        if (!_byField.TryGetValue(field, out var list)) _byField[field] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    public IReadOnlyList<string> For(string field) => _byField.TryGetValue(field, out var list) ? list : [];

    public IEnumerable<string> All => _byField.Values.SelectMany(v => v);
}
