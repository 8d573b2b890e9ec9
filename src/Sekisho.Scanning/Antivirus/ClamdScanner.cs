using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sekisho.Model.Rules;
using Sekisho.Policy.Ports;

namespace Sekisho.Scanning.Antivirus;

/// <summary>The state of one clamd endpoint as the pool sees it.</summary>
public sealed record ClamdEndpointStatus(string Endpoint, bool Healthy, string? Version, string? Error);

/// <summary>
/// The clamd client (clamd(8) INSTREAM over TCP or a unix socket): a pool of endpoints used round-robin, an endpoint
/// that fails is skipped for a while, streams over clamd's <c>StreamMaxLength</c> are refused before sending, and when
/// no endpoint answers the verdict is <see cref="ScanStatus.Unavailable"/> carrying the fail-open/closed setting.
/// </summary>
public sealed class ClamdScanner : IVirusScanner
{
    private readonly ClamdOptions _options;
    private readonly TimeProvider _time;
    private readonly string[] _endpoints;
    /// <summary>Per endpoint, the UTC ticks until which it is skipped (read and written atomically).</summary>
    private readonly long[] _downUntil;
    private readonly long _streamMax;
    private int _next;

    public ClamdScanner(ClamdOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _endpoints = options.Endpoints.Count > 0 ? options.Endpoints.ToArray() : throw new ArgumentException("at least one clamd endpoint is needed");
        foreach (var e in _endpoints) _ = Parse(e);
        _downUntil = new long[_endpoints.Length];
        _streamMax = options.EffectiveStreamMaxLength();
    }

    /// <summary>The largest stream clamd accepts (from its configuration).</summary>
    public long StreamMaxLength => _streamMax;

    /// <summary>ClamAV cannot repair files: "clean" deletes the part.</summary>
    public bool CanClean => false;

    public async ValueTask<VirusVerdict> ScanAsync(Stream content, string? name, CancellationToken ct)
    {
        ReadOnlyMemory<byte> data;
        if (content.CanSeek && content.Length - content.Position > _streamMax)
            return TooLarge(content.Length - content.Position);
        if (content is MemoryStream ms && ms.TryGetBuffer(out var segment))
            data = segment.AsMemory((int)ms.Position);
        else
        {
            var buffer = new MemoryStream();
            var chunk = new byte[_options.ChunkSize];
            int n;
            while ((n = await content.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > _streamMax) return TooLarge(buffer.Length + n);
                buffer.Write(chunk, 0, n);
            }
            data = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        var errors = new List<string>();
        for (int attempt = 0; attempt < _endpoints.Length; attempt++)
        {
            int i = PickEndpoint();
            if (i < 0) break;
            try
            {
                var reply = await InStreamAsync(_endpoints[i], data, ct).ConfigureAwait(false);
                return Interpret(reply);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                MarkDown(i);
                errors.Add($"{_endpoints[i]}: {e.Message}");
            }
        }
        var error = errors.Count > 0 ? "clamd unreachable (" + string.Join("; ", errors) + ")" : "every clamd endpoint is marked down";
        return VirusVerdict.Unavailable(error) with { FailOpen = _options.FailOpen };
    }

    private VirusVerdict TooLarge(long size) =>
        new(ScanStatus.Failed, [], $"{size} bytes exceed clamd's StreamMaxLength of {_streamMax} bytes");

    /// <summary>PINGs and asks the VERSION of every endpoint, marking each up or down.</summary>
    public async Task<IReadOnlyList<ClamdEndpointStatus>> CheckHealthAsync(CancellationToken ct)
    {
        var result = new List<ClamdEndpointStatus>();
        for (int i = 0; i < _endpoints.Length; i++)
        {
            try
            {
                var pong = await CommandAsync(_endpoints[i], "PING", ct).ConfigureAwait(false);
                if (pong != "PONG") throw new IOException($"unexpected PING reply '{pong}'");
                var version = await CommandAsync(_endpoints[i], "VERSION", ct).ConfigureAwait(false);
                Interlocked.Exchange(ref _downUntil[i], 0);
                result.Add(new(_endpoints[i], true, version, null));
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                MarkDown(i);
                result.Add(new(_endpoints[i], false, null, e.Message));
            }
        }
        return result;
    }

    private void MarkDown(int i) => Interlocked.Exchange(ref _downUntil[i], (_time.GetUtcNow() + _options.RetryDownAfter).UtcTicks);

    private int PickEndpoint()
    {
        long now = _time.GetUtcNow().UtcTicks;
        for (int k = 0; k < _endpoints.Length; k++)
        {
            int i = (int)((uint)Interlocked.Increment(ref _next) % (uint)_endpoints.Length);
            if (Interlocked.Read(ref _downUntil[i]) <= now) return i;
        }
        return -1;
    }

    private static VirusVerdict Interpret(string reply)
    {
        // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        var text = reply.StartsWith("stream: ", StringComparison.Ordinal) ? reply[8..] : reply;
        if (text == "OK") return VirusVerdict.Clean;
        if (text.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            var signatures = text[..^6].Split(", ", StringSplitOptions.RemoveEmptyEntries);
            return new(ScanStatus.Completed, signatures.Select(Classify).ToList());
        }
        return new(ScanStatus.Failed, [], "clamd: " + reply);
    }

    /// <summary>Maps a ClamAV signature name to the detection types virus rules act on.</summary>
    public static VirusDetection Classify(string signature)
    {
        var s = signature.ToLowerInvariant();
        if (s.StartsWith("pua.", StringComparison.Ordinal))
        {
            string category =
                s.Contains("adware") ? "adware" :
                s.Contains("spy") ? "spyware" :
                s.Contains("dialer") ? "dialer" :
                s.Contains("joke") ? "joke" :
                s.Contains("rat") || s.Contains("remote") ? "remote_access" :
                s.Contains("crack") || s.Contains("password") ? "password_cracker" :
                s.Contains("tool") || s.Contains("hack") ? "hacking_tool" : "other";
            return new(signature, DetectionType.Uncleanable, category);
        }
        if (s.StartsWith("heuristics.", StringComparison.Ordinal)) return new(signature, DetectionType.IntelliTrap);
        if (s.StartsWith("email.", StringComparison.Ordinal) || s.Contains(".worm.")) return new(signature, DetectionType.MassMailing);
        return new(signature, DetectionType.Uncleanable);
    }

    private async Task<string> InStreamAsync(string endpoint, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ScanTimeout);
        using var socket = await ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), timeout.Token).ConfigureAwait(false);
        var header = new byte[4];
        for (int offset = 0; offset < data.Length; offset += _options.ChunkSize)
        {
            int n = Math.Min(_options.ChunkSize, data.Length - offset);
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)n);
            await stream.WriteAsync(header, timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync(data.Slice(offset, n), timeout.Token).ConfigureAwait(false);
        }
        BinaryPrimitives.WriteUInt32BigEndian(header, 0);
        await stream.WriteAsync(header, timeout.Token).ConfigureAwait(false);
        return await ReadReplyAsync(stream, timeout.Token).ConfigureAwait(false);
    }

    private async Task<string> CommandAsync(string endpoint, string command, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ConnectTimeout * 2);
        using var socket = await ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("z" + command + "\0"), timeout.Token).ConfigureAwait(false);
        return await ReadReplyAsync(stream, timeout.Token).ConfigureAwait(false);
    }

    private static async Task<string> ReadReplyAsync(Stream stream, CancellationToken ct)
    {
        var reply = new MemoryStream();
        var buffer = new byte[512];
        while (reply.Length < 64 * 1024)
        {
            int n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0) break;
            int nul = Array.IndexOf(buffer, (byte)0, 0, n);
            reply.Write(buffer, 0, nul < 0 ? n : nul);
            if (nul >= 0) break;
        }
        if (reply.Length == 0) throw new IOException("clamd closed the connection without a reply");
        return Encoding.UTF8.GetString(reply.ToArray()).Trim();
    }

    private async Task<Socket> ConnectAsync(string endpoint, CancellationToken ct)
    {
        var target = Parse(endpoint);
        var socket = target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(((IPEndPoint)target).AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connectTimeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(target, connectTimeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static EndPoint Parse(string endpoint)
    {
        if (endpoint.StartsWith("unix:", StringComparison.Ordinal)) return new UnixDomainSocketEndPoint(endpoint[5..]);
        if (IPEndPoint.TryParse(endpoint, out var ip) && ip.Port != 0) return ip;
        throw new FormatException($"'{endpoint}' is not a clamd endpoint (HOST:PORT with an IP address, or unix:/path)");
    }
}
