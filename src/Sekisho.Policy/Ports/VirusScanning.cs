using Sekisho.Model.Rules;

namespace Sekisho.Policy.Ports;

/// <summary>One malware detection.</summary>
/// <param name="Signature">The engine's signature name (e.g. <c>Win.Test.EICAR_HDB-1</c>).</param>
/// <param name="Type">The detection type virus rules act on.</param>
/// <param name="SpywareCategory">A grayware category (<c>spyware</c>, <c>adware</c>, …) or null for malware.</param>
public sealed record VirusDetection(string Signature, DetectionType Type, string? SpywareCategory = null);

/// <summary>The antivirus verdict for one scanned object (a whole message or one part).</summary>
public sealed record VirusVerdict(ScanStatus Status, IReadOnlyList<VirusDetection> Detections, string? Error = null)
{
    public bool Infected => Detections.Count > 0;
    /// <summary>
    /// For <see cref="ScanStatus.Unavailable"/>: the operator chose fail-open (deliver, marked with a header) instead of
    /// fail-closed (defer with 4xx until the engine is back).
    /// </summary>
    public bool FailOpen { get; init; }
    public static VirusVerdict Clean { get; } = new(ScanStatus.Completed, []);
    public static VirusVerdict Unavailable(string error) => new(ScanStatus.Unavailable, [], error);
}

/// <summary>
/// An antivirus engine (clamd). The policy scans the whole message (the engine opens MIME and archives itself)
/// and, when it must act on single attachments, each attachment's decoded bytes.
/// </summary>
public interface IVirusScanner
{
    /// <summary>Scans <paramref name="content"/>; <paramref name="name"/> is for logs only.</summary>
    ValueTask<VirusVerdict> ScanAsync(Stream content, string? name, CancellationToken ct);

    /// <summary>Whether the engine can repair infected content (ClamAV cannot; "clean" then deletes the part).</summary>
    bool CanClean { get; }
}
