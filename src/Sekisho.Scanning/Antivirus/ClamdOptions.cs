using System.Globalization;

namespace Sekisho.Scanning.Antivirus;

/// <summary>How the gateway reaches clamd and what it does when clamd cannot answer.</summary>
public sealed record ClamdOptions
{
    /// <summary>clamd endpoints: <c>HOST:PORT</c> (TCP) or <c>unix:/path/to/clamd.ctl</c>; scans rotate over the healthy ones.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = ["127.0.0.1:3310"];
    /// <summary>clamd's configuration file: its <c>StreamMaxLength</c> is the largest stream sent (never a hard-coded limit).</summary>
    public string? ConfigFile { get; init; }
    /// <summary>Overrides the limit read from <see cref="ConfigFile"/>; clamd's default is 25 MiB.</summary>
    public long? StreamMaxLength { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan ScanTimeout { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>An endpoint that failed is skipped for this long before it is tried (or health-checked) again.</summary>
    public TimeSpan RetryDownAfter { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Fail-open: when no clamd answers, deliver marked with a header; fail-closed (default): defer.</summary>
    public bool FailOpen { get; init; }
    public int ChunkSize { get; init; } = 64 * 1024;

    /// <summary>The stream limit: the override, else <c>StreamMaxLength</c> from clamd.conf, else clamd's default 25M.</summary>
    public long EffectiveStreamMaxLength() =>
        StreamMaxLength ?? (ConfigFile is not null && File.Exists(ConfigFile) ? ReadStreamMaxLength(File.ReadLines(ConfigFile)) : null) ?? 25L * 1024 * 1024;

    /// <summary>Parses <c>StreamMaxLength</c> (bytes, or with a k/K or m/M suffix) from clamd.conf lines; null when absent.</summary>
    public static long? ReadStreamMaxLength(IEnumerable<string> lines)
    {
        long? value = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !parts[0].Equals("StreamMaxLength", StringComparison.OrdinalIgnoreCase)) continue;
            var v = parts[1].Trim();
            long factor = 1;
            if (v.EndsWith('k') || v.EndsWith('K')) { factor = 1024; v = v[..^1]; }
            else if (v.EndsWith('m') || v.EndsWith('M')) { factor = 1024 * 1024; v = v[..^1]; }
            if (long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) value = n * factor;
        }
        return value;
    }
}
