using Sekisho.Testing;

namespace Sekisho.Store.Tests;

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "databases";
}

/// <summary>Opens fresh stores on either database so every store test runs on both.</summary>
public abstract class StoreTestBase(PostgresServer postgres) : IDisposable
{
    private readonly List<TempDir> _dirs = [];

    public static TheoryData<string> Databases => new() { "sqlite", "postgresql" };

    protected async Task<SekishoStore> OpenAsync(string database, TimeProvider? time = null)
    {
        var dir = new TempDir("sekisho-store");
        _dirs.Add(dir);
        var options = new StoreOptions
        {
            DataDirectory = dir.Path,
            PostgresConnectionString = database == "postgresql" ? await postgres.CreateDatabaseAsync() : null,
        };
        return await SekishoStore.OpenAsync(options, time);
    }

    public void Dispose()
    {
        foreach (var d in _dirs) d.Dispose();
        GC.SuppressFinalize(this);
    }
}
