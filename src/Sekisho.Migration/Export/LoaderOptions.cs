namespace Sekisho.Migration.Export;

/// <summary>Options of <see cref="ImsvaExportLoader"/>.</summary>
public sealed record LoaderOptions
{
    /// <summary>Default options: the format's limits, two minutes overall.</summary>
    public static LoaderOptions Default { get; } = new();

    /// <summary>Size, count and ratio bounds.</summary>
    public ExportLimits Limits { get; init; } = ExportLimits.Default;

    /// <summary>The whole load (reading, decompressing, parsing) must finish within this time.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Clock for the timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Where a load is, for progress bars on large files.</summary>
public enum LoadStage
{
    /// <summary>Reading the compressed file.</summary>
    Reading,
    /// <summary>Decompressing and checking limits.</summary>
    Decompressing,
    /// <summary>Listing and checking tar entries.</summary>
    ListingEntries,
    /// <summary>Parsing one entry into the source model.</summary>
    Parsing,
    /// <summary>Checking references between items.</summary>
    Validating,
    /// <summary>Done.</summary>
    Completed,
}

/// <summary>One progress report: stage, bytes done of the compressed file, and the entry being parsed.</summary>
/// <param name="Stage">What the loader is doing.</param>
/// <param name="BytesDone">Bytes of the compressed file read or decompressed so far.</param>
/// <param name="BytesTotal">Size of the compressed file when known.</param>
/// <param name="Entry">The entry being parsed, at <see cref="LoadStage.Parsing"/>.</param>
public sealed record LoadProgress(LoadStage Stage, long BytesDone, long? BytesTotal, string? Entry = null);
