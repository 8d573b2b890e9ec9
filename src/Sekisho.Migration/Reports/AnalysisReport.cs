using System.Globalization;
using System.Net;
using System.Text;
using Sekisho.Migration.Mapping;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;

namespace Sekisho.Migration.Reports;

/// <summary>Which of the two reports (same layout).</summary>
public enum ReportKind
{
    /// <summary>データ分析レポート: produced by the analysis, before anything changes.</summary>
    Analysis,
    /// <summary>データ移行レポート: produced after the import.</summary>
    Migration,
}

/// <summary>
/// The data analysis and data migration reports as a self-contained HTML page (spec/migration-mapping.md §5.2):
/// about, basic information, terms, summary, detailed report, next steps. Print it to PDF with <see cref="PdfPrinter"/>.
/// </summary>
public static class AnalysisReport
{
    private static IReadOnlyList<string> Kinds => ReportTexts.Kinds;

    public static string RenderHtml(MigrationAnalysis a, ReportKind kind, string language, string? organization)
    {
        string T(string key) => ReportTexts.Get(key, language);
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var title = T(kind == ReportKind.Analysis ? "title.analysis" : "title.migration");
        var sb = new StringBuilder();
        sb.Append($"""
            <!DOCTYPE html>
            <html lang="{language}">
            <head>
            <meta charset="utf-8">
            <title>{E(title)} — {E(a.Source.File)}</title>
            <style>
            @page {"{"} size: A4; margin: 16mm 14mm; {"}"}
            body {"{"} font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; font-size: 10pt; color: #222; line-height: 1.5; {"}"}
            h1 {"{"} font-size: 20pt; margin: 0 0 2mm; {"}"} h2 {"{"} font-size: 14pt; border-bottom: 2px solid #c0392b; padding-bottom: 1mm; margin-top: 8mm; break-after: avoid; {"}"}
            .subtitle {"{"} color: #666; margin-bottom: 6mm; {"}"}
            table {"{"} border-collapse: collapse; width: 100%; margin: 2mm 0; {"}"}
            th, td {"{"} border: 1px solid #bbb; padding: 1.2mm 2mm; vertical-align: top; text-align: left; {"}"}
            th {"{"} background: #f2f2f2; {"}"} thead {"{"} display: table-header-group; {"}"} tr {"{"} break-inside: avoid; {"}"}
            .s-not-supported {"{"} color: #555; {"}"} .s-error {"{"} color: #c0392b; font-weight: bold; {"}"} .s-warning {"{"} color: #b9770e; font-weight: bold; {"}"} .s-successful {"{"} color: #1e8449; {"}"}
            .finding {"{"} margin-bottom: 1.5mm; {"}"} .fix {"{"} color: #444; {"}"} .code {"{"} font-family: monospace; font-size: 8.5pt; color: #777; {"}"}
            .num {"{"} text-align: right; {"}"} footer {"{"} margin-top: 10mm; color: #888; font-size: 8pt; {"}"}
            </style>
            </head>
            <body>
            <h1>{E(title)}</h1>
            <div class="subtitle">{E(T("subtitle"))}</div>
            <h2>{E(T("toc"))}</h2>
            <ol>{string.Concat(Enumerable.Range(1, 6).Select(i => $"<li>{E(T("s" + i))}</li>"))}</ol>
            <h2>1 {E(T("s1"))}</h2>
            <p>{E(T(kind == ReportKind.Analysis ? "about.analysis" : "about.migration"))}</p>
            <h2>2 {E(T("s2"))}</h2>
            <table><tbody>
            """);
        void Row(string key, string? value) => sb.Append($"<tr><th>{E(T(key))}</th><td>{E(value)}</td></tr>\n");
        Row("info.generated", a.GeneratedAt.ToUniversalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture) + " (UTC)");
        Row("info.organization", organization ?? "-");
        Row("info.mode", T(a.Mode == MigrationMode.Merge ? "mode.merge" : "mode.overwrite"));
        Row("info.file", a.Source.File);
        Row("info.sha256", a.Source.Sha256);
        Row("info.version", a.Source.ProductLabel);
        Row("info.build", a.Source.Build.ToString(CultureInfo.InvariantCulture));
        Row("info.language", a.Source.Language ?? "-");
        Row("info.host", a.Source.Hostname ?? "-");
        Row("info.exported", a.Source.ExportedAt?.ToUniversalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture) + " (UTC)");
        sb.Append("</tbody></table>\n");

        sb.Append($"<h2>3 {E(T("s3"))}</h2>\n<table><thead><tr><th>{E(T("term.col.term"))}</th><th>{E(T("term.col.meaning"))}</th></tr></thead><tbody>\n");
        foreach (var s in new[] { "not-supported", "error", "warning", "successful" })
            sb.Append($"<tr><td class=\"s-{s}\">{E(T("status." + s))}</td><td>{E(T("term." + s))}</td></tr>\n");
        foreach (var s in new[] { "needs-fix", "needs-confirmation", "fixed", "confirmed" })
            sb.Append($"<tr><td>{E(T("ms." + s).Split(':')[0])}</td><td>{E(T("ms." + s))}</td></tr>\n");
        sb.Append("</tbody></table>\n");

        var summary = a.Summary;
        sb.Append($"<h2>4 {E(T("s4"))}</h2>\n<h3>{E(T("summary.by-status"))}</h3>\n<table><thead><tr>");
        foreach (var s in new[] { "not-supported", "error", "warning", "successful" }) sb.Append($"<th class=\"s-{s}\">{E(T("status." + s))}</th>");
        sb.Append($"<th>{E(T("summary.total"))}</th></tr></thead><tbody><tr><td class=\"num\">{summary.NotSupported}</td><td class=\"num\">{summary.Error}</td><td class=\"num\">{summary.Warning}</td><td class=\"num\">{summary.Successful}</td><td class=\"num\">{summary.Total}</td></tr></tbody></table>\n");
        sb.Append($"<h3>{E(T("summary.by-kind"))}</h3>\n<table><thead><tr><th>{E(T("col.kind"))}</th>");
        foreach (var s in new[] { "not-supported", "error", "warning", "successful" }) sb.Append($"<th class=\"s-{s}\">{E(T("status." + s))}</th>");
        sb.Append($"<th>{E(T("summary.total"))}</th></tr></thead><tbody>\n");
        foreach (var k in Kinds)
        {
            var items = a.Items.Where(i => i.Kind == k).ToList();
            if (items.Count == 0) continue;
            var ks = AnalysisSummary.Of(items);
            sb.Append($"<tr><td>{E(T("kind." + k))}</td><td class=\"num\">{ks.NotSupported}</td><td class=\"num\">{ks.Error}</td><td class=\"num\">{ks.Warning}</td><td class=\"num\">{ks.Successful}</td><td class=\"num\">{ks.Total}</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");

        sb.Append($"<h2>5 {E(T("s5"))}</h2>\n");
        foreach (var k in Kinds)
        {
            var items = a.Items.Where(i => i.Kind == k).ToList();
            if (items.Count == 0) continue;
            sb.Append($"<h3>{E(T("kind." + k))}</h3>\n<table><thead><tr><th style=\"width:22%\">{E(T("col.item"))}</th><th style=\"width:10%\">{E(T("col.status"))}</th><th style=\"width:22%\">{E(T("col.targets"))}</th><th>{E(T("col.findings"))}</th></tr></thead><tbody>\n");
            foreach (var item in items)
            {
                var status = ModelJson.EnumName(item.Status);
                sb.Append($"<tr><td>{E(item.Name)}<div class=\"code\">{E(item.Source)}</div></td><td class=\"s-{status}\">{E(T("status." + status))}</td><td>");
                foreach (var t in item.Targets)
                    sb.Append($"<div>{E(t.Name)} <span class=\"code\">{E(t.Kind)}{(t.Direction is { } d ? " " + ModelJson.EnumName(d) : "")}{(t.Enabled is { } en ? " · " + T(en ? "enabled" : "disabled") : "")}</span></div>");
                if (item.Targets.Count == 0) sb.Append(E(T("none")));
                sb.Append("</td><td>");
                foreach (var f in item.Findings)
                    sb.Append($"<div class=\"finding\"><span class=\"s-{ModelJson.EnumName(f.Status)}\">●</span> {E(f.Message.For(language))} <span class=\"code\">{E(f.Code)}</span><div class=\"fix\">{E(T("fix"))}: {E(f.Fix.For(language))}</div></div>");
                if (item.Findings.Count == 0) sb.Append(E(T("none")));
                sb.Append("</td></tr>\n");
            }
            sb.Append("</tbody></table>\n");
        }

        sb.Append($"<h2>6 {E(T("s6"))}</h2>\n<ol>{string.Concat(Enumerable.Range(1, 5).Select(i => $"<li>{E(T("next." + i))}</li>"))}</ol>\n");
        sb.Append($"<footer>{E(T("footer"))}</footer>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
