using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Engine;

/// <summary>The scanners the engine may ask; a missing one skips its stage ("not configured" in the trace).</summary>
public sealed record PolicyPorts
{
    public IConnectionFilter? ConnectionFilter { get; init; }
    public ISenderAuthenticator? Authenticator { get; init; }
    public IVirusScanner? Virus { get; init; }
    public ISpamScanner? Spam { get; init; }
    public IUrlReputation? UrlReputation { get; init; }

    public static readonly PolicyPorts None = new();
}

/// <summary>Per-evaluation choices.</summary>
public sealed record EvaluationOptions
{
    /// <summary>When the message was received; now when null.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }
    /// <summary>Rules not to run (the rule that quarantined a message, on release).</summary>
    public IReadOnlySet<string> SkipRules { get; init; } = new HashSet<string>();
    /// <summary>Skip the scan exceptions and engine stages (release re-runs only the rules).</summary>
    public bool SkipScanExceptions { get; init; }
}

/// <summary>
/// The policy engine over one policy snapshot: evaluates a message per envelope recipient in the order
/// scan exceptions → connection → authentication → virus → spam → content → DLP, and returns a plan with its
/// trace. No side effects: it changes nothing and sends nothing. Thread-safe; build a new one when the policy changes.
/// </summary>
public sealed class PolicyEngine
{
    private static readonly RuleType[] RuleStages = [RuleType.Virus, RuleType.Spam, RuleType.Content, RuleType.Dlp];

    private readonly PolicyPorts _ports;
    private readonly TimeProvider _time;
    private readonly ScopeMatcher _scope;
    private readonly CriterionEvaluator _criteria;
    private readonly Dictionary<(Direction, RuleType), Rule[]> _rules = [];
    private readonly bool _needsUrlReputation;

    /// <summary>How long one regular expression (keyword list, DLP expression) may run on one text before it counts as not found.</summary>
    public static readonly TimeSpan DefaultRegexTimeout = TimeSpan.FromMilliseconds(250);

    public PolicyEngine(PolicySnapshot snapshot, PolicyPorts? ports = null, TimeProvider? time = null, TimeSpan? regexTimeout = null)
    {
        Snapshot = snapshot;
        _ports = ports ?? PolicyPorts.None;
        _time = time ?? TimeProvider.System;
        _scope = new ScopeMatcher(snapshot);
        _criteria = new CriterionEvaluator(snapshot, _scope, regexTimeout ?? DefaultRegexTimeout);
        foreach (var d in Enum.GetValues<Direction>())
            foreach (var t in RuleStages)
                _rules[(d, t)] = snapshot.RulesOf(d, t).ToArray();
        _needsUrlReputation = snapshot.Rules.Any(r => r.IsActive && r.Criteria.Items.Any(c => c is WebReputation));
    }

    public PolicySnapshot Snapshot { get; }

    public ScopeMatcher Scope => _scope;

    /// <summary>Evaluates one message for every recipient of <paramref name="envelope"/>.</summary>
    /// <param name="message">The raw message, for the engines (antivirus, antispam, authentication).</param>
    public async Task<PolicyPlan> EvaluateAsync(MessageFacts facts, MessageEnvelope envelope, ReadOnlyMemory<byte> message,
        EvaluationOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EvaluationOptions();
        var receivedAt = options.ReceivedAt ?? _time.GetUtcNow();
        var direction = envelope.Direction == TrafficDirection.Inbound ? Direction.Inbound : Direction.Outbound;
        var skipEngines = options.SkipScanExceptions;

        ConnectionVerdict? connection = null;
        AuthenticationVerdict? auth = null;
        VirusVerdict? virus = null;
        SpamVerdict? spam = null;
        IReadOnlyList<UrlReputation>? urls = null;
        if (!skipEngines)
        {
            if (_ports.ConnectionFilter is { } cf)
            {
                connection = await cf.CheckClientAsync(envelope.ClientIp, ct).ConfigureAwait(false);
                if (connection.Decision is ConnectionDecision.Continue && envelope.Sender.Length > 0)
                    connection = await cf.CheckSenderAsync(envelope.ClientIp, envelope.Sender, ct).ConfigureAwait(false);
            }
            if (_ports.Authenticator is { } au && direction == Direction.Inbound)
                auth = await au.AuthenticateAsync(message, envelope, ct).ConfigureAwait(false);
            if (_ports.Virus is { } vs && HasActive(direction, RuleType.Virus))
            {
                using var s = new MemoryStream(message.ToArray(), writable: false);
                virus = await vs.ScanAsync(s, envelope.QueueId, ct).ConfigureAwait(false);
            }
            bool bypassSpam = connection?.Decision == ConnectionDecision.Approved && Snapshot.Settings.ConnectionFiltering.BypassSpamForApprovedIps;
            if (_ports.Spam is { } ss && HasActive(direction, RuleType.Spam) && !bypassSpam)
            {
                using var s = new MemoryStream(message.ToArray(), writable: false);
                spam = await ss.CheckAsync(s, envelope, ct).ConfigureAwait(false);
            }
            if (_ports.UrlReputation is { } ur && _needsUrlReputation && facts.Urls.Length > 0)
                urls = await ur.CheckAsync(facts.Urls.Select(u => u.Url).ToList(), ct).ConfigureAwait(false);
        }
        var context = new MessageContext
        {
            Facts = facts, Envelope = envelope, ReceivedAt = receivedAt, Virus = virus, Spam = spam, Authentication = auth, Connection = connection, Urls = urls,
        };

        var shared = new List<(InterceptAction? Intercept, ActionSource Source, string Reason, List<PlannedModify> Modify, List<PlannedMonitor> Monitor, FinalAction? Final)>();
        var sharedStages = new List<StageTrace>();
        if (!skipEngines) ScanExceptions(context, direction, shared, sharedStages);
        else sharedStages.Add(new StageTrace(PolicyStage.ScanException, StageStatus.Skipped));
        ConnectionStage(context, shared, sharedStages, skipEngines);
        AuthenticationStage(context, direction, shared, sharedStages, skipEngines);
        EngineAvailability.Plan(virus, spam, EngineAvailability.ScanExceptionDecides(Snapshot.Settings, direction), shared);

        var ruleCache = new Dictionary<string, (bool Matched, IReadOnlyList<CriterionTrace> Traces, IReadOnlyList<int> Attachments)>(StringComparer.Ordinal);
        var plans = new List<RecipientPlan>(envelope.Recipients.Count);
        foreach (var recipient in envelope.Recipients)
            plans.Add(EvaluateRecipient(recipient, context, direction, options, shared, sharedStages, ruleCache));

        var scans = new ScanSummary(
            virus is null ? null : ModelJson.EnumName(virus.Status) + (virus.Infected ? ", infected" : ""),
            virus?.Detections.Select(d => d.Signature).ToList() ?? [],
            spam is null ? null : ModelJson.EnumName(spam.Status), spam?.Score,
            auth is null ? null : $"spf={ModelJson.EnumName(auth.Spf)} dmarc={auth.Dmarc.Result} dkim={string.Join(",", auth.Dkim.Select(d => d.Result))}",
            auth is null ? null : ModelJson.EnumName(auth.Spf));
        return new PolicyPlan(plans, scans, receivedAt) { Authentication = auth, Urls = urls };
    }

    private bool HasActive(Direction direction, RuleType type) => _rules[(direction, type)].Any(r => r.IsActive);

    private RecipientPlan EvaluateRecipient(string recipient, MessageContext m, Direction direction, EvaluationOptions options,
        List<(InterceptAction? Intercept, ActionSource Source, string Reason, List<PlannedModify> Modify, List<PlannedMonitor> Monitor, FinalAction? Final)> shared,
        List<StageTrace> sharedStages,
        Dictionary<string, (bool Matched, IReadOnlyList<CriterionTrace> Traces, IReadOnlyList<int> Attachments)> cache)
    {
        var stages = new List<StageTrace>(sharedStages);
        var traces = new List<RuleTrace>();
        var modify = new List<PlannedModify>();
        var monitor = new List<PlannedMonitor>();
        InterceptAction? best = null;
        ActionSource? bestSource = null;
        string? reason = null;
        bool stop = false;
        bool rejected = false;
        var refusal = FinalAction.Reject;

        foreach (var s in shared)
        {
            modify.AddRange(s.Modify);
            monitor.AddRange(s.Monitor);
            if (s.Final is FinalAction.Reject or FinalAction.Defer && !(rejected && refusal == FinalAction.Reject))
            {
                rejected = true; stop = true; bestSource = s.Source; reason = s.Reason; refusal = s.Final.Value;
            }
            else if (s.Intercept is not null && (best is null || s.Intercept.Priority > best.Priority))
            {
                best = s.Intercept; bestSource = s.Source; reason = s.Reason;
                if (s.Intercept is DeleteMessage) stop = true;
            }
        }

        // Approved and blocked senders for this recipient (administrators' and the recipient's own lists).
        var filter = Snapshot.Settings.SenderFilter;
        var listed = rejected ? null : SenderLists.Find(filter, m.Envelope.Sender, filter.MatchHeaderAddresses ? m.Facts.Headers.From.FirstOrDefault()?.Address : null, recipient);
        bool approvedSkipsSpam = listed is { List: SenderListKind.Approved } && filter.ApprovedBypass.Contains(ApprovedSenderBypass.Spam);
        if (listed is { List: SenderListKind.Blocked })
        {
            best = new DeleteMessage();
            bestSource = new ActionSource("sender-filter:blocked", "sender filter", null);
            reason = $"blocked sender {listed.Sender} ({(listed.Source == SenderListSource.EndUser ? "recipient's" : "administrator's")} block list)";
            stop = true;
        }

        var sender = m.ScopeSender;
        foreach (var type in RuleStages)
        {
            var stage = type switch { RuleType.Virus => PolicyStage.Virus, RuleType.Spam => PolicyStage.Spam, RuleType.Content => PolicyStage.Content, _ => PolicyStage.Dlp };
            var engineStatus = type switch
            {
                RuleType.Virus => m.Virus is null ? StageStatus.NotConfigured : m.Virus.Status == ScanStatus.Completed ? StageStatus.Completed : StageStatus.Unavailable,
                RuleType.Spam => m.Spam is null ? StageStatus.NotConfigured : m.Spam.Status == ScanStatus.Completed ? StageStatus.Completed : StageStatus.Unavailable,
                _ => StageStatus.Completed,
            };
            var rules = _rules[(direction, type)];
            stages.Add(new StageTrace(stage, engineStatus, type switch
            {
                // The status says "not configured"; details are engine facts (signatures, score), not sentences.
                RuleType.Virus when m.Virus is null => null,
                RuleType.Virus when m.Virus.Status != ScanStatus.Completed => EngineAvailability.Describe(m.Virus.Status, m.Virus.Error, m.Virus.FailOpen, EngineAvailability.ScanExceptionDecides(Snapshot.Settings, direction)),
                RuleType.Virus => m.Virus.Infected ? string.Join(", ", m.Virus.Detections.Select(d => d.Signature)) : null,
                RuleType.Spam when m.Spam is null => null,
                RuleType.Spam when m.Spam.Status != ScanStatus.Completed => EngineAvailability.Describe(m.Spam.Status, m.Spam.Error, m.Spam.FailOpen, false),
                RuleType.Spam => "score=" + m.Spam.Score.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            }));
            foreach (var rule in rules)
            {
                RuleDisposition? skip = !rule.Enabled ? RuleDisposition.Disabled
                    : rule.Migration?.Status == MigrationStatus.NeedsFix ? RuleDisposition.NeedsFix
                    : stop ? RuleDisposition.Bypassed
                    : options.SkipRules.Contains(rule.Id) ? RuleDisposition.SkippedOnRelease
                    : approvedSkipsSpam && type == RuleType.Spam ? RuleDisposition.ApprovedSender
                    : _scope.Check(rule, sender, recipient);
                if (skip is null && engineStatus is StageStatus.NotConfigured or StageStatus.Unavailable) skip = RuleDisposition.StageUnavailable;
                if (skip is { } sk)
                {
                    traces.Add(new RuleTrace(rule.Id, rule.Name, rule.Type, rule.Order, sk, [], []));
                    continue;
                }
                if (!cache.TryGetValue(rule.Id, out var result))
                {
                    result = EvaluateCriteria(rule, m);
                    cache[rule.Id] = result;
                }
                var source = new ActionSource(rule.Id, rule.Name, rule.Type);
                if (!result.Matched)
                {
                    var safe = new List<string>();
                    // A virus rule's safe stamp marks messages found clean.
                    if (type == RuleType.Virus && m.Virus is { Status: ScanStatus.Completed, Infected: false })
                        foreach (var a in rule.Actions.Modify.OfType<InsertSafeStamp>())
                        {
                            modify.Add(new PlannedModify(a, source, []));
                            safe.Add(CriterionNames.Of(a));
                        }
                    traces.Add(new RuleTrace(rule.Id, rule.Name, rule.Type, rule.Order, RuleDisposition.NotMatched, result.Traces, safe));
                    continue;
                }
                var actions = ActionsFor(rule, m);
                var planned = new List<string>();
                foreach (var a in actions.Modify)
                {
                    if (a is InsertSafeStamp) continue;
                    modify.Add(new PlannedModify(a, source, result.Attachments));
                    planned.Add(CriterionNames.Of(a));
                }
                foreach (var a in actions.Monitor)
                {
                    monitor.Add(new PlannedMonitor(a, source));
                    planned.Add(CriterionNames.Of(a));
                }
                if (actions.Intercept.IsTerminal)
                {
                    planned.Insert(0, CriterionNames.Of(actions.Intercept));
                    if (best is null || actions.Intercept.Priority > best.Priority)
                    {
                        best = actions.Intercept; bestSource = source;
                        reason = string.Join("; ", result.Traces.Where(t => t.Matched).Select(t => t.Criterion + (t.Summary.Length > 0 ? " (" + t.Summary + ")" : "")));
                    }
                    if (actions.Intercept is DeleteMessage or DeliverNow) stop = true;
                }
                traces.Add(new RuleTrace(rule.Id, rule.Name, rule.Type, rule.Order, RuleDisposition.Matched, result.Traces, planned));
            }
        }

        var outcome = rejected ? refusal : best switch
        {
            null => FinalAction.Deliver,
            DeleteMessage => FinalAction.Delete,
            DeliverNow => FinalAction.DeliverNow,
            Quarantine => FinalAction.Quarantine,
            ChangeRecipient => FinalAction.ChangeRecipient,
            _ => FinalAction.Deliver,
        };
        return new RecipientPlan
        {
            Recipient = recipient, Outcome = outcome, Intercept = rejected ? null : best, DecidedBy = bestSource, Reason = reason,
            Modify = modify, Monitor = monitor, Stages = stages, Rules = traces,
        };
    }

    private (bool, IReadOnlyList<CriterionTrace>, IReadOnlyList<int>) EvaluateCriteria(Rule rule, MessageContext m)
    {
        var items = rule.Criteria.Items;
        if (items.Count == 0)
        {
            // Content rules without criteria match every message; other types need a criterion.
            bool all = rule.Type == RuleType.Content;
            if (rule.Type == RuleType.Virus) return EvaluateCriteria(rule with { Criteria = CriteriaSet.AnyOf(MalwareDetection.All) }, m);
            return (all, [new CriterionTrace("no-criteria", "", all, [])], []);
        }
        var traces = new List<CriterionTrace>(items.Count);
        var attachments = new List<int>();
        int matched = 0;
        foreach (var c in items)
        {
            var r = _criteria.Evaluate(c, m);
            traces.Add(r.Trace);
            if (!r.Matched) continue;
            matched++;
            foreach (var i in r.Attachments) if (!attachments.Contains(i)) attachments.Add(i);
        }
        bool ok = rule.Criteria.Match == MatchMode.All ? matched == items.Count : matched > 0;
        return (ok, traces, ok ? attachments : []);
    }

    /// <summary>A virus rule's actions, replaced by a detection override when the detection is of that kind.</summary>
    private static RuleActions ActionsFor(Rule rule, MessageContext m)
    {
        if (rule.DetectionOverrides.Count == 0 || m.Virus is null) return rule.Actions;
        foreach (var o in rule.DetectionOverrides)
        {
            bool hit = o.Kind switch
            {
                DetectionKind.MassMailing => m.Virus.Detections.Any(d => d.Type == DetectionType.MassMailing),
                DetectionKind.IntelliTrap => m.Virus.Detections.Any(d => d.Type == DetectionType.IntelliTrap),
                DetectionKind.Spyware => m.Virus.Detections.Any(d => d.SpywareCategory is not null),
                _ => false,
            };
            if (hit) return o.Actions;
        }
        return rule.Actions;
    }

    // ---------------------------------------------------------------- message-wide stages

    private void ScanExceptions(MessageContext m, Direction direction,
        List<(InterceptAction?, ActionSource, string, List<PlannedModify>, List<PlannedMonitor>, FinalAction?)> shared, List<StageTrace> stages)
    {
        var triggers = new List<(ScanExceptionTrigger Trigger, string Detail)>();
        foreach (var e in m.Facts.ScanExceptions)
            if (TriggerOf(e.Kind) is { } t) triggers.Add((t, e.Kind + " at " + e.Location + ": " + e.Detail));
        if (m.Virus is { Status: not ScanStatus.Completed } v && (v.Status != ScanStatus.Unavailable || EngineAvailability.ScanExceptionDecides(Snapshot.Settings, direction))) triggers.Add((ScanExceptionTrigger.ScanEngineUnavailable, "antivirus: " + v.Error));
        if (triggers.Count == 0)
        {
            stages.Add(new StageTrace(PolicyStage.ScanException, StageStatus.Completed));
            return;
        }
        var configured = direction == Direction.Inbound ? Snapshot.Settings.ScanExceptions.Inbound : Snapshot.Settings.ScanExceptions.Outbound;
        foreach (var (trigger, detail) in triggers.DistinctBy(t => t.Trigger))
        {
            var actions = configured.FirstOrDefault(a => a.Trigger == trigger)?.Actions ?? new RuleActions(new Quarantine(), [], []);
            var source = new ActionSource("scan-exception:" + ModelJson.EnumName(trigger), ModelJson.EnumName(trigger), null);
            shared.Add((actions.Intercept.IsTerminal ? actions.Intercept : null, source, detail,
                actions.Modify.Select(a => new PlannedModify(a, source, [])).ToList(),
                actions.Monitor.Select(a => new PlannedMonitor(a, source)).ToList(), null));
        }
        stages.Add(new StageTrace(PolicyStage.ScanException, StageStatus.Completed, string.Join("; ", triggers.Select(t => t.Detail))));
    }

    /// <summary>The scan exception trigger a message fact raises, or null when it is informational.</summary>
    public static ScanExceptionTrigger? TriggerOf(ScanExceptionKind kind) => kind switch
    {
        ScanExceptionKind.TooManyFiles => ScanExceptionTrigger.TooManyFiles,
        ScanExceptionKind.CompressionRatio => ScanExceptionTrigger.CompressionRatio,
        ScanExceptionKind.TooManyLayers => ScanExceptionTrigger.TooManyLayers,
        ScanExceptionKind.DecompressedFileTooLarge or ScanExceptionKind.TotalSizeQuota or ScanExceptionKind.MessageTooLarge => ScanExceptionTrigger.FileTooLarge,
        ScanExceptionKind.OfficeTooManySubfiles or ScanExceptionKind.OfficeSubfileRatio => ScanExceptionTrigger.OfficeSubfiles,
        ScanExceptionKind.MalformedMessage or ScanExceptionKind.TimeBudgetExceeded => ScanExceptionTrigger.MalformedMessage,
        _ => null,
    };

    private static void ConnectionStage(MessageContext m,
        List<(InterceptAction?, ActionSource, string, List<PlannedModify>, List<PlannedMonitor>, FinalAction?)> shared, List<StageTrace> stages, bool skipped)
    {
        if (skipped) { stages.Add(new StageTrace(PolicyStage.Connection, StageStatus.Skipped)); return; }
        if (m.Connection is not { } c) { stages.Add(new StageTrace(PolicyStage.Connection, StageStatus.NotConfigured)); return; }
        stages.Add(new StageTrace(PolicyStage.Connection, StageStatus.Completed, ModelJson.EnumName(c.Decision) + (c.Reason.Length > 0 ? ": " + c.Reason : "")));
        if (c.Decision is ConnectionDecision.Reject or ConnectionDecision.Defer)
            shared.Add((null, new ActionSource("connection", "connection filtering", null), c.Reason, [], [], FinalAction.Reject));
    }

    private void AuthenticationStage(MessageContext m, Direction direction,
        List<(InterceptAction?, ActionSource, string, List<PlannedModify>, List<PlannedMonitor>, FinalAction?)> shared, List<StageTrace> stages, bool skipped)
    {
        if (skipped) { stages.Add(new StageTrace(PolicyStage.Authentication, StageStatus.Skipped)); return; }
        if (direction == Direction.Outbound) { stages.Add(new StageTrace(PolicyStage.Authentication, StageStatus.Skipped)); return; }
        if (m.Authentication is not { } a) { stages.Add(new StageTrace(PolicyStage.Authentication, StageStatus.NotConfigured)); return; }
        var settings = Snapshot.Settings.Authentication;
        var fromDomain = m.Facts.Headers.From.FirstOrDefault()?.Domain ?? Model.Addresses.DomainNames.DomainOf(m.Envelope.Sender) ?? "";
        var decisions = new List<(string Check, AuthAction Action, string Why)>();
        if (settings.Spf.Enabled && settings.Spf.Actions.TryGetValue(a.Spf, out var spfAction) && a.Spf != SpfResult.Pass
            && !Matching.IpRanges.Contains(settings.Spf.IgnoredPeers, m.Envelope.ClientIp) && !settings.Spf.IgnoredPeers.Contains(fromDomain, StringComparer.OrdinalIgnoreCase))
            decisions.Add(("spf", spfAction, "SPF " + ModelJson.EnumName(a.Spf) + (a.SpfReason is null ? "" : ": " + a.SpfReason)));
        var dmarc = settings.Dmarc.FirstOrDefault(d => d.Domain is not null && string.Equals(d.Domain, fromDomain, StringComparison.OrdinalIgnoreCase))
                    ?? settings.Dmarc.FirstOrDefault(d => d.Domain is null);
        if (dmarc is { Enabled: true } && string.Equals(a.Dmarc.Result, "fail", StringComparison.OrdinalIgnoreCase) && a.Dmarc.Sampled
            && !(dmarc.EnableArc && a.Arc == "pass") && !(dmarc.SkipBlankEnvelopeSender && m.Envelope.Sender.Length == 0)
            && !Matching.IpRanges.Contains(dmarc.ExceptionIps, m.Envelope.ClientIp)
            && dmarc.Actions.TryGetValue(a.Dmarc.Disposition, out var dmarcAction))
            decisions.Add(("dmarc", dmarcAction, "DMARC fail, p=" + ModelJson.EnumName(a.Dmarc.Disposition)));
        var dkim = settings.DkimVerification.FirstOrDefault(d => d.Domain is not null && string.Equals(d.Domain, fromDomain, StringComparison.OrdinalIgnoreCase))
                   ?? settings.DkimVerification.FirstOrDefault(d => d.Domain is null);
        if (dkim is { Enabled: true } && !(dkim.SkipBlankEnvelopeSender && m.Envelope.Sender.Length == 0)
            && !a.Dkim.Any(d => d.Result == "pass")
            && (a.Dkim.Any(d => d.Result == "fail") || dkim.EnforcedPeers.Contains(fromDomain, StringComparer.OrdinalIgnoreCase)))
            decisions.Add(("dkim", dkim.Action, "DKIM " + (a.Dkim.Count == 0 ? "missing" : string.Join(", ", a.Dkim.Select(d => d.Domain + " " + d.Result)))));
        foreach (var ipMatch in settings.SenderIpMatch.Where(s => string.Equals(s.Domain, fromDomain, StringComparison.OrdinalIgnoreCase)))
            if (!Matching.IpRanges.Contains(ipMatch.Ips, m.Envelope.ClientIp))
                decisions.Add(("sender-ip-match", ipMatch.Action, $"client {m.Envelope.ClientIp} is not a sending IP of {fromDomain}"));

        stages.Add(new StageTrace(PolicyStage.Authentication, StageStatus.Completed,
            $"spf={ModelJson.EnumName(a.Spf)} dkim={(a.Dkim.Count == 0 ? "none" : string.Join(",", a.Dkim.Select(d => d.Result)))} dmarc={a.Dmarc.Result} arc={a.Arc}"
            + (decisions.Count > 0 ? "; " + string.Join("; ", decisions.Select(d => d.Why + " → " + ModelJson.EnumName(d.Action.Intercept))) : "")));
        foreach (var (check, action, why) in decisions)
        {
            var source = new ActionSource("authentication:" + check, check, null);
            var modify = action.TagSubject is { Length: > 0 } tag ? new List<PlannedModify> { new(new TagSubject(tag, false), source, []) } : [];
            var monitor = (action.NotificationIds ?? []).Select(n => new PlannedMonitor(new Notify(n), source)).ToList();
            InterceptAction? intercept = action.Intercept switch { AuthIntercept.Delete => new DeleteMessage(), AuthIntercept.Quarantine => new Quarantine(), _ => null };
            shared.Add((intercept, source, why, modify, monitor, action.Intercept == AuthIntercept.Reject ? FinalAction.Reject : null));
        }
    }
}
