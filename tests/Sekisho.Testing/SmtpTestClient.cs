using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Sekisho.Testing;

/// <summary>A parsed SMTP reply as a test sees it.</summary>
public sealed record TestReply(int Code, IReadOnlyList<string> Lines)
{
    public string Text => string.Join("\n", Lines);
    /// <summary>The enhanced status code of the first line, or empty.</summary>
    public string Enhanced => Lines.Count > 0 && Lines[0].Split(' ')[0] is { } first && first.Count(c => c == '.') == 2 && char.IsAsciiDigit(first[0]) ? first : "";
    public override string ToString() => $"{Code} {string.Join(" | ", Lines)}";
}

/// <summary>
/// A raw-socket SMTP client for dialogue tests: it sends exactly the bytes it is given (so tests can pipeline,
/// send bare LF, talk early or inject after STARTTLS) and parses replies strictly.
/// </summary>
public sealed class SmtpTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _buf = new byte[64 * 1024];
    private int _start;
    private int _end;

    private SmtpTestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>How long a read may wait before the test fails (generous; tests never depend on it).</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public string? TlsProtocol { get; private set; }

    public static async Task<SmtpTestClient> ConnectAsync(IPEndPoint server, IPAddress? from = null)
    {
        var s = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null) s.Bind(new IPEndPoint(from, 0));
        await s.ConnectAsync(server);
        return new SmtpTestClient(s);
    }

    /// <summary>Connects and reads the greeting (asserting 220).</summary>
    public static async Task<SmtpTestClient> ConnectAndGreetAsync(IPEndPoint server, IPAddress? from = null)
    {
        var c = await ConnectAsync(server, from);
        var greeting = await c.ReadReplyAsync();
        if (greeting.Code != 220) throw new InvalidOperationException("unexpected greeting " + greeting);
        return c;
    }

    public async Task SendRawAsync(string text) => await SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends one command line (CRLF added) and reads its reply.</summary>
    public async Task<TestReply> CommandAsync(string line)
    {
        await SendRawAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    public async Task<TestReply> EhloAsync(string name = "client.test") => await CommandAsync("EHLO " + name);

    /// <summary>STARTTLS, TLS handshake (any server certificate), then EHLO again.</summary>
    public async Task<TestReply> StartTlsAsync(string ehloName = "client.test")
    {
        var r = await CommandAsync("STARTTLS");
        if (r.Code != 220) throw new InvalidOperationException("STARTTLS refused: " + r);
        await UpgradeToTlsAsync();
        return await EhloAsync(ehloName);
    }

    /// <summary>Upgrades the connection to TLS (the STARTTLS command has been answered already).</summary>
    public async Task UpgradeToTlsAsync()
    {
        var ssl = new SslStream(_stream, false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 });
        _stream = ssl;
        _start = _end = 0;
        TlsProtocol = ssl.SslProtocol.ToString();
    }

    /// <summary>Sends a whole transaction the ordinary way; returns the final reply.</summary>
    public async Task<TestReply> SendMessageAsync(string from, IEnumerable<string> to, string message, string? mailParams = null)
    {
        var r = await CommandAsync($"MAIL FROM:<{from}>" + (mailParams is null ? "" : " " + mailParams));
        if (r.Code != 250) return r;
        var any = false;
        foreach (var t in to)
        {
            r = await CommandAsync($"RCPT TO:<{t}>");
            if (r.Code == 250) any = true;
        }
        if (!any) return r;
        r = await CommandAsync("DATA");
        if (r.Code != 354) return r;
        await SendRawAsync(DotStuff(message) + ".\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Dot-stuffs a message and makes sure it ends with CRLF.</summary>
    public static string DotStuff(string message)
    {
        var m = message.EndsWith("\r\n", StringComparison.Ordinal) ? message : message + "\r\n";
        var sb = new StringBuilder(m.Length + 16);
        var atStart = true;
        foreach (var c in m)
        {
            if (atStart && c == '.') sb.Append('.');
            sb.Append(c);
            atStart = c == '\n';
        }
        return sb.ToString();
    }

    public async Task<TestReply> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException("connection closed while waiting for a reply" + (lines.Count > 0 ? " after " + string.Join("|", lines) : ""));
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
                throw new InvalidDataException("malformed reply line: " + line);
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] == ' ') return new TestReply(code, lines);
            if (line[3] != '-') throw new InvalidDataException("malformed reply line: " + line);
        }
    }

    /// <summary>True when the server closed the connection (after reading whatever it still sent).</summary>
    public async Task<bool> IsClosedAsync()
    {
        try
        {
            while (await ReadLineAsync() is not null) { }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var span = _buf.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                if (lf == 0 || span[lf - 1] != '\r') throw new InvalidDataException("reply line not ended by CRLF");
                var s = Encoding.UTF8.GetString(span[..(lf - 1)]);
                _start += lf + 1;
                return s;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            using var cts = new CancellationTokenSource(ReadTimeout);
            int n;
            try
            {
                n = await _stream.ReadAsync(_buf.AsMemory(_end), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no reply from the server within " + ReadTimeout);
            }
            if (n == 0) return null;
            _end += n;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await _stream.DisposeAsync(); } catch (IOException) { }
        _socket.Dispose();
    }
}
