using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sekisho.Smtp.Tracking;

/// <summary>
/// A policy event (ポリシーイベント): one rule — or an authentication check or scan exception — that decided or acted on a message
/// for one recipient, with the actions it asked for (<see cref="Actions"/>, e.g. <c>quarantine</c>, <c>tag-subject</c>) and what finally
/// happened to that recipient (<see cref="Outcome"/>: deliver, quarantine, delete, reject, …). Written when the policy runs;
/// the same <see cref="Key"/> (queue id, recipient, rule) written again replaces the earlier line.
/// </summary>
public sealed record PolicyEventRecord(
    string Key,
    DateTimeOffset Time,
    MailDirection Direction,
    string? QueueId,
    string? Sender,
    string Recipient,
    string? Subject,
    string? MessageId,
    string RuleId,
    string RuleName,
    string? RuleType,
    IReadOnlyList<string> Actions,
    string Outcome,
    string? Reason,
    string? QuarantineId);

/// <summary>Where policy events go.</summary>
public interface IPolicyEventSink
{
    ValueTask RecordAsync(IReadOnlyList<PolicyEventRecord> events, CancellationToken ct);

    /// <summary>The events since <paramref name="since"/> (all when null), the latest line of each key.</summary>
    IAsyncEnumerable<PolicyEventRecord> ReadAsync(DateTimeOffset? since, CancellationToken ct);
}

/// <summary>
/// Policy events as JSON lines, one file per UTC day (<c>YYYY-MM-DD.jsonl</c>) beside mail tracking. Day files older than
/// <see cref="Retention"/> are deleted when a new day's file is started.
/// </summary>
public sealed class JsonLinesPolicyEventSink(string directory) : IPolicyEventSink
{
    /// <summary>How long events are kept, as long as mail tracking.</summary>
    public static TimeSpan Retention => SmtpGateway.TrackingRetention;

    private readonly string _directory = Path.GetFullPath(directory);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _lastDay;

    public async ValueTask RecordAsync(IReadOnlyList<PolicyEventRecord> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(_directory);
            foreach (var byDay in events.GroupBy(e => DayOf(e.Time)))
            {
                if (_lastDay != byDay.Key)
                {
                    _lastDay = byDay.Key;
                    RemoveDaysBefore(DateOnly.FromDateTime(byDay.First().Time.UtcDateTime - Retention));
                }
                var lines = byDay.Select(e => JsonSerializer.Serialize(e, PolicyEventJson.Default.PolicyEventRecord));
                await File.AppendAllLinesAsync(Path.Combine(_directory, byDay.Key + ".jsonl"), lines, new UTF8Encoding(false), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async IAsyncEnumerable<PolicyEventRecord> ReadAsync(DateTimeOffset? since, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(_directory)) yield break;
        var latest = new Dictionary<string, PolicyEventRecord>(StringComparer.Ordinal);
        foreach (var (file, day) in Days().OrderBy(d => d.Day))
        {
            if (since is { } s && day < DateOnly.FromDateTime(s.UtcDateTime)) continue;
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length is 0 or > 1_000_000) continue;
                try
                {
                    if (JsonSerializer.Deserialize(line, PolicyEventJson.Default.PolicyEventRecord) is { } e) latest[e.Key] = e;
                }
                catch (JsonException) { } // a line cut short by a crash
            }
        }
        foreach (var e in latest.Values.Where(e => since is null || e.Time >= since))
            yield return e;
    }

    private void RemoveDaysBefore(DateOnly cutoff)
    {
        foreach (var (file, day) in Days().Where(d => d.Day < cutoff))
            File.Delete(file);
    }

    private IEnumerable<(string File, DateOnly Day)> Days() =>
        Directory.EnumerateFiles(_directory, "*.jsonl")
            .Select(f => (File: f, Ok: DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(f), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d), Day: d))
            .Where(x => x.Ok).Select(x => (x.File, x.Day));

    private static string DayOf(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(PolicyEventRecord))]
internal sealed partial class PolicyEventJson : JsonSerializerContext;
