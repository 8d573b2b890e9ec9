using System.Text.Json.Serialization;
using Sekisho.Model.Rules;

namespace Sekisho.Policy.Engine;

/// <summary>The stages of evaluation, in order (cegp-target-model §3.3); scan exceptions come first.</summary>
public enum PolicyStage
{
    ScanException,
    Connection,
    Authentication,
    Virus,
    Spam,
    Content,
    Dlp,
}

/// <summary>What a stage did for a message: ran, was not configured (no port), was skipped, or its engine failed.</summary>
public enum StageStatus
{
    Completed,
    NotConfigured,
    Skipped,
    Unavailable,
}

/// <summary>One stage of a recipient's evaluation.</summary>
public sealed record StageTrace(PolicyStage Stage, StageStatus Status, string? Detail = null);

/// <summary>What a criterion matched on: where (part, attachment path, subject…), the file and true type, keyword and score.</summary>
public sealed record Evidence(string Where, string? FileName = null, string? TrueType = null, string? Keyword = null, int? Score = null, string? Detail = null);

/// <summary>One criterion of a rule as evaluated.</summary>
/// <param name="Criterion">The criterion's name (as in policy files, e.g. <c>attachment-true-type</c>).</param>
/// <param name="Summary">The criterion's operands, for people.</param>
public sealed record CriterionTrace(string Criterion, string Summary, bool Matched, IReadOnlyList<Evidence> Evidence, string? Note = null);

/// <summary>Why a rule did or did not act for a recipient.</summary>
public enum RuleDisposition
{
    Matched,
    NotMatched,
    /// <summary>The recipient or sender is outside the rule's scope.</summary>
    NotInScope,
    /// <summary>A scope exception (sender → recipient pair) excludes the message.</summary>
    ScopeException,
    Disabled,
    /// <summary>A migrated rule waiting for an administrator's fix.</summary>
    NeedsFix,
    /// <summary>An earlier rule delivered the message now (the remaining rules are bypassed).</summary>
    Bypassed,
    /// <summary>The rule that quarantined the message, skipped on release.</summary>
    SkippedOnRelease,
    /// <summary>The stage's engine is not configured or did not answer.</summary>
    StageUnavailable,
    /// <summary>The sender is on an approved list for this recipient, and approved senders skip spam rules.</summary>
    ApprovedSender,
}

/// <summary>One rule as considered for one recipient.</summary>
public sealed record RuleTrace(
    string RuleId, string RuleName, RuleType Type, int Order, RuleDisposition Disposition,
    IReadOnlyList<CriterionTrace> Criteria, IReadOnlyList<string> PlannedActions);

/// <summary>What finally happens to one recipient's copy.</summary>
public enum FinalAction
{
    Deliver,
    DeliverNow,
    Quarantine,
    ChangeRecipient,
    Delete,
    /// <summary>Refuse in the SMTP dialogue (connection filtering or authentication).</summary>
    Reject,
    /// <summary>Not now: a scanner the policy needs is unavailable and fails closed (4xx, the message is retried later).</summary>
    Defer,
}

/// <summary>Who asked for an action: a rule, a scan exception or an authentication check.</summary>
/// <param name="Id">The rule id, or <c>scan-exception:TRIGGER</c>, <c>authentication:spf</c>, ….</param>
public sealed record ActionSource(string Id, string Name, RuleType? Type);

/// <summary>A modify action to apply, with the attachments that triggered it (for delete/clean matching).</summary>
public sealed record PlannedModify(ModifyAction Action, ActionSource Source, IReadOnlyList<int> AttachmentIndexes);

/// <summary>A monitor action to run.</summary>
public sealed record PlannedMonitor(MonitorAction Action, ActionSource Source);

/// <summary>The plan for one envelope recipient: the final action, the changes, the observers, and the full trace.</summary>
public sealed record RecipientPlan
{
    public required string Recipient { get; init; }
    public required FinalAction Outcome { get; init; }
    /// <summary>The intercept action that won (null when the message is simply delivered).</summary>
    public InterceptAction? Intercept { get; init; }
    /// <summary>Who decided <see cref="Intercept"/>.</summary>
    public ActionSource? DecidedBy { get; init; }
    /// <summary>Why, in a few words (what matched).</summary>
    public string? Reason { get; init; }
    public IReadOnlyList<PlannedModify> Modify { get; init; } = [];
    public IReadOnlyList<PlannedMonitor> Monitor { get; init; } = [];
    public IReadOnlyList<StageTrace> Stages { get; init; } = [];
    public IReadOnlyList<RuleTrace> Rules { get; init; } = [];

    /// <summary>Ids of the rules that matched (for Last Used and mail tracking).</summary>
    [JsonIgnore]
    public IEnumerable<string> MatchedRuleIds => Rules.Where(r => r.Disposition == RuleDisposition.Matched).Select(r => r.RuleId);
    [JsonIgnore]
    public IEnumerable<string> MatchedRuleNames => Rules.Where(r => r.Disposition == RuleDisposition.Matched).Select(r => r.RuleName);
}

/// <summary>The engines' answers for the message (shared by all recipients).</summary>
public sealed record ScanSummary(
    string? Virus, IReadOnlyList<string> VirusNames, string? Spam, double? SpamScore, string? Authentication, string? SpfResult);

/// <summary>
/// The engine's answer for one message: a plan per envelope recipient, with the trace that explains it.
/// Evaluation has no side effects; <c>PolicyApplier</c> carries the plan out.
/// </summary>
public sealed record PolicyPlan(IReadOnlyList<RecipientPlan> Recipients, ScanSummary Scans, DateTimeOffset EvaluatedAt)
{
    /// <summary>The sender authentication verdict (inbound), for the <c>Authentication-Results</c> header of the delivered copy.</summary>
    [JsonIgnore]
    public Ports.AuthenticationVerdict? Authentication { get; init; }

    /// <summary>The web reputation of the message's URLs, when a rule asked for it (for time-of-click rewriting).</summary>
    [JsonIgnore]
    public IReadOnlyList<Ports.UrlReputation>? Urls { get; init; }

    /// <summary>Ids of every rule that matched for any recipient.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> MatchedRuleIds => Recipients.SelectMany(r => r.MatchedRuleIds).Distinct().ToList();
}
