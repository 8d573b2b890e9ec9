using System.Buffers;

namespace Sekisho.Smtp.Server;

internal enum LineStatus { Ok, TooLong, Closed }

/// <summary>
/// Buffered reader of client input. It hands out command lines and raw bytes for DATA/BDAT, and lets the
/// session throw away everything buffered (after STARTTLS, so plaintext sent before the handshake is never
/// read as a command under TLS).
/// </summary>
internal sealed class SmtpInput : IDisposable
{
    private Stream _stream;
    private byte[] _buf;
    private int _start;
    private int _end;
    private readonly Func<ValueTask> _beforeBlockingRead;

    public SmtpInput(Stream stream, int bufferSize, Func<ValueTask> beforeBlockingRead)
    {
        _stream = stream;
        _buf = ArrayPool<byte>.Shared.Rent(bufferSize);
        _beforeBlockingRead = beforeBlockingRead;
    }

    public int Buffered => _end - _start;

    public void ReplaceStream(Stream stream) => _stream = stream;

    public void DiscardBuffered() => _start = _end = 0;

    /// <summary>The bytes waiting to be parsed.</summary>
    public ReadOnlySpan<byte> Pending => _buf.AsSpan(_start, _end - _start);

    public void Consume(int n) => _start += n;

    /// <summary>Reads more from the network (flushing pending replies first, for PIPELINING). False at end of stream.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length) throw new InvalidOperationException("input buffer full");
        await _beforeBlockingRead().ConfigureAwait(false);
        var n = await _stream.ReadAsync(_buf.AsMemory(_end), ct).ConfigureAwait(false);
        if (n <= 0) return false;
        _end += n;
        return true;
    }

    /// <summary>
    /// Reads one command line (without its line ending). A line longer than <paramref name="maxLength"/> is
    /// consumed up to its end and reported as <see cref="LineStatus.TooLong"/>.
    /// </summary>
    public async ValueTask<(LineStatus Status, string Line)> ReadLineAsync(int maxLength, CancellationToken ct)
    {
        var tooLong = false;
        while (true)
        {
            var span = _buf.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var lineLen = lf > 0 && span[lf - 1] == '\r' ? lf - 1 : lf;
                var line = span[..lineLen];
                _start += lf + 1;
                if (tooLong || lf + 1 > maxLength) return (LineStatus.TooLong, "");
                return (LineStatus.Ok, DecodeLine(line));
            }
            if (span.Length >= maxLength)
            {
                // Drop what we have and keep reading to the end of the over-long line.
                tooLong = true;
                _start = _end = 0;
            }
            if (_end - _start == _buf.Length) { tooLong = true; _start = _end = 0; }
            if (!await FillAsync(ct).ConfigureAwait(false)) return (LineStatus.Closed, "");
        }
    }

    private static string DecodeLine(ReadOnlySpan<byte> line)
    {
        // Commands are ASCII, or UTF-8 with SMTPUTF8; invalid UTF-8 becomes U+FFFD and then fails address syntax.
        return System.Text.Encoding.UTF8.GetString(line);
    }

    public void Dispose()
    {
        var b = _buf;
        _buf = [];
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}

/// <summary>Receives decoded message bytes.</summary>
internal interface IContentSink
{
    void Write(ReadOnlySpan<byte> bytes);
}

/// <summary>
/// Decodes DATA: removes dot-stuffing, finds the end (only a real CRLF.CRLF), enforces the size limit while
/// reading on, and spots CR or LF that are not part of CRLF (the SMTP smuggling class). With
/// <see cref="BareLineEndingHandling.Normalize"/> such bytes are stored as CRLF, and a line after them is never
/// taken as dot-stuffed or as the end of data.
/// </summary>
internal sealed class DotDataDecoder(IContentSink sink, long maxSize, BareLineEndingHandling bare)
{
    private enum State { LineStart, Mid, Cr, Dot, DotCr }

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private State _state = State.LineStart;
    private long _written;

    public bool TooBig { get; private set; }
    public bool BareLineEnding { get; private set; }
    public long Written => _written;

    /// <summary>Decodes from <paramref name="input"/>; returns bytes consumed, and whether the end of data was reached.</summary>
    public (int Consumed, bool Ended) Decode(ReadOnlySpan<byte> input)
    {
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            switch (_state)
            {
                case State.LineStart:
                    if (b == '.') { _state = State.Dot; i++; }
                    else _state = State.Mid;
                    break;
                case State.Dot:
                    if (b == '\r') { _state = State.DotCr; i++; }
                    else _state = State.Mid; // transparency: the leading dot is dropped
                    break;
                case State.DotCr:
                    if (b == '\n') { i++; return (i, true); }
                    _state = State.Cr; // "." then a CR that is not followed by LF
                    break;
                case State.Cr:
                    if (b == '\n') { Emit(Crlf); _state = State.LineStart; i++; }
                    else
                    {
                        BareLineEnding = true;
                        Emit(bare == BareLineEndingHandling.Normalize ? Crlf : "\r"u8);
                        _state = State.Mid;
                    }
                    break;
                case State.Mid:
                    {
                        var rest = input[i..];
                        var k = rest.IndexOfAny((byte)'\r', (byte)'\n');
                        if (k < 0) { Emit(rest); i = input.Length; break; }
                        Emit(rest[..k]);
                        i += k + 1;
                        if (rest[k] == '\r') _state = State.Cr;
                        else
                        {
                            BareLineEnding = true;
                            Emit(bare == BareLineEndingHandling.Normalize ? Crlf : "\n"u8);
                        }
                        break;
                    }
            }
        }
        return (i, false);
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        _written += bytes.Length;
        if (_written > maxSize) { TooBig = true; return; }
        if (!TooBig) sink.Write(bytes);
    }
}

/// <summary>Checks BDAT chunks (binary-safe framing) for bare CR/LF, since they would reach the next hop inside DATA.</summary>
internal sealed class ChunkDecoder(IContentSink sink, long maxSize, BareLineEndingHandling bare)
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private bool _pendingCr;
    private long _written;

    public bool TooBig { get; private set; }
    public bool BareLineEnding { get; private set; }
    public long Written => _written;

    public void Decode(ReadOnlySpan<byte> input)
    {
        var i = 0;
        while (i < input.Length)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (input[i] == '\n') { Emit(Crlf); i++; continue; }
                BareLineEnding = true;
                Emit(bare == BareLineEndingHandling.Normalize ? Crlf : "\r"u8);
                continue;
            }
            var rest = input[i..];
            var k = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (k < 0) { Emit(rest); break; }
            Emit(rest[..k]);
            i += k + 1;
            if (rest[k] == '\r') _pendingCr = true;
            else
            {
                BareLineEnding = true;
                Emit(bare == BareLineEndingHandling.Normalize ? Crlf : "\n"u8);
            }
        }
    }

    /// <summary>After BDAT LAST: a trailing CR is bare; a message not ending in CRLF gets one (it will travel in DATA).</summary>
    public void Finish()
    {
        if (_pendingCr)
        {
            _pendingCr = false;
            BareLineEnding = true;
            Emit(bare == BareLineEndingHandling.Normalize ? Crlf : "\r"u8);
        }
        if (_written > 0 && !EndsWithCrlf) Emit(Crlf);
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        _written += bytes.Length;
        _last2 = bytes.Length >= 2 ? bytes[^2] : _last1;
        _last1 = bytes[^1];
        if (_written > maxSize) { TooBig = true; return; }
        if (!TooBig) sink.Write(bytes);
    }

    private bool EndsWithCrlf => _last2 == '\r' && _last1 == '\n';
    private byte _last1;
    private byte _last2;
}
