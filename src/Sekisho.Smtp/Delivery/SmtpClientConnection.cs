using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Server;

namespace Sekisho.Smtp.Delivery;

/// <summary>Thrown when a delivery connection fails before a transaction could start (try the next host).</summary>
internal sealed class HopFailedException(SmtpReply reply) : Exception(reply.ToString())
{
    public SmtpReply Reply { get; } = reply;
}

/// <summary>The replies of one SMTP transaction.</summary>
internal sealed record TransactionReplies(SmtpReply? MessageFailure, IReadOnlyList<SmtpReply> RecipientReplies, SmtpReply? DataReply);

/// <summary>
/// An outgoing SMTP connection (our own client, so the message bytes go out exactly as spooled): EHLO,
/// STARTTLS per policy, PIPELINING, SIZE, 8BITMIME, SMTPUTF8, and reuse for several transactions.
/// </summary>
internal sealed class SmtpClientConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _in = new byte[8192];
    private int _inStart;
    private int _inEnd;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;

    private SmtpClientConnection(Socket socket, NextHop hop, IPAddress address, DeliveryOptions options, TimeProvider time)
    {
        _socket = socket;
        _stream = Stream.Null;
        Hop = hop;
        Address = address;
        _options = options;
        _time = time;
    }

    public NextHop Hop { get; }
    public IPAddress Address { get; }
    public string? TlsProtocol { get; private set; }
    public bool Pipelining { get; private set; }
    public bool EightBitMime { get; private set; }
    public bool SmtpUtf8 { get; private set; }
    public long MaxSize { get; private set; }
    public bool Broken { get; private set; }
    public int Transactions { get; private set; }
    public long LastUsed { get; set; }

    public string Describe() => $"{Hop.Host}[{Address}]:{Hop.Port}";

    /// <summary>Connects, reads the greeting, says EHLO and upgrades to TLS as the hop's policy asks.</summary>
    public static async Task<SmtpClientConnection> OpenAsync(NextHop hop, IPAddress address, string heloName, DeliveryOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var conn = new SmtpClientConnection(socket, hop, address, options, time);
        try
        {
            using (var cts = Timeout(ct, options.ConnectTimeout, time))
            {
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, hop.Port), cts.Token).ConfigureAwait(false);
                    conn._stream = new NetworkStream(socket, ownsSocket: false);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    throw new HopFailedException(new SmtpReply(451, "4.4.1", $"connect to {hop.Host}[{address}]:{hop.Port} failed: {(ex is SocketException se ? se.SocketErrorCode.ToString() : "timeout")}"));
                }
            }
            var greeting = await conn.ReadReplyAsync(options.GreetingTimeout, ct).ConfigureAwait(false);
            if (greeting.Code != 220)
                throw new HopFailedException(new SmtpReply(451, "4.4.0", $"{hop.Host}[{address}] greeted with: {greeting}"));
            await conn.EhloAsync(heloName, ct).ConfigureAwait(false);

            var level = hop.Tls.Level;
            if (level != TlsSecurityLevel.None && (conn._startTls || level != TlsSecurityLevel.Opportunistic))
            {
                if (!conn._startTls)
                    throw new HopFailedException(new SmtpReply(451, "4.7.5", $"TLS is required for {hop.Host} but the server does not offer STARTTLS"));
                await conn.StartTlsAsync(heloName, ct).ConfigureAwait(false);
            }
            return conn;
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new HopFailedException(new SmtpReply(451, "4.4.2", $"lost connection with {hop.Host}[{address}]: {ex.Message}"));
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool _startTls;

    private async Task EhloAsync(string heloName, CancellationToken ct)
    {
        await WriteAsync($"EHLO {heloName}\r\n", ct).ConfigureAwait(false);
        var reply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
        if (reply.Code != 250)
        {
            await WriteAsync($"HELO {heloName}\r\n", ct).ConfigureAwait(false);
            reply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
            if (reply.Code != 250) throw new HopFailedException(new SmtpReply(451, "4.4.0", $"{Hop.Host} refused HELO: {reply}"));
            return;
        }
        Pipelining = EightBitMime = SmtpUtf8 = _startTls = false;
        MaxSize = 0;
        foreach (var line in reply.Lines.Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0].ToUpperInvariant())
            {
                case "PIPELINING": Pipelining = true; break;
                case "8BITMIME": EightBitMime = true; break;
                case "SMTPUTF8": SmtpUtf8 = true; break;
                case "STARTTLS": _startTls = true; break;
                case "SIZE" when parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max): MaxSize = max; break;
            }
        }
    }

    private async Task StartTlsAsync(string heloName, CancellationToken ct)
    {
        await WriteAsync("STARTTLS\r\n", ct).ConfigureAwait(false);
        var reply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
        if (reply.Code != 220) throw new HopFailedException(new SmtpReply(451, "4.7.5", $"{Hop.Host} refused STARTTLS: {reply}"));
        _inStart = _inEnd = 0;
        var verify = Hop.Tls.Level == TlsSecurityLevel.MandatoryVerify;
        string? verifyError = null;
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, cert, chain, errors) =>
        {
            if (!verify) return true;
            verifyError = CertificateCheck.Verify(cert as X509Certificate2 ?? (cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData())), Hop.Host, _options.TrustedRoots, errors);
            return verifyError is null;
        });
        var protocols = Hop.Tls.MinimumProtocol == SslProtocols.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        try
        {
            using var cts = Timeout(ct, _options.CommandTimeout, _time);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = Hop.Host,
                EnabledSslProtocols = protocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, cts.Token).ConfigureAwait(false);
        }
        catch (AuthenticationException ex)
        {
            throw new HopFailedException(new SmtpReply(451, "4.7.5", $"TLS with {Hop.Host} failed: {verifyError ?? ex.Message}"));
        }
        _stream = ssl;
        TlsProtocol = SmtpSession.TlsName(ssl.SslProtocol);
        await EhloAsync(heloName, ct).ConfigureAwait(false);
    }

    /// <summary>Sends one message. Replies are collected per recipient; I/O errors leave the connection broken.</summary>
    public async Task<TransactionReplies> SendAsync(string? sender, IReadOnlyList<string> recipients, IMessageContent content, bool eightBit, bool smtpUtf8, CancellationToken ct)
    {
        if (smtpUtf8 && !SmtpUtf8)
            return new TransactionReplies(new SmtpReply(553, "5.6.7", $"{Hop.Host} does not support SMTPUTF8, which this message needs"), [], null);
        if (MaxSize > 0 && content.Length > MaxSize)
            return new TransactionReplies(new SmtpReply(552, "5.3.4", $"message too big for {Hop.Host} (limit {MaxSize})"), [], null);
        Transactions++;
        try
        {
            var mail = new StringBuilder("MAIL FROM:<").Append(sender).Append('>');
            mail.Append(" SIZE=").Append(content.Length.ToString(CultureInfo.InvariantCulture));
            if (eightBit && EightBitMime) mail.Append(" BODY=8BITMIME");
            if (smtpUtf8) mail.Append(" SMTPUTF8");
            mail.Append("\r\n");
            var rcptReplies = new List<SmtpReply>(recipients.Count);
            SmtpReply mailReply;
            if (Pipelining)
            {
                var sb = new StringBuilder(mail.ToString());
                foreach (var r in recipients) sb.Append("RCPT TO:<").Append(r).Append(">\r\n");
                sb.Append("DATA\r\n");
                await WriteAsync(sb.ToString(), ct).ConfigureAwait(false);
                mailReply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
                foreach (var _ in recipients) rcptReplies.Add(await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false));
                var dataReply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
                if (!mailReply.IsPositive) return await AbandonAsync(mailReply, rcptReplies, dataReply.Code == 354, ct).ConfigureAwait(false);
                if (!rcptReplies.Any(r => r.IsPositive)) return await AbandonAsync(null, rcptReplies, dataReply.Code == 354, ct).ConfigureAwait(false);
                if (dataReply.Code != 354) return new TransactionReplies(dataReply, rcptReplies, null);
            }
            else
            {
                await WriteAsync(mail.ToString(), ct).ConfigureAwait(false);
                mailReply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
                if (!mailReply.IsPositive) return await AbandonAsync(mailReply, [], false, ct).ConfigureAwait(false);
                foreach (var r in recipients)
                {
                    await WriteAsync($"RCPT TO:<{r}>\r\n", ct).ConfigureAwait(false);
                    rcptReplies.Add(await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false));
                }
                if (!rcptReplies.Any(r => r.IsPositive)) return await AbandonAsync(null, rcptReplies, false, ct).ConfigureAwait(false);
                await WriteAsync("DATA\r\n", ct).ConfigureAwait(false);
                var dataReply = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
                if (dataReply.Code != 354) return new TransactionReplies(dataReply, rcptReplies, null);
            }
            await SendContentAsync(content, ct).ConfigureAwait(false);
            var final = await ReadReplyAsync(_options.DataDoneTimeout, ct).ConfigureAwait(false);
            return new TransactionReplies(final.IsPositive ? null : final, rcptReplies, final);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            Broken = true;
            throw new HopFailedException(new SmtpReply(451, "4.4.2", $"lost connection with {Describe()} while sending: {ex.Message}"));
        }
    }

    private async Task<TransactionReplies> AbandonAsync(SmtpReply? mailFailure, List<SmtpReply> rcpts, bool dataAccepted, CancellationToken ct)
    {
        if (dataAccepted)
        {
            // The server said 354 although nothing is deliverable: end the empty message so the session stays in sync.
            await WriteAsync(".\r\n", ct).ConfigureAwait(false);
            await ReadReplyAsync(_options.DataDoneTimeout, ct).ConfigureAwait(false);
        }
        await WriteAsync("RSET\r\n", ct).ConfigureAwait(false);
        var rset = await ReadReplyAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
        if (!rset.IsPositive) Broken = true;
        return new TransactionReplies(mailFailure ?? rcpts.FirstOrDefault(r => !r.IsPositive), rcpts, null);
    }

    /// <summary>Streams the spooled bytes with dot-stuffing; the spool holds only CRLF line endings.</summary>
    private async Task SendContentAsync(IMessageContent content, CancellationToken ct)
    {
        using var src = content.OpenRead();
        var inBuf = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var outBuf = ArrayPool<byte>.Shared.Rent(inBuf.Length * 2 + 8);
        try
        {
        var atLineStart = true;
        byte last1 = 0, last2 = 0;
        using var cts = Timeout(ct, _options.DataTimeout, _time);
        while (true)
        {
            var n = await src.ReadAsync(inBuf.AsMemory(0, 16 * 1024), ct).ConfigureAwait(false);
            if (n <= 0) break;
            var o = 0;
            for (var i = 0; i < n; i++)
            {
                var b = inBuf[i];
                if (atLineStart && b == '.') outBuf[o++] = (byte)'.';
                outBuf[o++] = b;
                atLineStart = b == '\n';
            }
            if (n >= 2) { last2 = inBuf[n - 2]; last1 = inBuf[n - 1]; }
            else { last2 = last1; last1 = inBuf[0]; }
            await _stream.WriteAsync(outBuf.AsMemory(0, o), cts.Token).ConfigureAwait(false);
        }
        var end = last2 == '\r' && last1 == '\n' ? ".\r\n"u8.ToArray() : "\r\n.\r\n"u8.ToArray();
        await _stream.WriteAsync(end, cts.Token).ConfigureAwait(false);
        await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inBuf);
            ArrayPool<byte>.Shared.Return(outBuf);
        }
    }

    public async Task QuitAsync()
    {
        if (Broken) return;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await WriteAsync("QUIT\r\n", cts.Token).ConfigureAwait(false);
            await ReadReplyAsync(TimeSpan.FromSeconds(5), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or HopFailedException)
        {
        }
    }

    private async Task WriteAsync(string text, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var op = Operation(ct, _options.CommandTimeout);
        await _stream.WriteAsync(bytes, op.Token).ConfigureAwait(false);
        await _stream.FlushAsync(op.Token).ConfigureAwait(false);
    }

    /// <summary>Reads a possibly multi-line reply; bounded in line length and line count.</summary>
    internal async Task<SmtpReply> ReadReplyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var op = Operation(ct, timeout);
        var lines = new List<string>();
        var code = 0;
        while (true)
        {
            var line = await ReadLineAsync(op.Token).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c < 200 || c > 599)
            {
                Broken = true;
                throw new IOException($"malformed reply from {Describe()}: {Truncate(line)}");
            }
            code = c;
            var more = line.Length > 3 && line[3] == '-';
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (!more) break;
            if (lines.Count > 200) { Broken = true; throw new IOException($"reply from {Describe()} has too many lines"); }
        }
        string? enhanced = null;
        if (lines[0].Length > 0)
        {
            var sp = lines[0].IndexOf(' ');
            var first = sp < 0 ? lines[0] : lines[0][..sp];
            if (IsEnhanced(first, code))
            {
                enhanced = first;
                for (var i = 0; i < lines.Count; i++)
                    if (lines[i].StartsWith(first, StringComparison.Ordinal)) lines[i] = lines[i][first.Length..].TrimStart();
            }
        }
        return new SmtpReply(code, enhanced, lines);
    }

    private static bool IsEnhanced(string s, int code)
    {
        var parts = s.Split('.');
        return parts.Length == 3 && parts[0].Length == 1 && parts[0][0] == (char)('0' + code / 100)
            && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var span = _in.AsSpan(_inStart, _inEnd - _inStart);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var len = lf > 0 && span[lf - 1] == '\r' ? lf - 1 : lf;
                var s = Encoding.UTF8.GetString(span[..len]);
                _inStart += lf + 1;
                return s;
            }
            if (_inStart > 0)
            {
                Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
                _inEnd -= _inStart;
                _inStart = 0;
            }
            if (_inEnd == _in.Length) { Broken = true; throw new IOException($"reply line from {Describe()} too long"); }
            var n = await _stream.ReadAsync(_in.AsMemory(_inEnd), ct).ConfigureAwait(false);
            if (n <= 0) { Broken = true; throw new IOException($"{Describe()} closed the connection"); }
            _inEnd += n;
        }
    }

    private static string Truncate(string s) => s.Length > 200 ? s[..200] : s;

    private CancellationTokenSource? _op;
    private CancellationToken _opLinkedTo;

    /// <summary>
    /// A timeout for one command or reply. With the system clock one linked source per connection is reset and
    /// reused (a connection serves one transaction at a time), which saves a timer and a link per command.
    /// </summary>
    private OperationScope Operation(CancellationToken ct, TimeSpan timeout)
    {
        if (_time != TimeProvider.System) return new OperationScope(Timeout(ct, timeout, _time), owned: true);
        if (_op is null || _opLinkedTo != ct || !_op.TryReset())
        {
            _op?.Dispose();
            _op = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _opLinkedTo = ct;
        }
        _op.CancelAfter(timeout);
        return new OperationScope(_op, owned: false);
    }

    private readonly struct OperationScope(CancellationTokenSource cts, bool owned) : IDisposable
    {
        public CancellationToken Token => cts.Token;
        public void Dispose()
        {
            if (owned) cts.Dispose();
        }
    }

    private static CancellationTokenSource Timeout(CancellationToken ct, TimeSpan timeout, TimeProvider time)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (time == TimeProvider.System) cts.CancelAfter(timeout);
        else
        {
            var timer = time.CreateTimer(static s => { try { ((CancellationTokenSource)s!).Cancel(); } catch (ObjectDisposedException) { } }, cts, timeout, System.Threading.Timeout.InfiniteTimeSpan);
            cts.Token.Register(static t => ((ITimer)t!).Dispose(), timer);
        }
        return cts;
    }

    public async ValueTask DisposeAsync()
    {
        _op?.Dispose();
        try { await _stream.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}

/// <summary>Certificate checks for <see cref="TlsSecurityLevel.MandatoryVerify"/>.</summary>
internal static class CertificateCheck
{
    /// <summary>Null when the certificate chains to a trusted root and names <paramref name="host"/>; otherwise why not.</summary>
    public static string? Verify(X509Certificate2? cert, string host, X509Certificate2Collection? trustedRoots, SslPolicyErrors errors)
    {
        if (cert is null) return "no certificate";
        if (!cert.MatchesHostname(host, allowWildcards: true, allowCommonName: true)) return $"certificate does not name {host}";
        if (trustedRoots is null || trustedRoots.Count == 0)
            return errors == SslPolicyErrors.None ? null : $"certificate not trusted ({errors})";
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        return chain.Build(cert) ? null : "certificate does not chain to a trusted root";
    }
}
