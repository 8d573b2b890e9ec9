namespace Sekisho.Model.Rules;

/// <summary>A migrated rule's status in the policy list (移行ステータス).</summary>
public enum MigrationStatus
{
    /// <summary>成功: migrated as is.</summary>
    Successful,
    /// <summary>修正が必要です: migrated with a change that may alter behaviour; created disabled.</summary>
    NeedsFix,
    /// <summary>確認が必要です: adjusted automatically, same or safer behaviour.</summary>
    NeedsConfirmation,
    /// <summary>修正済み: an administrator marked a needs-fix rule done.</summary>
    Fixed,
    /// <summary>確認済み: an administrator confirmed a needs-confirmation rule.</summary>
    Confirmed,
}

/// <summary>The analysis status of one finding or item.</summary>
public enum FindingStatus
{
    Successful,
    Warning,
    Error,
    NotSupported,
}

/// <summary>Something the migration changed or could not carry over, with what to do about it.</summary>
public sealed record MigrationFinding(string Code, FindingStatus Status, LocalizedText Message, LocalizedText Fix);

/// <summary>Migration provenance and status of a rule.</summary>
public sealed record RuleMigration(Provenance Source, MigrationStatus Status, IReadOnlyList<MigrationFinding> Findings)
{
    /// <summary>The status after an administrator acts, or null when the transition is not allowed.</summary>
    public static MigrationStatus? Next(MigrationStatus current, MigrationStatusTransition action) => (current, action) switch
    {
        (MigrationStatus.NeedsFix, MigrationStatusTransition.MarkFixed) => MigrationStatus.Fixed,
        (MigrationStatus.NeedsConfirmation, MigrationStatusTransition.Confirm) => MigrationStatus.Confirmed,
        _ => null,
    };
}

/// <summary>What an administrator does to a migrated rule's status.</summary>
public enum MigrationStatusTransition
{
    MarkFixed,
    Confirm,
}
