namespace Sekisho.Migration.Source;

/// <summary>
/// Step 3 of a rule: one intercept action plus any modify and monitor actions; for antivirus rules the virus
/// handling and the safe stamp for clean mail.
/// </summary>
/// <param name="Intercept">The intercept action, or null when none is given.</param>
/// <param name="Modify">Modify actions in document order.</param>
/// <param name="Monitor">Monitor actions in document order.</param>
/// <param name="VirusHandling">Antivirus "if IMSVA finds a virus", or null.</param>
/// <param name="SafeStamp">Antivirus "insert safe stamp for clean mails", or null.</param>
/// <param name="Unknown">Action elements the reader does not know (also listed in the export's unknowns).</param>
/// <param name="At">Where the actions start.</param>
public sealed record RuleActions(
    Intercept? Intercept, IReadOnlyList<ModifyAction> Modify, IReadOnlyList<MonitorAction> Monitor,
    VirusHandling? VirusHandling, SafeStamp? SafeStamp, IReadOnlyList<RawXmlElement> Unknown, SourceLocation At);

/// <summary>An intercept action (terminal unless "do not intercept").</summary>
public abstract record Intercept(SourceLocation At);

/// <summary>Do not intercept messages.</summary>
public sealed record DoNotIntercept(SourceLocation At) : Intercept(At);

/// <summary>Delete entire message.</summary>
public sealed record DeleteEntireMessage(SourceLocation At) : Intercept(At);

/// <summary>Quarantine to an area (by id; null = the default area).</summary>
public sealed record QuarantineTo(string? AreaId, SourceLocation At) : Intercept(At);

/// <summary>Change recipient to these addresses.</summary>
public sealed record ChangeRecipientTo(IReadOnlyList<string> Addresses, SourceLocation At) : Intercept(At);

/// <summary>Hand off to a host and port.</summary>
public sealed record Handoff(string Host, int Port, SourceLocation At) : Intercept(At);

/// <summary>An intercept type the reader does not know.</summary>
public sealed record UnknownIntercept(RawXmlElement Element, SourceLocation At) : Intercept(At);

/// <summary>A modify action.</summary>
public abstract record ModifyAction(SourceLocation At);

/// <summary>Insert X-header.</summary>
public sealed record InsertXHeader(string Name, string Value, SourceLocation At) : ModifyAction(At);

/// <summary>Which attachments "delete attachments" removes.</summary>
public enum AttachmentDeletionScope
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Only attachments matching the rule's attachment condition.</summary>
    Matching,
    /// <summary>All attachments.</summary>
    All,
}

/// <summary>Delete attachments.</summary>
public sealed record DeleteAttachments(AttachmentDeletionScope Scope, SourceLocation At) : ModifyAction(At);

/// <summary>Insert stamp in body (stamp by id).</summary>
public sealed record InsertStamp(string StampId, SourceLocation At) : ModifyAction(At);

/// <summary>Tag subject.</summary>
public sealed record TagSubject(string Text, SourceLocation At) : ModifyAction(At);

/// <summary>Postpone delivery to a time of day.</summary>
public sealed record PostponeDelivery(TimeOnly DeliverAt, SourceLocation At) : ModifyAction(At);

/// <summary>A modify action the reader does not know.</summary>
public sealed record UnknownModifyAction(RawXmlElement Element, SourceLocation At) : ModifyAction(At);

/// <summary>A monitor action.</summary>
public abstract record MonitorAction(SourceLocation At);

/// <summary>Send policy notification (notification by id).</summary>
public sealed record Notify(string NotificationId, SourceLocation At) : MonitorAction(At);

/// <summary>Archive to an area (by id).</summary>
public sealed record ArchiveTo(string AreaId, SourceLocation At) : MonitorAction(At);

/// <summary>BCC to these addresses.</summary>
public sealed record Bcc(IReadOnlyList<string> Addresses, SourceLocation At) : MonitorAction(At);

/// <summary>A monitor action the reader does not know.</summary>
public sealed record UnknownMonitorAction(RawXmlElement Element, SourceLocation At) : MonitorAction(At);

/// <summary>Antivirus "if IMSVA finds a virus" choice.</summary>
public enum VirusHandlingMode
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Use ActiveAction.</summary>
    ActiveAction,
    /// <summary>Attempt to clean; if unable, delete matching attachment.</summary>
    CleanThenDeleteMatching,
    /// <summary>Attempt to clean; if unable, delete all attachments.</summary>
    CleanThenDeleteAll,
    /// <summary>Delete matching attachment.</summary>
    DeleteMatching,
    /// <summary>Delete all attachments.</summary>
    DeleteAll,
}

/// <summary>Antivirus virus handling.</summary>
public sealed record VirusHandling(VirusHandlingMode Mode, SourceLocation At);

/// <summary>Insert safe stamp for clean mails (stamp by id).</summary>
public sealed record SafeStamp(string StampId, SourceLocation At);

/// <summary>Special Viruses tab kinds.</summary>
public enum SpecialVirusKind
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Mass mailing.</summary>
    MassMailing,
    /// <summary>Spyware (for the spyware/grayware options selected in step 2).</summary>
    Spyware,
    /// <summary>IntelliTrap.</summary>
    IntelliTrap,
}

/// <summary>Actions that override the main actions for one kind of detection.</summary>
public sealed record SpecialActions(SpecialVirusKind Kind, RuleActions Actions, SourceLocation At);
