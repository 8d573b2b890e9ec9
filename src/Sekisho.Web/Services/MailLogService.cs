using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Smtp;
using Sekisho.Smtp.Tracking;
using Sekisho.Store;

namespace Sekisho.Web.Services;

/// <summary>Filters of the mail tracking log; every one optional. Addresses take <c>*</c> wildcards; a quoted subject matches exactly, else every word must occur.</summary>
public sealed record MailLogFilter(DateTimeOffset? Since, DateTimeOffset? Until, MailDirection? Direction, string? Sender, string? Recipient, string? Subject,
    TrackingAction? Status, string? MessageId, int Limit);

/// <summary>Filters of the policy events; every one optional. The rule matches its name (substring, any case).</summary>
public sealed record PolicyEventFilter(DateTimeOffset? Since, DateTimeOffset? Until, MailDirection? Direction, string? Rule, string? Sender, string? Recipient, int Limit);

/// <summary>
/// A message for one recipient on which a policy rule (or an authentication check or scan exception) matched. <see cref="Actions"/> are
/// the actions the rule asked for as the gateway recorded them when the policy ran (<see cref="ActionsRecorded"/>), or — for mail
/// from before events were recorded — the rule's configured actions as the policy stands now (empty when the rule no longer exists).
/// <see cref="Outcome"/> is what became of the message for that recipient (the mail tracking status); <see cref="Reason"/> is
/// what matched, when this rule decided.
/// </summary>
public sealed record PolicyEvent(DateTimeOffset Time, string Direction, string? Sender, string Recipient, string? Subject, string Rule, string? RuleType,
    IReadOnlyList<string> Actions, bool ActionsRecorded, string Outcome, string? Reason, string? MessageId, string? TrackingKey, string? QuarantineId);

/// <summary>A mail tracking record as the API shows it (direction and action as kebab-case names).</summary>
public sealed record MailTrackingDto(string Key, DateTimeOffset Time, string Direction, string? QueueId, string? Sender, string Recipient, string? HeaderFrom,
    string? HeaderTo, string? Subject, string? MessageId, string? ClientAddress, string? TlsUpstream, string? TlsDownstream, string Action, string? DeliveryStatus,
    string? NextHop, IReadOnlyList<string> Rules, long Size)
{
    public static MailTrackingDto From(MailTrackingRecord r) => new(r.Key, r.Time, ModelJson.EnumName(r.Direction), r.QueueId, r.Sender, r.Recipient, r.HeaderFrom,
        r.HeaderTo, r.Subject, r.MessageId, r.ClientAddress, r.TlsUpstream, r.TlsDownstream, ModelJson.EnumName(r.Action), r.DeliveryStatus, r.NextHop, r.Rules, r.Size);
}

/// <summary>
/// The logs screens and API (ログ): mail tracking (メールトラッキング) read from the gateway's tracking files, as <c>sekisho log mail</c> reads them,
/// and policy events (ポリシーイベント) derived from the tracking records' matched rules and the quarantine's rule and reason.
/// </summary>
public sealed class MailLogService(ConsoleContext console)
{
    public const int MaxLimit = 5000;

    /// <summary>Where the gateway writes mail tracking: <see cref="ConsoleOptions.MailTrackingDirectory"/> or <c>DATA/spool/tracking</c>.</summary>
    public string Directory => console.Options.MailTrackingDirectory ?? Path.Combine(console.Store.Options.DataDirectory, "spool", "tracking");

    /// <summary>Tracking records matching the filter, newest first.</summary>
    public async Task<IReadOnlyList<MailTrackingRecord>> QueryAsync(MailLogFilter f, CancellationToken ct) => await ReadAsync(new MailTrackingQuery
    {
        Since = f.Since, Until = f.Until, Direction = f.Direction, Sender = Blank(f.Sender), Recipient = Blank(f.Recipient), Subject = Blank(f.Subject),
        Status = f.Status, MessageId = Blank(f.MessageId), Limit = Math.Clamp(f.Limit, 1, MaxLimit),
    }, ct);

    /// <summary>One tracking record by its key; 404 when there is none.</summary>
    public async Task<MailTrackingRecord> GetAsync(string key, CancellationToken ct) =>
        (await ReadAsync(new MailTrackingQuery { Limit = MailTrackingQuery.MaxLimit }, ct)).FirstOrDefault(r => r.Key == key)
        ?? throw new ConsoleProblem("logs.mail.not-found", new LocalizedText($"メールトラッキングの記録「{key}」はありません。", $"There is no mail tracking record '{key}'."), 404);

    /// <summary>Where the gateway records policy events: <see cref="ConsoleOptions.PolicyEventsDirectory"/> or <c>DATA/spool/policy-events</c>.</summary>
    public string EventsDirectory => console.Options.PolicyEventsDirectory ?? Path.Combine(console.Store.Options.DataDirectory, "spool", "policy-events");

    /// <summary>
    /// Policy events matching the filter, newest first: the events the gateway recorded, then matched rules of tracking records and
    /// quarantined messages that have no recorded event (mail handled before events were recorded, or whose events were purged).
    /// </summary>
    public async Task<IReadOnlyList<PolicyEvent>> PolicyEventsAsync(PolicyEventFilter f, string actor, CancellationToken ct)
    {
        var sender = Blank(f.Sender);
        var recipient = Blank(f.Recipient);
        bool Wanted(DateTimeOffset time, MailDirection direction, string? from, string to) =>
            (f.Since is not { } s || time >= s) && (f.Until is not { } u || time <= u) && (f.Direction is not { } d || d == direction)
            && (sender is null || Wildcard.Matches(sender, from ?? "")) && (recipient is null || Wildcard.Matches(recipient, to));

        var records = await ReadAsync(new MailTrackingQuery
        {
            Since = f.Since, Until = f.Until, Direction = f.Direction, Sender = sender, Recipient = recipient, Limit = MailTrackingQuery.MaxLimit,
        }, ct);
        var tracked = records.Where(r => r.QueueId is not null).GroupBy(r => (r.QueueId!, r.Recipient.ToLowerInvariant()))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Time).First());
        IReadOnlyList<Rule> rules;
        await using (var s = await console.ReadAsync(actor, ct)) rules = await s.ListRulesAsync(ct);
        var byName = rules.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var quarantined = await new QuarantineStore(console.Store, console.Organization).QueryAsync(new QuarantineQuery { Since = f.Since, Until = f.Until, Limit = 10_000 }, ct);
        var byQueue = quarantined.Where(q => q.QueueId is not null).ToLookup(q => (q.QueueId!, q.Recipient.ToLowerInvariant(), q.RuleName));
        var seen = new HashSet<(string, string, string)>();
        var usedQuarantine = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<PolicyEvent>();

        await foreach (var e in new JsonLinesPolicyEventSink(EventsDirectory).ReadAsync(f.Since, ct))
        {
            if (!Wanted(e.Time, e.Direction, e.Sender, e.Recipient)) continue;
            var key = (e.QueueId ?? "", e.Recipient.ToLowerInvariant(), e.RuleName);
            seen.Add(key);
            if (e.QuarantineId is not null) usedQuarantine.Add(e.QuarantineId);
            foreach (var q in byQueue[key]) usedQuarantine.Add(q.Id);
            tracked.TryGetValue((key.Item1, key.Item2), out var t);
            events.Add(new PolicyEvent(e.Time, ModelJson.EnumName(e.Direction), e.Sender, e.Recipient, e.Subject, e.RuleName, e.RuleType, e.Actions, true,
                t is null ? OutcomeOf(e.Outcome) : ModelJson.EnumName(t.Action), e.Reason, e.MessageId, t?.Key, e.QuarantineId));
        }
        foreach (var r in records.Where(r => r.Rules.Count > 0))
            foreach (var name in r.Rules.Distinct(StringComparer.Ordinal))
            {
                var key = (r.QueueId ?? "", r.Recipient.ToLowerInvariant(), name);
                if (r.QueueId is not null && seen.Contains(key)) continue;
                var q = r.QueueId is null ? null : byQueue[key].FirstOrDefault();
                if (q is not null) usedQuarantine.Add(q.Id);
                byName.TryGetValue(name, out var rule);
                events.Add(new PolicyEvent(r.Time, ModelJson.EnumName(r.Direction), r.Sender, r.Recipient, r.Subject, name, RuleType(rule), ActionsOf(rule), false,
                    ModelJson.EnumName(r.Action), q?.Reason, r.MessageId, r.Key, q?.Id));
            }
        foreach (var q in quarantined.Where(q => !usedQuarantine.Contains(q.Id)))
        {
            var direction = q.Direction == Model.Rules.Direction.Inbound ? MailDirection.Inbound : MailDirection.Outbound;
            if (!Wanted(q.Quarantined, direction, q.Sender, q.Recipient)) continue;
            byName.TryGetValue(q.RuleName, out var rule);
            events.Add(new PolicyEvent(q.Quarantined, ModelJson.EnumName(direction), q.Sender, q.Recipient, q.Subject, q.RuleName, RuleType(rule), ActionsOf(rule), false,
                ModelJson.EnumName(TrackingAction.Quarantined), q.Reason, null, null, q.Id));
        }
        var rulePattern = Blank(f.Rule);
        return events.Where(e => rulePattern is null || e.Rule.Contains(rulePattern, StringComparison.CurrentCultureIgnoreCase))
            .OrderByDescending(e => e.Time).Take(Math.Clamp(f.Limit, 1, MaxLimit)).ToList();
    }

    /// <summary>The tracking status a policy outcome leads to, for events whose tracking record is gone.</summary>
    private static string OutcomeOf(string finalAction) => finalAction switch
    {
        "quarantine" => ModelJson.EnumName(TrackingAction.Quarantined),
        "delete" or "change-recipient" => ModelJson.EnumName(TrackingAction.Deleted),
        "reject" => ModelJson.EnumName(TrackingAction.Rejected),
        "defer" => ModelJson.EnumName(TrackingAction.Deferred),
        _ => ModelJson.EnumName(TrackingAction.Queued),
    };

    private static string? RuleType(Rule? rule) => rule is null ? null : ModelJson.EnumName(rule.Type);

    /// <summary>A rule's configured actions, named as the policy engine names planned actions.</summary>
    private static IReadOnlyList<string> ActionsOf(Rule? rule) => rule is null ? [] :
        [.. (rule.Actions.Intercept.IsTerminal ? [CriterionNames.Of(rule.Actions.Intercept)] : Array.Empty<string>()),
         .. rule.Actions.Modify.Select(CriterionNames.Of), .. rule.Actions.Monitor.Select(CriterionNames.Of)];

    private async Task<IReadOnlyList<MailTrackingRecord>> ReadAsync(MailTrackingQuery query, CancellationToken ct)
    {
        // The console only reads: no directory is created when the gateway has not tracked anything yet.
        if (!System.IO.Directory.Exists(Directory)) return [];
        await using var sink = new JsonLinesMailTrackingSink(Directory);
        var list = new List<MailTrackingRecord>();
        await foreach (var r in sink.QueryAsync(query, ct)) list.Add(r);
        return list;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
