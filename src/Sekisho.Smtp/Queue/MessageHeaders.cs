using System.Globalization;
using System.Text;
using MimeKit;
using Sekisho.Smtp.Spool;

namespace Sekisho.Smtp.Queue;

/// <summary>Reads the header block of a spooled message for tracking, loop detection and DSNs.</summary>
internal static class MessageHeaders
{
    /// <summary>The header block we look at; anything longer is not a header block a mail system needs to read.</summary>
    public const int MaxHeaderBytes = 1024 * 1024;

    public static (MessageFacts Facts, int ReceivedCount) ReadFacts(Stream content, long size)
    {
        HeaderList headers;
        try
        {
            var parser = new MimeParser(new LimitedStream(content, MaxHeaderBytes), MimeFormat.Entity, persistent: false);
            headers = parser.ParseHeaders();
        }
        catch (FormatException)
        {
            return (new MessageFacts(null, null, null, null, size), 0);
        }
        var received = 0;
        string? from = null, to = null, subject = null, messageId = null;
        foreach (var h in headers)
        {
            switch (h.Id)
            {
                case HeaderId.Received: received++; break;
                case HeaderId.From: from ??= Clip(h.Value); break;
                case HeaderId.To: to ??= Clip(h.Value); break;
                case HeaderId.Subject: subject ??= Clip(h.Value); break;
                case HeaderId.MessageId: messageId ??= Clip(h.Value.Trim()); break;
            }
        }
        return (new MessageFacts(from, to, subject, messageId, size), received);
    }

    private static string Clip(string s) => s.Length > 998 ? s[..998] : s;

    /// <summary>The raw header block (up to the empty line), for text/rfc822-headers in a DSN.</summary>
    public static byte[] RawHeaderBlock(Stream content, int max = 64 * 1024)
    {
        var buf = new byte[max];
        var n = 0;
        while (n < max)
        {
            var r = content.Read(buf, n, max - n);
            if (r <= 0) break;
            n += r;
        }
        var span = buf.AsSpan(0, n);
        var end = span.IndexOf("\r\n\r\n"u8);
        var len = end >= 0 ? end + 2 : LastLineEnd(span);
        return span[..len].ToArray();

        static int LastLineEnd(ReadOnlySpan<byte> s)
        {
            var i = s.LastIndexOf("\r\n"u8);
            return i < 0 ? 0 : i + 2;
        }
    }

    /// <summary>The RFC 5322 date format used in Received and DSN fields.</summary>
    public static string Rfc5322Date(DateTimeOffset t) =>
        t.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + t.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal);

    /// <summary>Printable ASCII only: client-supplied text going into a header must not inject structure.</summary>
    public static string Sanitize(string? s, int max = 255)
    {
        if (string.IsNullOrEmpty(s)) return "unknown";
        var sb = new StringBuilder(Math.Min(s.Length, max));
        foreach (var c in s)
        {
            if (sb.Length >= max) break;
            sb.Append(c is >= '!' and <= '~' && c != '(' && c != ')' ? c : '?');
        }
        return sb.ToString();
    }
}

/// <summary>Reads at most a given number of bytes from an inner stream.</summary>
internal sealed class LimitedStream(Stream inner, long limit) : Stream
{
    private long _left = limit;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_left <= 0) return 0;
        var n = inner.Read(buffer, offset, (int)Math.Min(count, _left));
        _left -= n;
        return n;
    }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
