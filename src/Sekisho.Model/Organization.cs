namespace Sekisho.Model;

/// <summary>
/// A tenant. Everything in the model belongs to exactly one organization; a self-hosted gateway has one
/// (<see cref="DefaultName"/>), a service provider hosts many.
/// </summary>
public sealed record Organization(string Id, string Name, DateTimeOffset Created)
{
    /// <summary>The name of the organization created on first use.</summary>
    public const string DefaultName = "default";
}

/// <summary>Where a migrated object came from: the export file's SHA-256 and the object's id inside it.</summary>
/// <remarks>Re-running a merge migration with the same file recognises its own earlier objects by this pair.</remarks>
public sealed record Provenance(string SourceFileSha256, string SourceId, string? MigrationTaskId = null);

/// <summary>A text shown to users, kept in both languages Sekisho speaks.</summary>
public sealed record LocalizedText(string Ja, string En)
{
    /// <summary>The text for a language tag ("ja" or anything else for English).</summary>
    public string For(string language) => language.StartsWith("ja", StringComparison.OrdinalIgnoreCase) ? Ja : En;

    public override string ToString() => En;
}
