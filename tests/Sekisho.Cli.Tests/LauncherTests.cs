using Sekisho.Testing;

namespace Sekisho.Cli.Tests;

/// <summary>The README's command: the ./sekisho launcher builds the command line and runs it.</summary>
public class LauncherTests
{
    [Fact]
    public void The_launcher_builds_and_runs_the_command()
    {
        using var data = new TempDir("sekisho-launcher");
        var launcher = Path.Combine(RepoPaths.Root, "sekisho");
        var (exit, output) = ExternalProcess.Run(launcher, ["--data", data.Path, "--lang", "en", "domain", "add", "launcher.example", "--json"], timeout: TimeSpan.FromMinutes(10));
        Assert.Equal(0, exit);
        Assert.Contains("\"name\": \"launcher.example\"", output);
        var (_, help) = ExternalProcess.Run(launcher, ["--help"]);
        Assert.Contains("domain", help);
        Assert.Contains("policy", help);
        Assert.Contains("audit", help);
    }
}
