namespace Sekisho.Store;

/// <summary>Where the store keeps its data: an SQLite file in the data directory, or a PostgreSQL database.</summary>
public sealed record StoreOptions
{
    /// <summary>Directory for the SQLite database and file blobs (quarantine, reports).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>A PostgreSQL connection string (Npgsql syntax); null = SQLite in <see cref="DataDirectory"/>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The SQLite database file.</summary>
    public string SqlitePath => Path.Combine(DataDirectory, "sekisho.db");

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);
}

/// <summary>A failure the user can act on (bad input, a missing object, a conflict); carries a message in both languages.</summary>
public sealed class StoreException(string code, Model.LocalizedText message) : Exception(message.En)
{
    public string Code { get; } = code;
    public Model.LocalizedText Text { get; } = message;
}
