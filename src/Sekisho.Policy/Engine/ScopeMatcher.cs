using Sekisho.Model;
using Sekisho.Model.Addresses;
using Sekisho.Model.Rules;

namespace Sekisho.Policy.Engine;

/// <summary>Decides whether a sender → recipient pair lies in a rule's scope (recipients, senders, exceptions).</summary>
public sealed class ScopeMatcher(PolicySnapshot snapshot)
{
    private readonly HashSet<string> _managed = new(snapshot.ManagedDomainNames.Select(DomainNames.NormalizeOrSelf), StringComparer.Ordinal);

    /// <summary>True when the address belongs to a managed domain (or a subdomain of one).</summary>
    public bool IsManaged(string address)
    {
        var domain = DomainNames.DomainOf(address);
        if (domain is null) return false;
        if (_managed.Contains(domain)) return true;
        foreach (var d in _managed)
            if (domain.EndsWith("." + d, StringComparison.Ordinal)) return true;
        return false;
    }

    public RuleDisposition? Check(Rule rule, string sender, string recipient)
    {
        if (!Covers(rule.Scope.Recipients, recipient) || !Covers(rule.Scope.Senders, sender)) return RuleDisposition.NotInScope;
        foreach (var e in rule.Scope.Exceptions)
            if (Covers(e.Sender, sender) && Covers(e.Recipient, recipient)) return RuleDisposition.ScopeException;
        return null;
    }

    public bool Covers(Participants side, string address)
    {
        switch (side.Mode)
        {
            case ParticipantsMode.Anyone: return true;
            case ParticipantsMode.MyOrganization: return IsManaged(address);
        }
        foreach (var entry in side.Entries)
        {
            switch (entry)
            {
                case AddressParticipant a when a.Pattern.Matches(address): return true;
                case DomainParticipant d when DomainNames.DomainOf(address) == DomainNames.NormalizeOrSelf(d.Domain): return true;
                case AddressGroupParticipant g when snapshot.FindAddressGroup(g.GroupId) is { } group && group.Entries.Any(x => x.Address.Matches(address)): return true;
            }
        }
        // Directory groups need a directory connection; without one they match nobody (the trace shows "not in scope").
        return false;
    }
}
