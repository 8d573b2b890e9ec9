using System.Text.Json.Serialization;

namespace Sekisho.Model.Rules;

/// <summary>
/// A rule's actions (tab 処理): exactly one intercept action, plus any modify and monitor actions.
/// Intercept priority when several rules match one recipient: delete &gt; deliver now &gt; quarantine &gt; change recipient.
/// </summary>
public sealed record RuleActions(InterceptAction Intercept, IReadOnlyList<ModifyAction> Modify, IReadOnlyList<MonitorAction> Monitor)
{
    public static readonly RuleActions DoNotIntercept = new(new DoNotIntercept(), [], []);
}

/// <summary>The terminal part of a rule's actions.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action")]
[JsonDerivedType(typeof(DoNotIntercept), "do-not-intercept")]
[JsonDerivedType(typeof(DeleteMessage), "delete")]
[JsonDerivedType(typeof(DeliverNow), "deliver-now")]
[JsonDerivedType(typeof(Quarantine), "quarantine")]
[JsonDerivedType(typeof(ChangeRecipient), "change-recipient")]
public abstract record InterceptAction
{
    /// <summary>Priority among intercept actions of different rules (higher wins); 0 for do-not-intercept.</summary>
    [JsonIgnore]
    public abstract int Priority { get; }

    /// <summary>True when the action ends evaluation for the recipient.</summary>
    [JsonIgnore]
    public bool IsTerminal => Priority > 0;
}

/// <summary>処理なし: let the message continue.</summary>
public sealed record DoNotIntercept : InterceptAction
{
    public override int Priority => 0;
}

/// <summary>Delete the entire message (for the recipients in scope).</summary>
public sealed record DeleteMessage : InterceptAction
{
    public override int Priority => 4;
}

/// <summary>Deliver now, skipping the remaining rules: to the default route, or to the given server.</summary>
public sealed record DeliverNow(string? Host = null, int Port = 25) : InterceptAction
{
    public override int Priority => 3;
}

/// <summary>Quarantine; <paramref name="Tag"/> names the quarantine area (kept from InterScan).</summary>
public sealed record Quarantine(string? Tag = null) : InterceptAction
{
    public override int Priority => 2;
}

/// <summary>Redirect to other recipients in the organization's domains; the header is not rewritten.</summary>
public sealed record ChangeRecipient(IReadOnlyList<string> Recipients) : InterceptAction
{
    public override int Priority => 1;
}

/// <summary>A non-terminal change to the message.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action")]
[JsonDerivedType(typeof(CleanMalware), "clean")]
[JsonDerivedType(typeof(DeleteAttachments), "delete-attachments")]
[JsonDerivedType(typeof(InsertXHeader), "insert-x-header")]
[JsonDerivedType(typeof(InsertStamp), "insert-stamp")]
[JsonDerivedType(typeof(InsertSafeStamp), "insert-safe-stamp")]
[JsonDerivedType(typeof(TagSubject), "tag-subject")]
[JsonDerivedType(typeof(DeliverAt), "deliver-at")]
public abstract record ModifyAction;

/// <summary>What to remove when malware cannot be cleaned.</summary>
public enum AttachmentScope
{
    Matching,
    All,
}

/// <summary>Clean cleanable malware; delete the matching (or all) attachments that cannot be cleaned.</summary>
public sealed record CleanMalware(AttachmentScope Uncleanable = AttachmentScope.Matching) : ModifyAction;

/// <summary>Delete the matching attachments, or all of them; each is replaced by a short notice.</summary>
public sealed record DeleteAttachments(AttachmentScope Scope = AttachmentScope.Matching) : ModifyAction;

/// <summary>Insert an X-header (one per name; a later rule's value wins). Names starting X-Sekisho are reserved.</summary>
public sealed record InsertXHeader(string Name, string Value) : ModifyAction;

/// <summary>Insert a stamp (policy object) in the body.</summary>
public sealed record InsertStamp(string StampId) : ModifyAction;

/// <summary>Virus rules: insert a stamp into messages found clean.</summary>
public sealed record InsertSafeStamp(string StampId) : ModifyAction;

/// <summary>Prefix the subject with a tag.</summary>
public sealed record TagSubject(string Tag, bool SkipSignedMessages = true) : ModifyAction;

/// <summary>Hold the message and deliver it at the next given local time of day (InterScan: Postpone delivery to).</summary>
public sealed record DeliverAt(TimeOnly At, string? TimeZone = null) : ModifyAction;

/// <summary>An observing action.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action")]
[JsonDerivedType(typeof(Notify), "notify")]
[JsonDerivedType(typeof(Bcc), "bcc")]
[JsonDerivedType(typeof(Archive), "archive")]
public abstract record MonitorAction;

/// <summary>Send a notification (policy object).</summary>
public sealed record Notify(string NotificationId) : MonitorAction;

/// <summary>Send a blind copy to addresses in the organization's domains.</summary>
public sealed record Bcc(IReadOnlyList<string> Recipients) : MonitorAction;

/// <summary>Keep a copy in the archive store; <paramref name="Tag"/> names the archive area.</summary>
public sealed record Archive(string? Tag = null) : MonitorAction;

/// <summary>Kinds of detection that may carry their own actions in a virus rule.</summary>
public enum DetectionKind
{
    MassMailing,
    Spyware,
    IntelliTrap,
}

/// <summary>Actions that replace a virus rule's main actions for one kind of detection.</summary>
public sealed record DetectionOverride(DetectionKind Kind, RuleActions Actions);
