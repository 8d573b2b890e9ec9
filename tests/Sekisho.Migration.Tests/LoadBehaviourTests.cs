using Sekisho.Migration.Export;
using Sekisho.Migration.Keywords;
using Sekisho.Migration.Source;
using Sekisho.Testing.Imsva;
using static Sekisho.Migration.Tests.Support;

namespace Sekisho.Migration.Tests;

/// <summary>Large exports, progress, cancellation and the timeout.</summary>
public sealed class LoadBehaviourTests
{
    private static readonly Lazy<byte[]> Benchmark = new(() => LargeImsvaExport.Create().Build());

    [Fact]
    public void The_benchmark_sized_export_loads_completely()
    {
        var export = LoadOk(Benchmark.Value, "Config_Files_large.dat");
        var shape = LargeExportShape.Benchmark;
        Assert.Equal(shape.Rules, export.Rules.Count);
        Assert.Equal(shape.AddressGroups, export.Objects.AddressGroups.Count);
        Assert.Equal(shape.Addresses, export.Objects.AddressGroups.Sum(g => g.Addresses.Count));
        Assert.Equal(shape.KeywordLists, export.Objects.KeywordLists.Count);
        Assert.Equal(shape.KeywordLists * shape.ExpressionsPerList, export.Objects.KeywordLists.Sum(l => l.Expressions.Count));
        Assert.Empty(export.DanglingReferences);
        Assert.Empty(export.UnknownXml);
        Assert.Equal(RuleType.Antivirus, export.Rules[0].Type);
        Assert.Equal(Enumerable.Range(1, shape.Rules), export.RulesInOrder.Select(r => r.Order));
        Assert.All(export.Rules.Skip(1), r => Assert.NotEmpty(r.Conditions!.Items));
        Assert.All(export.Objects.KeywordLists.SelectMany(l => l.Expressions), e => Assert.IsType<TranslatedKeyword>(KeywordExpressionTranslator.Translate(e)));
    }

    [Fact]
    public void Progress_is_reported_through_every_stage_and_bytes_only_grow()
    {
        var log = new ProgressLog();
        var result = Load(Benchmark.Value, progress: log);
        Assert.True(result.Succeeded);
        var stages = log.Reports.Select(r => r.Stage).Distinct().ToArray();
        Assert.Equal([LoadStage.Reading, LoadStage.Decompressing, LoadStage.ListingEntries, LoadStage.Parsing, LoadStage.Validating, LoadStage.Completed], stages);
        Assert.True(log.Reports.Count(r => r.Stage == LoadStage.Decompressing) >= 2, "decompression of a multi-MiB file reports more than once");
        Assert.All(log.Reports, r => Assert.Equal(Benchmark.Value.Length, r.BytesTotal ?? Benchmark.Value.Length));
        Assert.Equal(["policy/rules.xml", "policy/objects.xml", "areas.xml"], log.Reports.Where(r => r.Stage == LoadStage.Parsing).Select(r => r.Entry));
        var decompressing = log.Reports.Where(r => r.Stage == LoadStage.Decompressing).Select(r => r.BytesDone).ToArray();
        Assert.Equal(decompressing.Order(), decompressing);
        Assert.Equal(Benchmark.Value.Length, log.Reports[^1].BytesDone);
    }

    [Fact]
    public async Task Cancellation_stops_the_load()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImsvaExportLoader.LoadAsync(new MemoryStream(Benchmark.Value), "x.dat", cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Exceeding_the_timeout_is_a_timeout_exception()
    {
        var stalled = new StalledStream();
        var options = new LoaderOptions { Timeout = TimeSpan.FromMilliseconds(50) };
        var error = await Assert.ThrowsAsync<TimeoutException>(() => ImsvaExportLoader.LoadAsync(stalled, "slow.dat", options));
        Assert.Contains("slow.dat", error.Message);
    }

    /// <summary>A network stream whose peer never sends: a read completes only when cancelled.</summary>
    private sealed class StalledStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
