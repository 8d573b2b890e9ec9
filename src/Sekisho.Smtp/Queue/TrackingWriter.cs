using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp.Queue;

/// <summary>
/// Hands tracking records to the sink from a background loop in batches, so a slow sink never holds up an
/// SMTP reply. Tracking is a log, not the truth: on overload the oldest pending records are dropped and counted.
/// </summary>
internal sealed class TrackingWriter : IAsyncDisposable
{
    private readonly IMailTrackingSink _sink;
    private readonly ILogger _log;
    private readonly Channel<MailTrackingRecord> _channel = Channel.CreateBounded<MailTrackingRecord>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Task _loop;

    public TrackingWriter(IMailTrackingSink sink, ILogger log)
    {
        _sink = sink;
        _log = log;
        _loop = Task.Run(LoopAsync);
    }

    public void Post(MailTrackingRecord record) => _channel.Writer.TryWrite(record);

    public void Post(IEnumerable<MailTrackingRecord> records)
    {
        foreach (var r in records) _channel.Writer.TryWrite(r);
    }

    private async Task LoopAsync()
    {
        var batch = new List<MailTrackingRecord>(512);
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 512 && _channel.Reader.TryRead(out var r)) batch.Add(r);
            try
            {
                await _sink.RecordAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _log.LogError(ex, "Mail tracking: {Count} records could not be written", batch.Count);
            }
            batch.Clear();
        }
    }

    /// <summary>Waits until everything posted so far has reached the sink (tests, shutdown).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_channel.Reader.Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(10).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
