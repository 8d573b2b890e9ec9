using System.Net;

namespace Sekisho.Smtp.Delivery;

/// <summary>What a connection test to one inbound server found.</summary>
/// <param name="Reachable">The server greeted with 220 and answered EHLO (and STARTTLS when it offered it).</param>
/// <param name="Tls">The TLS protocol agreed after STARTTLS, or null without TLS.</param>
/// <param name="MaxSize">The SIZE the server announced; 0 when it announced none.</param>
/// <param name="Error">Why the test failed, as the delivery would report it.</param>
public sealed record InboundServerProbeResult(string Host, int Port, IPAddress? Address, bool Reachable, string? Tls, long MaxSize, string? Error);

/// <summary>
/// The console's 接続テスト (test connection): connects to an inbound server as a delivery would (greeting, EHLO,
/// STARTTLS when offered), then says QUIT without sending anything.
/// </summary>
public static class InboundServerProbe
{
    public static async Task<InboundServerProbeResult> ProbeAsync(string host, int port, IPAddress address, string heloName, TimeSpan timeout,
        CancellationToken ct)
    {
        var options = new DeliveryOptions { ConnectTimeout = timeout, GreetingTimeout = timeout, CommandTimeout = timeout };
        try
        {
            await using var connection = await SmtpClientConnection.OpenAsync(new NextHop(host, port, 0, TlsPolicy.Opportunistic), address, heloName,
                options, TimeProvider.System, ct).ConfigureAwait(false);
            var result = new InboundServerProbeResult(host, port, address, true, connection.TlsProtocol, connection.MaxSize, null);
            await connection.QuitAsync().ConfigureAwait(false);
            return result;
        }
        catch (HopFailedException e)
        {
            return new InboundServerProbeResult(host, port, address, false, null, 0, e.Reply.ToString());
        }
    }
}
