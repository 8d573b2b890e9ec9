using Sekisho.Migration.Mapping;
using Sekisho.Model;
using Sekisho.Model.Objects;
using Sekisho.Model.Rules;
using Sekisho.Model.Validation;
using Sekisho.Store;

namespace Sekisho.Migration.Apply;

/// <summary>Test hooks that let the failure-safety tests stop an import at a chosen point.</summary>
/// <param name="FailAfterObjects">Throw after this many objects were written.</param>
/// <param name="AfterObject">Called after each object written (the kill -9 test pauses there).</param>
public sealed record ImportFaults(int? FailAfterObjects = null, Func<int, Task>? AfterObject = null);

/// <summary>An import step failed on purpose (fault injection) or on a bug; the transaction is rolled back.</summary>
public sealed class ImportAbortedException(string message) : Exception(message);

/// <summary>
/// Writes a migration plan into the store within the caller's session (one transaction): overwrite first removes the
/// migrated classes, then domains, settings, policy objects and rules are added. Every write is audited by the session.
/// </summary>
public static class MigrationImporter
{
    public static async Task<int> ImportAsync(StoreSession s, MigrationPlan plan, MigrationMode mode, ImportFaults? faults = null, CancellationToken ct = default)
    {
        var existing = await s.LoadSnapshotAsync(ct);
        int written = 0;
        async Task Step()
        {
            written++;
            if (faults?.AfterObject is { } hook) await hook(written);
            if (faults?.FailAfterObjects is { } n && written >= n) throw new ImportAbortedException($"import stopped after {written} objects (fault injection)");
        }

        // The plan must leave a valid policy; it was validated at analysis, and is checked again against the store as it is now.
        var result = ImsvaMapper.Combine(existing, plan, mode);
        var problems = PolicyValidator.Validate(result);
        if (problems.Count > 0)
            throw new ImportAbortedException("the migrated policy does not validate: " + string.Join("; ", problems.Take(5)));

        if (mode == MigrationMode.Overwrite)
        {
            // What the combined policy no longer holds goes: rules first (they reference objects), then objects.
            var keptRules = result.Rules.Select(r => r.Id).ToHashSet();
            foreach (var r in existing.Rules.Where(r => !keptRules.Contains(r.Id)))
            {
                await s.DeleteRuleAsync(r, ct);
                await Step();
            }
            var keptObjects = result.AllObjects.Select(o => o.Id).ToHashSet();
            foreach (var o in existing.AllObjects.Where(o => !keptObjects.Contains(o.Id)))
            {
                await s.DeleteObjectAsync(o, ct);
                await Step();
            }
        }
        foreach (var d in plan.Domains.Where(d => existing.Domains.All(e => e.Name != d.Name)))
        {
            await s.AddDomainAsync(d, ct);
            await Step();
        }
        await s.SaveSettingsAsync(MigratedSettingsApplier.Apply(existing.Settings, plan.Settings, mode), ct);
        await Step();
        foreach (var o in plan.AllObjects)
        {
            await s.AddObjectAsync(o, ct);
            await Step();
        }
        foreach (var r in plan.Rules)
        {
            await s.AddRuleAsync(r, ct);
            await Step();
        }
        return written;
    }
}
