using Sekisho.Model.Settings;

namespace Sekisho.Migration.Mapping;

/// <summary>
/// Merges migrated settings into an organization's settings. Merge appends without duplicates and only raises
/// limits; overwrite replaces the IP lists and the DKIM/DMARC settings with the migrated ones.
/// </summary>
public static class MigratedSettingsApplier
{
    public static GatewaySettings Apply(GatewaySettings current, MigratedSettings m, MigrationMode mode)
    {
        bool overwrite = mode == MigrationMode.Overwrite;
        var cf = current.ConnectionFiltering;
        var limits = current.Limits;
        if (m.MaxMessageSizeBytes is { } size) limits = limits with { MaxMessageSizeBytes = overwrite ? size : Math.Max(size, limits.MaxMessageSizeBytes) };
        if (m.MaxRecipients is { } n) limits = limits with { MaxRecipients = overwrite ? n : Math.Max(n, limits.MaxRecipients) };

        var auth = current.Authentication;
        var dkim = (overwrite ? [DkimVerificationPolicy.DefaultPolicy] : auth.DkimVerification).ToList();
        int di = dkim.FindIndex(p => p.Domain is null);
        if (di < 0) { dkim.Insert(0, DkimVerificationPolicy.DefaultPolicy); di = 0; }
        if (m.DkimEnforcedPeers.Count > 0 || m.DkimIgnoredPeers.Count > 0)
            dkim[di] = dkim[di] with
            {
                EnforcedPeers = Union(dkim[di].EnforcedPeers, m.DkimEnforcedPeers),
                IgnoredPeers = Union(dkim[di].IgnoredPeers, m.DkimIgnoredPeers),
                Action = m.DkimEnforcedAction ?? dkim[di].Action,
            };
        var dmarc = overwrite && m.Dmarc.Count > 0 ? m.Dmarc.ToList() : auth.Dmarc.ToList();
        if (!overwrite)
            foreach (var p in m.Dmarc)
            {
                int i = dmarc.FindIndex(x => x.Domain == p.Domain);
                if (i >= 0 && p.Domain is null && dmarc[i] == DmarcPolicySettings.DefaultPolicy) dmarc[i] = p; // an untouched default takes the migrated one
                else if (i < 0) dmarc.Add(p);
            }
        var signing = overwrite ? m.DkimSigning.ToList() : auth.DkimSigning.ToList();
        if (!overwrite)
            foreach (var k in m.DkimSigning.Where(k => !signing.Any(s => s.Domain == k.Domain && s.Selector == k.Selector))) signing.Add(k);

        return current with
        {
            Limits = limits,
            ConnectionFiltering = cf with
            {
                ApprovedIps = overwrite ? m.ApprovedIps : [.. cf.ApprovedIps, .. m.ApprovedIps.Where(a => cf.ApprovedIps.All(e => e.Cidr != a.Cidr))],
                BlockedIps = overwrite ? m.BlockedIps : [.. cf.BlockedIps, .. m.BlockedIps.Where(a => cf.BlockedIps.All(e => e.Cidr != a.Cidr))],
                IpReputationLevel = m.IpReputationLevel ?? cf.IpReputationLevel,
                IpReputationEnabled = m.IpReputationEnabled ?? cf.IpReputationEnabled,
            },
            SenderFilter = current.SenderFilter with
            {
                // The same entry from an earlier run (whatever task added it) is not added twice.
                Entries = [.. current.SenderFilter.Entries, .. m.SenderEntries.Where(e => !current.SenderFilter.Entries.Any(x =>
                    x.List == e.List && x.Scope == e.Scope && x.ScopeValue == e.ScopeValue && x.Sender.ToString() == e.Sender.ToString() && x.Source == e.Source))],
            },
            Authentication = auth with { DkimVerification = dkim, Dmarc = dmarc, DkimSigning = signing },
            TlsPeers = [.. current.TlsPeers, .. m.TlsPeers.Where(p => !current.TlsPeers.Any(x => x.Direction == p.Direction && x.Peer == p.Peer))],
            WebReputationApprovedList = [.. current.WebReputationApprovedList, .. m.WebReputationApprovedList.Where(w => !current.WebReputationApprovedList.Contains(w))],
            UrlKeywordExceptions = Union(current.UrlKeywordExceptions, m.UrlKeywordExceptions),
        };
    }

    private static IReadOnlyList<string> Union(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.Concat(b).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
