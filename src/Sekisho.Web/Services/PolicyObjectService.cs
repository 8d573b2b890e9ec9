using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>
/// The policy objects screens and API (ポリシーオブジェクト): list, add, edit and delete address groups, keyword expression lists,
/// notifications, stamps, DLP data identifiers and compliance templates. Every object is validated as a whole policy would be,
/// every change is audited, predefined DLP objects are read-only, and an object still in use is not deleted.
/// </summary>
public sealed class PolicyObjectService(ConsoleContext console)
{
    /// <summary>The objects of one kind by name; DLP identifiers and templates start with the predefined ones.</summary>
    public async Task<IReadOnlyList<T>> ListAsync<T>(string actor, CancellationToken ct) where T : IPolicyObject
    {
        await using var s = await console.ReadAsync(actor, ct);
        var custom = await s.ListObjectsAsync<T>(ct);
        IEnumerable<IPolicyObject> predefined = typeof(T) == typeof(DlpIdentifier) ? PredefinedDlp.Identifiers : typeof(T) == typeof(DlpTemplate) ? PredefinedDlp.Templates : [];
        return [.. predefined.Cast<T>(), .. custom];
    }

    /// <summary>One object of the given kind; predefined DLP identifiers and templates included.</summary>
    public async Task<T> GetAsync<T>(string id, string actor, CancellationToken ct) where T : class, IPolicyObject
    {
        if (Predefined(id) is T predefined) return predefined;
        await using var s = await console.ReadAsync(actor, ct);
        return await s.GetObjectAsync(id, ct) as T ?? throw NotFound(id);
    }

    /// <summary>The organization's whole policy (for validation, tests and pickers).</summary>
    public async Task<PolicySnapshot> SnapshotAsync(string actor, CancellationToken ct)
    {
        await using var s = await console.ReadAsync(actor, ct);
        return await s.LoadSnapshotAsync(ct);
    }

    /// <summary>Adds a new object under a new id (any id given is ignored).</summary>
    public async Task<T> AddAsync<T>(T obj, string actor, CancellationToken ct) where T : class, IPolicyObject
    {
        var added = (T)WithId(obj, Ids.New(), null);
        await using var s = await console.BeginAsync(actor, ct);
        ThrowIfInvalid(Validate(added, await s.LoadSnapshotAsync(ct)));
        try { await s.AddObjectAsync(added, ct); }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
        return added;
    }

    /// <summary>Replaces the object with the given id (its provenance from a migration is kept).</summary>
    public async Task<T> UpdateAsync<T>(string id, T obj, string actor, CancellationToken ct) where T : class, IPolicyObject
    {
        ThrowIfPredefined(id);
        await using var s = await console.BeginAsync(actor, ct);
        var current = await s.GetObjectAsync(id, ct) as T ?? throw NotFound(id);
        var updated = (T)WithId(obj, id, current.Provenance);
        ThrowIfInvalid(Validate(updated, await s.LoadSnapshotAsync(ct)));
        try { await s.UpdateObjectAsync(updated, ct); }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
        return updated;
    }

    /// <summary>Deletes an object nothing refers to; otherwise refuses with every rule (and DLP template) that still uses it.</summary>
    public async Task DeleteAsync<T>(string id, string actor, CancellationToken ct) where T : class, IPolicyObject
    {
        ThrowIfPredefined(id);
        await using var s = await console.BeginAsync(actor, ct);
        var current = await s.GetObjectAsync(id, ct) as T ?? throw NotFound(id);
        var users = Users(await s.LoadSnapshotAsync(ct), id);
        if (users.Count > 0)
        {
            var list = string.Join("、", users.Select(u => "「" + u.Ja + "」"));
            var listEn = string.Join(", ", users.Select(u => "'" + u.En + "'"));
            throw new ConsoleProblem("object.in-use", new LocalizedText(
                $"「{current.Name}」は次のルールまたはテンプレートで使用されているため削除できません: {list}。先にそこから外してください。",
                $"'{current.Name}' cannot be deleted: it is used by {listEn}. Remove it from there first."), 409);
        }
        try { await s.DeleteObjectAsync(current, ct); }
        catch (StoreException e) { throw new ConsoleProblem(e.Code, e.Text, 409); }
        await s.CommitAsync(ct);
    }

    /// <summary>
    /// Imports an address group CSV file into the group: all rows or nothing. Invalid rows (including addresses an internal group may
    /// not hold) come back with their line numbers and the group is left as it was. <paramref name="replace"/> overwrites the entries,
    /// otherwise the rows are added (an address already in the group is an error).
    /// </summary>
    public async Task<(AddressGroup Group, CsvParseResult Result)> ImportCsvAsync(string id, ReadOnlyMemory<byte> csv, CsvEncoding encoding, bool replace,
        string actor, CancellationToken ct)
    {
        var group = await GetAsync<AddressGroup>(id, actor, ct);
        var parsed = AddressGroupCsv.Parse(csv.Span, encoding, replace ? null : group.Entries);
        if (!parsed.Ok) return (group, parsed);
        var kept = replace ? 0 : group.Entries.Count;
        var candidate = group with { Entries = [.. group.Entries.Take(kept), .. parsed.Entries] };
        var problems = PolicyValidator.ValidateAddressGroup(candidate, await SnapshotAsync(actor, ct), "g");
        var rowErrors = problems.Select(p => (Index: EntryIndex(p.Path), p.Message)).Where(p => p.Index >= kept)
            .Select(p => new CsvRowError(parsed.Lines[p.Index - kept], p.Message)).ToList();
        if (rowErrors.Count > 0) return (group, parsed with { Entries = [], Lines = [], Errors = rowErrors });
        return (await UpdateAsync(id, candidate, actor, ct), parsed);
    }

    private static int EntryIndex(string path)
    {
        var m = System.Text.RegularExpressions.Regex.Match(path, @"^g\.entries\[(\d+)\]", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>What refers to the object id: rules by name, DLP templates (for identifiers) by name, and the gateway settings.</summary>
    public static IReadOnlyList<LocalizedText> Users(PolicySnapshot policy, string id) => UsersIndex(policy).GetValueOrDefault(id, []);

    /// <summary>
    /// Who uses what, for every id at once: each rule and the settings are written out once and every string in them is a
    /// possible reference (lists of thousands of objects and rules stay one pass).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LocalizedText>> UsersIndex(PolicySnapshot policy)
    {
        var users = new Dictionary<string, List<LocalizedText>>(StringComparer.Ordinal);
        void Add(string id, LocalizedText user)
        {
            if (!users.TryGetValue(id, out var list)) users[id] = list = [];
            if (!list.Contains(user)) list.Add(user);
        }
        foreach (var rule in policy.Rules.OrderBy(r => r.Name, StringComparer.Ordinal))
            foreach (var value in Strings(ModelJson.Serialize(rule))) Add(value, new LocalizedText(rule.Name, rule.Name));
        foreach (var t in policy.DlpTemplates.OrderBy(t => t.Name, StringComparer.Ordinal))
            foreach (var term in t.Terms) Add(term.IdentifierId, new LocalizedText(t.Name, t.Name));
        var settings = new LocalizedText("ゲートウェイ設定 (認証・スキャン例外)", "gateway settings (authentication, scan exceptions)");
        foreach (var value in Strings(ModelJson.Serialize(policy.Settings))) Add(value, settings);
        return users.ToDictionary(u => u.Key, u => (IReadOnlyList<LocalizedText>)u.Value, StringComparer.Ordinal);
    }

    private static HashSet<string> Strings(string json)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        while (reader.Read())
            if (reader.TokenType == System.Text.Json.JsonTokenType.String) values.Add(reader.GetString()!);
        return values;
    }

    /// <summary>Validates an object against the policy it will live in.</summary>
    public static IReadOnlyList<ValidationProblem> Validate(IPolicyObject obj, PolicySnapshot policy)
    {
        var problems = obj switch
        {
            AddressGroup g => PolicyValidator.ValidateAddressGroup(g, policy),
            KeywordList k => PolicyValidator.ValidateKeywordList(k),
            Notification n => PolicyValidator.ValidateNotification(n),
            Stamp st => PolicyValidator.ValidateStamp(st),
            DlpIdentifier i => PolicyValidator.ValidateDlpIdentifier(i),
            DlpTemplate t => PolicyValidator.ValidateDlpTemplate(t, policy),
            _ => throw new ArgumentException("unknown policy object " + obj.GetType()),
        };
        if (obj is KeywordList { Match: not KeywordMatch.Score, Threshold: > 0 } or DlpKeywordList { Match: not KeywordMatch.Score, Threshold: > 0 })
            problems = [.. problems, new ValidationProblem("threshold", "keyword.threshold.unused", new LocalizedText(
                "しきい値は「合計スコアがしきい値を超えた場合」にのみ指定できます。", "A threshold applies only to the score match mode."))];
        return problems;
    }

    private static IPolicyObject WithId(IPolicyObject obj, string id, Provenance? provenance) => obj switch
    {
        AddressGroup g => g with { Id = id, Provenance = provenance },
        KeywordList k => k with { Id = id, Provenance = provenance },
        Notification n => n with { Id = id, Provenance = provenance },
        Stamp st => st with { Id = id, Provenance = provenance },
        DlpIdentifier i => i with { Id = id, Provenance = provenance },
        DlpTemplate t => t with { Id = id, Provenance = provenance },
        _ => throw new ArgumentException("unknown policy object " + obj.GetType()),
    };

    private static IPolicyObject? Predefined(string id) =>
        PredefinedDlp.IsPredefined(id) ? PredefinedDlp.FindIdentifier(id) ?? (IPolicyObject?)PredefinedDlp.FindTemplate(id) : null;

    private static void ThrowIfPredefined(string id)
    {
        if (PredefinedDlp.IsPredefined(id))
            throw new ConsoleProblem("object.predefined", new LocalizedText(
                "定義済みの DLP データ識別子とテンプレートは変更も削除もできません。コピーして編集してください。",
                "Predefined DLP identifiers and templates cannot be changed or deleted; make a copy and edit that."), 409);
    }

    internal static void ThrowIfInvalid(IReadOnlyList<ValidationProblem> problems)
    {
        if (problems.Count == 0) return;
        throw new ConsoleProblem(problems[0].Code, new LocalizedText(
            string.Join(" ", problems.Select(p => p.Message.Ja)), string.Join(" ", problems.Select(p => p.Message.En))));
    }

    private static ConsoleProblem NotFound(string id) =>
        new("object.not-found", new LocalizedText($"ポリシーオブジェクト「{id}」が見つかりません。", $"The policy object '{id}' does not exist."), 404);
}
