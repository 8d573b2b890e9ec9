using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sekisho.Mail;
using Sekisho.Model;
using Sekisho.Policy.Apply;
using Sekisho.Policy.Engine;
using Sekisho.Policy.Ports;
using Sekisho.Smtp;
using Sekisho.Store;
using Sekisho.Web.Services;

namespace Sekisho.Cli.Hosting;

/// <summary>Archive copies as files: DATA/archive/AREA/yyyy-MM-dd/ID.eml.</summary>
internal sealed class DirectoryArchiveSink(string root, TimeProvider time) : IArchiveSink
{
    public async Task ArchiveAsync(string? area, string recipient, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        var safeArea = string.Concat((area ?? "default").Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        var dir = Path.Combine(root, safeArea, time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, Ids.New() + ".eml"), message.ToArray(), ct);
    }
}

/// <summary>
/// The policy in force for <c>sekisho serve</c>: rebuilt from the store-backed view whenever its snapshot changes,
/// so rule edits take effect while the gateway runs. Rules that fire get their Last Used time written back.
/// </summary>
internal sealed class StorePolicyRuntime : IPolicyRuntimeSource
{
    private readonly StorePolicyView _view;
    private readonly Func<PolicySnapshot, PolicyRuntime> _build;
    private readonly Lock _gate = new();
    private PolicySnapshot? _seen;
    private string? _fingerprint;
    private PolicyRuntime? _runtime;

    public StorePolicyRuntime(StorePolicyView view, Func<PolicySnapshot, PolicyRuntime> build)
    {
        _view = view;
        _build = build;
    }

    public PolicyRuntime Current
    {
        get
        {
            var snapshot = _view.Snapshot;
            lock (_gate)
            {
                if (ReferenceEquals(snapshot, _seen) && _runtime is not null) return _runtime;
                // The view re-reads the store every few seconds; rebuild (and recompile expressions) only when the
                // policy itself changed, not when a rule's Last Used time moved.
                var fingerprint = Model.Serialization.ModelJson.Serialize(snapshot with { Rules = snapshot.Rules.Select(r => r with { LastUsed = null }).ToList() });
                if (_runtime is null || fingerprint != _fingerprint)
                {
                    _runtime = _build(snapshot);
                    _fingerprint = fingerprint;
                }
                _seen = snapshot;
                return _runtime;
            }
        }
    }
}

/// <summary>Registers the policy engine as the gateway's content policy.</summary>
internal static class PolicyHosting
{
    public static IServiceCollection AddSekishoPolicy(this IServiceCollection services, SekishoStore store, Organization org, StorePolicyView view, string dataDirectory, string? hostName)
    {
        services.AddSingleton<IContentPolicy>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var quarantine = new StoreQuarantineSink(new QuarantineStore(store, org), () => view.Snapshot);
            var archive = new DirectoryArchiveSink(Path.Combine(dataDirectory, "archive"), time);
            // The scanners are optional: registered by the scanning adapters when configured, absent otherwise.
            var ports = new PolicyPorts
            {
                ConnectionFilter = sp.GetService<IConnectionFilter>(),
                Authenticator = sp.GetService<ISenderAuthenticator>(),
                Virus = sp.GetService<IVirusScanner>(),
                Spam = sp.GetService<ISpamScanner>(),
                UrlReputation = sp.GetService<IUrlReputation>(),
            };
            var signer = sp.GetService<IOutboundSigner>();
            var click = sp.GetService<IClickProtection>();
            var runtime = new StorePolicyRuntime(view, snapshot => new PolicyRuntime(
                new PolicyEngine(snapshot, ports, time),
                new PolicyApplier(snapshot, quarantine, archive, ports.Virus, time, new ApplyOptions { HostName = hostName ?? Environment.MachineName }),
                new DeliveryFinisher(snapshot, signer, click, sp.GetService<IArcSealer>())));
            var submitter = new GatewayMailSubmitter(() => sp.GetRequiredService<SmtpGateway>(), view, time, sp.GetRequiredService<IRandomSource>(), signer);
            var log = sp.GetService<ILoggerFactory>()?.CreateLogger("Sekisho.Policy");
            var recorder = new RulesUsedRecorder(store, org, time, log);
            // Policy events (ログ → ポリシーイベント) beside mail tracking in the spool.
            var events = new Sekisho.Smtp.Tracking.JsonLinesPolicyEventSink(Path.Combine(dataDirectory, "spool", "policy-events"));
            return new PolicyContentPolicy(runtime, new MessageInspector(timeProvider: time), submitter, recorder.Record, log, events);
        });
        services.AddHostedService(sp => new QuarantinePurge(new QuarantineStore(store, org), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("Sekisho.Quarantine")));
        return services;
    }
}

/// <summary>Deletes quarantined messages past their retention, at start and then every hour.</summary>
internal sealed class QuarantinePurge(QuarantineStore quarantine, TimeProvider time, ILogger? log) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                var n = await quarantine.PurgeAsync(stoppingToken);
                if (n > 0) log?.LogInformation("quarantine: purged {Count} messages past their retention", n);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log?.LogWarning(e, "quarantine purge failed; trying again later");
            }
        }
        while (await WaitAsync(stoppingToken));
    }

    private async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromHours(1), time, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Writes the rules' Last Used times in batches (at most one store write every few seconds, not one per message).</summary>
internal sealed class RulesUsedRecorder(SekishoStore store, Organization org, TimeProvider time, ILogger? log)
{
    private readonly Lock _gate = new();
    private Dictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);
    private DateTimeOffset _lastFlush = DateTimeOffset.MinValue;
    private bool _flushing;

    public void Record(IReadOnlyCollection<string> ids, DateTimeOffset when)
    {
        Dictionary<string, DateTimeOffset>? batch = null;
        lock (_gate)
        {
            foreach (var id in ids) _pending[id] = when;
            if (!_flushing && time.GetUtcNow() - _lastFlush >= TimeSpan.FromSeconds(5))
            {
                batch = _pending;
                _pending = new(StringComparer.Ordinal);
                _flushing = true;
                _lastFlush = time.GetUtcNow();
            }
        }
        if (batch is not null) _ = FlushAsync(batch);
    }

    private async Task FlushAsync(Dictionary<string, DateTimeOffset> batch)
    {
        try
        {
            await using var s = await store.BeginAsync(org, "gateway");
            foreach (var group in batch.GroupBy(kv => kv.Value))
                await s.TouchRulesUsedAsync(group.Select(kv => kv.Key), group.Key);
            await s.CommitAsync();
        }
        catch (Exception e)
        {
            log?.LogWarning(e, "could not record the rules' last use");
        }
        finally
        {
            lock (_gate) _flushing = false;
        }
    }
}
