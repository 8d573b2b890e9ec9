using System.Net;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;
using Sekisho.Policy.Ports;

namespace Sekisho.Cli.Hosting;

/// <summary>
/// A part of the gateway built from the settings, rebuilt when the settings it reads change in the store-backed policy
/// view (which re-reads the store every few seconds), so settings saved in the console or the CLI take effect while
/// <c>serve</c> runs. Unchanged settings keep the built part (and its state, e.g. rate-limit counters).
/// </summary>
internal sealed class SettingsBound<T>(Func<GatewaySettings> settings, Func<GatewaySettings, string> fingerprint, Func<GatewaySettings, T> build) where T : class
{
    private readonly Lock _gate = new();
    private GatewaySettings? _seen;
    private string? _fingerprint;
    private T? _current;

    public T Current
    {
        get
        {
            var s = settings();
            lock (_gate)
            {
                if (ReferenceEquals(s, _seen) && _current is not null) return _current;
                var fp = fingerprint(s);
                if (_current is null || fp != _fingerprint)
                {
                    _current = build(s);
                    _fingerprint = fp;
                }
                _seen = s;
                return _current;
            }
        }
    }

    /// <summary>The fingerprint of some parts of the settings (their JSON).</summary>
    public static string Of(params object[] parts) => string.Join("\n", parts.Select(p => ModelJson.Serialize(p)));
}

/// <summary>Connection filtering with the settings in force (approved/blocked IPs and senders, DNS blocklists, rate limits).</summary>
internal sealed class LiveConnectionFilter(SettingsBound<IConnectionFilter> filter) : IConnectionFilter
{
    public ValueTask<ConnectionVerdict> CheckClientAsync(IPAddress client, CancellationToken ct) => filter.Current.CheckClientAsync(client, ct);

    public ValueTask<ConnectionVerdict> CheckSenderAsync(IPAddress client, string sender, CancellationToken ct) =>
        filter.Current.CheckSenderAsync(client, sender, ct);

    public ValueTask<ConnectionVerdict> CheckRecipientAsync(IPAddress client, string sender, string recipient, TrafficDirection direction, CancellationToken ct) =>
        filter.Current.CheckRecipientAsync(client, sender, recipient, direction, ct);
}

/// <summary>DKIM signing with the keys in force.</summary>
internal sealed class LiveOutboundSigner(SettingsBound<IOutboundSigner> signer) : IOutboundSigner
{
    public ValueTask<string?> SignAsync(ReadOnlyMemory<byte> message, string senderDomain, CancellationToken ct) => signer.Current.SignAsync(message, senderDomain, ct);
}

/// <summary>Sender authentication with the Sender IP Match pairs in force.</summary>
internal sealed class LiveSenderAuthenticator(SettingsBound<ISenderAuthenticator> authenticator) : ISenderAuthenticator
{
    public ValueTask<AuthenticationVerdict> AuthenticateAsync(ReadOnlyMemory<byte> message, MessageEnvelope envelope, CancellationToken ct) =>
        authenticator.Current.AuthenticateAsync(message, envelope, ct);
}

/// <summary>Web reputation with the approved list and URL keyword exceptions in force.</summary>
internal sealed class LiveUrlReputation(SettingsBound<IUrlReputation> reputation) : IUrlReputation
{
    public ValueTask<IReadOnlyList<UrlReputation>> CheckAsync(IReadOnlyList<string> urls, CancellationToken ct) => reputation.Current.CheckAsync(urls, ct);
}

/// <summary>The ARC sealer of the stored DKIM key named by <c>--arc-seal</c>, or none when that key is no longer stored.</summary>
internal sealed record ArcSealerChoice(IArcSealer? Sealer);

/// <summary>
/// ARC sealing with the stored DKIM key named by <c>--arc-seal</c> as it is now: a replaced key seals the next message; a removed
/// key stops sealing (a warning is logged once) until a key for that domain is stored again. Without a key the sealer adds no
/// fields (an empty string), so mail is delivered unsealed rather than held.
/// </summary>
internal sealed class LiveArcSealer(SettingsBound<ArcSealerChoice> sealer) : IArcSealer
{
    public ValueTask<string> SealAsync(ReadOnlyMemory<byte> message, string authenticationResults, CancellationToken ct) =>
        sealer.Current.Sealer is { } s ? s.SealAsync(message, authenticationResults, ct) : ValueTask.FromResult("");
}
