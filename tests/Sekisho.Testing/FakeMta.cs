using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Sekisho.Testing;

/// <summary>One transaction a <see cref="FakeMta"/> accepted.</summary>
public sealed record FakeMtaMessage(int Connection, string MailFrom, string MailParameters, IReadOnlyList<string> Recipients, byte[] Data, string? Tls)
{
    public string Text => Encoding.UTF8.GetString(Data);
}

/// <summary>
/// A remote MTA for delivery tests: a real SMTP server on loopback (written independently of the gateway's
/// server) that records what it accepts and can refuse, stall or disappear on demand.
/// </summary>
public sealed class FakeMta : IAsyncDisposable
{
    private readonly IPAddress _address;
    private readonly X509Certificate2? _certificate;
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();
    private readonly ConcurrentDictionary<Socket, byte> _clients = new();
    private int _connections;
    private readonly SemaphoreSlim _arrivals = new(0, int.MaxValue);

    public FakeMta(X509Certificate2? certificate = null, IPAddress? address = null, int port = 0)
    {
        _address = address ?? IPAddress.Loopback;
        _certificate = certificate;
        Port = port;
    }

    public int Port { get; private set; }
    public IPEndPoint Endpoint => new(_address, Port);
    public ConcurrentQueue<FakeMtaMessage> Messages { get; } = new();
    public int Connections => Volatile.Read(ref _connections);
    public bool Pipelining { get; set; } = true;
    public bool EightBitMime { get; set; } = true;
    public bool SmtpUtf8 { get; set; } = true;
    public bool OfferStartTls { get; set; } = true;
    /// <summary>Reply to RCPT per address (default 250).</summary>
    public Func<string, string> RcptReply { get; set; } = _ => "250 2.1.5 Ok";
    /// <summary>Reply after the data (default 250).</summary>
    public Func<string> DataReply { get; set; } = () => "250 2.0.0 Ok: queued";
    /// <summary>What the data reply does before it is sent (e.g. wait for the test).</summary>
    public Func<Task>? BeforeDataReply { get; set; }
    public string Greeting { get; set; } = "220 fake.test ESMTP";

    public FakeMta Start()
    {
        _cts = new CancellationTokenSource();
        _listener = new TcpListener(_address, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync(_listener, _cts.Token);
        return this;
    }

    /// <summary>Stops listening and drops every connection; <see cref="Start"/> brings it back on the same port.</summary>
    public async Task StopAsync()
    {
        await _cts.CancelAsync();
        _listener?.Stop();
        foreach (var c in _clients.Keys) { try { c.Close(); } catch (ObjectDisposedException) { } }
        _clients.Clear();
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (polling with a deadline).</summary>
    public async Task<IReadOnlyList<FakeMtaMessage>> WaitForMessagesAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Messages.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"expected {count} messages at the fake MTA, got {Messages.Count}");
            await _arrivals.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
        return Messages.ToArray();
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket s;
            try { s = await listener.AcceptSocketAsync(ct); }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            s.NoDelay = true;
            _clients[s] = 0;
            var id = Interlocked.Increment(ref _connections);
            _ = Task.Run(async () =>
            {
                try { await SessionAsync(s, id, ct); }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException) { }
                finally
                {
                    _clients.TryRemove(s, out _);
                    s.Dispose();
                }
            }, CancellationToken.None);
        }
    }

    private async Task SessionAsync(Socket socket, int id, CancellationToken ct)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new LineReader(stream);
        string? tls = null;
        await Write(stream, Greeting);
        string? from = null, parameters = null;
        var rcpts = new List<string>();
        while (!ct.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(ct);
            if (line is null) return;
            var upper = line.ToUpperInvariant();
            if (upper.StartsWith("EHLO", StringComparison.Ordinal))
            {
                var caps = new List<string> { "fake.test", "SIZE 104857600" };
                if (Pipelining) caps.Add("PIPELINING");
                if (EightBitMime) caps.Add("8BITMIME");
                if (SmtpUtf8) caps.Add("SMTPUTF8");
                if (OfferStartTls && _certificate is not null && tls is null) caps.Add("STARTTLS");
                caps.Add("ENHANCEDSTATUSCODES");
                var sb = new StringBuilder();
                for (var i = 0; i < caps.Count; i++) sb.Append(i == caps.Count - 1 ? "250 " : "250-").Append(caps[i]).Append("\r\n");
                await WriteRaw(stream, sb.ToString());
            }
            else if (upper.StartsWith("HELO", StringComparison.Ordinal)) await Write(stream, "250 fake.test");
            else if (upper == "STARTTLS" && _certificate is not null && tls is null)
            {
                await Write(stream, "220 2.0.0 go ahead");
                var ssl = new SslStream(stream, false);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, ct);
                stream = ssl;
                reader = new LineReader(ssl);
                tls = ssl.SslProtocol.ToString();
            }
            else if (upper.StartsWith("MAIL FROM:", StringComparison.Ordinal))
            {
                var gt = line.IndexOf('>');
                from = line[(line.IndexOf('<') + 1)..gt];
                parameters = line[(gt + 1)..].Trim();
                rcpts.Clear();
                await Write(stream, "250 2.1.0 Ok");
            }
            else if (upper.StartsWith("RCPT TO:", StringComparison.Ordinal))
            {
                var addr = line[(line.IndexOf('<') + 1)..line.LastIndexOf('>')];
                var reply = RcptReply(addr);
                if (reply.StartsWith('2')) rcpts.Add(addr);
                await Write(stream, reply);
            }
            else if (upper == "DATA")
            {
                if (from is null || rcpts.Count == 0) { await Write(stream, "554 5.5.1 no valid recipients"); continue; }
                await Write(stream, "354 go ahead");
                var data = await reader.ReadDataAsync(ct);
                if (data is null) return;
                if (BeforeDataReply is not null) await BeforeDataReply();
                var reply = DataReply();
                if (reply.StartsWith('2'))
                {
                    Messages.Enqueue(new FakeMtaMessage(id, from, parameters ?? "", rcpts.ToArray(), data, tls));
                    _arrivals.Release();
                }
                await Write(stream, reply);
                from = null;
                rcpts.Clear();
            }
            else if (upper == "RSET") { from = null; rcpts.Clear(); await Write(stream, "250 2.0.0 Ok"); }
            else if (upper == "NOOP") await Write(stream, "250 2.0.0 Ok");
            else if (upper == "QUIT") { await Write(stream, "221 2.0.0 Bye"); return; }
            else await Write(stream, "502 5.5.2 unknown");
        }
    }

    private static Task Write(Stream s, string line) => WriteRaw(s, line + "\r\n");

    private static async Task WriteRaw(Stream s, string text)
    {
        await s.WriteAsync(Encoding.UTF8.GetBytes(text));
        await s.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _cts.Dispose();
    }

    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buf = new byte[64 * 1024];
        private int _start, _end;

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var bytes = await ReadLineBytesAsync(ct);
            return bytes is null ? null : Encoding.UTF8.GetString(bytes, 0, bytes.Length - 2);
        }

        /// <summary>Reads up to "CRLF.CRLF" and removes dot-stuffing.</summary>
        public async Task<byte[]?> ReadDataAsync(CancellationToken ct)
        {
            var ms = new MemoryStream();
            while (true)
            {
                var line = await ReadLineBytesAsync(ct);
                if (line is null) return null;
                if (line.Length == 3 && line[0] == '.') return ms.ToArray();
                var offset = line[0] == '.' ? 1 : 0;
                ms.Write(line, offset, line.Length - offset);
            }
        }

        private async Task<byte[]?> ReadLineBytesAsync(CancellationToken ct)
        {
            while (true)
            {
                var span = _buf.AsSpan(_start, _end - _start);
                var lf = span.IndexOf((byte)'\n');
                if (lf >= 0)
                {
                    var line = span[..(lf + 1)].ToArray();
                    _start += lf + 1;
                    if (line.Length < 2 || line[^2] != '\r') throw new InvalidDataException("bare LF from the gateway: " + Encoding.UTF8.GetString(line));
                    return line;
                }
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buf.Length) throw new InvalidDataException("line too long for the fake MTA");
                var n = await stream.ReadAsync(_buf.AsMemory(_end), ct);
                if (n == 0) return null;
                _end += n;
            }
        }
    }
}

/// <summary>Polling with a deadline, for outcomes that arrive asynchronously.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }

    public static string Format(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
