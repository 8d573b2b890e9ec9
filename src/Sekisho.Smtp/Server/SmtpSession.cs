using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Queue;
using Sekisho.Smtp.Spool;
using Sekisho.Smtp.Tracking;

namespace Sekisho.Smtp.Server;

/// <summary>One SMTP server session (RFC 5321 with PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS, CHUNKING, AUTH).</summary>
internal sealed class SmtpSession : IDisposable
{
    private readonly Socket _socket;
    private readonly ListenerOptions _listener;
    private readonly SmtpServerContext _ctx;
    private readonly SmtpServerLimits _limits;
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly CancellationTokenSource _timeout;
    private Stream _stream;
    private SmtpInput _input;
    private SessionFacts _facts;
    private SslStream? _tls;
    private bool _ehlo;
    private int _errors;
    private int _authFailures;
    private int _rcptSeq;

    // Transaction
    private bool _inTransaction;
    private SmtpMailbox? _sender;
    private SenderDecision _senderDecision = SenderDecision.Inbound;
    private readonly List<QueuedRecipient> _recipients = [];
    private bool _smtpUtf8;
    private bool _body8Bit;
    private BdatState? _bdat;

    private sealed class BdatState(IncomingMessage message, ChunkDecoder decoder)
    {
        public IncomingMessage Message { get; } = message;
        public ChunkDecoder Decoder { get; } = decoder;
    }

    public SmtpSession(Socket socket, ListenerOptions listener, SmtpServerContext ctx, string sessionId)
    {
        _socket = socket;
        _listener = listener;
        _ctx = ctx;
        _limits = ctx.Options.Limits;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = new SmtpInput(_stream, Math.Max(16 * 1024, _limits.MaxCommandLineLength + 2), FlushAsync);
        _timeout = new CancellationTokenSource();
        _facts = new SessionFacts(sessionId, listener.Kind, (IPEndPoint)socket.RemoteEndPoint!, (IPEndPoint)socket.LocalEndPoint!, ctx.Time.GetUtcNow());
    }

    public SessionFacts Facts => _facts;

    /// <summary>Set by the listener when the server stops: the session ends after the current transaction.</summary>
    public bool StopRequested { get; set; }

    private volatile bool _interrupted;

    /// <summary>Wakes a session that waits for its next command so that it says 421 and closes (graceful stop).</summary>
    public void InterruptIdleRead()
    {
        _interrupted = true;
        try { _timeout.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>True while a message transaction is open (MAIL given, not yet finished).</summary>
    public bool InTransaction => _inTransaction;

    public async Task RunAsync(CancellationToken hardStop)
    {
        using var reg = hardStop.Register(() => { try { _socket.Close(); } catch (ObjectDisposedException) { } });
        try
        {
            if (!await GreetAsync(hardStop).ConfigureAwait(false)) return;
            while (!hardStop.IsCancellationRequested)
            {
                if (StopRequested && !_inTransaction)
                {
                    await SendNowAsync(SmtpReply.Server.ShuttingDown).ConfigureAwait(false);
                    return;
                }
                var (status, line) = await ReadCommandAsync(_limits.CommandTimeout).ConfigureAwait(false);
                if (status == LineStatus.Closed) return;
                if (status == LineStatus.TooLong)
                {
                    if (!await ErrorAsync(SmtpReply.Server.LineTooLong).ConfigureAwait(false)) return;
                    continue;
                }
                if (!await DispatchAsync(line, hardStop).ConfigureAwait(false)) return;
            }
        }
        catch (OperationCanceledException) when (_interrupted && !hardStop.IsCancellationRequested)
        {
            await TrySendAsync(SmtpReply.Server.ShuttingDown).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_timeout.IsCancellationRequested && !hardStop.IsCancellationRequested)
        {
            _ctx.Log.LogInformation("{Session}: timeout from {Client}", _facts.SessionId, _facts.Client);
            await TrySendAsync(SmtpReply.Server.CommandTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException or OperationCanceledException)
        {
            _ctx.Log.LogDebug("{Session}: connection lost: {Error}", _facts.SessionId, ex.Message);
        }
        finally
        {
            AbortTransaction();
        }
    }

    private async Task<bool> GreetAsync(CancellationToken ct)
    {
        var refusal = await _ctx.Authority.CheckClientAsync(_facts, ct).ConfigureAwait(false);
        if (refusal is not null)
        {
            _ctx.Metrics.ConnectionRefused();
            _ctx.Log.LogInformation("{Session}: client {Client} refused: {Reply}", _facts.SessionId, _facts.Client, refusal);
            await TrySendAsync(refusal with { Code = refusal.IsTransient ? 421 : 554 }).ConfigureAwait(false);
            return false;
        }
        if (await TalkedEarlyAsync(ct).ConfigureAwait(false))
        {
            _ctx.Metrics.ConnectionRefused();
            _ctx.Log.LogInformation("{Session}: early talker {Client}", _facts.SessionId, _facts.Client);
            await TrySendAsync(SmtpReply.Server.EarlyTalker).ConfigureAwait(false);
            return false;
        }
        Reply(new SmtpReply(220, null, $"{_ctx.Options.HostName} ESMTP Sekisho"));
        await FlushAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Anything the client sends before our banner is a protocol violation (a spam-bot habit).</summary>
    private async Task<bool> TalkedEarlyAsync(CancellationToken ct)
    {
        var delay = _limits.GreetingDelay;
        if (delay <= TimeSpan.Zero) return _socket.Available > 0;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var read = _input.FillAsync(cts.Token).AsTask();
        var wait = Task.Delay(delay, _ctx.Time, cts.Token);
        var first = await Task.WhenAny(read, wait).ConfigureAwait(false);
        if (first == read)
        {
            try { await read.ConfigureAwait(false); } catch (IOException) { }
            return true;
        }
        // Cancelling a pending socket read would abort the socket on some platforms, so we
        // wait for the read to land after the banner: its bytes stay in the input buffer.
        _pendingEarlyRead = read;
        return false;
    }

    private Task<bool>? _pendingEarlyRead;

    private async ValueTask<(LineStatus, string)> ReadCommandAsync(TimeSpan timeout)
    {
        if (_pendingEarlyRead is { } pending)
        {
            _pendingEarlyRead = null;
            await FlushAsync().ConfigureAwait(false);
            bool more;
            try { more = await pending.WaitAsync(timeout, _ctx.Time).ConfigureAwait(false); }
            catch (TimeoutException)
            {
                _timeout.Cancel();
                throw new OperationCanceledException(_timeout.Token);
            }
            if (!more) return (LineStatus.Closed, "");
        }
        using var t = StartTimeout(timeout);
        return await _input.ReadLineAsync(_limits.MaxCommandLineLength, _timeout.Token).ConfigureAwait(false);
    }

    private IDisposable StartTimeout(TimeSpan timeout)
    {
        var ok = _timeout.TryReset();
        if (!ok) throw new OperationCanceledException(_timeout.Token);
        if (_ctx.Time == TimeProvider.System)
        {
            // The common case: the source's own timer, reused across reads.
            _timeout.CancelAfter(timeout);
            return NoTimer.Instance;
        }
        return _ctx.Time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), _timeout, timeout, Timeout.InfiniteTimeSpan);
    }

    private sealed class NoTimer : IDisposable
    {
        public static readonly NoTimer Instance = new();
        public void Dispose() { }
    }

    private async Task<bool> DispatchAsync(string line, CancellationToken ct)
    {
        var sp = line.IndexOf(' ');
        var verb = (sp < 0 ? line : line[..sp]).ToUpperInvariant();
        var args = sp < 0 ? "" : line[(sp + 1)..];
        switch (verb)
        {
            case "EHLO": return await HeloAsync(args, extended: true).ConfigureAwait(false);
            case "HELO": return await HeloAsync(args, extended: false).ConfigureAwait(false);
            case "MAIL": return await MailAsync(args, ct).ConfigureAwait(false);
            case "RCPT": return await RcptAsync(args, ct).ConfigureAwait(false);
            case "DATA": return await DataAsync(args, ct).ConfigureAwait(false);
            case "BDAT": return await BdatAsync(args, ct).ConfigureAwait(false);
            case "RSET":
                if (args.Length > 0) return await ErrorAsync(SmtpReply.Server.SyntaxError).ConfigureAwait(false);
                AbortTransaction();
                Reply(SmtpReply.Server.Ok);
                return true;
            case "NOOP":
                Reply(SmtpReply.Server.Ok);
                return true;
            case "QUIT":
                Reply(SmtpReply.Server.Bye);
                await FlushAsync().ConfigureAwait(false);
                return false;
            case "STARTTLS": return await StartTlsAsync(args, ct).ConfigureAwait(false);
            case "AUTH": return await AuthAsync(args, ct).ConfigureAwait(false);
            case "VRFY":
                Reply(SmtpReply.Server.VrfyCannot);
                return true;
            case "EXPN":
                return await ErrorAsync(SmtpReply.Server.NotImplemented).ConfigureAwait(false);
            case "HELP":
                Reply(new SmtpReply(214, "2.0.0", "See RFC 5321"));
                return true;
            // HTTP and proxy requests sent to an SMTP port are attacks on other protocols: hang up (Postfix smtpd_forbidden_commands).
            case "GET" or "POST" or "CONNECT" or "PUT" or "HEAD" or "USER":
                _ctx.Log.LogInformation("{Session}: non-SMTP command {Verb} from {Client}", _facts.SessionId, verb, _facts.Client);
                Reply(SmtpReply.Server.ForbiddenCommand);
                await FlushAsync().ConfigureAwait(false);
                return false;
            default:
                return await ErrorAsync(SmtpReply.Server.Unrecognized).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------ HELO / EHLO

    private async Task<bool> HeloAsync(string args, bool extended)
    {
        var name = args.Trim();
        if (name.Length == 0 || name.Contains(' ')) return await ErrorAsync(new SmtpReply(501, "5.5.4", extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname")).ConfigureAwait(false);
        AbortTransaction();
        _facts = _facts with { HeloName = name.Length > 255 ? name[..255] : name };
        _ehlo = true;
        if (!extended)
        {
            Reply(new SmtpReply(250, null, _ctx.Options.HostName));
            return true;
        }
        var lines = new List<string>
        {
            _ctx.Options.HostName,
            "PIPELINING",
            "SIZE " + _limits.MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
        };
        if (_tls is null && _ctx.Certificate is not null) lines.Add("STARTTLS");
        if (_listener.Kind == ListenerKind.Submission && _tls is not null && _facts.AuthenticatedUser is null && _ctx.Authenticator is not null)
            lines.Add("AUTH PLAIN LOGIN");
        Reply(new SmtpReply(250, null, lines));
        return true;
    }

    // ------------------------------------------------------------ STARTTLS

    private async Task<bool> StartTlsAsync(string args, CancellationToken ct)
    {
        if (args.Length > 0) return await ErrorAsync(SmtpReply.Server.SyntaxError).ConfigureAwait(false);
        if (_tls is not null) return await ErrorAsync(SmtpReply.Server.TlsAlreadyActive).ConfigureAwait(false);
        if (_ctx.Certificate is null) return await ErrorAsync(SmtpReply.Server.TlsNotAvailable).ConfigureAwait(false);
        if (!_ehlo) return await ErrorAsync(SmtpReply.Server.BadSequenceHelo).ConfigureAwait(false);
        Reply(SmtpReply.Server.ReadyToStartTls);
        await FlushAsync().ConfigureAwait(false);
        // RFC 3207 §4.2 / CVE-2011-0411: bytes pipelined after STARTTLS arrived in plaintext and must not be
        // executed inside the TLS session.
        if (_input.Buffered > 0)
            _ctx.Log.LogInformation("{Session}: discarded {Bytes} plaintext bytes sent after STARTTLS by {Client}", _facts.SessionId, _input.Buffered, _facts.Client);
        _input.DiscardBuffered();
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using (StartTimeout(_limits.TlsHandshakeTimeout))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _timeout.Token))
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _ctx.Certificate,
                ClientCertificateRequired = false,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, linked.Token).ConfigureAwait(false);
        }
        _tls = ssl;
        _stream = ssl;
        _input.ReplaceStream(ssl);
        // RFC 3207 §4.2: forget everything learned before TLS.
        AbortTransaction();
        _ehlo = false;
        _facts = _facts with { HeloName = null, TlsProtocol = TlsName(ssl.SslProtocol), TlsCipher = ssl.NegotiatedCipherSuite.ToString() };
        return true;
    }

    internal static string TlsName(SslProtocols p) => p switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
#pragma warning disable SYSLIB0039
        SslProtocols.Tls11 => "TLSv1.1",
        SslProtocols.Tls => "TLSv1.0",
#pragma warning restore SYSLIB0039
        _ => p.ToString(),
    };

    // ------------------------------------------------------------ AUTH

    private async Task<bool> AuthAsync(string args, CancellationToken ct)
    {
        if (_listener.Kind != ListenerKind.Submission || _ctx.Authenticator is null) return await ErrorAsync(SmtpReply.Server.AuthNotEnabled).ConfigureAwait(false);
        if (_tls is null) return await ErrorAsync(SmtpReply.Server.MustStartTls).ConfigureAwait(false);
        if (!_ehlo) return await ErrorAsync(SmtpReply.Server.BadSequenceHelo).ConfigureAwait(false);
        if (_facts.AuthenticatedUser is not null) return await ErrorAsync(SmtpReply.Server.AlreadyAuthenticated).ConfigureAwait(false);
        if (_inTransaction) return await ErrorAsync(new SmtpReply(503, "5.5.1", "AUTH not allowed during a mail transaction")).ConfigureAwait(false);

        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2) return await ErrorAsync(SmtpReply.Server.SyntaxError).ConfigureAwait(false);
        var mechanism = parts[0].ToUpperInvariant();
        string? user, password;
        if (mechanism == "PLAIN")
        {
            var response = parts.Length == 2 ? parts[1] : await ChallengeAsync("").ConfigureAwait(false);
            if (response is null) return false;
            if (response == "*") return await ErrorAsync(SmtpReply.Server.AuthCancelled).ConfigureAwait(false);
            var decoded = DecodeBase64(response == "=" ? "" : response);
            if (decoded is null) return await ErrorAsync(SmtpReply.Server.AuthBadEncoding).ConfigureAwait(false);
            var fields = decoded.Split('\0');
            if (fields.Length != 3) return await ErrorAsync(SmtpReply.Server.AuthBadEncoding).ConfigureAwait(false);
            (user, password) = (fields[1], fields[2]);
            if (fields[0].Length > 0 && fields[0] != fields[1]) return await AuthFailedAsync().ConfigureAwait(false);
        }
        else if (mechanism == "LOGIN")
        {
            string? u64 = parts.Length == 2 ? parts[1] : await ChallengeAsync("VXNlcm5hbWU6").ConfigureAwait(false);
            if (u64 is null) return false;
            if (u64 == "*") return await ErrorAsync(SmtpReply.Server.AuthCancelled).ConfigureAwait(false);
            user = DecodeBase64(u64);
            if (user is null) return await ErrorAsync(SmtpReply.Server.AuthBadEncoding).ConfigureAwait(false);
            var p64 = await ChallengeAsync("UGFzc3dvcmQ6").ConfigureAwait(false);
            if (p64 is null) return false;
            if (p64 == "*") return await ErrorAsync(SmtpReply.Server.AuthCancelled).ConfigureAwait(false);
            password = DecodeBase64(p64);
            if (password is null) return await ErrorAsync(SmtpReply.Server.AuthBadEncoding).ConfigureAwait(false);
        }
        else
        {
            return await ErrorAsync(SmtpReply.Server.AuthMechanismUnsupported).ConfigureAwait(false);
        }

        var result = await _ctx.Authenticator.AuthenticateAsync(user, password, _facts, ct).ConfigureAwait(false);
        if (result.Temporary) return await ErrorAsync(SmtpReply.Server.AuthTemporaryFailure).ConfigureAwait(false);
        if (!result.Succeeded) return await AuthFailedAsync().ConfigureAwait(false);
        _facts = _facts with { AuthenticatedUser = result.UserName ?? user, AuthorizedSenders = result.AuthorizedSenders };
        _ctx.Log.LogInformation("{Session}: authenticated {User} from {Client}", _facts.SessionId, _facts.AuthenticatedUser, _facts.Client);
        Reply(SmtpReply.Server.AuthSucceeded);
        return true;
    }

    private async Task<bool> AuthFailedAsync()
    {
        _authFailures++;
        _ctx.Log.LogWarning("{Session}: authentication failed from {Client}", _facts.SessionId, _facts.Client);
        if (_authFailures >= _limits.MaxAuthFailures)
        {
            Reply(SmtpReply.Server.AuthFailed);
            Reply(SmtpReply.Server.TooManyErrors);
            await FlushAsync().ConfigureAwait(false);
            return false;
        }
        return await ErrorAsync(SmtpReply.Server.AuthFailed).ConfigureAwait(false);
    }

    private async Task<string?> ChallengeAsync(string base64Prompt)
    {
        Reply(new SmtpReply(334, null, base64Prompt));
        var (status, line) = await ReadCommandAsync(_limits.CommandTimeout).ConfigureAwait(false);
        if (status == LineStatus.Closed) return null;
        return status == LineStatus.TooLong ? "\u0001invalid" : line.Trim();
    }

    private static string? DecodeBase64(string s)
    {
        var bytes = new byte[(s.Length * 3 + 3) / 4];
        if (!Convert.TryFromBase64String(s, bytes, out var n)) return null;
        try { return new UTF8Encoding(false, true).GetString(bytes, 0, n); }
        catch (DecoderFallbackException) { return null; }
    }

    // ------------------------------------------------------------ MAIL / RCPT

    private async Task<bool> MailAsync(string args, CancellationToken ct)
    {
        if (!_ehlo) return await ErrorAsync(SmtpReply.Server.BadSequenceHelo).ConfigureAwait(false);
        if (_inTransaction) return await ErrorAsync(SmtpReply.Server.BadSequenceNestedMail).ConfigureAwait(false);
        if (_listener.Kind == ListenerKind.Submission)
        {
            if (_tls is null) return await ErrorAsync(SmtpReply.Server.MustStartTls).ConfigureAwait(false);
            if (_facts.AuthenticatedUser is null) return await ErrorAsync(SmtpReply.Server.AuthRequired).ConfigureAwait(false);
        }
        if (!args.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase)) return await ErrorAsync(new SmtpReply(501, "5.5.4", "Syntax: MAIL FROM:<address>")).ConfigureAwait(false);
        var rest = args[5..].TrimStart(' ');
        var path = SmtpPathParser.ParsePath(rest, allowNull: true, allowBarePostmaster: false);
        if (!path.Success) return await ErrorAsync(path.Error!).ConfigureAwait(false);

        bool utf8 = false, eightBit = false;
        long size = 0;
        foreach (var p in rest[path.Consumed..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = p.IndexOf('=');
            var key = (eq < 0 ? p : p[..eq]).ToUpperInvariant();
            var value = eq < 0 ? null : p[(eq + 1)..];
            switch (key)
            {
                case "SIZE" when value is not null && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                    size = s;
                    break;
                case "BODY" when value is not null && value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase):
                    eightBit = true;
                    break;
                case "BODY" when value is not null && value.Equals("7BIT", StringComparison.OrdinalIgnoreCase):
                    break;
                case "SMTPUTF8" when value is null:
                    utf8 = true;
                    break;
                case "AUTH" when value is not null && _facts.AuthenticatedUser is not null:
                    break; // RFC 4954 §5: accepted, not trusted
                default:
                    return await ErrorAsync(SmtpReply.Server.UnknownParameter).ConfigureAwait(false);
            }
        }
        if (path.Mailbox is { NeedsSmtpUtf8: true } && !utf8) return await ErrorAsync(SmtpReply.Server.NeedSmtpUtf8).ConfigureAwait(false);
        if (size > _limits.MaxMessageSize)
        {
            _ctx.Metrics.MessageRejected();
            return await ErrorAsync(SmtpReply.Server.MessageTooBigDeclared).ConfigureAwait(false);
        }

        var decision = await _ctx.Authority.CheckSenderAsync(_facts, path.Mailbox, ct).ConfigureAwait(false);
        if (decision.Reject is not null)
        {
            _ctx.Log.LogInformation("{Session}: sender <{Sender}> refused from {Client}: {Reply}", _facts.SessionId, path.Mailbox?.Address ?? "", _facts.Client, decision.Reject);
            return await ErrorAsync(decision.Reject).ConfigureAwait(false);
        }
        _inTransaction = true;
        _sender = path.Mailbox;
        _senderDecision = decision;
        _smtpUtf8 = utf8;
        _body8Bit = eightBit;
        Reply(SmtpReply.Server.SenderOk);
        return true;
    }

    private async Task<bool> RcptAsync(string args, CancellationToken ct)
    {
        if (!_inTransaction) return await ErrorAsync(SmtpReply.Server.BadSequenceNeedMail).ConfigureAwait(false);
        if (_bdat is not null) return await ErrorAsync(new SmtpReply(503, "5.5.1", "RCPT not allowed after BDAT")).ConfigureAwait(false);
        if (!args.StartsWith("TO:", StringComparison.OrdinalIgnoreCase)) return await ErrorAsync(new SmtpReply(501, "5.5.4", "Syntax: RCPT TO:<address>")).ConfigureAwait(false);
        var rest = args[3..].TrimStart(' ');
        var path = SmtpPathParser.ParsePath(rest, allowNull: false, allowBarePostmaster: true);
        if (!path.Success)
        {
            _ctx.Metrics.RecipientRejected();
            TrackRejected(rest, path.Error!);
            return await ErrorAsync(path.Error!).ConfigureAwait(false);
        }
        if (rest[path.Consumed..].Trim().Length > 0) return await ErrorAsync(SmtpReply.Server.UnknownParameter).ConfigureAwait(false);
        var rcpt = path.Mailbox!;
        if (rcpt.NeedsSmtpUtf8 && !_smtpUtf8) return await ErrorAsync(SmtpReply.Server.NeedSmtpUtf8).ConfigureAwait(false);
        if (_recipients.Count >= _limits.MaxRecipients) return await ErrorAsync(SmtpReply.Server.TooManyRecipients).ConfigureAwait(false);

        var decision = await _ctx.Authority.CheckRecipientAsync(_facts, _sender, _senderDecision, rcpt, ct).ConfigureAwait(false);
        if (decision.Reject is not null)
        {
            _ctx.Metrics.RecipientRejected();
            _ctx.Log.LogInformation("{Session}: reject RCPT from {Client}: <{Sender}> -> <{Recipient}>: {Reply}", _facts.SessionId, _facts.Client, _sender?.Address ?? "", rcpt.Address, decision.Reject);
            TrackRejected(rcpt.Address, decision.Reject);
            return await ErrorAsync(decision.Reject).ConfigureAwait(false);
        }
        if (!_ctx.RateLimiter.TryTake(_facts.Client.Address))
        {
            TrackRejected(rcpt.Address, SmtpReply.Server.RateLimited);
            return await ErrorAsync(SmtpReply.Server.RateLimited).ConfigureAwait(false);
        }
        _recipients.Add(new QueuedRecipient(rcpt.Address, decision.Direction));
        Reply(SmtpReply.Server.RecipientOk);
        return true;
    }

    private void TrackRejected(string recipient, SmtpReply reply)
    {
        var seq = Interlocked.Increment(ref _rcptSeq);
        _ctx.Tracking.Post(new MailTrackingRecord(
            $"{_facts.SessionId}/r{seq}", _ctx.Time.GetUtcNow(), _senderDecision.OutboundDomain is null ? MailDirection.Inbound : MailDirection.Outbound,
            null, _sender?.Address, recipient.Trim('<', '>'), null, null, null, null, _facts.Client.Address.ToString(), _facts.TlsProtocol, null,
            TrackingAction.Rejected, reply.ToString(), null, [], 0));
    }

    // ------------------------------------------------------------ DATA

    private async Task<bool> DataAsync(string args, CancellationToken ct)
    {
        if (args.Length > 0) return await ErrorAsync(SmtpReply.Server.SyntaxError).ConfigureAwait(false);
        if (!_inTransaction) return await ErrorAsync(SmtpReply.Server.BadSequenceNeedMail).ConfigureAwait(false);
        if (_bdat is not null) return await ErrorAsync(SmtpReply.Server.BadSequenceBdatData).ConfigureAwait(false);
        if (_recipients.Count == 0) return await ErrorAsync(SmtpReply.Server.NoValidRecipients).ConfigureAwait(false);

        var message = _ctx.Queue.BeginMessage(_facts, _sender, _recipients, _smtpUtf8, _body8Bit, _tls is not null);
        Reply(SmtpReply.Server.StartData);
        await FlushAsync().ConfigureAwait(false);
        var decoder = new DotDataDecoder(message, _limits.MaxMessageSize, _limits.BareLineEndings);
        try
        {
            while (true)
            {
                var (consumed, ended) = decoder.Decode(_input.Pending);
                _input.Consume(consumed);
                if (ended) break;
                using (StartTimeout(_limits.DataTimeout))
                {
                    if (!await _input.FillAsync(_timeout.Token).ConfigureAwait(false))
                    {
                        message.Discard();
                        return false;
                    }
                }
            }
        }
        catch
        {
            message.Discard();
            throw;
        }
        return await FinishMessageAsync(message, decoder.TooBig, decoder.BareLineEnding, ct).ConfigureAwait(false);
    }

    private async Task<bool> BdatAsync(string args, CancellationToken ct)
    {
        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || parts.Length == 2 && !parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase))
        {
            // Without a valid size we cannot know where the chunk ends: the rest of the session is unreadable.
            Reply(new SmtpReply(501, "5.5.4", "Syntax: BDAT size [LAST]"));
            Reply(new SmtpReply(421, "4.5.0", "Cannot resynchronize, closing connection"));
            await FlushAsync().ConfigureAwait(false);
            return false;
        }
        var last = parts.Length == 2;
        SmtpReply? refusal = null;
        if (!_ehlo) refusal = SmtpReply.Server.BadSequenceHelo;
        else if (!_inTransaction) refusal = SmtpReply.Server.BadSequenceNeedMail;
        else if (_recipients.Count == 0) refusal = SmtpReply.Server.NoValidRecipients;

        if (refusal is not null)
        {
            // RFC 3030 §2: the chunk is read and discarded even when the command fails.
            await CopyChunkAsync(size, null).ConfigureAwait(false);
            return await ErrorAsync(refusal).ConfigureAwait(false);
        }
        if (_bdat is null)
        {
            var m = _ctx.Queue.BeginMessage(_facts, _sender, _recipients, _smtpUtf8, _body8Bit, _tls is not null);
            _bdat = new BdatState(m, new ChunkDecoder(m, _limits.MaxMessageSize, _limits.BareLineEndings));
        }
        var state = _bdat;
        try
        {
            await CopyChunkAsync(size, state.Decoder).ConfigureAwait(false);
        }
        catch
        {
            state.Message.Discard();
            _bdat = null;
            throw;
        }
        if (state.Decoder.TooBig)
        {
            // Refuse now; the client should stop sending chunks of this transaction.
            state.Message.Discard();
            _bdat = null;
            _ctx.Metrics.MessageRejected();
            ResetTransaction();
            Reply(SmtpReply.Server.MessageTooBig);
            return true;
        }
        if (!last)
        {
            Reply(new SmtpReply(250, "2.0.0", $"{size.ToString(CultureInfo.InvariantCulture)} octets received"));
            return true;
        }
        state.Decoder.Finish();
        _bdat = null;
        return await FinishMessageAsync(state.Message, state.Decoder.TooBig, state.Decoder.BareLineEnding, ct).ConfigureAwait(false);
    }

    private async Task CopyChunkAsync(long size, ChunkDecoder? decoder)
    {
        var left = size;
        while (left > 0)
        {
            if (_input.Buffered == 0)
            {
                using (StartTimeout(_limits.DataTimeout))
                {
                    if (!await _input.FillAsync(_timeout.Token).ConfigureAwait(false)) throw new IOException("connection closed inside BDAT");
                }
            }
            var pending = _input.Pending;
            var n = (int)Math.Min(left, pending.Length);
            decoder?.Decode(pending[..n]);
            _input.Consume(n);
            left -= n;
        }
    }

    private async Task<bool> FinishMessageAsync(IncomingMessage message, bool tooBig, bool bareLineEnding, CancellationToken ct)
    {
        var sender = _sender;
        var rcpts = _recipients.Count;
        ResetTransaction();
        if (tooBig)
        {
            message.Discard();
            _ctx.Metrics.MessageRejected();
            Reply(SmtpReply.Server.MessageTooBig);
            return true;
        }
        if (bareLineEnding && _limits.BareLineEndings == BareLineEndingHandling.Reject)
        {
            message.Discard();
            _ctx.Metrics.MessageRejected();
            _ctx.Log.LogWarning("{Session}: message with bare CR/LF from {Client} refused", _facts.SessionId, _facts.Client);
            Reply(SmtpReply.Server.BareLineEnding);
            return true;
        }
        var started = _ctx.Time.GetTimestamp();
        await FlushAsync().ConfigureAwait(false);
        var reply = await _ctx.Queue.AcceptAsync(message, ct).ConfigureAwait(false);
        _ctx.Metrics.AcceptLatency.Observe(_ctx.Time.GetElapsedTime(started));
        if (reply.IsPositive && _ctx.Log.IsEnabled(LogLevel.Information))
            _ctx.Log.LogInformation("{QueueId}: from=<{Sender}>, size={Size}, nrcpt={Count}, client={Client}, tls={Tls} (queued)", message.Id, sender?.Address ?? "", message.Size, rcpts, _facts.Client, _facts.TlsProtocol ?? "none");
        else if (!reply.IsPositive)
            _ctx.Metrics.MessageRejected();
        Reply(reply);
        return true;
    }

    private void ResetTransaction()
    {
        _inTransaction = false;
        _sender = null;
        _senderDecision = SenderDecision.Inbound;
        _recipients.Clear();
        _smtpUtf8 = false;
        _body8Bit = false;
    }

    private void AbortTransaction()
    {
        if (_bdat is not null)
        {
            _bdat.Message.Discard();
            _bdat = null;
        }
        ResetTransaction();
    }

    // ------------------------------------------------------------ replies

    private async Task<bool> ErrorAsync(SmtpReply reply)
    {
        _errors++;
        Reply(reply);
        if (_errors >= _limits.MaxErrors)
        {
            Reply(SmtpReply.Server.TooManyErrors);
            await FlushAsync().ConfigureAwait(false);
            return false;
        }
        return true;
    }

    private void Reply(SmtpReply reply)
    {
        var text = reply.ToWire(enhancedCodes: true);
        var span = _out.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var n = Encoding.UTF8.GetBytes(text, span);
        _out.Advance(n);
    }

    /// <summary>Writes queued replies. Called before every blocking read, so pipelined commands get their replies in one write.</summary>
    private async ValueTask FlushAsync()
    {
        if (_out.WrittenCount == 0) return;
        var data = _out.WrittenMemory;
        using (StartTimeout(_limits.CommandTimeout))
        {
            await _stream.WriteAsync(data, _timeout.Token).ConfigureAwait(false);
            await _stream.FlushAsync(_timeout.Token).ConfigureAwait(false);
        }
        _out.ResetWrittenCount();
    }

    private async Task SendNowAsync(SmtpReply reply)
    {
        Reply(reply);
        await FlushAsync().ConfigureAwait(false);
    }

    private async Task TrySendAsync(SmtpReply reply)
    {
        try
        {
            _out.ResetWrittenCount();
            Reply(reply);
            var data = _out.WrittenMemory;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _stream.WriteAsync(data, cts.Token).ConfigureAwait(false);
            _out.ResetWrittenCount();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
        }
    }

    public void Dispose()
    {
        _input.Dispose();
        _timeout.Dispose();
        try { _tls?.Dispose(); } catch (IOException) { }
        try { _stream.Dispose(); } catch (IOException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}
