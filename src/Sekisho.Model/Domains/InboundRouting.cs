namespace Sekisho.Model.Domains;

/// <summary>
/// Orders a domain's inbound servers for one recipient: the <c>*</c> entries and the entries for that local part
/// are merged and ordered by preference (lower first); servers of equal preference form one group, among which
/// the sender spreads the load.
/// </summary>
/// <remarks>Example from the cloud product's documentation: <c>*→1.2.3.4 pref 10</c>, <c>recipient1→1.2.3.5 pref 11</c>,
/// <c>recipient2→1.2.3.6 pref 9</c>: recipient1 goes to 1.2.3.4 then 1.2.3.5; recipient2 to 1.2.3.6 then 1.2.3.4.</remarks>
public static class InboundRouting
{
    /// <summary>Preference groups for a recipient's local part, best first.</summary>
    public static IReadOnlyList<IReadOnlyList<InboundServer>> GroupsFor(ManagedDomain domain, string localPart) =>
        domain.InboundServers
            .Where(s => s.Recipient == InboundServer.AnyRecipient || string.Equals(s.Recipient, localPart, StringComparison.OrdinalIgnoreCase))
            .GroupBy(s => s.Preference)
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<InboundServer>)g.ToList())
            .ToList();

    /// <summary>The servers to try in order: groups by preference, each group shuffled for load balancing.</summary>
    public static IReadOnlyList<InboundServer> OrderFor(ManagedDomain domain, string localPart, Random random)
    {
        var result = new List<InboundServer>();
        foreach (var group in GroupsFor(domain, localPart))
        {
            var shuffled = group.ToArray();
            random.Shuffle(shuffled);
            result.AddRange(shuffled);
        }
        return result;
    }
}
