using Sekisho.Migration.Reports;
using Sekisho.Testing;
using UglyToad.PdfPig;

namespace Sekisho.Migration.Tests;

public class ReportTests
{
    [Fact]
    public async Task Html_report_has_the_six_sections_and_every_item_in_the_chosen_language()
    {
        var analysis = await AnalysisFixtureTests.AnalyzeFixtureAsync("enterprise-ja");
        var ja = AnalysisReport.RenderHtml(analysis, ReportKind.Analysis, "ja", "default");
        foreach (var section in new[] { "このレポートについて", "基本情報", "用語リスト", "レポートの概要", "詳細なレポート", "次の手順" }) Assert.Contains(section, ja);
        Assert.Contains("IMSVA 9.1", ja);
        Assert.Contains("統合", ja);
        Assert.Contains("危険な添付ファイル", ja);
        Assert.Contains("修正方法", ja);
        foreach (var item in analysis.Items) Assert.Contains(System.Net.WebUtility.HtmlEncode(item.Name), ja);
        var en = AnalysisReport.RenderHtml(analysis, ReportKind.Migration, "en", "default");
        Assert.Contains("Data migration report", en);
        Assert.Contains("Next steps", en);
        Assert.DoesNotContain("詳細なレポート", en);
    }

    [Fact]
    public async Task Pdf_report_holds_the_japanese_rule_names_as_text_and_renders_to_png()
    {
        var analysis = await AnalysisFixtureTests.AnalyzeFixtureAsync("seed-example");
        var pdf = await PdfPrinter.PrintAsync(AnalysisReport.RenderHtml(analysis, ReportKind.Analysis, "ja", "default"));
        using (var doc = PdfDocument.Open(pdf))
        {
            var text = string.Concat(doc.GetPages().Select(p => p.Text));
            Assert.Contains("データ分析レポート", text);
            Assert.Contains("DDEIにBCCでメール送信", text);
            Assert.Contains("パスワードで保護された添付ファイルの初期設定ルール", text);
            Assert.Contains("IMSS 9.1 Linux", text);
        }
        using var dir = new TempDir("sekisho-pdf");
        File.WriteAllBytes(dir.File("report.pdf"), pdf);
        // The Japanese glyphs come from fonts embedded in the file, not from the reader's system (pdffonts: "emb" column).
        var (_, fonts) = ExternalProcess.Run("pdffonts", [dir.File("report.pdf")]);
        var rows = fonts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Matches(@"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", r));
        ExternalProcess.Run("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", dir.File("report.pdf"), dir.File("page")]);
        var png = Directory.GetFiles(dir.Path, "page*.png").Single();
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 1000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }
}
