namespace Sekisho.Migration.Source;

/// <summary>Rule family on Policy → Policy List.</summary>
public enum RuleType
{
    /// <summary>A value this reader does not know (kept in the export's unknowns).</summary>
    Unknown,
    /// <summary>Antivirus rule.</summary>
    Antivirus,
    /// <summary>"Other" rule: spam, phishing, content, attachment, size, DLP, …</summary>
    Other,
    /// <summary>The Global DKIM Enforcement rule (exactly one, route fixed).</summary>
    DkimEnforcement,
}

/// <summary>Built-in rules shipped with InterScan.</summary>
public enum BuiltinRule
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Global Antivirus rule.</summary>
    GlobalAntivirus,
    /// <summary>Default spam rule.</summary>
    DefaultSpam,
}

/// <summary>
/// One rule of Policy → Policy List: route (step 1), scanning conditions (step 2), actions (step 3), and for
/// antivirus rules the Special Viruses tab.
/// </summary>
/// <param name="Id">Source id, e.g. <c>R12</c>.</param>
/// <param name="Type">Rule family.</param>
/// <param name="Builtin">Which built-in rule, or null for a rule the administrator made.</param>
/// <param name="Order">Order Number: rules are evaluated in ascending order.</param>
/// <param name="Enabled">The Enable check box.</param>
/// <param name="Name">Rule name.</param>
/// <param name="Notes">Notes tab text (empty when none).</param>
/// <param name="Route">Step 1: recipients and senders.</param>
/// <param name="Conditions">Step 2; null when the rule has no condition (it matches every message of its route).</param>
/// <param name="DkimEnforcement">The domain list of the Global DKIM Enforcement rule, else null.</param>
/// <param name="Actions">Step 3, Main Actions.</param>
/// <param name="SpecialActions">Antivirus Special Viruses tab, one set per kind.</param>
/// <param name="At">Where the rule starts.</param>
public sealed record PolicyRule(
    string Id, RuleType Type, BuiltinRule? Builtin, int Order, bool Enabled, string Name, string Notes,
    Route Route, ScanningConditions? Conditions, DkimEnforcement? DkimEnforcement,
    RuleActions Actions, IReadOnlyList<SpecialActions> SpecialActions, SourceLocation At);

/// <summary>"This rule will apply to".</summary>
public enum RouteDirection
{
    /// <summary>A value this reader does not know.</summary>
    Unknown,
    /// <summary>Incoming messages (recipients within the internal addresses).</summary>
    Incoming,
    /// <summary>Outgoing messages (senders within the internal addresses).</summary>
    Outgoing,
    /// <summary>Both incoming and outgoing messages.</summary>
    Both,
    /// <summary>POP3 (route cannot be configured).</summary>
    Pop3,
    /// <summary>All messages.</summary>
    All,
}

/// <summary>Step 1: who the rule applies to, with "sender to recipient" exceptions.</summary>
/// <param name="ApplyTo">Direction.</param>
/// <param name="Senders">Senders; empty means Anyone.</param>
/// <param name="Recipients">Recipients; empty means Anyone.</param>
/// <param name="Exceptions">Sender → recipient pairs the rule does not apply to.</param>
/// <param name="At">Where the route starts.</param>
public sealed record Route(RouteDirection ApplyTo, IReadOnlyList<RouteEntry> Senders, IReadOnlyList<RouteEntry> Recipients,
    IReadOnlyList<ExceptionPair> Exceptions, SourceLocation At)
{
    /// <summary>True when the senders are Anyone (empty list or an explicit Anyone).</summary>
    public bool AnySender => Senders.Count == 0 || Senders.Any(s => s is AnyoneEntry);

    /// <summary>True when the recipients are Anyone (empty list or an explicit Anyone).</summary>
    public bool AnyRecipient => Recipients.Count == 0 || Recipients.Any(r => r is AnyoneEntry);
}

/// <summary>One sender or recipient of a route.</summary>
public abstract record RouteEntry(SourceLocation At);

/// <summary>Anyone.</summary>
public sealed record AnyoneEntry(SourceLocation At) : RouteEntry(At);

/// <summary>An address with optional <c>*</c> wildcards: <c>*@domain</c>, <c>user@*</c>, <c>*@*.domain</c>, <c>*@*</c>.</summary>
public sealed record AddressEntry(string Address, SourceLocation At) : RouteEntry(At);

/// <summary>A reference to an address group (Policy Objects), by id.</summary>
public sealed record AddressGroupEntry(string GroupId, SourceLocation At) : RouteEntry(At);

/// <summary>An LDAP user, by distinguished name, with its mail address when known.</summary>
public sealed record LdapUserEntry(string Dn, string? Mail, SourceLocation At) : RouteEntry(At);

/// <summary>An LDAP group, by distinguished name.</summary>
public sealed record LdapGroupEntry(string Dn, string? Name, SourceLocation At) : RouteEntry(At);

/// <summary>A route entry element the reader does not know (also listed in the export's unknowns).</summary>
public sealed record UnknownRouteEntry(RawXmlElement Element, SourceLocation At) : RouteEntry(At);

/// <summary>A "sender to recipient" exception of a route.</summary>
public sealed record ExceptionPair(string Sender, string Recipient, SourceLocation At);

/// <summary>The condition of the Global DKIM Enforcement rule: mail from these domains must pass DKIM.</summary>
public sealed record DkimEnforcement(IReadOnlyList<string> Domains, SourceLocation At);
