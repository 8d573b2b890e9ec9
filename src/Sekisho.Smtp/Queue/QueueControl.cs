using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Spool;

namespace Sekisho.Smtp.Queue;

/// <summary>A request on the queue control socket (one JSON object per line).</summary>
internal sealed record ControlRequest(string Op, string? Id);

/// <summary>The answer: exactly one of the fields is set, or <see cref="Error"/>.</summary>
internal sealed record ControlResponse(
    IReadOnlyList<QueueMessageSummary>? List = null,
    QueueMessageDetail? Detail = null,
    int? Count = null,
    bool? Done = null,
    string? Error = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
internal sealed partial class ControlJson : JsonSerializerContext;

/// <summary>
/// Serves queue management to <c>sekisho queue …</c> run as another process while the gateway runs: a Unix
/// socket <c>control.sock</c> in the spool, owner-only (0600), one JSON request per line.
/// </summary>
internal sealed class QueueControlServer : IAsyncDisposable
{
    private const int MaxRequest = 4096;
    private readonly IQueueAdministration _admin;
    private readonly ILogger _log;
    private readonly Socket _socket;
    private readonly string _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public QueueControlServer(string path, IQueueAdministration admin, ILogger log)
    {
        _path = path;
        _admin = admin;
        _log = log;
        if (File.Exists(path)) File.Delete(path); // left by a killed process; we hold the spool lock
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _socket.Listen(16);
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        await using (var stream = new NetworkStream(client, ownsSocket: false))
        {
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                cts.CancelAfter(TimeSpan.FromSeconds(30));
                var buf = new byte[MaxRequest];
                var n = 0;
                while (n < buf.Length)
                {
                    var r = await stream.ReadAsync(buf.AsMemory(n), cts.Token).ConfigureAwait(false);
                    if (r == 0) break;
                    n += r;
                    if (Array.IndexOf(buf, (byte)'\n', 0, n) >= 0) break;
                }
                var response = Handle(buf.AsSpan(0, n));
                var bytes = JsonSerializer.SerializeToUtf8Bytes(response, ControlJson.Default.ControlResponse);
                await stream.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
                await stream.WriteAsync("\n"u8.ToArray(), cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                _log.LogDebug("Queue control request failed: {Error}", ex.Message);
            }
        }
    }

    private ControlResponse Handle(ReadOnlySpan<byte> line)
    {
        ControlRequest? req;
        try { req = JsonSerializer.Deserialize(line.TrimEnd("\r\n"u8), ControlJson.Default.ControlRequest); }
        catch (JsonException ex) { return new ControlResponse(Error: "bad request: " + ex.Message); }
        if (req is null) return new ControlResponse(Error: "empty request");
        if (req.Id is { } id && !QueueIds.IsValid(id.Trim().ToUpperInvariant())) return new ControlResponse(Error: $"'{id}' is not a queue ID");
        _log.LogInformation("Queue control: {Op} {Id}", req.Op, req.Id ?? "");
        return req.Op switch
        {
            "list" => new ControlResponse(List: _admin.List()),
            "show" when req.Id is not null => new ControlResponse(Detail: _admin.Show(req.Id), Done: _admin.Show(req.Id) is not null),
            "retry" => new ControlResponse(Count: _admin.Retry(req.Id)),
            "hold" when req.Id is not null => new ControlResponse(Done: _admin.Hold(req.Id)),
            "release" when req.Id is not null => new ControlResponse(Done: _admin.Release(req.Id)),
            "delete" when req.Id is not null => new ControlResponse(Done: _admin.Delete(req.Id)),
            _ => new ControlResponse(Error: $"unknown operation '{req.Op}' (or missing id)"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        try { File.Delete(_path); } catch (IOException) { }
        _stop.Dispose();
    }
}

/// <summary>Queue management through the control socket of a running gateway.</summary>
public sealed class QueueControlClient(string socketPath) : IQueueAdministration
{
    public IReadOnlyList<QueueMessageSummary> List() => Call(new ControlRequest("list", null)).List ?? [];
    public QueueMessageDetail? Show(string id) => Call(new ControlRequest("show", id)).Detail;
    public int Retry(string? id) => Call(new ControlRequest("retry", id)).Count ?? 0;
    public bool Hold(string id) => Call(new ControlRequest("hold", id)).Done ?? false;
    public bool Release(string id) => Call(new ControlRequest("release", id)).Done ?? false;
    public bool Delete(string id) => Call(new ControlRequest("delete", id)).Done ?? false;

    private ControlResponse Call(ControlRequest request)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 30_000, SendTimeout = 30_000 };
        s.Connect(new UnixDomainSocketEndPoint(socketPath));
        s.Send([.. JsonSerializer.SerializeToUtf8Bytes(request, ControlJson.Default.ControlRequest), (byte)'\n']);
        var ms = new MemoryStream();
        var buf = new byte[64 * 1024];
        while (true)
        {
            var n = s.Receive(buf);
            if (n == 0) break;
            ms.Write(buf, 0, n);
            if (buf[n - 1] == '\n') break;
            if (ms.Length > 64L * 1024 * 1024) throw new InvalidDataException("control response too large");
        }
        var response = JsonSerializer.Deserialize(ms.ToArray().AsSpan().TrimEnd("\n"u8), ControlJson.Default.ControlResponse)
            ?? throw new InvalidDataException("empty control response");
        if (response.Error is not null) throw new InvalidOperationException(response.Error);
        return response;
    }
}

/// <summary>How <c>sekisho queue …</c> gets at the queue: through the running gateway, or directly on the spool when none runs.</summary>
public static class QueueAdministrationAccess
{
    /// <summary>
    /// The running gateway's control socket when it holds the spool, otherwise the spool opened offline
    /// (dispose it to release the lock). Throws <see cref="SpoolLockedException"/> if neither is possible.
    /// </summary>
    public static IQueueAdministration Open(string spoolDirectory)
    {
        var spool = Path.GetFullPath(spoolDirectory);
        if (SpoolStore.IsLocked(spool))
        {
            var sock = Path.Combine(spool, "control.sock");
            if (!File.Exists(sock)) throw new SpoolLockedException(spool);
            return new QueueControlClient(sock);
        }
        return OfflineQueueAdministration.Open(spool);
    }
}
