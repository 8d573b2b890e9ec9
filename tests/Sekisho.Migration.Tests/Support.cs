using Sekisho.Migration.Export;
using Sekisho.Migration.Source;
using Sekisho.Testing;

namespace Sekisho.Migration.Tests;

/// <summary>Loading helpers shared by the tests.</summary>
internal static class Support
{
    public static ImsvaLoadResult Load(byte[] file, string name = "Config_Files_20240522_063925.dat", LoaderOptions? options = null, IProgress<LoadProgress>? progress = null) =>
        ImsvaExportLoader.LoadAsync(new MemoryStream(file, writable: false), name, options, progress).GetAwaiter().GetResult();

    public static ImsvaExport LoadOk(byte[] file, string name = "Config_Files_20240522_063925.dat", LoaderOptions? options = null)
    {
        var result = Load(file, name, options);
        Assert.True(result.Succeeded, result.Fatal?.ToString());
        return result.Export;
    }

    public static ExportFatalError LoadFatal(byte[] file, FatalErrorCode expected, string name = "Config_Files_20240522_063925.dat", LoaderOptions? options = null)
    {
        var result = Load(file, name, options);
        Assert.False(result.Succeeded, "the export loaded but should fail with " + expected.ToCodeName());
        Assert.Equal(expected, result.Fatal.Code);
        return result.Fatal;
    }

    public static string FixtureDat(string name) => Path.Combine(RepoPaths.ImsvaFixtures, name);

    public static string FixtureDir(string name) => Path.Combine(RepoPaths.ImsvaFixtures, name);

    /// <summary>A synchronous progress sink (Progress&lt;T&gt; would post to the thread pool).</summary>
    public sealed class ProgressLog : IProgress<LoadProgress>
    {
        public List<LoadProgress> Reports { get; } = [];
        public void Report(LoadProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }
}
