using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sekisho.Model;
using Sekisho.Model.Settings;
using Sekisho.Smtp;
using Sekisho.Store;
using SmtpDomain = Sekisho.Smtp.ManagedDomain;
using SmtpInbound = Sekisho.Smtp.InboundServer;

namespace Sekisho.Cli.Hosting;

/// <summary>
/// The gateway's view of the organization's policy, read from the store and refreshed every few seconds, so that
/// `sekisho domain …` and policy changes made while the gateway runs take effect without a restart.
/// </summary>
internal sealed class StorePolicyView(SekishoStore store, Organization organization, ILogger<StorePolicyView> log, TimeSpan? interval = null)
    : BackgroundService, IManagedDomainCatalog, ITlsPolicyProvider
{
    private volatile ManagedDomainView _domains = ManagedDomainView.Empty;
    private volatile PolicySnapshot _snapshot = PolicySnapshot.Empty;

    public ManagedDomainView Current => _domains;

    /// <summary>The latest policy snapshot read from the store.</summary>
    public PolicySnapshot Snapshot => _snapshot;

    /// <summary>Reads the store once (called before the gateway starts, so it never listens with an empty view).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        // A read session: on SQLite a write session would hold the write lock while a large policy loads (a second or
        // more), and every rule edit made meanwhile from the console, the API or the command line would wait for it.
        await using var s = await store.BeginReadAsync(organization, "gateway", ct);
        var snapshot = await s.LoadSnapshotAsync(ct);
        _snapshot = snapshot;
        _domains = new ManagedDomainView(snapshot.Domains.Select(ToGateway));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval ?? TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await RefreshAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep serving with the last good view; the store may be briefly unavailable.
                log.LogWarning(e, "policy refresh failed; keeping the previous view");
            }
        }
    }

    public TlsPolicy ForPeer(MailDirection direction, string recipientDomain)
    {
        var d = direction == MailDirection.Inbound ? Model.Rules.Direction.Inbound : Model.Rules.Direction.Outbound;
        var peers = _snapshot.Settings.TlsPeers.Where(p => p.Direction == d).ToList();
        var match = peers.FirstOrDefault(p => string.Equals(p.Peer, recipientDomain, StringComparison.OrdinalIgnoreCase))
                    ?? peers.FirstOrDefault(p => p.Peer.StartsWith("*.", StringComparison.Ordinal) && recipientDomain.EndsWith(p.Peer[1..], StringComparison.OrdinalIgnoreCase))
                    ?? peers.FirstOrDefault(p => p.Peer == "*");
        if (match is null) return TlsPolicy.Opportunistic;
        var min = match.MinimumVersion switch
        {
            "1.3" => System.Security.Authentication.SslProtocols.Tls13,
            "1.2" => System.Security.Authentication.SslProtocols.Tls12,
            _ => System.Security.Authentication.SslProtocols.None,
        };
        return new TlsPolicy(match.Level switch
        {
            TlsLevel.None => TlsSecurityLevel.None,
            TlsLevel.Mandatory => TlsSecurityLevel.Mandatory,
            TlsLevel.MandatoryVerify => TlsSecurityLevel.MandatoryVerify,
            _ => TlsSecurityLevel.Opportunistic,
        }, min);
    }

    private static SmtpDomain ToGateway(Model.Domains.ManagedDomain d) => new(
        d.Name, d.IsVerified,
        d.InboundServers.Select(s => new SmtpInbound(s.Recipient, s.Host, s.Port, s.Preference)).ToList(),
        d.Outbound.AllowedIps.Select(ip => ip.Contains('/') ? IPNetwork.Parse(ip) : new IPNetwork(IPAddress.Parse(ip), IPAddress.Parse(ip).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)).ToList());
}
