using System.Net;

namespace Sekisho.Policy.Ports;

/// <summary>Which way a message travels through the gateway, as the policy sees it.</summary>
public enum TrafficDirection
{
    /// <summary>To a managed domain.</summary>
    Inbound,
    /// <summary>From a managed domain.</summary>
    Outbound,
}

/// <summary>The SMTP envelope and connection facts of one message, as the scanners need them.</summary>
/// <param name="ClientIp">The connecting client's address.</param>
/// <param name="HeloName">The EHLO/HELO argument, or null.</param>
/// <param name="Sender">The envelope sender (MAIL FROM); empty for the null reverse-path.</param>
/// <param name="Recipients">The envelope recipients.</param>
/// <param name="AuthenticatedUser">The SMTP AUTH user, or null.</param>
/// <param name="QueueId">The gateway's queue id (for engine logs), or null.</param>
public sealed record MessageEnvelope(
    IPAddress ClientIp,
    string? HeloName,
    string Sender,
    IReadOnlyList<string> Recipients,
    TrafficDirection Direction,
    string? AuthenticatedUser = null,
    string? QueueId = null);

/// <summary>Whether an engine answered; every verdict carries one so rules can treat "engine down" explicitly.</summary>
public enum ScanStatus
{
    /// <summary>The engine scanned and answered.</summary>
    Completed,
    /// <summary>The engine could not be reached or timed out (fail-open / fail-closed decides).</summary>
    Unavailable,
    /// <summary>The engine refused the input (too large, unsupported) or answered with an error.</summary>
    Failed,
}

/// <summary>One named finding of an engine, in the rspamd manner (symbol and score).</summary>
/// <param name="Engine">e.g. <c>clamav</c>, <c>rspamd</c>, <c>spf</c>.</param>
/// <param name="Name">The symbol or signature name.</param>
/// <param name="Score">The score it contributed, if the engine scores.</param>
/// <param name="Detail">Free text (options, the part or file it was found in).</param>
public sealed record EngineFinding(string Engine, string Name, double? Score = null, string? Detail = null);
