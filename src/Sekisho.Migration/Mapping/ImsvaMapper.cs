using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;
using Src = Sekisho.Migration.Source;

namespace Sekisho.Migration.Mapping;

/// <summary>
/// Maps an InterScan export (the source model) to Sekisho's model, following the migration contract
/// (spec/migration-mapping.md §3): every setting becomes an <see cref="AnalysisItem"/> with its findings, and the
/// objects a migration would create form the <see cref="MigrationPlan"/>. Pure: nothing is written anywhere.
/// </summary>
public sealed partial class ImsvaMapper
{
    private readonly Src.ImsvaExport _export;
    private readonly MappingContext _ctx;
    private readonly List<AnalysisItem> _items = [];
    private readonly HashSet<string> _managed;
    private readonly string _sha;

    // Notifications keep their charsets (ISO-2022-JP, Shift_JIS, EUC-JP).
    static ImsvaMapper() => System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);

    private ImsvaMapper(Src.ImsvaExport export, MappingContext ctx)
    {
        _export = export;
        _ctx = ctx;
        _sha = export.File.Sha256;
        _managed = new HashSet<string>(ctx.Domains.Select(d => DomainNames.NormalizeOrSelf(d.Name)), StringComparer.Ordinal);
    }

    /// <summary>Analyses an export: items, findings and the plan.</summary>
    public static MigrationAnalysis Analyze(Src.ImsvaExport export, MappingContext context)
    {
        var mapper = new ImsvaMapper(export, context);
        var plan = mapper.Run();
        var info = export.Info;
        var source = new AnalysisSource(info.Product == Src.ImsvaProduct.Imss ? "IMSS" : "IMSVA", info.Platform, info.Version, info.Build,
            info.Language, info.Hostname, info.ExportedAt, export.File.FileName, export.File.Sha256);
        return new MigrationAnalysis(source, context.Mode, context.Now, mapper._items, plan);
    }

    private MigrationPlan Run()
    {
        MapPrerequisites();
        PlanAddressGroupUsage();
        MapAddressGroups();
        MapKeywordLists();
        MapNotifications();
        MapStamps();
        MapDlp();
        MapRules();
        MapApprovedLists();
        MapSenderFiltering();
        MapDkimSignatures();
        MapSmtpRouting();
        MapGlobalSettings();
        MapOtherScreens();
        var plan = BuildPlan();
        return ValidatePlan(plan);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Deterministic id: the same organization, file and source object always give the same id.</summary>
    private string NewId(string kind, string sourceId) => Ids.FromSeed($"{_ctx.OrganizationId}|{_sha}|{kind}|{sourceId}");

    private Provenance Prov(string sourceId) => new(_sha, sourceId, _ctx.TaskId);

    private void AddItem(string id, string kind, string name, string source, IReadOnlyList<AnalysisTarget> targets, IReadOnlyList<MigrationFinding> findings, bool created) =>
        AddItem(new AnalysisItem(id, kind, name, source, Findings.StatusOf(findings, created), targets, findings));

    // Items are looked up by id and by the objects they target: large exports have thousands of each.
    private readonly Dictionary<string, int> _itemIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _objectItem = new(StringComparer.Ordinal);

    private void AddItem(AnalysisItem item)
    {
        if (_itemIndex.TryGetValue(item.Id, out var existing)) { _items[existing] = item; }
        else { _itemIndex[item.Id] = _items.Count; _items.Add(item); }
        foreach (var t in item.Targets)
            if (t.Id is not null) _objectItem[t.Id] = item.Id;
    }

    private bool IsManagedDomain(string domain) => _managed.Contains(DomainNames.NormalizeOrSelf(domain));

    private bool LiesWithinManaged(AddressPattern p) => p.DomainMatch == DomainMatch.Exact && _managed.Contains(p.Domain);

    private static LocalizedText L(string ja, string en) => new(ja, en);

    private static string RuleKind(RuleType t) => t switch
    {
        RuleType.Virus => "virus-rule",
        RuleType.Spam => "spam-rule",
        RuleType.Content => "content-rule",
        _ => "dlp-rule",
    };
}
