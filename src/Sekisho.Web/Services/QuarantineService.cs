using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>Filters of the quarantine list; every one optional.</summary>
public sealed record QuarantineFilter(DateTimeOffset? Since, Direction? Direction, string? Sender, string? Recipient, string? Subject, string? Rule, int Limit);

/// <summary>What a release did: delivered (to whom, through which server) or kept by another rule (quarantined again or deleted).</summary>
public sealed record QuarantineReleaseResult(string Id, string Outcome, IReadOnlyList<string> DeliveredTo, string? Via, string? QuarantineId);

/// <summary>The quarantine screen and API (隔離): query, look at, download and delete quarantined messages through <see cref="QuarantineStore"/>.</summary>
public sealed class QuarantineService(ConsoleContext console, Sekisho.Smtp.IGeneratedMailSubmitter? gateway = null)
{
    /// <summary>Shown as the route of a release that went into the running gateway's queue.</summary>
    public const string GatewayQueue = "gateway-queue";

    public const int MaxLimit = 1000;

    private readonly QuarantineStore _store = new(console.Store, console.Organization);

    /// <summary>Messages matching the filter, newest first.</summary>
    public async Task<IReadOnlyList<QuarantinedMessage>> QueryAsync(QuarantineFilter filter, CancellationToken ct)
    {
        var list = await _store.QueryAsync(new QuarantineQuery
        {
            Since = filter.Since,
            Sender = Blank(filter.Sender),
            Recipient = Blank(filter.Recipient),
            Subject = Blank(filter.Subject),
            Rule = Blank(filter.Rule),
            // The store has no direction filter: take the most it returns and filter here.
            Limit = filter.Direction is null ? Math.Clamp(filter.Limit, 1, MaxLimit) : 10_000,
        }, ct);
        return filter.Direction is { } d ? list.Where(m => m.Direction == d).Take(Math.Clamp(filter.Limit, 1, MaxLimit)).ToList() : list;
    }

    /// <summary>The message with this id (or unique id prefix); 404 when there is none.</summary>
    public async Task<QuarantinedMessage> GetAsync(string id, CancellationToken ct) =>
        await _store.FindAsync(id, ct) ?? throw NotFound(id);

    /// <summary>The raw message (RFC 5322) of a quarantined message; 404 when there is none.</summary>
    public async Task<(QuarantinedMessage Message, byte[] Content)> ContentAsync(string id, CancellationToken ct)
    {
        var m = await GetAsync(id, ct);
        var content = await _store.ReadContentAsync(m.Id, ct) ?? throw NotFound(id);
        return (m, content);
    }

    /// <summary>Deletes a quarantined message (audited as <c>quarantine.deleted</c> with the actor); 404 when there is none.</summary>
    public async Task DeleteAsync(string id, string actor, CancellationToken ct)
    {
        var m = await GetAsync(id, ct);
        if (!await _store.RemoveAsync(m.Id, released: false, actor, ct)) throw NotFound(id);
    }

    /// <summary>
    /// Releases a message: the remaining rules decide (<see cref="Sekisho.Policy.Apply.QuarantineRelease"/>); when they let it through it is delivered
    /// through <see cref="ConsoleOptions.ReleaseVia"/> or the domain's inbound servers, then removed (audited as <c>quarantine.released</c>).
    /// A failed delivery leaves it in quarantine (502).
    /// </summary>
    public async Task<QuarantineReleaseResult> ReleaseAsync(string id, string actor, CancellationToken ct)
    {
        var (m, raw) = await ContentAsync(id, ct);
        PolicySnapshot snapshot;
        await using (var s = await console.ReadAsync(actor, ct)) snapshot = await s.LoadSnapshotAsync(ct);
        try
        {
            var o = await QuarantineDelivery.ReleaseAsync(_store, snapshot, m, raw, console.Options.ReleaseVia, actor, console.Time, ct, gateway);
            var route = o.Hop is { } hop ? $"{hop.Host}:{hop.Port}" : o.DeliveredTo.Count > 0 ? GatewayQueue : null;
            return new(m.Id, ModelJson.EnumName(o.Decision.Recipient.Outcome), o.DeliveredTo, route, o.Decision.Recipient.QuarantineId);
        }
        catch (QuarantineReleaseException e) when (e.DeliveryError is null)
        {
            throw new ConsoleProblem("quarantine.release.no-route",
                new LocalizedText($"{e.Targets} の配信先サーバがありません。ドメインに受信サーバが設定されていません。", $"No server to deliver to {e.Targets}: the domain has no inbound server."), 409);
        }
        catch (QuarantineReleaseException e)
        {
            throw new ConsoleProblem("quarantine.release.failed", new LocalizedText(
                $"{e.Targets} への配信に失敗しました: {e.DeliveryError}。メッセージは隔離されたままです。",
                $"Delivery to {e.Targets} failed: {e.DeliveryError}. The message stays in quarantine."), 502);
        }
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The 404 problem for a message that is not there (or not the asker's).</summary>
    internal static ConsoleProblem NotFound(string id) => new("quarantine.not-found",
        new LocalizedText($"隔離メッセージ「{id}」はありません。", $"There is no quarantined message '{id}'."), 404);
}
