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
/// A message for one recipient on which a policy rule matched. <see cref="Outcome"/> is what the gateway did with the message
/// for that recipient (the tracking record's action); <see cref="RuleAction"/> is the rule's configured intercept action as the
/// policy stands now (null when the rule no longer exists); <see cref="Reason"/> is the quarantine reason when the rule quarantined it.
/// </summary>
public sealed record PolicyEvent(DateTimeOffset Time, string Direction, string? Sender, string Recipient, string? Subject, string Rule, string? RuleType,
    string? RuleAction, string Outcome, string? Reason, string? MessageId, string? TrackingKey, string? QuarantineId);

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

    /// <summary>Policy events matching the filter, newest first.</summary>
    public async Task<IReadOnlyList<PolicyEvent>> PolicyEventsAsync(PolicyEventFilter f, string actor, CancellationToken ct)
    {
        var records = await ReadAsync(new MailTrackingQuery
        {
            Since = f.Since, Until = f.Until, Direction = f.Direction, Sender = Blank(f.Sender), Recipient = Blank(f.Recipient), Limit = MailTrackingQuery.MaxLimit,
        }, ct);
        IReadOnlyList<Rule> rules;
        await using (var s = await console.ReadAsync(actor, ct)) rules = await s.ListRulesAsync(ct);
        var byName = rules.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var quarantined = await new QuarantineStore(console.Store, console.Organization).QueryAsync(new QuarantineQuery { Since = f.Since, Until = f.Until, Limit = 10_000 }, ct);
        var byQueue = quarantined.Where(q => q.QueueId is not null).ToLookup(q => (q.QueueId!, q.Recipient.ToLowerInvariant(), q.RuleName));
        var used = new HashSet<string>(StringComparer.Ordinal);

        var events = new List<PolicyEvent>();
        foreach (var r in records.Where(r => r.Rules.Count > 0))
            foreach (var name in r.Rules.Distinct(StringComparer.Ordinal))
            {
                var q = r.QueueId is null ? null : byQueue[(r.QueueId, r.Recipient.ToLowerInvariant(), name)].FirstOrDefault();
                if (q is not null) used.Add(q.Id);
                byName.TryGetValue(name, out var rule);
                events.Add(new PolicyEvent(r.Time, ModelJson.EnumName(r.Direction), r.Sender, r.Recipient, r.Subject, name, RuleType(rule), RuleAction(rule),
                    ModelJson.EnumName(r.Action), q?.Reason, r.MessageId, r.Key, q?.Id));
            }
        // Quarantined messages without a tracking record (e.g. the tracking files were purged first) are events too.
        foreach (var q in quarantined.Where(q => !used.Contains(q.Id)))
        {
            var direction = q.Direction == Model.Rules.Direction.Inbound ? MailDirection.Inbound : MailDirection.Outbound;
            if (f.Direction is { } d && d != direction) continue;
            if (Blank(f.Sender) is { } sp && !Wildcard.Matches(sp, q.Sender)) continue;
            if (Blank(f.Recipient) is { } rp && !Wildcard.Matches(rp, q.Recipient)) continue;
            byName.TryGetValue(q.RuleName, out var rule);
            events.Add(new PolicyEvent(q.Quarantined, ModelJson.EnumName(direction), q.Sender, q.Recipient, q.Subject, q.RuleName, RuleType(rule), RuleAction(rule),
                ModelJson.EnumName(TrackingAction.Quarantined), q.Reason, null, null, q.Id));
        }
        var rulePattern = Blank(f.Rule);
        return events.Where(e => rulePattern is null || e.Rule.Contains(rulePattern, StringComparison.CurrentCultureIgnoreCase))
            .OrderByDescending(e => e.Time).Take(Math.Clamp(f.Limit, 1, MaxLimit)).ToList();
    }

    private static string? RuleType(Rule? rule) => rule is null ? null : ModelJson.EnumName(rule.Type);

    private static string? RuleAction(Rule? rule) => rule?.Actions.Intercept switch
    {
        null => null,
        DoNotIntercept => "do-not-intercept",
        DeleteMessage => "delete",
        DeliverNow => "deliver-now",
        Quarantine => "quarantine",
        ChangeRecipient => "change-recipient",
        var other => JsonNamingPolicyName(other.GetType().Name),
    };

    private static string JsonNamingPolicyName(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);

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
