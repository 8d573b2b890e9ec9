namespace Sekisho.Scanning.Reputation;

/// <summary>
/// A reverse DNS validation rule (cegp-target-model §3.4.4), keyed on the envelope sender domain: <c>example.com</c>,
/// <c>*.example.com</c>, <see cref="Default"/> (<c>*</c>, for unspecified domains) or <see cref="EmptySender"/>
/// (<c>&lt;&gt;</c>). The most specific rule wins.
/// </summary>
/// <param name="RejectMissingPtr">Refuse clients whose address has no PTR record.</param>
/// <param name="RejectInvalidPtr">Refuse clients whose PTR names do not resolve back to their address.</param>
public sealed record ReverseDnsRule(string SenderDomain, bool RejectMissingPtr, bool RejectInvalidPtr)
{
    public const string Default = "*";
    public const string EmptySender = "<>";
}
