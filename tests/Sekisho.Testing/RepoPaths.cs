namespace Sekisho.Testing;

/// <summary>Locates the repository and its test material from a running test.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sekisho.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Sekisho.slnx not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (the directory holding <c>Sekisho.slnx</c>).</summary>
    public static string Root => RootLazy.Value;

    /// <summary>Test material shipped with the repository: <c>tests/fixtures</c>.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    /// <summary>Sample InterScan exports: <c>tests/fixtures/imsva</c>.</summary>
    public static string ImsvaFixtures => Path.Combine(Fixtures, "imsva");

    /// <summary>A fixture file by relative path below <c>tests/fixtures</c>.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);
}

/// <summary>A temporary directory removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "sekisho-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
