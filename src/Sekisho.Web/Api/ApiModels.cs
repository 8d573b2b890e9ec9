using Sekisho.Model.Domains;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Store;
using Sekisho.Web.Services;

namespace Sekisho.Web.Api;

/// <summary>A domain as the API returns it.</summary>
public sealed record DomainDto(string Name, string Status, string? StatusReason, IReadOnlyList<InboundServer> InboundServers, string OutboundProvider,
    IReadOnlyList<string> OutboundIps, string VerificationRecord, DateTimeOffset Added, DateTimeOffset? VerifiedAt)
{
    public static DomainDto From(ManagedDomain d) => new(d.Name, ModelJson.EnumName(d.Status), d.StatusReason, d.InboundServers,
        ModelJson.EnumName(d.Outbound.Provider), d.Outbound.AllowedIps, d.VerificationRecord, d.Added, d.VerifiedAt);
}

/// <summary>A domain to add or change: inbound servers as <c>HOST[:PORT][,PREF]</c>, outbound servers as IP addresses or CIDR ranges.</summary>
public sealed record DomainRequest(string? Name, IReadOnlyList<string>? InboundServers, IReadOnlyList<string>? OutboundIps)
{
    public DomainInput ToInput(string? name = null) => new(name ?? Name ?? "", string.Join('\n', InboundServers ?? []), string.Join('\n', OutboundIps ?? []));
}

/// <summary>The result of an ownership check.</summary>
public sealed record VerificationDto(string Outcome, IReadOnlyList<string> TxtValues, string? Error, DomainDto Domain);

/// <summary>A row of a policy list (受信保護 / 送信保護).</summary>
public sealed record RuleDto(string Id, string Name, string Direction, string Type, int Order, bool Enabled, bool Active, string? MigrationStatus,
    string Action, string Level, DateTimeOffset Modified, DateTimeOffset? LastUsed, IReadOnlyList<FindingDto> Findings)
{
    public static RuleDto From(Rule r) => new(r.Id, r.Name, ModelJson.EnumName(r.Direction), ModelJson.EnumName(r.Type), r.Order, r.Enabled, r.IsActive,
        r.Migration is null ? null : ModelJson.EnumName(r.Migration.Status), CriterionNames.Of(r.Actions.Intercept), ModelJson.EnumName(r.Level), r.Modified, r.LastUsed,
        (r.Migration?.Findings ?? []).Select(f => new FindingDto(f.Code, ModelJson.EnumName(f.Status), f.Message.Ja, f.Message.En, f.Fix.Ja, f.Fix.En)).ToList());
}

/// <summary>A migration finding with its message and fix instruction in both languages.</summary>
public sealed record FindingDto(string Code, string Status, string MessageJa, string MessageEn, string FixJa, string FixEn);

/// <summary>The migration tool's state: the console's current run and the latest task in the store (前回の移行).</summary>
public sealed record MigrationStatusDto(string Stage, string? FileName, string Mode, int? Percent, string? ErrorJa, string? ErrorEn, MigrationCounts? Counts, LatestTaskDto? Latest)
{
    public static MigrationStatusDto From(WizardState s, MigrationTask? latest) => new(ModelJson.EnumName(s.Stage), s.FileName, ModelJson.EnumName(s.Mode), s.Percent,
        s.Error?.Ja, s.Error?.En, s.Counts, latest is null ? null : LatestTaskDto.From(latest));
}

/// <summary>The latest migration task and when its reports expire.</summary>
public sealed record LatestTaskDto(string Id, string FileName, string Mode, string State, DateTimeOffset Created, DateTimeOffset? Completed, MigrationCounts Counts,
    string? Error, DateTimeOffset ReportsExpire, bool HasAnalysisReport, bool HasMigrationReport)
{
    public static LatestTaskDto From(MigrationTask t) => new(t.Id, t.FileName, t.Mode, ModelJson.EnumName(t.State), t.Created, t.Completed, t.Counts, t.Error,
        Migration.Apply.MigrationRunner.ReportsExpire(t), t.AnalysisReport is not null, t.MigrationReport is not null);
}

/// <summary>An error: a stable code and the message in both languages (title in the request's language).</summary>
public sealed record ApiError(string Code, string Title, string MessageJa, string MessageEn);

/// <summary>A quarantined message as the API lists it.</summary>
public sealed record QuarantineItemDto(string Id, DateTimeOffset Quarantined, DateTimeOffset Expires, DateTimeOffset Received, string Direction, string Sender, string Recipient,
    string Subject, string RuleId, string Rule, string Reason, string? Area, long Size, string? QueueId)
{
    public static QuarantineItemDto From(QuarantinedMessage m) => new(m.Id, m.Quarantined, m.Expires, m.Received, ModelJson.EnumName(m.Direction), m.Sender, m.Recipient,
        m.Subject, m.RuleId, m.RuleName, m.Reason, m.Area, m.Size, m.QueueId);
}

/// <summary>A quarantined message with the stored policy trace (explain) that put it there.</summary>
public sealed record QuarantineDetailDto(QuarantineItemDto Message, System.Text.Json.Nodes.JsonNode? Trace)
{
    public static QuarantineDetailDto From(QuarantinedMessage m)
    {
        System.Text.Json.Nodes.JsonNode? trace = null;
        try { trace = System.Text.Json.Nodes.JsonNode.Parse(m.Trace); }
        catch (System.Text.Json.JsonException) { }
        return new(QuarantineItemDto.From(m), trace);
    }
}

/// <summary>One inbound server's connection test.</summary>
public sealed record ConnectionTestDto(string Host, int Port, string? Address, bool Reachable, string? Tls, long MaxSize, string? Error)
{
    public static ConnectionTestDto From(Sekisho.Smtp.Delivery.InboundServerProbeResult r) =>
        new(r.Host, r.Port, r.Address?.ToString(), r.Reachable, r.Tls, r.MaxSize, r.Error);
}
