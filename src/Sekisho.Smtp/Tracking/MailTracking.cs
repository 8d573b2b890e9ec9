using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sekisho.Smtp.Tracking;

/// <summary>What happened to a recipient (cegp-target-model §3.13 mail tracking actions).</summary>
public enum TrackingAction
{
    /// <summary>Accepted and waiting in the queue.</summary>
    Queued,
    Delivered,
    /// <summary>A temporary delivery error; the queue retries.</summary>
    Deferred,
    Bounced,
    Expired,
    Quarantined,
    Deleted,
    /// <summary>Refused in the SMTP dialogue (blocked traffic).</summary>
    Rejected,
}

/// <summary>
/// One mail tracking record: one per recipient, replaced as the recipient's state changes
/// (records with the same <see cref="Key"/> are one row).
/// </summary>
public sealed record MailTrackingRecord(
    string Key,
    DateTimeOffset Time,
    MailDirection Direction,
    string? QueueId,
    string? Sender,
    string Recipient,
    string? HeaderFrom,
    string? HeaderTo,
    string? Subject,
    string? MessageId,
    string? ClientAddress,
    string? TlsUpstream,
    string? TlsDownstream,
    TrackingAction Action,
    string? DeliveryStatus,
    string? NextHop,
    IReadOnlyList<string> Rules,
    long Size);

/// <summary>Filters for <c>sekisho log mail</c>. Address filters accept <c>*</c> wildcards; a subject in double quotes matches exactly, otherwise every word must occur.</summary>
public sealed record MailTrackingQuery
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public string? Sender { get; init; }
    public string? Recipient { get; init; }
    public string? Subject { get; init; }
    public TrackingAction? Status { get; init; }
    public MailDirection? Direction { get; init; }
    public string? MessageId { get; init; }
    public string? QueueId { get; init; }
    /// <summary>At most this many records, newest first (50,000 is the export ceiling).</summary>
    public int Limit { get; init; } = 1000;
    public const int MaxLimit = 50_000;

    public bool Matches(MailTrackingRecord r)
    {
        if (Since is { } s && r.Time < s) return false;
        if (Until is { } u && r.Time > u) return false;
        if (Status is { } st && r.Action != st) return false;
        if (Direction is { } d && r.Direction != d) return false;
        if (QueueId is not null && !string.Equals(QueueId, r.QueueId, StringComparison.OrdinalIgnoreCase)) return false;
        if (MessageId is not null && !string.Equals(MessageId.Trim('<', '>'), r.MessageId?.Trim('<', '>'), StringComparison.Ordinal)) return false;
        if (Sender is not null && !Wildcard.Matches(Sender, r.Sender ?? "")) return false;
        if (Recipient is not null && !Wildcard.Matches(Recipient, r.Recipient)) return false;
        if (Subject is not null && !SubjectMatches(Subject, r.Subject ?? "")) return false;
        return true;
    }

    private static bool SubjectMatches(string query, string subject)
    {
        if (query.Length >= 2 && query[0] == '"' && query[^1] == '"') return string.Equals(query[1..^1], subject, StringComparison.Ordinal);
        foreach (var word in query.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (!subject.Contains(word, StringComparison.CurrentCultureIgnoreCase)) return false;
        return true;
    }
}

/// <summary>Case-insensitive <c>*</c> wildcards without regular expressions (no backtracking blow-up: greedy two-pointer match).</summary>
public static class Wildcard
{
    public static bool Matches(string pattern, string text)
    {
        if (!pattern.Contains('*')) return string.Equals(pattern, text, StringComparison.OrdinalIgnoreCase);
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

/// <summary>Where mail tracking records go. The Store will provide a database-backed one; files and memory are here.</summary>
public interface IMailTrackingSink
{
    /// <summary>Adds or replaces (by <see cref="MailTrackingRecord.Key"/>) records.</summary>
    ValueTask RecordAsync(IReadOnlyList<MailTrackingRecord> records, CancellationToken ct);

    /// <summary>The current row of every key that matches, newest first.</summary>
    IAsyncEnumerable<MailTrackingRecord> QueryAsync(MailTrackingQuery query, CancellationToken ct);

    /// <summary>Removes records older than <paramref name="before"/> (retention, 90 days by default).</summary>
    ValueTask<int> PurgeAsync(DateTimeOffset before, CancellationToken ct);
}

/// <summary>Tracking in memory (tests, embedded runs).</summary>
public sealed class InMemoryMailTrackingSink : IMailTrackingSink
{
    private readonly ConcurrentDictionary<string, MailTrackingRecord> _rows = new();

    public ValueTask RecordAsync(IReadOnlyList<MailTrackingRecord> records, CancellationToken ct)
    {
        foreach (var r in records) _rows[r.Key] = r;
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<MailTrackingRecord> QueryAsync(MailTrackingQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var r in _rows.Values.Where(query.Matches).OrderByDescending(r => r.Time).Take(Math.Clamp(query.Limit, 1, MailTrackingQuery.MaxLimit)))
        {
            ct.ThrowIfCancellationRequested();
            yield return r;
        }
    }

    public ValueTask<int> PurgeAsync(DateTimeOffset before, CancellationToken ct)
    {
        var n = 0;
        foreach (var (k, v) in _rows)
            if (v.Time < before && _rows.TryRemove(k, out _)) n++;
        return ValueTask.FromResult(n);
    }

    public IReadOnlyCollection<MailTrackingRecord> Snapshot => _rows.Values.ToList();
}

/// <summary>
/// Tracking in JSON-lines files, one per UTC day (<c>YYYY-MM-DD.jsonl</c>). A later line with the same key
/// replaces an earlier one. Purging deletes whole day files, so retention costs nothing per record.
/// </summary>
public sealed class JsonLinesMailTrackingSink : IMailTrackingSink, IAsyncDisposable
{
    private readonly string _directory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private StreamWriter? _writer;
    private string? _writerDay;

    public JsonLinesMailTrackingSink(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public async ValueTask RecordAsync(IReadOnlyList<MailTrackingRecord> records, CancellationToken ct)
    {
        if (records.Count == 0) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var r in records)
            {
                var day = r.Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (_writer is null || _writerDay != day)
                {
                    if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
                    _writer = new StreamWriter(new FileStream(Path.Combine(_directory, day + ".jsonl"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
                    _writerDay = day;
                }
                await _writer.WriteLineAsync(JsonSerializer.Serialize(r, TrackingJson.Default.MailTrackingRecord).AsMemory(), ct).ConfigureAwait(false);
            }
            await _writer!.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async IAsyncEnumerable<MailTrackingRecord> QueryAsync(MailTrackingQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        var rows = new Dictionary<string, MailTrackingRecord>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.jsonl").Order(StringComparer.Ordinal))
        {
            if (!DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(file), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) continue;
            // A key's later rows may sit in later files, so only files before Since are skipped.
            if (query.Since is { } since && day < DateOnly.FromDateTime(since.UtcDateTime)) continue;
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0 || line.Length > 1_000_000) continue;
                MailTrackingRecord? r;
                try { r = JsonSerializer.Deserialize(line, TrackingJson.Default.MailTrackingRecord); }
                catch (JsonException) { continue; } // a torn last line after a crash
                if (r is not null) rows[r.Key] = r;
            }
        }
        foreach (var r in rows.Values.Where(query.Matches).OrderByDescending(r => r.Time).Take(Math.Clamp(query.Limit, 1, MailTrackingQuery.MaxLimit)))
            yield return r;
    }

    public async ValueTask<int> PurgeAsync(DateTimeOffset before, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var n = 0;
            var cutoff = DateOnly.FromDateTime(before.UtcDateTime);
            foreach (var file in Directory.EnumerateFiles(_directory, "*.jsonl"))
            {
                if (DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(file), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day < cutoff)
                {
                    if (_writerDay is not null && file.EndsWith(_writerDay + ".jsonl", StringComparison.Ordinal) && _writer is not null)
                    {
                        await _writer.DisposeAsync().ConfigureAwait(false);
                        _writer = null;
                        _writerDay = null;
                    }
                    File.Delete(file);
                    n++;
                }
            }
            return n;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(MailTrackingRecord))]
[JsonSerializable(typeof(List<MailTrackingRecord>))]
public sealed partial class TrackingJson : JsonSerializerContext;
