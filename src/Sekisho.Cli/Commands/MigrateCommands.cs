using System.CommandLine;
using System.Globalization;
using System.Text;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;
using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho migrate analyze</c> (and, with the migration task, run / status / report).</summary>
internal static partial class MigrateCommands
{
    public static Command Create(CliApp app)
    {
        var migrate = new Command("migrate", CliText.T("migrate.description"));
        migrate.Subcommands.Add(Analyze(app));
        return migrate.WithTaskVerbs(app);
    }

    private sealed class AnalyzeOptions
    {
        public Argument<string> File { get; } = new("file");
        public Option<string> Mode { get; } = new("--mode") { Description = CliText.T("opt.migrate.mode"), DefaultValueFactory = _ => "merge" };
        public Option<string[]> Domain { get; } = new("--domain") { Description = CliText.T("opt.migrate.domain") };
        public Option<string> Format { get; } = new("--format") { Description = CliText.T("opt.migrate.format"), DefaultValueFactory = _ => "text" };
        public Option<string?> Output { get; } = new("--output", "-o") { Description = CliText.T("opt.migrate.output") };
    }

    private static Command Analyze(CliApp app)
    {
        var o = new AnalyzeOptions();
        var cmd = new Command("analyze", CliText.T("migrate.analyze.description")) { o.File, o.Mode, o.Domain, o.Format, o.Output };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var path = ctx.Parse.GetValue(o.File)!;
            var format = ctx.Parse.GetValue(o.Format)!;
            if (format is not ("text" or "json" or "html" or "pdf")) throw new CliUserException(CliText.T("error.enum", format, "--format", "text, json, html, pdf"));
            var mode = CliContext.ParseEnum<MigrationMode>(ctx.Parse.GetValue(o.Mode)!, "--mode");
            var output = ctx.Parse.GetValue(o.Output);
            if (format == "pdf" && output is null) throw new CliUserException(CliText.T("migrate.pdf-needs-output"));
            if (!File.Exists(path)) throw new CliUserException(CliText.T("error.file.not-found", path));

            var load = await LoadAsync(ctx, path, ct);
            if (!load.Succeeded)
            {
                var language = ctx.ExplicitLanguage ?? ctx.Language;
                if (format == "json") await WriteAsync(ctx, output, AnalysisJson.WriteFatal(load.Fatal, language), ct);
                throw new CliUserException(CliText.T("migrate.fatal", load.Fatal.GetMessage(language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture), load.Fatal.CodeName));
            }
            var context = await ContextAsync(ctx, ctx.Parse.GetValue(o.Domain) ?? [], mode, ct);
            var analysis = ImsvaMapper.Analyze(load.Export, context);
            var reportLanguage = ctx.ExplicitLanguage ?? (load.Export.Info.Language?.StartsWith("ja", StringComparison.OrdinalIgnoreCase) == true ? "ja" : "en");
            await RenderAsync(ctx, analysis, ReportKind.Analysis, format, reportLanguage, output, ctx.Parse.GetValue(o.Domain) is { Length: > 0 } ? null : ctx.OrganizationName, ct);
            return 0;
        }));
        return cmd;
    }

    /// <summary>Loads the export, showing progress on the terminal for large files.</summary>
    internal static async Task<ImsvaLoadResult> LoadAsync(CliContext ctx, string path, CancellationToken ct)
    {
        IProgress<LoadProgress>? progress = null;
        if (new FileInfo(path).Length > 1024 * 1024 && ReferenceEquals(ctx.Err, Console.Error) && !Console.IsErrorRedirected)
            progress = new Progress<LoadProgress>(p => ctx.Err.Write("\r" + CliText.T("migrate.progress", Path.GetFileName(path),
                p.BytesTotal is > 0 ? $"{100 * p.BytesDone / p.BytesTotal.Value}%" : p.Stage.ToString()) + "   "));
        var result = await ImsvaExportLoader.LoadFileAsync(path, null, progress, ct);
        if (progress is not null) ctx.Err.WriteLine();
        return result;
    }

    /// <summary>Managed domains offline (--domain) or from the store; an analysis never writes to the store.</summary>
    internal static async Task<MappingContext> ContextAsync(CliContext ctx, string[] domains, MigrationMode mode, CancellationToken ct)
    {
        if (domains.Length > 0) return MappingContext.Offline(domains, mode, ctx.Time.GetUtcNow());
        if (!ctx.UsesPostgres && !File.Exists(Path.Combine(ctx.DataDirectory, "sekisho.db")))
            return MappingContext.Offline([], mode, ctx.Time.GetUtcNow());
        var store = await ctx.StoreAsync(ct);
        var org = await store.FindOrganizationAsync(ctx.OrganizationName, ct);
        if (org is null) return MappingContext.Offline([], mode, ctx.Time.GetUtcNow());
        await using var s = await store.BeginAsync(org, ctx.Actor, ct);
        var snapshot = await s.LoadSnapshotAsync(ct);
        return new MappingContext
        {
            OrganizationId = org.Id, Mode = mode, Now = ctx.Time.GetUtcNow(), Existing = snapshot,
            Domains = snapshot.Domains.Select(d => new ManagedDomainInfo(d.Name, d.IsVerified)).ToList(),
            DirectoryConfigured = snapshot.Settings.Directory.IsConfigured,
        };
    }

    internal static async Task RenderAsync(CliContext ctx, MigrationAnalysis analysis, ReportKind kind, string format, string language, string? output, string? organization, CancellationToken ct)
    {
        switch (format)
        {
            case "json" when output is not null:
                await using (var file = File.Create(output)) AnalysisJson.Write(file, analysis, language);
                ctx.Err.WriteLine(CliText.T("migrate.written", output));
                break;
            case "json":
                await WriteAsync(ctx, output, AnalysisJson.Write(analysis, language), ct);
                break;
            case "html":
                await WriteAsync(ctx, output, AnalysisReport.RenderHtml(analysis, kind, language, organization), ct);
                break;
            case "pdf":
                byte[] pdf;
                try { pdf = await PdfPrinter.PrintAsync(AnalysisReport.RenderHtml(analysis, kind, language, organization), ct); }
                catch (PdfPrinterException e) { throw new CliUserException(e.Message); }
                await File.WriteAllBytesAsync(output!, pdf, ct);
                ctx.Err.WriteLine(CliText.T("migrate.written", output));
                break;
            default:
                await WriteAsync(ctx, output, RenderText(analysis, language, kind), ct);
                break;
        }
    }

    private static async Task WriteAsync(CliContext ctx, string? output, string text, CancellationToken ct)
    {
        if (output is null) { ctx.Out.Write(text); return; }
        await File.WriteAllTextAsync(output, text, new UTF8Encoding(false), ct);
        ctx.Err.WriteLine(CliText.T("migrate.written", output));
    }

    /// <summary>The terminal form: a table per status and kind, then every item that is not successful with its findings and fixes.</summary>
    internal static string RenderText(MigrationAnalysis a, string language, ReportKind kind)
    {
        string T(string key) => ReportTexts.Get(key, language);
        var w = new StringWriter();
        w.WriteLine($"{T(kind == ReportKind.Analysis ? "title.analysis" : "title.migration")}: {a.Source.File}");
        w.WriteLine($"  {a.Source.ProductLabel}, build {a.Source.Build}, {a.Source.Language ?? "-"}, {a.Source.Hostname ?? "-"}; {T("info.mode")}: {T(a.Mode == MigrationMode.Merge ? "mode.merge" : "mode.overwrite")}");
        w.WriteLine();
        var kinds = ReportTexts.Kinds.Where(k => a.Items.Any(i => i.Kind == k)).ToList();
        var table = new TextTable([T("col.status"), .. kinds.Select(k => T("kind." + k)), T("summary.total")]);
        foreach (var s in ReportTexts.Statuses)
            table.Row([T("status." + s), .. kinds.Select(k => Count(i => i.Kind == k && ModelJson.EnumName(i.Status) == s)), Count(i => ModelJson.EnumName(i.Status) == s)]);
        table.WriteTo(w);
        // What needs a fix first, then what needs confirmation, then what is not migrated.
        FindingStatus[] order = [FindingStatus.Error, FindingStatus.Warning, FindingStatus.NotSupported];
        var attention = a.Items.Where(i => i.Status != FindingStatus.Successful)
            .OrderBy(i => Array.IndexOf(order, i.Status)).ThenBy(i => ReportTexts.Kinds.ToList().IndexOf(i.Kind)).ToList();
        if (attention.Count > 0) { w.WriteLine(); w.WriteLine(T("col.findings") + ":"); }
        foreach (var item in attention)
        {
            var targets = item.Targets.Count == 0 ? "" : " → " + string.Join(", ", item.Targets.Select(t =>
                $"{t.Kind}{(t.Direction is { } d ? " " + ModelJson.EnumName(d) : "")}{(t.Enabled is { } e ? $" ({T(e ? "enabled" : "disabled")})" : "")}"));
            w.WriteLine();
            w.WriteLine($"[{T("status." + ModelJson.EnumName(item.Status))}] {item.Id}  {item.Name}{targets}");
            foreach (var f in item.Findings.Where(f => f.Status != FindingStatus.Successful))
            {
                w.WriteLine($"  ! {f.Code}: {f.Message.For(language)}");
                w.WriteLine($"    {T("fix")}: {f.Fix.For(language)}");
            }
        }
        return w.ToString();

        string Count(Func<AnalysisItem, bool> p) => a.Items.Count(p).ToString(CultureInfo.InvariantCulture);
    }
}
