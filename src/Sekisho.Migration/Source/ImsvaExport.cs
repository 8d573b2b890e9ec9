namespace Sekisho.Migration.Source;

/// <summary>The export file itself.</summary>
/// <param name="FileName">File name as given by the user.</param>
/// <param name="Sha256">SHA-256 of the whole file, lower-case hex (the mapping recognises re-runs by it).</param>
/// <param name="CompressedBytes">Size of the file.</param>
/// <param name="UncompressedBytes">Total size of the entries' content.</param>
public sealed record ExportFile(string FileName, string Sha256, long CompressedBytes, long UncompressedBytes);

/// <summary>One file entry of the archive.</summary>
public sealed record ExportEntry(string Name, long Size);

/// <summary>
/// Everything an InterScan configuration export holds, in InterScan's vocabulary and independent of the container:
/// the first stage of the migration. Optional parts are null when their entry is absent.
/// </summary>
/// <param name="File">The file: name, SHA-256, sizes.</param>
/// <param name="Info">export.ini: product, version, build, language, host, time, role.</param>
/// <param name="GlobalSettings">imss.ini and tb_global_setting.</param>
/// <param name="Rules">Policy → Policy List, in document order (evaluate by <see cref="PolicyRule.Order"/>).</param>
/// <param name="Objects">Policy objects and approved lists.</param>
/// <param name="InternalAddresses">Policy → Internal Addresses.</param>
/// <param name="ScanningExceptions">Policy → Scanning Exceptions.</param>
/// <param name="SenderFiltering">Sender Filtering.</param>
/// <param name="SmtpRouting">SMTP Routing and TLS.</param>
/// <param name="DkimSignatures">DKIM signing settings (IMSVA).</param>
/// <param name="Ldap">LDAP (no password).</param>
/// <param name="EndUserQuarantine">EUQ with users' approved senders.</param>
/// <param name="Areas">Quarantine and archive areas.</param>
/// <param name="AdminScreens">Other Administration screens, by name.</param>
/// <param name="Entries">Every file entry of the archive.</param>
/// <param name="UnknownEntries">Entries the format does not describe.</param>
/// <param name="UnknownXml">XML elements, attributes and values the reader did not understand.</param>
/// <param name="UnknownExportInfoKeys">Keys of export.ini the reader does not know.</param>
/// <param name="DanglingReferences">References whose targets are missing.</param>
public sealed record ImsvaExport(
    ExportFile File,
    ExportInfo Info,
    GlobalSettings GlobalSettings,
    IReadOnlyList<PolicyRule> Rules,
    PolicyObjects Objects,
    InternalAddresses? InternalAddresses,
    ScanningExceptions? ScanningExceptions,
    SenderFiltering? SenderFiltering,
    SmtpRouting? SmtpRouting,
    IReadOnlyList<DkimSignature>? DkimSignatures,
    LdapSettings? Ldap,
    EndUserQuarantine? EndUserQuarantine,
    Areas? Areas,
    IReadOnlyList<AdminScreen> AdminScreens,
    IReadOnlyList<ExportEntry> Entries,
    IReadOnlyList<UnknownEntry> UnknownEntries,
    IReadOnlyList<UnknownXmlNode> UnknownXml,
    IReadOnlyList<UnknownSetting> UnknownExportInfoKeys,
    IReadOnlyList<DanglingReference> DanglingReferences)
{
    /// <summary>The rules in evaluation order (ascending Order Number; document order breaks ties).</summary>
    public IEnumerable<PolicyRule> RulesInOrder => Rules.Select((r, i) => (r, i)).OrderBy(x => x.r.Order).ThenBy(x => x.i).Select(x => x.r);

    /// <summary>A rule by source id, or null.</summary>
    public PolicyRule? Rule(string id) => Rules.FirstOrDefault(r => r.Id == id);
}
