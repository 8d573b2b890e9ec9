namespace Sekisho.Migration.Source;

/// <summary>The InterScan product that wrote the export.</summary>
public enum ImsvaProduct
{
    /// <summary>InterScan Messaging Security Virtual Appliance.</summary>
    Imsva,
    /// <summary>InterScan Messaging Security Suite for Linux.</summary>
    Imss,
}

/// <summary>What <c>export.ini</c> says about the export: product, version, build, language, host, time, role.</summary>
/// <param name="Format">Layout version of the container (1).</param>
/// <param name="Product">IMSVA or IMSS.</param>
/// <param name="Platform">Always <c>linux</c> for an accepted export.</param>
/// <param name="Version">Product version, <c>9.1</c>.</param>
/// <param name="Build">Build number: the full version reads 9.1.0.<c>Build</c>.</param>
/// <param name="Language">Console language, <c>ja</c> or <c>en</c> (kept as given).</param>
/// <param name="Hostname">Host name of the exporting server.</param>
/// <param name="ExportedAt">Export time.</param>
/// <param name="Role"><c>parent</c> (Central Controller) or <c>child</c>, as given.</param>
/// <param name="At">Where <c>[export]</c> starts.</param>
public sealed record ExportInfo(
    int Format, ImsvaProduct Product, string Platform, string Version, int Build,
    string? Language, string? Hostname, DateTimeOffset? ExportedAt, string? Role, SourceLocation At)
{
    /// <summary>Migration floor of IMSS for Linux (9.1.0.1361, Patch 1 hotfix).</summary>
    public const int ImssBuildFloor = 1361;

    /// <summary>Migration floor of IMSVA (9.1.0.2011, Patch 3 hotfix).</summary>
    public const int ImsvaBuildFloor = 2011;

    /// <summary>The full version, e.g. <c>9.1.0.2011</c>.</summary>
    public string FullVersion => $"{Version}.0.{Build}";

    /// <summary>The lowest build the migration accepts for this product.</summary>
    public int BuildFloor => Product == ImsvaProduct.Imsva ? ImsvaBuildFloor : ImssBuildFloor;

    /// <summary>
    /// True when the build is older than the migration floor. Not fatal: the mapping reports it as an error
    /// finding on <c>setting:prerequisites</c>, naming the floor.
    /// </summary>
    public bool IsBelowBuildFloor => Build < BuildFloor;

    /// <summary>Product and platform as shown in reports, e.g. <c>IMSS 9.1 Linux</c>.</summary>
    public string ProductLabel => Product == ImsvaProduct.Imsva ? $"IMSVA {Version}" : $"IMSS {Version} Linux";
}
