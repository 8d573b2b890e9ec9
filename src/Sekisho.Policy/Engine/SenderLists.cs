using Sekisho.Model.Settings;

namespace Sekisho.Policy.Engine;

/// <summary>
/// Approved and blocked senders (送信者フィルタ) for one sender → recipient pair, in the documented order: end-user blocked,
/// administrator blocked, end-user approved, administrator approved (an end user's approval never overrides an administrator's block).
/// Used by the connection filter during the dialogue and by the engine per recipient.
/// </summary>
public static class SenderLists
{
    private static readonly (SenderListKind Kind, SenderListSource Source)[] Order =
    [
        (SenderListKind.Blocked, SenderListSource.EndUser),
        (SenderListKind.Blocked, SenderListSource.Administrator),
        (SenderListKind.Approved, SenderListSource.EndUser),
        (SenderListKind.Approved, SenderListSource.Administrator),
    ];

    /// <summary>The deciding entry, or null when no entry applies. <paramref name="headerFrom"/> is also matched when given (the filter's "message header addresses").</summary>
    public static SenderListEntry? Find(SenderFilter filter, string sender, string? headerFrom, string recipient)
    {
        if (filter.Entries.Count == 0 || recipient.LastIndexOf('@') is var at && at < 0) return null;
        var recipientDomain = recipient[(at + 1)..];
        bool Sends(SenderListEntry e) => (sender.Length > 0 && e.Sender.Matches(sender)) || (headerFrom is { Length: > 0 } h && e.Sender.Matches(h));
        var applicable = filter.Entries.Where(e => e.Scope switch
        {
            SenderListScope.Organization => true,
            SenderListScope.Domain => e.ScopeValue is { } d && DomainMatches(d, recipientDomain),
            SenderListScope.Recipient => string.Equals(e.ScopeValue, recipient, StringComparison.OrdinalIgnoreCase),
            _ => false,
        } && Sends(e)).ToList();
        foreach (var (kind, source) in Order)
            if (applicable.FirstOrDefault(e => e.List == kind && e.Source == source) is { } hit) return hit;
        return null;
    }

    /// <summary><c>example.com</c> matches itself, <c>*.example.com</c> its subdomains.</summary>
    public static bool DomainMatches(string pattern, string domain)
    {
        pattern = pattern.Trim().TrimEnd('.');
        domain = domain.Trim().TrimEnd('.');
        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? domain.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : domain.Equals(pattern, StringComparison.OrdinalIgnoreCase);
    }
}
