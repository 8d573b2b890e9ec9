using System.Collections.Concurrent;

namespace Sekisho.Scanning.Reputation;

/// <summary>Counts events per key in fixed one-minute windows (messages per client IP, per recipient).</summary>
public sealed class RateLimiter(int perMinute, TimeProvider time, int maxKeys = 200_000)
{
    private readonly ConcurrentDictionary<string, (long Window, int Count)> _counts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Counts one event for <paramref name="key"/>; false when the key is over its limit in this minute.</summary>
    public bool TryAcquire(string key)
    {
        if (perMinute <= 0) return true;
        long window = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (_counts.Count > maxKeys)
            foreach (var old in _counts.Where(kv => kv.Value.Window < window).Select(kv => kv.Key).ToList()) _counts.TryRemove(old, out _);
        var entry = _counts.AddOrUpdate(key, _ => (window, 1), (_, e) => e.Window == window ? (window, e.Count + 1) : (window, 1));
        return entry.Count <= perMinute;
    }
}
