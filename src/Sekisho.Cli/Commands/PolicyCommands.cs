using System.CommandLine;
using System.Text;
using Sekisho.Cli.Localization;
using Sekisho.Cli.Output;
using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Localization;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store;
using Sekisho.Store.Editing;
using Sekisho.Store.PolicyFiles;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho policy list|show|enable|disable|move|copy|delete|mark-fixed|confirm|export|import</c>.</summary>
internal static class PolicyCommands
{
    /// <summary>A row of <c>policy list --json</c>.</summary>
    internal sealed record RuleListItem(string Id, string Name, string Direction, string Type, int Order, bool Enabled, string? MigrationStatus, string Action, string Level, DateTimeOffset Modified, DateTimeOffset? LastUsed);

    public static Command Create(CliApp app)
    {
        var policy = new Command("policy", CliText.T("policy.description"));
        policy.Subcommands.Add(List(app));
        policy.Subcommands.Add(Show(app));
        policy.Subcommands.Add(Toggle(app, "enable", true));
        policy.Subcommands.Add(Toggle(app, "disable", false));
        policy.Subcommands.Add(Move(app));
        policy.Subcommands.Add(Copy(app));
        policy.Subcommands.Add(Delete(app));
        policy.Subcommands.Add(Transition(app, "mark-fixed", MigrationStatusTransition.MarkFixed));
        policy.Subcommands.Add(Transition(app, "confirm", MigrationStatusTransition.Confirm));
        policy.Subcommands.Add(Export(app));
        policy.Subcommands.Add(Import(app));
        policy.Subcommands.Add(PolicyTestCommand.Create(app));
        return policy;
    }

    private static Command List(CliApp app)
    {
        var direction = new Option<string?>("--direction") { Description = CliText.T("opt.direction") };
        var type = new Option<string?>("--type") { Description = CliText.T("opt.type") };
        var status = new Option<string?>("--status") { Description = CliText.T("opt.status") };
        var migrationStatus = new Option<string?>("--migration-status") { Description = CliText.T("opt.migration-status") };
        var sender = new Option<string?>("--sender") { Description = CliText.T("opt.sender") };
        var recipient = new Option<string?>("--recipient") { Description = CliText.T("opt.recipient") };
        var name = new Option<string?>("--name") { Description = CliText.T("opt.name") };
        var level = new Option<string?>("--level") { Description = CliText.T("opt.level") };
        var list = new Command("list", CliText.T("policy.list.description")) { direction, type, status, migrationStatus, sender, recipient, name, level };
        list.SetAction(app.Run(async (ctx, ct) =>
        {
            var p = ctx.Parse;
            Direction? dir = p.GetValue(direction) is { } d ? CliContext.ParseEnum<Direction>(d, "--direction") : null;
            RuleType? rt = p.GetValue(type) is { } t ? CliContext.ParseEnum<RuleType>(t, "--type") : null;
            bool? enabled = p.GetValue(status) switch
            {
                null => null,
                "enabled" => true,
                "disabled" => false,
                var other => throw new CliUserException(CliText.T("error.enum", other, "--status", "enabled, disabled")),
            };
            var ms = p.GetValue(migrationStatus) is { } m ? MigrationStatusFilter(m) : null;
            RuleLevel? lv = p.GetValue(level) is { } l ? CliContext.ParseEnum<RuleLevel>(l, "--level") : null;
            var senderPattern = p.GetValue(sender) is { } sa ? ParseQueryAddress(sa) : null;
            var recipientPattern = p.GetValue(recipient) is { } ra ? ParseQueryAddress(ra) : null;
            var nameText = p.GetValue(name);

            await using var s = await ctx.BeginAsync(ct);
            var snapshot = await s.LoadSnapshotAsync(ct);
            var rules = snapshot.Rules
                .Where(r => dir is null || r.Direction == dir)
                .Where(r => rt is null || r.Type == rt)
                .Where(r => enabled is null || r.Enabled == enabled)
                .Where(r => ms is null || (r.Migration is not null && ms.Contains(r.Migration.Status)))
                .Where(r => lv is null || r.Level == lv)
                .Where(r => nameText is null || r.Name.Contains(nameText, StringComparison.OrdinalIgnoreCase))
                .Where(r => senderPattern is null || ScopeQuery.Covers(r.Scope.Senders, senderPattern, snapshot))
                .Where(r => recipientPattern is null || ScopeQuery.Covers(r.Scope.Recipients, recipientPattern, snapshot))
                .OrderBy(r => r.Direction).ThenBy(r => r.Type).ThenBy(r => r.Order).ThenBy(r => r.Created)
                .ToList();
            if (ctx.Json)
            {
                ctx.WriteJson(rules.Select(r => new RuleListItem(r.Id, r.Name, ModelJson.EnumName(r.Direction), ModelJson.EnumName(r.Type), r.Order, r.Enabled,
                    r.Migration is null ? null : ModelJson.EnumName(r.Migration.Status), CriterionNames.Of(r.Actions.Intercept), ModelJson.EnumName(r.Level), r.Modified, r.LastUsed)));
                return 0;
            }
            foreach (var group in rules.GroupBy(r => (r.Direction, r.Type)))
            {
                ctx.Out.WriteLine($"{RuleDescriptions.Direction(group.Key.Direction)} / {RuleDescriptions.Type(group.Key.Type)}");
                var table = new TextTable(CliText.T("col.order"), CliText.T("col.status"), CliText.T("col.rule"), CliText.T("col.migration-status"),
                    CliText.T("col.action"), CliText.T("col.org-level"), CliText.T("col.modified"), CliText.T("col.last-used"), "ID");
                foreach (var r in group)
                    table.Row(r.Order.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Enabled ? "✔ " + CliText.T("enabled") : "✖ " + CliText.T("disabled"), r.Name,
                        (r.Migration?.Status is MigrationStatus.NeedsFix or MigrationStatus.NeedsConfirmation ? "! " : "") + RuleDescriptions.MigrationStatus(r.Migration?.Status),
                        RuleDescriptions.ActionSummary(r.Actions), r.Level == RuleLevel.Organization ? CliText.T("yes") : CliText.T("no"),
                        CliContext.When(r.Modified), CliContext.When(r.LastUsed), r.Id[..8]);
                table.WriteTo(ctx.Out);
                ctx.Out.WriteLine();
            }
            if (rules.Count == 0) ctx.Out.WriteLine(CliText.T("empty"));
            return 0;
        }));
        return list;
    }

    private static HashSet<MigrationStatus> MigrationStatusFilter(string value) => value switch
    {
        // The console's filter groups the statuses this way.
        "error" => [MigrationStatus.NeedsFix],
        "warning" => [MigrationStatus.NeedsConfirmation],
        "done" => [MigrationStatus.Fixed, MigrationStatus.Confirmed, MigrationStatus.Successful],
        _ => [CliContext.ParseEnum<MigrationStatus>(value, "--migration-status")],
    };

    private static AddressPattern ParseQueryAddress(string text) =>
        AddressPattern.TryParse(text, out var p, out _) ? p! : throw new CliUserException(ModelText.In(CliText.Language, "rule.action.address.invalid", text));

    private static Command Show(CliApp app)
    {
        var rule = new Argument<string>("rule") { Description = CliText.T("arg.rule") };
        var show = new Command("show", CliText.T("policy.show.description")) { rule };
        show.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var snapshot = await s.LoadSnapshotAsync(ct);
            var r = Resolve(snapshot.Rules, ctx.Parse.GetValue(rule)!);
            if (ctx.Json) { ctx.WriteJson(r); return 0; }
            var w = ctx.Out;
            w.WriteLine($"{r.Name}  ({RuleDescriptions.Direction(r.Direction)} / {RuleDescriptions.Type(r.Type)}, #{r.Order}, {(r.Enabled ? CliText.T("enabled") : CliText.T("disabled"))})");
            w.WriteLine($"ID: {r.Id}");
            if (r.Notes.Length > 0) w.WriteLine($"{CliText.T("show.notes")}: {r.Notes}");
            w.WriteLine($"{CliText.T("col.org-level")}: {RuleDescriptions.Level(r.Level)}");
            w.WriteLine($"{CliText.T("show.recipients")}: {RuleDescriptions.Participants(r.Scope.Recipients, snapshot)}");
            w.WriteLine($"{CliText.T("show.senders")}: {RuleDescriptions.Participants(r.Scope.Senders, snapshot)}");
            foreach (var e in r.Scope.Exceptions)
                w.WriteLine($"{CliText.T("show.exceptions")}: {RuleDescriptions.Participants(e.Sender, snapshot)} → {RuleDescriptions.Participants(e.Recipient, snapshot)}");
            w.WriteLine(CliText.T("show.criteria", CliText.T(r.Criteria.Match == MatchMode.All ? "show.match.all" : "show.match.any")) + ":");
            if (r.Criteria.Items.Count == 0) w.WriteLine("  " + CliText.T("show.no-criteria"));
            foreach (var c in r.Criteria.Items) w.WriteLine("  - " + RuleDescriptions.Criterion(c, snapshot));
            w.WriteLine($"{CliText.T("show.intercept")}: {RuleDescriptions.Action(r.Actions.Intercept, snapshot)}");
            foreach (var m in r.Actions.Modify) w.WriteLine($"{CliText.T("show.modify")}: {RuleDescriptions.Action(m, snapshot)}");
            foreach (var m in r.Actions.Monitor) w.WriteLine($"{CliText.T("show.monitor")}: {RuleDescriptions.Action(m, snapshot)}");
            foreach (var o in r.DetectionOverrides)
                w.WriteLine($"{CliText.T("show.overrides")}: {ModelJson.EnumName(o.Kind)} → {RuleDescriptions.ActionSummary(o.Actions)}");
            w.WriteLine($"{CliText.T("show.created")}: {CliContext.When(r.Created)}  {CliText.T("col.modified")}: {CliContext.When(r.Modified)}  {CliText.T("col.last-used")}: {CliContext.When(r.LastUsed)}");
            if (r.Migration is { } mig)
            {
                w.WriteLine($"{CliText.T("col.migration-status")}: {RuleDescriptions.MigrationStatus(mig.Status)}  ({CliText.T("show.source")}: {mig.Source.SourceId}, sha256 {mig.Source.SourceFileSha256[..Math.Min(12, mig.Source.SourceFileSha256.Length)]}…)");
                if (mig.Findings.Count > 0) w.WriteLine(CliText.T("show.findings") + ":");
                foreach (var f in mig.Findings)
                {
                    w.WriteLine($"  ! [{ModelJson.EnumName(f.Status)}] {f.Code}: {f.Message.For(ctx.Language)}");
                    w.WriteLine($"    {CliText.T("show.fix")}: {f.Fix.For(ctx.Language)}");
                }
            }
            return 0;
        }));
        return show;
    }

    private static Command Toggle(CliApp app, string verb, bool enable)
    {
        var rule = new Argument<string>("rule") { Description = CliText.T("arg.rule") };
        var cmd = new Command(verb, CliText.T($"policy.{verb}.description")) { rule };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var r = Resolve(await s.ListRulesAsync(ct), ctx.Parse.GetValue(rule)!);
            await new RuleEditor(s).SetEnabledAsync(r.Id, enable, ct);
            await s.CommitAsync(ct);
            ctx.Out.WriteLine(enable
                ? CliText.T(r.Migration?.Status == MigrationStatus.NeedsFix ? "rule.enabled.inactive" : "rule.enabled", r.Name)
                : CliText.T("rule.disabled", r.Name));
            return 0;
        }));
        return cmd;
    }

    private static Command Move(CliApp app)
    {
        var rule = new Argument<string>("rule") { Description = CliText.T("arg.rule") };
        var to = new Option<int?>("--to") { Description = CliText.T("opt.to") };
        var up = new Option<bool>("--up") { Description = CliText.T("opt.up") };
        var down = new Option<bool>("--down") { Description = CliText.T("opt.down") };
        var cmd = new Command("move", CliText.T("policy.move.description")) { rule, to, up, down };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var all = await s.ListRulesAsync(ct);
            var r = Resolve(all, ctx.Parse.GetValue(rule)!);
            var editor = new RuleEditor(s);
            var moved = ctx.Parse.GetValue(to) is int n ? await editor.MoveAsync(r.Id, n, ct)
                : ctx.Parse.GetValue(up) ? await editor.MoveByAsync(r.Id, -1, ct)
                : ctx.Parse.GetValue(down) ? await editor.MoveByAsync(r.Id, 1, ct)
                : throw new CliUserException(CliText.T("error.move.target"));
            await s.CommitAsync(ct);
            ctx.Out.WriteLine(CliText.T("rule.moved", r.Name, moved.Order));
            return 0;
        }));
        return cmd;
    }

    private static Command Copy(CliApp app)
    {
        var rule = new Argument<string>("rule") { Description = CliText.T("arg.rule") };
        var cmd = new Command("copy", CliText.T("policy.copy.description")) { rule };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var r = Resolve(await s.ListRulesAsync(ct), ctx.Parse.GetValue(rule)!);
            var copy = await new RuleEditor(s).CopyAsync(r.Id, ctx.Language, ct);
            await s.CommitAsync(ct);
            if (ctx.Json) { ctx.WriteJson(copy); return 0; }
            ctx.Out.WriteLine(CliText.T("rule.copied", r.Name, copy.Name, copy.Order, copy.Id[..8]));
            return 0;
        }));
        return cmd;
    }

    private static Command Delete(CliApp app)
    {
        var rule = new Argument<string>("rule") { Description = CliText.T("arg.rule") };
        var cmd = new Command("delete", CliText.T("policy.delete.description")) { rule };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var all = await s.ListRulesAsync(ct);
            var r = Resolve(all, ctx.Parse.GetValue(rule)!);
            await new RuleEditor(s).DeleteAsync(r.Id, ct);
            await s.CommitAsync(ct);
            ctx.Out.WriteLine(CliText.T("rule.deleted", r.Name));
            return 0;
        }));
        return cmd;
    }

    private static Command Transition(CliApp app, string verb, MigrationStatusTransition transition)
    {
        var rule = new Argument<string>("rule") { Description = CliText.T("arg.rule") };
        var cmd = new Command(verb, CliText.T($"policy.{verb}.description")) { rule };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            await using var s = await ctx.BeginAsync(ct);
            var r = Resolve(await s.ListRulesAsync(ct), ctx.Parse.GetValue(rule)!);
            var required = transition == MigrationStatusTransition.MarkFixed ? MigrationStatus.NeedsFix : MigrationStatus.NeedsConfirmation;
            try { await new RuleEditor(s).TransitionAsync(r.Id, transition, ct); }
            catch (RuleEditException e) when (e.Failure == RuleEditFailure.Conflict)
            {
                throw new CliUserException(CliText.T("error.transition", r.Name, RuleDescriptions.MigrationStatus(r.Migration?.Status), verb, RuleDescriptions.MigrationStatus(required)));
            }
            await s.CommitAsync(ct);
            ctx.Out.WriteLine(transition == MigrationStatusTransition.MarkFixed
                ? CliText.T("rule.marked-fixed", r.Name, r.Enabled ? CliText.T("enabled") : CliText.T("disabled"), r.Id[..8])
                : CliText.T("rule.confirmed", r.Name));
            return 0;
        }));
        return cmd;
    }

    private static Command Export(CliApp app)
    {
        var format = new Option<string>("--format") { Description = CliText.T("opt.format"), DefaultValueFactory = _ => "yaml" };
        var output = new Option<string?>("--output", "-o") { Description = CliText.T("opt.output") };
        var cmd = new Command("export", CliText.T("policy.export.description")) { format, output };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var f = CliContext.ParseEnum<PolicyFileFormat>(ctx.Parse.GetValue(format)!, "--format");
            await using var s = await ctx.BeginAsync(ct);
            var text = PolicyFileWriter.Write(PolicyDocument.From(await s.LoadSnapshotAsync(ct), s.Organization.Name, ctx.Time.GetUtcNow()), f);
            if (ctx.Parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text, new UTF8Encoding(false), ct);
                ctx.Err.WriteLine(CliText.T("export.written", path));
            }
            else ctx.Out.Write(text);
            return 0;
        }));
        return cmd;
    }

    private static Command Import(CliApp app)
    {
        var file = new Argument<string>("file");
        var mode = new Option<string>("--mode") { Description = CliText.T("opt.mode"), DefaultValueFactory = _ => "merge" };
        var dryRun = new Option<bool>("--dry-run") { Description = CliText.T("opt.dry-run") };
        var cmd = new Command("import", CliText.T("policy.import.description")) { file, mode, dryRun };
        cmd.SetAction(app.Run(async (ctx, ct) =>
        {
            var path = ctx.Parse.GetValue(file)!;
            if (!File.Exists(path)) throw new CliUserException(CliText.T("error.file.not-found", path));
            var m = CliContext.ParseEnum<ImportMode>(ctx.Parse.GetValue(mode)!, "--mode");
            var info = new FileInfo(path);
            if (info.Length > PolicyFileReader.MaxFileBytes)
                throw new CliUserException(new PolicyFileException([new PolicyFileProblem("", null, new LocalizedText("ファイルが大きすぎます。", "The file is too large."))]).Message);
            bool dry = ctx.Parse.GetValue(dryRun);
            ImportResult result;
            try
            {
                var parsed = PolicyFileReader.Read(await File.ReadAllBytesAsync(path, ct),
                    path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? PolicyFileFormat.Json : path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ? PolicyFileFormat.Yaml : null);
                await using var s = await ctx.BeginAsync(ct);
                result = await PolicyImporter.ImportAsync(s, parsed, m, dry, Path.GetFileName(path), ct);
                if (!dry) await s.CommitAsync(ct);
            }
            catch (PolicyFileException e)
            {
                // One line per problem: file:line: path: what to do.
                throw new CliUserException(string.Join(Environment.NewLine + "sekisho: ", e.Problems.Select(p => p.Render(ctx.Language, path))));
            }
            if (ctx.Json) { ctx.WriteJson(result); return 0; }
            foreach (var c in result.Changes) ctx.Out.WriteLine($"  {c.Action,-6} {c.Kind,-14} {c.Name}");
            ctx.Out.WriteLine(result.Changes.Count == 0 ? CliText.T("import.nothing")
                : CliText.T("import.summary", result.Count(PolicyImporter.Create), result.Count(PolicyImporter.Update), result.Count(PolicyImporter.Delete)));
            if (dry) ctx.Out.WriteLine(CliText.T("import.dry-run"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Finds a rule by id, unique id prefix (4+ characters), or exact name.</summary>
    internal static Rule Resolve(IReadOnlyList<Rule> rules, string key)
    {
        var byId = rules.Where(r => r.Id == key).ToList();
        if (byId.Count == 1) return byId[0];
        var byName = rules.Where(r => r.Name == key).ToList();
        if (byName.Count == 1) return byName[0];
        if (byName.Count > 1) throw new CliUserException(CliText.T("error.rule.ambiguous", key, string.Join(", ", byName.Select(r => r.Id[..8]))));
        if (key.Length >= 4)
        {
            var byPrefix = rules.Where(r => r.Id.StartsWith(key, StringComparison.OrdinalIgnoreCase)).ToList();
            if (byPrefix.Count == 1) return byPrefix[0];
            if (byPrefix.Count > 1) throw new CliUserException(CliText.T("error.rule.ambiguous", key, string.Join(", ", byPrefix.Select(r => r.Id[..8]))));
        }
        throw new CliUserException(CliText.T("error.rule.not-found", key));
    }
}

/// <summary>Whether a rule's sender or recipient scope covers a queried address or <c>*@domain</c>.</summary>
internal static class ScopeQuery
{
    public static bool Covers(Participants side, AddressPattern query, PolicySnapshot policy)
    {
        switch (side.Mode)
        {
            case ParticipantsMode.Anyone: return true;
            case ParticipantsMode.MyOrganization: return query.DomainMatch == DomainMatch.Exact && policy.ManagedDomainNames.Contains(query.Domain);
        }
        return side.Entries.Any(e => e switch
        {
            AddressParticipant a => Overlaps(a.Pattern, query),
            DomainParticipant d => query.DomainMatch == DomainMatch.Exact && DomainNames.NormalizeOrSelf(d.Domain) == query.Domain,
            AddressGroupParticipant g => policy.FindAddressGroup(g.GroupId)?.Entries.Any(x => Overlaps(x.Address, query)) == true,
            _ => false,
        });
    }

    // A rule entry covers the query when the entry matches it, or when the query is *@d and the entry names an address of d.
    private static bool Overlaps(AddressPattern entry, AddressPattern query)
    {
        if (query.IsSingleAddress) return entry.Matches(query.LocalPart!, query.Domain);
        if (query.LocalPart is null && query.DomainMatch == DomainMatch.Exact)
            return entry.Matches("x", query.Domain) || (entry.DomainMatch == DomainMatch.Exact && entry.Domain == query.Domain);
        return entry.ToString() == query.ToString();
    }
}
