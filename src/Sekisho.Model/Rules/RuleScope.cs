using System.Text.Json.Serialization;
using Sekisho.Model.Addresses;

namespace Sekisho.Model.Rules;

/// <summary>How a side of a rule's scope is chosen (console: 受信者 / 送信者).</summary>
public enum ParticipantsMode
{
    /// <summary>Anyone (すべてのユーザ).</summary>
    Anyone,
    /// <summary>Every address of every managed domain, now and later (自分の組織).</summary>
    MyOrganization,
    /// <summary>The listed entries (指定).</summary>
    Specified,
}

/// <summary>One side of a rule's scope: anyone, my organization, or a list of entries.</summary>
public sealed record Participants(ParticipantsMode Mode, IReadOnlyList<Participant> Entries)
{
    public static readonly Participants Anyone = new(ParticipantsMode.Anyone, []);
    public static readonly Participants MyOrganization = new(ParticipantsMode.MyOrganization, []);

    public static Participants Of(params Participant[] entries) => new(ParticipantsMode.Specified, entries);

    public bool IsAnyone => Mode == ParticipantsMode.Anyone;
}

/// <summary>An entry of a scope list.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(AddressParticipant), "address")]
[JsonDerivedType(typeof(DomainParticipant), "domain")]
[JsonDerivedType(typeof(AddressGroupParticipant), "address-group")]
[JsonDerivedType(typeof(DirectoryGroupParticipant), "directory-group")]
public abstract record Participant;

/// <summary>An address or wildcard typed by the administrator (<c>user@d</c>, <c>*@d</c>, <c>*@*.d</c>, <c>user@*</c>).</summary>
public sealed record AddressParticipant(AddressPattern Pattern) : Participant;

/// <summary>A managed domain chosen from "My domains".</summary>
public sealed record DomainParticipant(string Domain) : Participant;

/// <summary>An address group (policy object) by id.</summary>
public sealed record AddressGroupParticipant(string GroupId) : Participant;

/// <summary>A directory (LDAP) group by distinguished name.</summary>
public sealed record DirectoryGroupParticipant(string DistinguishedName, string Name) : Participant;

/// <summary>A sender → recipient pair for which the rule does not apply.</summary>
public sealed record ScopeException(Participants Sender, Participants Recipient);

/// <summary>Recipients, senders and exceptions of a rule (tab 受信者と送信者).</summary>
public sealed record RuleScope(Participants Recipients, Participants Senders, IReadOnlyList<ScopeException> Exceptions)
{
    /// <summary>Inbound default: recipients my organization, senders anyone.</summary>
    public static readonly RuleScope Default = new(Participants.MyOrganization, Participants.Anyone, []);
}
