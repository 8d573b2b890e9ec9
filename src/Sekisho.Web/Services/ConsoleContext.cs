using Sekisho.Model;
using Sekisho.Model.Settings;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>The store and organization the console manages, and its clock.</summary>
public sealed class ConsoleContext(SekishoStore store, Organization organization, TimeProvider time, ConsoleOptions options)
{
    public SekishoStore Store { get; } = store;
    public Organization Organization { get; } = organization;
    public TimeProvider Time { get; } = time;
    public ConsoleOptions Options { get; } = options;

    /// <summary>One user action (one transaction) in the organization, audited as <paramref name="actor"/>.</summary>
    public Task<StoreSession> BeginAsync(string actor, CancellationToken ct) => Store.BeginAsync(Organization, actor, ct);

    /// <summary>A read-only look at the organization that does not wait for a running import (see <see cref="SekishoStore.BeginReadAsync"/>).</summary>
    public Task<StoreSession> ReadAsync(string actor, CancellationToken ct) => Store.BeginReadAsync(Organization, actor, ct);

    /// <summary>The organization's gateway settings, read without waiting for a running import.</summary>
    public async Task<GatewaySettings> ReadSettingsAsync(string actor, CancellationToken ct)
    {
        await using var s = await ReadAsync(actor, ct);
        return await s.GetSettingsAsync(ct);
    }

    /// <summary>
    /// One audited change of the gateway settings: <paramref name="change"/> gets the stored settings and returns the new ones
    /// (or throws a <see cref="ConsoleProblem"/>, and nothing is saved). Returns what was saved.
    /// </summary>
    public async Task<GatewaySettings> UpdateSettingsAsync(string actor, Func<GatewaySettings, GatewaySettings> change, CancellationToken ct)
    {
        await using var s = await BeginAsync(actor, ct);
        var updated = change(await s.GetSettingsAsync(ct));
        await s.SaveSettingsAsync(updated, ct);
        await s.CommitAsync(ct);
        return updated;
    }
}

/// <summary>A request the console cannot carry out, with a message for the user in both languages.</summary>
public sealed class ConsoleProblem(string code, LocalizedText text, int status = 400) : Exception(text.En)
{
    public string Code { get; } = code;
    public LocalizedText Text { get; } = text;
    /// <summary>HTTP status for the API: 400 bad input, 404 not found, 409 conflict.</summary>
    public int Status { get; } = status;
}
