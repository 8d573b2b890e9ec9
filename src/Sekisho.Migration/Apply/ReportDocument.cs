using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Model.Serialization;

namespace Sekisho.Migration.Apply;

/// <summary>A kept report: what the renderers need (source, mode, items with findings in both languages), stored as JSON.</summary>
public sealed record ReportDocument(ReportKind Kind, string? Organization, AnalysisSource Source, MigrationMode Mode, DateTimeOffset GeneratedAt, IReadOnlyList<AnalysisItem> Items)
{
    public static ReportDocument From(MigrationAnalysis a, ReportKind kind, string? organization, DateTimeOffset generatedAt) =>
        new(kind, organization, a.Source, a.Mode, generatedAt, a.Items);

    /// <summary>The analysis shape the renderers take (without a plan: a kept report describes, it does not apply).</summary>
    public MigrationAnalysis ToAnalysis() => new(Source, Mode, GeneratedAt, Items, new MigrationPlan());

    public string ToJson() => ModelJson.Serialize(this);

    public static ReportDocument FromJson(string json) => ModelJson.Deserialize<ReportDocument>(json);
}
