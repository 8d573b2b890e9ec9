using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Model.Settings;
using Sekisho.Web.Services;

namespace Sekisho.Web.EndUsers;

/// <summary>Runs <see cref="DigestService"/> on the schedule of <see cref="EndUserQuarantineSettings"/> (daily at the digest hour by default); settings are re-read every hour.</summary>
public sealed class DigestScheduler(DigestService digests, ConsoleContext console, ILogger<DigestScheduler>? log = null) : BackgroundService
{
    /// <summary>
    /// The next time a digest is due after the one at <paramref name="last"/>, or after <paramref name="now"/> when none ran since the start
    /// (a restart does not send an extra digest): whole days go out at the digest hour (local time), other intervals every so many hours.
    /// </summary>
    public static DateTimeOffset NextRun(DateTimeOffset now, DateTimeOffset? last, EndUserQuarantineSettings s)
    {
        var interval = TimeSpan.FromHours(Math.Clamp(s.DigestIntervalHours, 1, 24 * 7));
        var from = last ?? now;
        if (interval.TotalHours % 24 != 0) return from + interval;
        var local = from.ToLocalTime();
        var at = new DateTimeOffset(local.Year, local.Month, local.Day, Math.Clamp(s.DigestHour, 0, 23), 0, 0, local.Offset);
        while (at <= local) at = at.AddDays(1);
        return last is null ? at : at.AddDays(interval.TotalDays - 1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        var started = console.Time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            EndUserQuarantineSettings settings;
            try
            {
                await using var s = await console.ReadAsync("system:digest", stoppingToken);
                settings = (await s.GetSettingsAsync(stoppingToken)).EndUserQuarantine;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log?.LogWarning(e, "digest: cannot read the settings; trying again in an hour");
                await Task.Delay(TimeSpan.FromHours(1), console.Time, stoppingToken);
                continue;
            }
            var now = console.Time.GetUtcNow();
            var due = NextRun(started, last, settings);
            if (due > now)
            {
                await Task.Delay(due - now < TimeSpan.FromHours(1) ? due - now : TimeSpan.FromHours(1), console.Time, stoppingToken);
                continue;
            }
            last = now;
            if (!settings.DigestEnabled) continue;
            try
            {
                var run = await digests.RunAsync(stoppingToken);
                log?.LogInformation("digest: sent {Sent}, failed {Failed}", run.Sent.Count, run.Failed.Count);
                foreach (var (recipient, error) in run.Failed) log?.LogWarning("digest to {Recipient} not sent: {Error}", recipient, error);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log?.LogWarning(e, "digest run failed");
            }
        }
    }
}
