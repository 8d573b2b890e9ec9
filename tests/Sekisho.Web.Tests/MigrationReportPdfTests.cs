using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sekisho.Testing;
using UglyToad.PdfPig;

namespace Sekisho.Web.Tests;

/// <summary>PDF reports of the migration tool from the console and the API, printed by the real headless Chromium.</summary>
public sealed class MigrationReportPdfTests
{
    private static async Task AnalyseSeedAsync(HttpClient api)
    {
        var upload = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(RepoPaths.Fixture("imsva", "seed-example.dat"))), "file", "seed-example.dat" } };
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/migration/analyze", upload)).StatusCode);
        Assert.Equal("analysed", (await api.GetFromJsonAsync<JsonElement>("/api/v1/migration/status?wait=true")).GetProperty("stage").GetString());
    }

    private static string Text(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Concat(doc.GetPages().Select(p => p.Text));
    }

    [Fact]
    public async Task A_read_only_token_downloads_the_analysis_report_as_a_pdf_with_japanese_text()
    {
        await using var host = await ConsoleHost.StartAsync();
        await AnalyseSeedAsync(host.Api(host.AdminToken));

        var response = await host.Api(host.ViewerToken).GetAsync("/api/v1/migration/report?kind=analysis&format=pdf&lang=ja");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".pdf", response.Content.Headers.ContentDisposition!.FileName);
        var text = Text(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("データ分析レポート", text);
        Assert.Contains("DDEIにBCCでメール送信", text);

        // The migration page offers the PDF next to the HTML report, and its link prints the same report.
        var browser = await host.SignedInAsync();
        var page = await browser.GetStringAsync("/migration");
        Assert.Contains("id=\"report-analysis-pdf\"", page);
        var download = await browser.GetAsync("/migration?handler=Report&kind=analysis&format=pdf");
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.MediaType);
        Assert.Contains("DDEIにBCCでメール送信", Text(await download.Content.ReadAsByteArrayAsync()));
        var english = await host.Api(host.ViewerToken).GetAsync("/api/v1/migration/report?kind=analysis&format=pdf&lang=en");
        Assert.Contains("Data analysis report", Text(await english.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Without_chromium_the_pdf_is_a_503_problem_in_both_languages_and_html_still_works()
    {
        using var dir = new TempDir("sekisho-nochromium");
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ChromiumPath = dir.File("chromium"));
        var api = host.Api(host.AdminToken);
        await AnalyseSeedAsync(api);

        var response = await api.GetAsync("/api/v1/migration/report?kind=analysis&format=pdf");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("report.pdf-unavailable", problem.GetProperty("code").GetString());
        Assert.Contains("Chromium", problem.GetProperty("messageJa").GetString());
        Assert.Contains("が必要", problem.GetProperty("messageJa").GetString());
        Assert.Contains("not installed", problem.GetProperty("messageEn").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/migration/report?kind=analysis&format=html")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/v1/migration/report?kind=analysis&format=docx")).StatusCode);
    }

    [Fact]
    public async Task A_chromium_that_prints_nothing_is_a_503_problem_with_its_reason()
    {
        // /bin/false stands in for a broken Chromium: it exists, exits 1 and writes no PDF.
        await using var host = await ConsoleHost.StartAsync(configure: o => o.ChromiumPath = "/bin/false");
        var api = host.Api(host.ViewerToken);
        await AnalyseSeedAsync(host.Api(host.AdminToken));
        var response = await api.GetAsync("/api/v1/migration/report?kind=analysis&format=pdf");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("report.pdf-failed", problem.GetProperty("code").GetString());
        Assert.Contains("exit 1", problem.GetProperty("messageEn").GetString());
        Assert.Contains("PDF レポートを作成できませんでした", problem.GetProperty("messageJa").GetString());
    }
}
