using System.Diagnostics;

namespace Sekisho.Migration.Reports;

/// <summary>Headless Chromium is missing or failed: the user gets this message (and HTML works without it).</summary>
public sealed class PdfPrinterException(string message) : Exception(message);

/// <summary>
/// Prints an HTML page to PDF with headless Chromium (Debian package <c>chromium</c>; Japanese glyphs from
/// <c>fonts-noto-cjk</c>, embedded in the PDF by Chromium). No network: background services are switched off.
/// </summary>
public static class PdfPrinter
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    /// <summary>The Chromium executable: $SEKISHO_CHROMIUM, or a well-known path; null when none is installed.</summary>
    public static string? FindChromium()
    {
        var env = Environment.GetEnvironmentVariable("SEKISHO_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(env)) return File.Exists(env) ? env : null;
        return Candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Prints <paramref name="html"/> with <paramref name="chromium"/> (null = <see cref="FindChromium"/>), killing Chromium after
    /// <paramref name="timeout"/> (default two minutes); a <see cref="PdfPrinterException"/> when it is missing or fails.
    /// </summary>
    public static async Task<byte[]> PrintAsync(string html, CancellationToken ct = default, TimeSpan? timeout = null, string? chromium = null)
    {
        chromium = (chromium is null ? FindChromium() : File.Exists(chromium) ? chromium : null) ?? throw new PdfPrinterException(
            "Headless Chromium is needed for PDF reports and was not found. Install it (apt-get install chromium fonts-noto-cjk) or set SEKISHO_CHROMIUM; use --format html meanwhile. " +
            "PDF レポートには Chromium が必要ですが見つかりません。apt-get install chromium fonts-noto-cjk でインストールするか SEKISHO_CHROMIUM を設定してください (その間は --format html を使用できます)。");
        var dir = Directory.CreateTempSubdirectory("sekisho-pdf-");
        try
        {
            var input = Path.Combine(dir.FullName, "report.html");
            var output = Path.Combine(dir.FullName, "report.pdf");
            await File.WriteAllTextAsync(input, html, ct);
            var psi = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer",
                         $"--user-data-dir={Path.Combine(dir.FullName, "profile")}", $"--print-to-pdf={output}", new Uri(input).AbsoluteUri,
                     })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new PdfPrinterException("Chromium did not start: " + chromium);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            _ = p.StandardOutput.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
            try { await p.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new PdfPrinterException("Chromium did not finish printing the report in time.");
            }
            if (!File.Exists(output) || new FileInfo(output).Length == 0)
                throw new PdfPrinterException($"Chromium could not print the report (exit {p.ExitCode}): {(await stderr).Trim().Split('\n').LastOrDefault()}");
            return await File.ReadAllBytesAsync(output, ct);
        }
        finally
        {
            try { dir.Delete(true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
