namespace Sekisho.Model.Rules;

/// <summary>Which way mail flows through the gateway.</summary>
public enum Direction
{
    /// <summary>Mail to the organization's domains (受信保護).</summary>
    Inbound,
    /// <summary>Mail from the organization's servers or authenticated users (送信保護).</summary>
    Outbound,
}

/// <summary>The four rule types, evaluated in this order after connection filtering and authentication.</summary>
public enum RuleType
{
    Virus,
    Spam,
    Content,
    Dlp,
}

/// <summary>Who a rule applies to (console column 組織レベル: Organization = はい).</summary>
public enum RuleLevel
{
    Organization,
    Group,
    User,
}

/// <summary>
/// A policy rule (console: 受信保護 / 送信保護 → ウイルス検索, スパムメールフィルタ, コンテンツフィルタ, 情報漏えい対策).
/// Exactly one intercept action, any modify and monitor actions; evaluated per recipient in <see cref="Order"/>
/// within its type and direction.
/// </summary>
public sealed record Rule
{
    public required string Id { get; init; }
    public required Direction Direction { get; init; }
    public required RuleType Type { get; init; }
    public required string Name { get; init; }
    public string Notes { get; init; } = "";
    public bool Enabled { get; init; } = true;
    /// <summary>Position within (type, direction), 1 first.</summary>
    public int Order { get; init; } = 1;
    public RuleScope Scope { get; init; } = RuleScope.Default;
    public CriteriaSet Criteria { get; init; } = CriteriaSet.Empty;
    public RuleActions Actions { get; init; } = RuleActions.DoNotIntercept;
    /// <summary>Virus rules only: actions that replace <see cref="Actions"/> for a kind of detection (InterScan's Special Viruses tab).</summary>
    public IReadOnlyList<DetectionOverride> DetectionOverrides { get; init; } = [];
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Modified { get; init; }
    public DateTimeOffset? LastUsed { get; init; }
    /// <summary>Set on rules created by a migration: provenance, migration status and findings.</summary>
    public RuleMigration? Migration { get; init; }

    /// <summary>Organization / group / user, derived from the recipients (inbound) or senders (outbound).</summary>
    public RuleLevel Level => RuleLevels.Of(Direction, Scope);

    /// <summary>True when the engine evaluates the rule: enabled and not waiting for a fix.</summary>
    public bool IsActive => Enabled && Migration?.Status != MigrationStatus.NeedsFix;
}

/// <summary>Derives a rule's level from its scope, as the console does.</summary>
public static class RuleLevels
{
    public static RuleLevel Of(Direction direction, RuleScope scope)
    {
        var side = direction == Direction.Inbound ? scope.Recipients : scope.Senders;
        if (side.Mode is ParticipantsMode.MyOrganization or ParticipantsMode.Anyone) return RuleLevel.Organization;
        if (side.Entries.Count > 0 && side.Entries.All(e => e is AddressParticipant a && a.Pattern.IsSingleAddress))
            return RuleLevel.User;
        return RuleLevel.Group;
    }
}
