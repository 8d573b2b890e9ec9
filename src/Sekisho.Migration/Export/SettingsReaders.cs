using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>Readers of the optional Administration and Sender Filtering entries.</summary>
internal static class SettingsReaders
{
    private static readonly IReadOnlyDictionary<string, BlockAction> BlockActions = Vocabulary.Of(
        ("block_temporarily", BlockAction.BlockTemporarily), ("block_permanently", BlockAction.BlockPermanently));

    private static readonly IReadOnlyDictionary<string, ErsLevel> ErsLevels = Vocabulary.Of(
        ("standard", ErsLevel.Standard), ("advanced", ErsLevel.Advanced));

    private static readonly IReadOnlyDictionary<string, IpProfilerKind> ProfilerKinds = Vocabulary.Of(
        ("spam", IpProfilerKind.Spam), ("virus", IpProfilerKind.Virus), ("dha", IpProfilerKind.DirectoryHarvest),
        ("bounced", IpProfilerKind.Bounced), ("throttle_ip", IpProfilerKind.ThrottleIp), ("throttle_sender", IpProfilerKind.ThrottleSender));

    private static readonly IReadOnlyDictionary<string, DmarcPolicy> DmarcPolicies = Vocabulary.Of(
        ("none", DmarcPolicy.None), ("quarantine", DmarcPolicy.Quarantine), ("reject", DmarcPolicy.Reject), ("no_record", DmarcPolicy.NoRecord));

    private static readonly IReadOnlyDictionary<string, DmarcDisposition> DmarcDispositions = Vocabulary.Of(
        ("deliver", DmarcDisposition.Deliver), ("quarantine", DmarcDisposition.Quarantine), ("reject", DmarcDisposition.Reject));

    private static readonly IReadOnlyDictionary<string, RelaySenderMode> RelayModes = Vocabulary.Of(
        ("host", RelaySenderMode.Host), ("subnet", RelaySenderMode.Subnet), ("class", RelaySenderMode.Class), ("specified", RelaySenderMode.Specified));

    private static readonly IReadOnlyDictionary<string, DeliveryMethod> DeliveryMethods = Vocabulary.Of(
        ("static", DeliveryMethod.Static), ("mx", DeliveryMethod.Mx));

    private static readonly IReadOnlyDictionary<string, TlsLevel> TlsLevels = Vocabulary.Of(
        ("never", TlsLevel.Never), ("opportunistic", TlsLevel.Opportunistic), ("must", TlsLevel.Must), ("verify", TlsLevel.Verify));

    private static readonly IReadOnlyDictionary<string, DkimCanonicalization> Canonicalizations = Vocabulary.Of(
        ("simple", DkimCanonicalization.Simple), ("relaxed", DkimCanonicalization.Relaxed));

    private static readonly IReadOnlyDictionary<string, LdapServerType> LdapTypes = Vocabulary.Of(
        ("ad", LdapServerType.ActiveDirectory), ("ad_gc", LdapServerType.ActiveDirectoryGlobalCatalog), ("openldap", LdapServerType.OpenLdap),
        ("domino", LdapServerType.Domino), ("iplanet", LdapServerType.IPlanet));

    public static InternalAddresses ReadInternalAddresses(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "InternalAddresses");
        var groups = x.Children(root, "LdapGroup").Select(g => new LdapGroupEntry(x.Required(g, "dn"), x.Attr(g, "name")?.Trim(), x.At(g))).ToArray();
        return new InternalAddresses(x.Attr(root, "mode")?.Trim(), x.Texts(root, "Domain"), groups, x.At(root));
    }

    public static ScanningExceptions ReadScanningExceptions(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "ScanningExceptions");
        var items = new List<ScanningException>();
        foreach (var e in root.Children)
        {
            ScanningExceptionKind? found = e.Name switch
            {
                "SecurityViolation" => ScanningExceptionKind.SecurityViolation,
                "Encryption" => ScanningExceptionKind.Encryption,
                "Malformed" => ScanningExceptionKind.Malformed,
                _ => null,
            };
            if (found is not { } kind) continue;
            e.Used = true;
            foreach (var a in e.Attributes) a.Used = true;
            var settings = e.Attributes.Select(a => new RawXmlAttribute(a.Name, a.Value)).ToArray();
            items.Add(new ScanningException(kind, settings, ActionsReader.Read(x, e), x.At(e)));
        }
        return new ScanningExceptions(items, x.At(root));
    }

    public static SenderFiltering ReadSenderFiltering(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "SenderFiltering");
        ApprovedIpList? approved = null;
        if (x.Single(root, "ApprovedList") is { } a)
        {
            var groups = x.Children(a, "ComputerGroup").Select(g => new ComputerGroup(x.Required(g, "name"), x.Texts(g, "Ip"), x.At(g))).ToArray();
            approved = new ApprovedIpList(x.Bool(a, "enabled"), x.Bool(a, "applyToErsIpProfiler"), x.Texts(a, "Ip"), x.Texts(a, "Domain"), groups, x.At(a));
        }
        BlockedIpList? blocked = null;
        if (x.Single(root, "BlockedList") is { } b)
        {
            var entries = x.Children(b, "Entry").Select(e => new BlockedIpEntry(x.Required(e, "ip"),
                x.Enum(e, "action", BlockActions, BlockAction.Unknown), x.Int(e, "minutes"), x.At(e))).ToArray();
            blocked = new BlockedIpList(x.Bool(b, "enabled"), entries, x.At(b));
        }
        var ers = x.Single(root, "EmailReputation") is { } r
            ? new EmailReputation(x.Bool(r, "enabled"), x.Enum(r, "level", ErsLevels, ErsLevel.Unknown, ErsLevel.Standard),
                x.Int(r, "customCode"), x.Attr(r, "customText"), x.At(r))
            : null;
        var profiler = x.Single(root, "IpProfiler") is { } p
            ? x.Children(p, "Rule").Select(e => new IpProfilerRule(x.Enum(e, "kind", ProfilerKinds, IpProfilerKind.Unknown), x.Bool(e, "enabled"),
                x.Int(e, "hours"), x.Int(e, "rate"), x.Int(e, "total"), x.OptionalEnum(e, "action", BlockActions, BlockAction.Unknown),
                x.Int(e, "blockMinutes"), x.At(e))).ToArray()
            : [];
        var suspicious = x.Single(root, "SuspiciousIp") is { } s ? new SuspiciousIpList(x.Texts(s, "Ip"), x.At(s)) : null;
        DmarcSettings? dmarc = null;
        if (x.Single(root, "Dmarc") is { } d)
        {
            var actions = x.Children(d, "Action").Select(e => new DmarcAction(x.Enum(e, "policy", DmarcPolicies, DmarcPolicy.Unknown),
                x.Enum(e, "do", DmarcDispositions, DmarcDisposition.Unknown), x.At(e))).ToArray();
            dmarc = new DmarcSettings(x.Bool(d, "enabled"), x.Bool(d, "insertXHeader"), x.Bool(d, "dailyReports"),
                x.Texts(x.Single(d, "VerificationList"), "Domain"), x.Texts(x.Single(d, "ExceptionList"), "Ip"), actions, x.At(d));
        }
        return new SenderFiltering(approved, blocked, ers, profiler, suspicious, dmarc, x.At(root));
    }

    public static SmtpRouting ReadSmtpRouting(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "SmtpRouting");
        var connections = x.Single(root, "Connections") is { } c
            ? new SmtpConnections(x.Int(c, "port"), x.Int(c, "maxConnections"), x.Int(c, "idleMinutes"),
                x.Texts(x.Single(c, "Allow"), "Ip"), x.Texts(x.Single(c, "Deny"), "Ip"), x.At(c))
            : null;
        var rule = x.Single(root, "MessageRule") is { } m
            ? new MessageRule(x.Int(m, "maxMessageSizeMb"), x.Int(m, "maxRecipients"), x.At(m))
            : null;
        var relay = x.Texts(x.Single(root, "RelayDomains"), "Domain");
        var permitted = x.Single(root, "PermittedRelaySenders") is { } p
            ? new PermittedRelaySenders(x.Enum(p, "mode", RelayModes, RelaySenderMode.Unknown), x.Texts(p, "Ip"), x.At(p))
            : null;
        var delivery = x.Single(root, "Delivery") is { } d
            ? x.Children(d, "Route").Select(r => new DeliveryRoute(x.Required(r, "target"), x.Enum(r, "method", DeliveryMethods, DeliveryMethod.Unknown),
                x.Children(r, "Server").Select(s => new DeliveryServer(x.Required(s, "host"), x.Int(s, "port") ?? 25, x.Int(s, "preference") ?? 0, x.At(s))).ToArray(),
                x.At(r))).ToArray()
            : [];
        var tls = x.Single(root, "Tls") is { } t
            ? new TlsSettings(x.Bool(t, "incoming"), x.Bool(t, "onlyTls"),
                x.Children(t, "Peer").Select(p => new TlsPeer(x.Required(p, "match"), x.Enum(p, "level", TlsLevels, TlsLevel.Unknown), x.At(p))).ToArray(), x.At(t))
            : null;
        return new SmtpRouting(connections, rule, relay, permitted, delivery, tls, x.At(root));
    }

    public static IReadOnlyList<DkimSignature> ReadDkimSignatures(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "DkimSignatures");
        return x.Children(root, "Signature").Select(s =>
        {
            // RFC 6376: an absent canonicalisation is simple.
            var header = x.Enum(s, "headerCanon", Canonicalizations, DkimCanonicalization.Unknown, DkimCanonicalization.Simple);
            var body = x.Enum(s, "bodyCanon", Canonicalizations, DkimCanonicalization.Unknown, DkimCanonicalization.Simple);
            var pem = x.ChildText(s, "PrivateKeyPem") ?? throw x.Malformed(s, "element <PrivateKeyPem> is required");
            return new DkimSignature(x.Required(s, "domain"), x.Required(s, "selector"), x.Int(s, "keyBits"), header, body,
                XmlContext.Split(x.Attr(s, "headers"), ':'), x.Int(s, "expireDays"), x.Long(s, "bodyLength"), x.Attr(s, "auid") ?? "",
                new SensitiveText(pem), x.Texts(x.Single(s, "ExemptDomains"), "Domain"), x.At(s));
        }).ToArray();
    }

    public static LdapSettings ReadLdap(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "Ldap");
        var servers = x.Children(root, "Server").Select(s => new LdapServer(x.Required(s, "host"), x.Int(s, "port"), x.Bool(s, "enabled"), x.At(s))).ToArray();
        var admin = x.Single(root, "Admin");
        var auth = x.Single(root, "Auth");
        return new LdapSettings(x.Enum(root, "serverType", LdapTypes, LdapServerType.Unknown), servers,
            admin is null ? null : x.Attr(admin, "account"), admin is null ? null : x.Attr(admin, "baseDn"),
            admin is not null && x.Bool(admin, "passwordSet"), auth is null ? null : x.Attr(auth, "method"), x.At(root));
    }

    public static EndUserQuarantine ReadEuq(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "EndUserQuarantine");
        var users = x.Children(root, "UserApprovedSenders")
            .Select(u => new EuqUserApprovedSenders(x.Required(u, "user"), x.Texts(u, "Address"), x.At(u))).ToArray();
        return new EndUserQuarantine(x.Bool(root, "enabled"), x.Int(root, "daysToKeep"), x.Int(root, "maxApprovedSenders"), users, x.At(root));
    }

    public static Areas ReadAreas(XmlContext x, XmlNode root)
    {
        x.ExpectRoot(root, "Areas");
        Area[] Read(string element, AreaKind kind)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            return x.Children(root, element).Select(e =>
            {
                var area = new Area(x.Required(e, "id"), kind, x.Required(e, "name"), x.Int(e, "days"), x.At(e));
                return seen.Add(area.Id) ? area : throw x.Malformed(e, $"area id '{area.Id}' is used twice");
            }).ToArray();
        }
        return new Areas(Read("Quarantine", AreaKind.Quarantine), Read("Archive", AreaKind.Archive));
    }
}
