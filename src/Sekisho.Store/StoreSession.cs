using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Sekisho.Model;
using Sekisho.Model.Audit;
using Sekisho.Model.Domains;
using Sekisho.Model.Localization;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;
using Sekisho.Store.Schema;

namespace Sekisho.Store;

/// <summary>
/// One user action against the store, in one database transaction. Each change method writes its audit record
/// in the same transaction; nothing is visible to others until <see cref="CommitAsync"/>, and disposing without
/// committing rolls everything back.
/// </summary>
public sealed partial class StoreSession : IAsyncDisposable
{
    private readonly SekishoStore _store;
    private readonly SekishoDbContext _db;

    internal SekishoDbContext Db => _db;
    private readonly IDbContextTransaction _tx;
    private bool _committed;

    internal StoreSession(SekishoStore store, SekishoDbContext db, IDbContextTransaction tx, Organization organization, string actor)
    {
        _store = store;
        _db = db;
        _tx = tx;
        Organization = organization;
        Actor = actor;
    }

    public Organization Organization { get; }

    public string Actor { get; }

    /// <summary>Now, from the store's clock.</summary>
    public DateTimeOffset Now => _store.Time.GetUtcNow();

    private string Org => Organization.Id;

    // ---------------------------------------------------------------- domains

    public async Task<IReadOnlyList<ManagedDomain>> ListDomainsAsync(CancellationToken ct = default) =>
        (await _db.Domains.AsNoTracking().Where(d => d.OrganizationId == Org).OrderBy(d => d.Name).ToListAsync(ct))
            .Select(r => ModelJson.Deserialize<ManagedDomain>(r.Document)).ToList();

    public async Task<ManagedDomain?> FindDomainAsync(string name, CancellationToken ct = default)
    {
        var n = Model.Addresses.DomainNames.NormalizeOrSelf(name);
        var row = await _db.Domains.AsNoTracking().FirstOrDefaultAsync(d => d.OrganizationId == Org && d.Name == n, ct);
        return row is null ? null : ModelJson.Deserialize<ManagedDomain>(row.Document);
    }

    public async Task AddDomainAsync(ManagedDomain domain, CancellationToken ct = default)
    {
        if (await _db.Domains.AnyAsync(d => d.OrganizationId == Org && d.Name == domain.Name, ct))
            throw new StoreException("domain.name.duplicate", ModelText.Get("domain.name.duplicate", domain.Name));
        _db.Domains.Add(new DomainRow
        {
            Id = domain.Id, OrganizationId = Org, Name = domain.Name, Status = ModelJson.EnumName(domain.Status),
            AddedUtc = domain.Added.UtcDateTime, Document = ModelJson.Serialize(domain),
        });
        await AuditAsync(AuditEvents.DomainAdded, domain.Name, AuditDiff.Created(domain), [domain.Name], ct);
    }

    public async Task UpdateDomainAsync(ManagedDomain domain, string eventType = AuditEvents.DomainUpdated, CancellationToken ct = default)
    {
        var row = await _db.Domains.FirstOrDefaultAsync(d => d.OrganizationId == Org && d.Id == domain.Id, ct)
                  ?? throw NotFound("domain", domain.Name);
        var previous = ModelJson.Deserialize<ManagedDomain>(row.Document);
        row.Name = domain.Name;
        row.Status = ModelJson.EnumName(domain.Status);
        row.Document = ModelJson.Serialize(domain);
        await AuditAsync(eventType, domain.Name, AuditDiff.Changed(previous, domain), [domain.Name], ct);
    }

    public async Task RemoveDomainAsync(ManagedDomain domain, CancellationToken ct = default)
    {
        var row = await _db.Domains.FirstOrDefaultAsync(d => d.OrganizationId == Org && d.Id == domain.Id, ct)
                  ?? throw NotFound("domain", domain.Name);
        _db.Domains.Remove(row);
        await AuditAsync(AuditEvents.DomainRemoved, domain.Name, [new("name", null, domain.Name)], [domain.Name], ct);
    }

    // ---------------------------------------------------------------- rules

    public async Task<IReadOnlyList<Rule>> ListRulesAsync(CancellationToken ct = default) =>
        (await _db.Rules.AsNoTracking().Where(r => r.OrganizationId == Org).ToListAsync(ct))
            .Select(FromRow)
            .OrderBy(r => r.Direction).ThenBy(r => r.Type).ThenBy(r => r.Order).ThenBy(r => r.Created).ToList();

    public async Task<Rule?> GetRuleAsync(string id, CancellationToken ct = default)
    {
        var row = await _db.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.OrganizationId == Org && r.Id == id, ct);
        return row is null ? null : FromRow(row);
    }

    /// <summary>The order a new rule of this type and direction gets to run after the existing ones.</summary>
    public async Task<int> NextRuleOrderAsync(Direction direction, RuleType type, CancellationToken ct = default)
    {
        var d = ModelJson.EnumName(direction);
        var t = ModelJson.EnumName(type);
        var max = await _db.Rules.Where(r => r.OrganizationId == Org && r.Direction == d && r.Type == t).MaxAsync(r => (int?)r.Order, ct);
        return (max ?? 0) + 1;
    }

    public async Task AddRuleAsync(Rule rule, CancellationToken ct = default)
    {
        await EnsureRuleNameFreeAsync(rule, ct);
        _db.Rules.Add(ToRow(rule));
        await AuditAsync(AuditEvents.RuleCreated, rule.Name, AuditDiff.Created(rule), await AffectedDomainsAsync(rule, ct), ct);
    }

    public async Task UpdateRuleAsync(Rule rule, string eventType = AuditEvents.RuleUpdated, CancellationToken ct = default)
    {
        var row = await _db.Rules.FirstOrDefaultAsync(r => r.OrganizationId == Org && r.Id == rule.Id, ct) ?? throw NotFound("rule", rule.Name);
        var previous = FromRow(row);
        if (previous.Name != rule.Name || previous.Direction != rule.Direction || previous.Type != rule.Type) await EnsureRuleNameFreeAsync(rule, ct);
        var updated = ToRow(rule);
        _db.Entry(row).CurrentValues.SetValues(updated);
        await AuditAsync(eventType, rule.Name, AuditDiff.Changed(previous, rule), await AffectedDomainsAsync(rule, ct), ct);
    }

    /// <summary>Moves a rule's name out of the way inside this transaction (a swap of names during one import); not audited, always followed by the real update.</summary>
    internal async Task ParkRuleNameAsync(string id, CancellationToken ct)
    {
        var row = await _db.Rules.FirstAsync(r => r.OrganizationId == Org && r.Id == id, ct);
        row.Name = "\u0001" + id;
        await SaveAndForgetAsync(ct);
    }

    /// <summary>Records that rules acted on mail (no audit record: this is operational data, not a change by a person).</summary>
    public async Task TouchRulesUsedAsync(IEnumerable<string> ruleIds, DateTimeOffset when, CancellationToken ct = default)
    {
        var ids = ruleIds.Distinct().ToList();
        foreach (var row in await _db.Rules.Where(r => r.OrganizationId == Org && ids.Contains(r.Id)).ToListAsync(ct))
        {
            var rule = FromRow(row) with { LastUsed = when };
            row.LastUsedUtc = when.UtcDateTime;
            row.Document = ModelJson.Serialize(rule);
        }
        await SaveAndForgetAsync(ct);
    }

    public async Task DeleteRuleAsync(Rule rule, CancellationToken ct = default)
    {
        var row = await _db.Rules.FirstOrDefaultAsync(r => r.OrganizationId == Org && r.Id == rule.Id, ct) ?? throw NotFound("rule", rule.Name);
        _db.Rules.Remove(row);
        await AuditAsync(AuditEvents.RuleDeleted, rule.Name, [new("name", null, rule.Name)], await AffectedDomainsAsync(rule, ct), ct);
    }

    private async Task EnsureRuleNameFreeAsync(Rule rule, CancellationToken ct)
    {
        var d = ModelJson.EnumName(rule.Direction);
        var t = ModelJson.EnumName(rule.Type);
        if (await _db.Rules.AnyAsync(r => r.OrganizationId == Org && r.Direction == d && r.Type == t && r.Name == rule.Name && r.Id != rule.Id, ct))
        {
            var label = ModelText.Get("direction." + d);
            var type = ModelText.Get("type." + t);
            throw new StoreException("rule.name.duplicate", ModelText.Get("rule.name.duplicate", new LocalizedText(label.Ja + type.Ja, label.En + " " + type.En), rule.Name));
        }
    }

    private RuleRow ToRow(Rule rule) => new()
    {
        Id = rule.Id, OrganizationId = Org, Direction = ModelJson.EnumName(rule.Direction), Type = ModelJson.EnumName(rule.Type),
        Name = rule.Name, Order = rule.Order, Enabled = rule.Enabled,
        MigrationStatus = rule.Migration is null ? null : ModelJson.EnumName(rule.Migration.Status),
        Level = ModelJson.EnumName(rule.Level), CreatedUtc = rule.Created.UtcDateTime, ModifiedUtc = rule.Modified.UtcDateTime,
        LastUsedUtc = rule.LastUsed?.UtcDateTime, SourceSha256 = rule.Migration?.Source.SourceFileSha256, SourceId = rule.Migration?.Source.SourceId,
        Document = ModelJson.Serialize(rule),
    };

    private async Task<IReadOnlyList<string>> AffectedDomainsAsync(Rule rule, CancellationToken ct)
    {
        var side = rule.Direction == Direction.Inbound ? rule.Scope.Recipients : rule.Scope.Senders;
        if (side.Mode != ParticipantsMode.Specified) return (await ListDomainsAsync(ct)).Select(d => d.Name).ToList();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in side.Entries)
        {
            switch (e)
            {
                case AddressParticipant a when a.Pattern.DomainMatch == Model.Addresses.DomainMatch.Exact: names.Add(a.Pattern.Domain); break;
                case DomainParticipant d: names.Add(d.Domain); break;
            }
        }
        return names.ToList();
    }

    // ---------------------------------------------------------------- policy objects

    public async Task<IReadOnlyList<T>> ListObjectsAsync<T>(CancellationToken ct = default) where T : IPolicyObject
    {
        var kind = ModelJson.EnumName(KindOf(typeof(T)));
        return (await _db.PolicyObjects.AsNoTracking().Where(o => o.OrganizationId == Org && o.Kind == kind).OrderBy(o => o.Name).ToListAsync(ct))
            .Select(o => ModelJson.Deserialize<T>(o.Document)).ToList();
    }

    public async Task<IPolicyObject?> GetObjectAsync(string id, CancellationToken ct = default)
    {
        var row = await _db.PolicyObjects.AsNoTracking().FirstOrDefaultAsync(o => o.OrganizationId == Org && o.Id == id, ct);
        return row is null ? null : FromRow(row);
    }

    public async Task AddObjectAsync(IPolicyObject obj, CancellationToken ct = default)
    {
        var kind = ModelJson.EnumName(obj.Kind);
        if (await _db.PolicyObjects.AnyAsync(o => o.OrganizationId == Org && o.Kind == kind && o.Name == obj.Name, ct))
            throw new StoreException("object.name.duplicate", ModelText.Get("object.name.duplicate", ModelText.Get("kind." + kind), obj.Name));
        _db.PolicyObjects.Add(ToRow(obj));
        await AuditAsync(AuditEvents.ObjectCreated, $"{kind}:{obj.Name}", AuditDiff.Created(obj), [], ct);
    }

    public async Task UpdateObjectAsync(IPolicyObject obj, CancellationToken ct = default)
    {
        var row = await _db.PolicyObjects.FirstOrDefaultAsync(o => o.OrganizationId == Org && o.Id == obj.Id, ct) ?? throw NotFound(ModelJson.EnumName(obj.Kind), obj.Name);
        var previous = FromRow(row);
        var kind = ModelJson.EnumName(obj.Kind);
        if (previous.Name != obj.Name && await _db.PolicyObjects.AnyAsync(o => o.OrganizationId == Org && o.Kind == kind && o.Name == obj.Name && o.Id != obj.Id, ct))
            throw new StoreException("object.name.duplicate", ModelText.Get("object.name.duplicate", ModelText.Get("kind." + kind), obj.Name));
        _db.Entry(row).CurrentValues.SetValues(ToRow(obj));
        await AuditAsync(AuditEvents.ObjectUpdated, $"{kind}:{obj.Name}", AuditDiff.Changed((object)previous, obj), [], ct);
    }

    public async Task DeleteObjectAsync(IPolicyObject obj, CancellationToken ct = default)
    {
        var row = await _db.PolicyObjects.FirstOrDefaultAsync(o => o.OrganizationId == Org && o.Id == obj.Id, ct) ?? throw NotFound(ModelJson.EnumName(obj.Kind), obj.Name);
        foreach (var rule in await ListRulesAsync(ct))
        {
            if (ModelJson.Serialize(rule).Contains($"\"{obj.Id}\"", StringComparison.Ordinal))
                throw new StoreException("object.in-use", ModelText.Get("object.in-use", obj.Name, rule.Name));
        }
        _db.PolicyObjects.Remove(row);
        await AuditAsync(AuditEvents.ObjectDeleted, $"{ModelJson.EnumName(obj.Kind)}:{obj.Name}", [new("name", null, obj.Name)], [], ct);
    }

    private PolicyObjectRow ToRow(IPolicyObject obj) => new()
    {
        Id = obj.Id, OrganizationId = Org, Kind = ModelJson.EnumName(obj.Kind), Name = obj.Name,
        SourceSha256 = obj.Provenance?.SourceFileSha256, SourceId = obj.Provenance?.SourceId, ModifiedUtc = Now.UtcDateTime,
        Document = SerializeObject(obj),
    };

    public static string SerializeObject(IPolicyObject obj) => obj switch
    {
        AddressGroup g => ModelJson.Serialize(g),
        KeywordList k => ModelJson.Serialize(k),
        Notification n => ModelJson.Serialize(n),
        Stamp s => ModelJson.Serialize(s),
        DlpIdentifier i => ModelJson.Serialize(i),
        DlpTemplate t => ModelJson.Serialize(t),
        _ => throw new ArgumentException("unknown policy object " + obj.GetType()),
    };

    private static IPolicyObject FromRow(PolicyObjectRow row) => row.Kind switch
    {
        "address-group" => ModelJson.Deserialize<AddressGroup>(row.Document),
        "keyword-list" => ModelJson.Deserialize<KeywordList>(row.Document),
        "notification" => ModelJson.Deserialize<Notification>(row.Document),
        "stamp" => ModelJson.Deserialize<Stamp>(row.Document),
        "dlp-identifier" => ModelJson.Deserialize<DlpIdentifier>(row.Document),
        "dlp-template" => ModelJson.Deserialize<DlpTemplate>(row.Document),
        _ => throw new InvalidOperationException("unknown policy object kind in store: " + row.Kind),
    };

    private static PolicyObjectKind KindOf(Type t) =>
        t == typeof(AddressGroup) ? PolicyObjectKind.AddressGroup :
        t == typeof(KeywordList) ? PolicyObjectKind.KeywordList :
        t == typeof(Notification) ? PolicyObjectKind.Notification :
        t == typeof(Stamp) ? PolicyObjectKind.Stamp :
        typeof(DlpIdentifier).IsAssignableFrom(t) ? PolicyObjectKind.DlpIdentifier :
        t == typeof(DlpTemplate) ? PolicyObjectKind.DlpTemplate :
        throw new ArgumentException("not a policy object type: " + t);

    // ---------------------------------------------------------------- settings and snapshot

    public async Task<GatewaySettings> GetSettingsAsync(CancellationToken ct = default)
    {
        var row = await _db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganizationId == Org, ct);
        return row is null ? GatewaySettings.Default : ModelJson.Deserialize<GatewaySettings>(row.Document);
    }

    public async Task SaveSettingsAsync(GatewaySettings settings, CancellationToken ct = default)
    {
        var row = await _db.Settings.FirstOrDefaultAsync(s => s.OrganizationId == Org, ct);
        var previous = row is null ? GatewaySettings.Default : ModelJson.Deserialize<GatewaySettings>(row.Document);
        if (row is null)
        {
            row = new SettingsRow { OrganizationId = Org, Document = "" };
            _db.Settings.Add(row);
        }
        row.ModifiedUtc = Now.UtcDateTime;
        row.Document = ModelJson.Serialize(settings);
        var changes = AuditDiff.Changed(previous, settings);
        if (changes.Count > 0) await AuditAsync(AuditEvents.SettingsUpdated, "settings", changes, [], ct);
    }

    /// <summary>The organization's whole policy as it stands in this session.</summary>
    public async Task<PolicySnapshot> LoadSnapshotAsync(CancellationToken ct = default) => new()
    {
        Domains = await ListDomainsAsync(ct),
        AddressGroups = await ListObjectsAsync<AddressGroup>(ct),
        KeywordLists = await ListObjectsAsync<KeywordList>(ct),
        Notifications = await ListObjectsAsync<Notification>(ct),
        Stamps = await ListObjectsAsync<Stamp>(ct),
        DlpIdentifiers = await ListObjectsAsync<DlpIdentifier>(ct),
        DlpTemplates = await ListObjectsAsync<DlpTemplate>(ct),
        Settings = await GetSettingsAsync(ct),
        Rules = await ListRulesAsync(ct),
    };

    // ---------------------------------------------------------------- audit

    /// <summary>Writes an audit record in this session's transaction.</summary>
    public async Task AuditAsync(string eventType, string? subject, IReadOnlyList<AuditChange> changes, IReadOnlyList<string> affectedDomains, CancellationToken ct = default)
    {
        _db.Audit.Add(new AuditRow
        {
            OrganizationId = Org, TimeUtc = Now.UtcDateTime, Actor = Actor, EventType = eventType, Subject = subject,
            AffectedDomains = ModelJson.Serialize(affectedDomains), Changes = ModelJson.Serialize(changes),
        });
        await SaveAndForgetAsync(ct);
    }

    /// <summary>
    /// Saves inside the transaction (so the next duplicate checks see it) and stops tracking what was saved: every write
    /// here reads its row afresh, and without this each save would re-scan every row written before it (an import of
    /// thousands of objects would be quadratic).
    /// </summary>
    private async Task SaveAndForgetAsync(CancellationToken ct)
    {
        await _db.SaveChangesAsync(ct);
        _db.ChangeTracker.Clear();
    }

    /// <summary>Audit records, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(DateTimeOffset? since = null, string? eventType = null, int limit = 1000, CancellationToken ct = default)
    {
        var q = _db.Audit.AsNoTracking().Where(a => a.OrganizationId == Org);
        if (since is not null)
        {
            var s = since.Value.UtcDateTime;
            q = q.Where(a => a.TimeUtc >= s);
        }
        if (eventType is not null)
            q = eventType.EndsWith('*') ? q.Where(a => a.EventType.StartsWith(eventType.TrimEnd('*'))) : q.Where(a => a.EventType == eventType);
        var rows = await q.OrderByDescending(a => a.TimeUtc).ThenByDescending(a => a.Id).Take(limit).ToListAsync(ct);
        return rows.Select(a => new AuditRecord
        {
            Id = a.Id, OrganizationId = a.OrganizationId, Actor = a.Actor, EventType = a.EventType,
            Time = new DateTimeOffset(a.TimeUtc, TimeSpan.Zero), Subject = a.Subject,
            AffectedDomains = ModelJson.Deserialize<List<string>>(a.AffectedDomains),
            Changes = ModelJson.Deserialize<List<AuditChange>>(a.Changes),
        }).ToList();
    }

    // ---------------------------------------------------------------- unit of work

    /// <summary>Saves pending changes and commits the transaction.</summary>
    public async Task CommitAsync(CancellationToken ct = default)
    {
        await _db.SaveChangesAsync(ct);
        await _tx.CommitAsync(ct);
        _committed = true;
    }

    /// <summary>Saves pending changes inside the transaction without committing (so later queries see them).</summary>
    public Task FlushAsync(CancellationToken ct = default) => _db.SaveChangesAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            try { await _tx.RollbackAsync(); } catch (InvalidOperationException) { }
        }
        await _tx.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static StoreException NotFound(string what, string name) =>
        new("not-found", new LocalizedText($"{what}「{name}」が見つかりません。", $"The {what} '{name}' does not exist."));
}
