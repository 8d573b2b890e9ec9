using System.Text;
using Sekisho.Model.Rules;
using Sekisho.Policy.Ports;
using Sekisho.Scanning.Antivirus;
using Sekisho.Testing;

namespace Sekisho.Scanning.Tests.Antivirus;

/// <summary>One private clamd for the class (loading even a tiny database takes seconds).</summary>
public sealed class ClamdFixture : IAsyncLifetime
{
    public ClamdServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await ClamdServer.StartAsync(streamMaxLength: "2M");
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class ClamdScannerTests(ClamdFixture clamd) : IClassFixture<ClamdFixture>
{
    private ClamdScanner Scanner(bool failOpen = false) =>
        new(new ClamdOptions { Endpoints = [clamd.Server.Endpoint], ConfigFile = clamd.Server.ConfigFile, FailOpen = failOpen });

    public static TheoryData<string> Carriers()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(ClamdServer.TestFilesDirectory).Select(Path.GetFileName).Order()) data.Add(f!);
        return data;
    }

    [Fact]
    public void The_carriers_the_brief_names_are_all_there()
    {
        var names = Directory.GetFiles(ClamdServer.TestFilesDirectory).Select(f => Path.GetFileName(f)).ToHashSet();
        Assert.Superset(new HashSet<string> { "clam.zip", "clam.7z", "clam.cab", "clam.arj", "clam.tar.gz", "clam.ole.doc", "clam.pdf", "clam.tnef", "clam.exe.mbox.base64", "clam.mail" }, names);
    }

    [Fact]
    public async Task Eicar_is_found()
    {
        var verdict = await Scanner().ScanAsync(new MemoryStream(ClamdServer.Eicar), "eicar.com", default);
        Assert.Equal(ScanStatus.Completed, verdict.Status);
        Assert.Equal("Eicar-Test-Signature-local.UNOFFICIAL", Assert.Single(verdict.Detections).Signature);
    }

    [Theory]
    [MemberData(nameof(Carriers))]
    public async Task Every_clamav_testfiles_carrier_is_found(string file)
    {
        await using var content = File.OpenRead(Path.Combine(ClamdServer.TestFilesDirectory, file));
        var verdict = await Scanner().ScanAsync(content, file, default);
        Assert.True(verdict.Infected, $"{file}: {verdict.Status} {verdict.Error}");
        Assert.Equal("ClamAV-Test-File-local.UNOFFICIAL", verdict.Detections[0].Signature);
    }

    [Fact]
    public async Task A_message_with_eicar_attached_is_found_and_a_clean_one_is_clean()
    {
        var attached = "From: a@example.com\r\nTo: b@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n" +
            "Content-Type: application/octet-stream; name=e.com\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            Convert.ToBase64String(ClamdServer.Eicar) + "\r\n--b--\r\n";
        Assert.True((await Scanner().ScanAsync(new MemoryStream(Encoding.ASCII.GetBytes(attached)), null, default)).Infected);

        var clean = await Scanner().ScanAsync(new MemoryStream("From: a@example.com\r\n\r\nhello\r\n"u8.ToArray()), null, default);
        Assert.Equal(ScanStatus.Completed, clean.Status);
        Assert.False(clean.Infected);
    }

    [Fact]
    public async Task The_stream_limit_comes_from_clamd_conf_and_larger_content_is_refused_before_sending()
    {
        var scanner = Scanner();
        Assert.Equal(2L * 1024 * 1024, scanner.StreamMaxLength);
        var verdict = await scanner.ScanAsync(new MemoryStream(new byte[3 * 1024 * 1024]), "big.bin", default);
        Assert.Equal(ScanStatus.Failed, verdict.Status);
        Assert.Contains("StreamMaxLength", verdict.Error);
    }

    [Fact]
    public async Task Health_check_reports_the_version_and_a_dead_endpoint_in_the_pool_is_skipped()
    {
        var dead = $"127.0.0.1:{ExternalProcess.FreePort()}";
        var scanner = new ClamdScanner(new ClamdOptions { Endpoints = [dead, clamd.Server.Endpoint], ConfigFile = clamd.Server.ConfigFile });

        var health = await scanner.CheckHealthAsync(default);
        Assert.False(health[0].Healthy);
        Assert.True(health[1].Healthy);
        Assert.StartsWith("ClamAV", health[1].Version);

        for (int i = 0; i < 4; i++)
            Assert.True((await scanner.ScanAsync(new MemoryStream(ClamdServer.Eicar), null, default)).Infected);
    }

    [Theory]
    [InlineData("Win.Test.EICAR_HDB-1", DetectionType.Uncleanable, null)]
    [InlineData("Email.Worm.Mydoom-1", DetectionType.MassMailing, null)]
    [InlineData("Win.Worm.Netsky-2", DetectionType.MassMailing, null)]
    [InlineData("Heuristics.Encrypted.Zip", DetectionType.IntelliTrap, null)]
    [InlineData("PUA.Win.Adware.Agent-1", DetectionType.Uncleanable, "adware")]
    [InlineData("PUA.Win.Tool.Hacktool-2", DetectionType.Uncleanable, "hacking_tool")]
    public void Signature_names_map_to_detection_types(string signature, DetectionType type, string? category)
    {
        var d = ClamdScanner.Classify(signature);
        Assert.Equal((type, category), (d.Type, d.SpywareCategory));
    }
}

/// <summary>A clamd of its own, stopped during the test.</summary>
public sealed class ClamdDownTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_clamd_stopped_the_verdict_is_unavailable_with_the_failure_mode(bool failOpen)
    {
        await using var server = await ClamdServer.StartAsync();
        var scanner = new ClamdScanner(new ClamdOptions { Endpoints = [server.Endpoint], ConfigFile = server.ConfigFile, FailOpen = failOpen });
        Assert.True((await scanner.ScanAsync(new MemoryStream(ClamdServer.Eicar), null, default)).Infected);

        server.Stop();
        var verdict = await scanner.ScanAsync(new MemoryStream(ClamdServer.Eicar), null, default);

        Assert.Equal(ScanStatus.Unavailable, verdict.Status);
        Assert.Equal(failOpen, verdict.FailOpen);
        Assert.False(verdict.Infected);
        Assert.Contains("clamd unreachable", verdict.Error);
    }
}
