namespace Sekisho.Migration.Export;

/// <summary>Entry names of the export format (spec §1) and the name rules of the safe reader.</summary>
public static class EntryNames
{
    /// <summary>export.ini (required).</summary>
    public const string ExportIni = "export.ini";
    /// <summary>imss.ini (required).</summary>
    public const string ImssIni = "imss.ini";
    /// <summary>db/tb_global_setting.csv (required).</summary>
    public const string GlobalSettingCsv = "db/tb_global_setting.csv";
    /// <summary>policy/rules.xml (required).</summary>
    public const string Rules = "policy/rules.xml";
    /// <summary>policy/objects.xml (required).</summary>
    public const string Objects = "policy/objects.xml";
    /// <summary>policy/internal_addresses.xml.</summary>
    public const string InternalAddresses = "policy/internal_addresses.xml";
    /// <summary>policy/scanning_exceptions.xml.</summary>
    public const string ScanningExceptions = "policy/scanning_exceptions.xml";
    /// <summary>sender_filtering.xml.</summary>
    public const string SenderFiltering = "sender_filtering.xml";
    /// <summary>smtp_routing.xml.</summary>
    public const string SmtpRouting = "smtp_routing.xml";
    /// <summary>dkim_signature.xml.</summary>
    public const string DkimSignature = "dkim_signature.xml";
    /// <summary>ldap.xml.</summary>
    public const string Ldap = "ldap.xml";
    /// <summary>euq.xml.</summary>
    public const string Euq = "euq.xml";
    /// <summary>areas.xml.</summary>
    public const string Areas = "areas.xml";
    /// <summary>Folder of other Administration screens.</summary>
    public const string AdminFolder = "admin/";

    /// <summary>Entries every export must hold, in the order they are checked.</summary>
    public static IReadOnlyList<string> Required { get; } = [ExportIni, ImssIni, GlobalSettingCsv, Rules, Objects];

    /// <summary>Entries the format describes (besides <c>admin/*.xml</c>).</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ExportIni, ImssIni, GlobalSettingCsv, Rules, Objects, InternalAddresses, ScanningExceptions,
        SenderFiltering, SmtpRouting, DkimSignature, Ldap, Euq, Areas,
    };

    /// <summary>True for <c>admin/NAME.xml</c> (directly in the folder).</summary>
    public static bool IsAdminScreen(string name) =>
        name.StartsWith(AdminFolder, StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)
        && name.Length > AdminFolder.Length + 4 && name.IndexOf('/', AdminFolder.Length) < 0;

    /// <summary>
    /// Normalises a tar entry name (drops <c>.</c> and empty components, a trailing <c>/</c>) or says why it is
    /// unsafe: absolute, with <c>..</c>, with a backslash, a control character or nothing left.
    /// </summary>
    internal static bool TryNormalize(string raw, out string normalized, out UnsafeEntryReason reason)
    {
        normalized = "";
        reason = UnsafeEntryReason.InvalidName;
        if (string.IsNullOrEmpty(raw)) return false;
        foreach (var ch in raw)
            if (ch < 0x20 || ch == 0x7F || ch == '\\') return false;
        if (raw[0] == '/' || (raw.Length >= 2 && raw[1] == ':' && char.IsAsciiLetter(raw[0])))
        {
            reason = UnsafeEntryReason.AbsolutePath;
            return false;
        }
        var parts = new List<string>();
        foreach (var part in raw.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                reason = UnsafeEntryReason.ParentDirectory;
                return false;
            }
            parts.Add(part);
        }
        if (parts.Count == 0) return false;
        normalized = string.Join('/', parts);
        return true;
    }
}
