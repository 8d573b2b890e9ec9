using Sekisho.Model.Rules;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;

namespace Sekisho.Policy.Engine;

/// <summary>
/// What the engine does when a scanner it needs did not answer (<see cref="ScanStatus.Unavailable"/>): fail-closed defers the
/// whole message (<see cref="FinalAction.Defer"/>: 4xx in the dialogue, or retried from the queue), fail-open delivers it
/// with an <c>X-Sekisho-Scan</c> header naming what was not scanned. For the antivirus, an explicitly configured
/// "scan engine unavailable" scan exception decides instead.
/// </summary>
public static class EngineAvailability
{
    /// <summary>The header that marks a message delivered without a scan (fail-open).</summary>
    public const string HeaderName = "X-Sekisho-Scan";

    /// <summary>Who asked for the deferral or the header, in the trace.</summary>
    public static readonly ActionSource Source = new("engine-availability", "engine availability", null);

    /// <summary>True when the operator configured the "scan engine unavailable" scan exception for this direction (it then decides).</summary>
    public static bool ScanExceptionDecides(GatewaySettings settings, Direction direction) =>
        (direction == Direction.Inbound ? settings.ScanExceptions.Inbound : settings.ScanExceptions.Outbound)
        .Any(a => a.Trigger == ScanExceptionTrigger.ScanEngineUnavailable);

    /// <summary>The stage detail of an engine that did not complete: its error and what the gateway does about it.</summary>
    public static string Describe(ScanStatus status, string? error, bool failOpen, bool scanExceptionDecides)
    {
        var what = status != ScanStatus.Unavailable || scanExceptionDecides ? "scan exception"
            : failOpen ? "fail-open: delivered with " + HeaderName
            : "fail-closed: deferred";
        return (error ?? "unavailable") + " (" + what + ")";
    }

    /// <summary>Adds the deferral or the fail-open header for the unavailable engines to the message-wide decisions.</summary>
    internal static void Plan(VirusVerdict? virus, SpamVerdict? spam, bool virusScanExceptionDecides,
        List<(InterceptAction?, ActionSource, string, List<PlannedModify>, List<PlannedMonitor>, FinalAction?)> shared)
    {
        var closed = new List<string>();
        var open = new List<string>();
        if (virus is { Status: ScanStatus.Unavailable } v && !virusScanExceptionDecides)
            (v.FailOpen ? open : closed).Add("antivirus");
        if (spam is { Status: ScanStatus.Unavailable } s)
            (s.FailOpen ? open : closed).Add("antispam");
        if (closed.Count > 0)
            shared.Add((null, Source, string.Join(", ", closed) + " unavailable (fail-closed)", [], [], FinalAction.Defer));
        else if (open.Count > 0)
        {
            var value = string.Join(", ", open) + " unavailable";
            shared.Add((null, Source, value + " (fail-open)", [new PlannedModify(new InsertXHeader(HeaderName, value), Source, [])], [], null));
        }
    }
}
