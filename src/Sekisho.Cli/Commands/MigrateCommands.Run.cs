using System.CommandLine;
using System.Globalization;
using Sekisho.Cli.Localization;
using Sekisho.Migration.Apply;
using Sekisho.Migration.Mapping;
using Sekisho.Migration.Reports;
using Sekisho.Model.Serialization;
using Sekisho.Store;

namespace Sekisho.Cli.Commands;

internal static partial class MigrateCommands
{
    /// <summary>Adds run, status and report to the migrate command.</summary>
    public static Command WithTaskVerbs(this Command migrate, CliApp app)
    {
        migrate.Subcommands.Add(Run(app));
        migrate.Subcommands.Add(Status(app));
        migrate.Subcommands.Add(Report(app));
        return migrate;
    }

    private static Command Run(CliApp app)
    {
        var file = new Argument<string>("file");
        var mode = new Option<string>("--mode") { Description = CliText.T("opt.migrate.mode"), DefaultValueFactory = _ => "merge" };
        var domain = new Option<string[]>("--domain") { Description = CliText.T("opt.migrate.run-domain") };
        var yes = new Option<bool>("--yes", "-y") { Description = CliText.T("opt.migrate.yes") };
        var cmd = new Command("run", CliText.T("migrate.run.description")) { file, mode, domain, yes };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var path = ctx.Parse.GetValue(file)!;
            if (!File.Exists(path)) throw new CliUserException(CliText.T("error.file.not-found", path));
            var m = CliContext.ParseEnum<MigrationMode>(ctx.Parse.GetValue(mode)!, "--mode");
            bool assumeYes = ctx.Parse.GetValue(yes);
            if (!assumeYes && (ctx.Input is null || (ReferenceEquals(ctx.Input, Console.In) && Console.IsInputRedirected)))
                throw new CliUserException(CliText.T("migrate.confirm.needs-yes"));
            var store = await ctx.StoreAsync(ct);
            var org = await ctx.OrganizationAsync(ct);
            var runner = new MigrationRunner(store, org, ctx.Actor, ctx.Time);
            var faults = TestFaults();
            var result = await runner.RunAsync(path, m, ctx.Parse.GetValue(domain) ?? [], async analysis =>
            {
                var language = ReportLanguage(ctx, analysis);
                ctx.Out.Write(RenderText(analysis, language, ReportKind.Analysis));
                if (assumeYes) return true;
                ctx.Out.WriteLine();
                ctx.Out.Write(CliText.T("migrate.confirm", org.Name, ReportTexts.Get(m == MigrationMode.Merge ? "mode.merge" : "mode.overwrite", ctx.Language)) + " ");
                var answer = (await ctx.Input!.ReadLineAsync(ct))?.Trim().ToLowerInvariant();
                return answer is "y" or "yes" or "はい";
            }, faults, null, ct);
            switch (result.Outcome)
            {
                case MigrationOutcome.Busy:
                    throw new CliUserException(CliText.T("migrate.busy", org.Name, result.Task?.Id[..8] ?? "?"));
                case MigrationOutcome.Unusable:
                    var lang = ctx.ExplicitLanguage ?? ctx.Language;
                    throw new CliUserException(CliText.T("migrate.fatal", result.Fatal!.GetMessage(lang == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture), result.Fatal.CodeName));
                case MigrationOutcome.Cancelled:
                    ctx.Out.WriteLine(CliText.T("migrate.cancelled"));
                    return 0;
                case MigrationOutcome.Failed:
                    throw new CliUserException(CliText.T("migrate.failed", result.Error));
            }
            var c = result.Task!.Counts;
            ctx.Out.WriteLine();
            ctx.Out.WriteLine(CliText.T("migrate.completed", c.NotSupported, c.Error, c.Warning, c.Successful));
            ctx.Out.WriteLine(CliText.T("migrate.completed.next"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Fault injection for the failure-safety tests (undocumented for users): SEKISHO_TEST_IMPORT_FAIL_AFTER=N aborts the
    /// import after N objects; SEKISHO_TEST_IMPORT_PAUSE_AFTER=N writes SEKISHO_TEST_IMPORT_PAUSE_FILE and waits there.
    /// </summary>
    private static ImportFaults? TestFaults()
    {
        int? fail = int.TryParse(Environment.GetEnvironmentVariable("SEKISHO_TEST_IMPORT_FAIL_AFTER"), out var f) ? f : null;
        int? pause = int.TryParse(Environment.GetEnvironmentVariable("SEKISHO_TEST_IMPORT_PAUSE_AFTER"), out var p) ? p : null;
        var marker = Environment.GetEnvironmentVariable("SEKISHO_TEST_IMPORT_PAUSE_FILE");
        if (fail is null && pause is null) return null;
        return new ImportFaults(fail, async n =>
        {
            if (pause == n && marker is not null)
            {
                await File.WriteAllTextAsync(marker, n.ToString(CultureInfo.InvariantCulture));
                await Task.Delay(Timeout.Infinite);
            }
        });
    }

    private static string ReportLanguage(CliContext ctx, MigrationAnalysis a) =>
        ctx.ExplicitLanguage ?? (a.Source.Language?.StartsWith("ja", StringComparison.OrdinalIgnoreCase) == true ? "ja" : "en");

    private static Command Status(CliApp app)
    {
        var cmd = new Command("status", CliText.T("migrate.status.description"));
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var runner = new MigrationRunner(await ctx.StoreAsync(ct), await ctx.OrganizationAsync(ct), ctx.Actor, ctx.Time);
            var task = await runner.StatusAsync(ct);
            if (task is null)
            {
                if (ctx.Json) ctx.WriteJson<object?>(null);
                else ctx.Out.WriteLine(CliText.T("migrate.none"));
                return 0;
            }
            var expires = MigrationRunner.ReportsExpire(task);
            bool expired = ctx.Time.GetUtcNow() > expires;
            if (ctx.Json)
            {
                ctx.WriteJson(new
                {
                    task.Id, task.FileName, task.Sha256, task.Mode, State = ModelJson.EnumName(task.State), task.Created, task.Completed, task.Counts, task.Error,
                    ReportsExpire = expires, ReportsExpired = expired,
                });
                return 0;
            }
            ctx.Out.WriteLine(CliText.T("migrate.status.last", CliContext.When(task.Completed ?? task.Created)));
            ctx.Out.WriteLine(CliText.T("migrate.status.file", task.FileName, task.Sha256.Length >= 12 ? task.Sha256[..12] + "…" : "-"));
            ctx.Out.WriteLine(CliText.T("migrate.status.mode", ReportTexts.Get(task.Mode == "overwrite" ? "mode.overwrite" : "mode.merge", ctx.Language)));
            ctx.Out.WriteLine(CliText.T("migrate.status.state", ModelJson.EnumName(task.State)));
            ctx.Out.WriteLine(CliText.T("migrate.status.counts", task.Counts.NotSupported, task.Counts.Error, task.Counts.Warning, task.Counts.Successful));
            if (task.Error is not null) ctx.Out.WriteLine(CliText.T("migrate.status.error", task.Error));
            ctx.Out.WriteLine(expired ? CliText.T("migrate.status.expired", CliContext.When(expires)) : CliText.T("migrate.status.expires", CliContext.When(expires)));
            return 0;
        }));
        return cmd;
    }

    private static Command Report(CliApp app)
    {
        var analysis = new Option<bool>("--analysis") { Description = CliText.T("opt.migrate.analysis") };
        var migration = new Option<bool>("--migration") { Description = CliText.T("opt.migrate.migration") };
        var format = new Option<string>("--format") { Description = CliText.T("opt.migrate.format"), DefaultValueFactory = _ => "text" };
        var output = new Option<string?>("--output", "-o") { Description = CliText.T("opt.migrate.output") };
        var cmd = new Command("report", CliText.T("migrate.report.description")) { analysis, migration, format, output };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var f = ctx.Parse.GetValue(format)!;
            if (f is not ("text" or "json" or "html" or "pdf")) throw new CliUserException(CliText.T("error.enum", f, "--format", "text, json, html, pdf"));
            var out_ = ctx.Parse.GetValue(output);
            if (f == "pdf" && out_ is null) throw new CliUserException(CliText.T("migrate.pdf-needs-output"));
            var runner = new MigrationRunner(await ctx.StoreAsync(ct), await ctx.OrganizationAsync(ct), ctx.Actor, ctx.Time);
            var task = await runner.StatusAsync(ct) ?? throw new CliUserException(CliText.T("migrate.none"));
            var expires = MigrationRunner.ReportsExpire(task);
            if (ctx.Time.GetUtcNow() > expires)
                throw new CliUserException(CliText.T("migrate.report.expired", CliContext.When(task.Completed ?? task.Created), CliContext.When(expires)));
            bool wantAnalysis = ctx.Parse.GetValue(analysis) || (!ctx.Parse.GetValue(migration) && task.MigrationReport is null);
            var json = wantAnalysis ? task.AnalysisReport : task.MigrationReport;
            if (json is null)
                throw new CliUserException(CliText.T("migrate.report.missing", ReportTexts.Get(wantAnalysis ? "title.analysis" : "title.migration", ctx.Language), ModelJson.EnumName(task.State)));
            var doc = ReportDocument.FromJson(json);
            var a = doc.ToAnalysis();
            await RenderAsync(ctx, a, doc.Kind, f, ReportLanguage(ctx, a), out_, doc.Organization, ct);
            return 0;
        }));
        return cmd;
    }
}
