using Microsoft.Extensions.Logging;
using Sekisho.Migration.Reports;
using Sekisho.Model;

namespace Sekisho.Web.Services;

/// <summary>
/// Prints the migration tool's HTML reports to PDF for the console and the API with <see cref="PdfPrinter"/> (headless Chromium,
/// the same renderer as <c>sekisho migrate report --format pdf</c>): one print at a time, bounded by <see cref="ConsoleOptions.PdfTimeout"/>;
/// a missing, failing or busy Chromium is a 503 problem in Japanese and English.
/// </summary>
public sealed class ReportPdfPrinter(ConsoleOptions options, ILogger<ReportPdfPrinter> log)
{
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>The PDF of <paramref name="html"/>, or a <see cref="ConsoleProblem"/> with status 503.</summary>
    public async Task<byte[]> PrintAsync(string html, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        if (!await _one.WaitAsync(options.PdfTimeout, ct))
            throw new ConsoleProblem("report.pdf-busy", new LocalizedText(
                "他の PDF レポートを作成中です。しばらくしてからもう一度お試しください (HTML 形式はすぐにダウンロードできます)。",
                "Another PDF report is being printed. Try again shortly (the HTML report downloads right away)."), 503);
        try
        {
            var left = options.PdfTimeout - (DateTimeOffset.UtcNow - started);
            return await PdfPrinter.PrintAsync(html, ct, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), options.ChromiumPath);
        }
        catch (PdfPrinterException e)
        {
            log.LogWarning("PDF report failed: {Reason}", e.Message);
            var missing = (options.ChromiumPath is null ? PdfPrinter.FindChromium() : File.Exists(options.ChromiumPath) ? options.ChromiumPath : null) is null;
            throw new ConsoleProblem(missing ? "report.pdf-unavailable" : "report.pdf-failed", missing
                ? new LocalizedText(
                    "PDF レポートには Chromium が必要ですが、このサーバーにはありません。apt-get install chromium fonts-noto-cjk でインストールしてください。その間は HTML 形式をダウンロードしてブラウザーから印刷できます。",
                    "PDF reports need Chromium, which is not installed on this server: apt-get install chromium fonts-noto-cjk. Meanwhile download the HTML report and print it from your browser.")
                : new LocalizedText(
                    "Chromium で PDF レポートを作成できませんでした (" + e.Message + ")。HTML 形式をダウンロードしてブラウザーから印刷できます。",
                    "Chromium could not print the PDF report (" + e.Message + "). Download the HTML report and print it from your browser."), 503);
        }
        finally
        {
            _one.Release();
        }
    }
}
