using System.Buffers.Text;
using System.Text.Json;

namespace Sekisho.Smtp.Spool;

/// <summary>
/// The queue file format (documented in docs/smtp-gateway.md): a magic line, then records
/// <c>TYPE LENGTH(16 hex) LF PAYLOAD LF</c>. E (envelope) and D (data) come first; F, P, C, S and H
/// records are appended later. A record whose length or terminator is missing is a torn tail and is ignored.
/// </summary>
internal static class QueueFileFormat
{
    public static ReadOnlySpan<byte> Magic => "SEKISHO-QUEUE 1\n"u8;
    public const int HeaderLength = 18;
    public const byte Envelope = (byte)'E';
    public const byte Data = (byte)'D';
    public const byte Facts = (byte)'F';
    public const byte Policy = (byte)'P';
    public const byte Copy = (byte)'C';
    public const byte Status = (byte)'S';
    public const byte Hold = (byte)'H';
    /// <summary>JSON records never need more; anything larger is corruption or an attack on the file.</summary>
    public const int MaxJsonRecord = 8 * 1024 * 1024;

    public static void WriteHeader(Span<byte> dst, byte type, long length)
    {
        dst[0] = type;
        Utf8Formatter.TryFormat(length, dst.Slice(1, 16), out _, new System.Buffers.StandardFormat('x', 16));
        dst[17] = (byte)'\n';
    }

    public static byte[] Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        JsonSerializer.SerializeToUtf8Bytes(value, info);
}

/// <summary>Writes a new queue file in the incoming directory while a message is being received.</summary>
internal sealed class QueueFileWriter : IDisposable
{
    private readonly FileStream _fs;
    private long _dataHeaderAt = -1;
    private bool _disposed;

    public QueueFileWriter(string path, QueuedEnvelope envelope)
    {
        Path = path;
        _fs = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 16 * 1024, FileOptions.None);
        _fs.Write(QueueFileFormat.Magic);
        AppendRecord(QueueFileFormat.Envelope, QueueFileFormat.Json(envelope, QueueJson.Default.QueuedEnvelope));
    }

    public string Path { get; private set; }
    public long DataOffset { get; private set; }
    public long DataLength { get; private set; }
    public long Position => _fs.Position;

    public void BeginData()
    {
        _dataHeaderAt = _fs.Position;
        Span<byte> h = stackalloc byte[QueueFileFormat.HeaderLength];
        QueueFileFormat.WriteHeader(h, QueueFileFormat.Data, 0);
        _fs.Write(h);
        DataOffset = _fs.Position;
    }

    public void WriteData(ReadOnlySpan<byte> bytes)
    {
        _fs.Write(bytes);
        DataLength += bytes.Length;
    }

    public void EndData()
    {
        _fs.WriteByte((byte)'\n');
        var end = _fs.Position;
        _fs.Position = _dataHeaderAt;
        Span<byte> h = stackalloc byte[QueueFileFormat.HeaderLength];
        QueueFileFormat.WriteHeader(h, QueueFileFormat.Data, DataLength);
        _fs.Write(h);
        _fs.Position = end;
    }

    public void AppendRecord(byte type, ReadOnlySpan<byte> payload)
    {
        Span<byte> h = stackalloc byte[QueueFileFormat.HeaderLength];
        QueueFileFormat.WriteHeader(h, type, payload.Length);
        _fs.Write(h);
        _fs.Write(payload);
        _fs.WriteByte((byte)'\n');
    }

    /// <summary>Pushes buffered bytes to the kernel (readers see them) and, when asked, to the disk.</summary>
    public void Flush(bool toDisk) => _fs.Flush(toDisk);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _fs.Dispose();
    }
}

/// <summary>A queue file as read back: the envelope, where the content is, and every later record.</summary>
internal sealed class QueueFileContents
{
    public required QueuedEnvelope Envelope { get; init; }
    public long DataOffset { get; init; }
    public long DataLength { get; init; }
    public MessageFacts? Facts { get; set; }
    public List<RecipientPolicy>? Policy { get; set; }
    public List<(long Offset, long Length)> Copies { get; } = [];
    public List<RecipientStatus> Statuses { get; } = [];
    public bool Held { get; set; }
    /// <summary>End of the last complete record; appends start here.</summary>
    public long ValidLength { get; set; }
    public bool TornTail { get; set; }
}

/// <summary>Thrown when a queue file cannot be understood; the spool moves such files aside, never deletes them.</summary>
public sealed class CorruptQueueFileException(string path, string reason) : IOException($"Queue file {path} is not valid: {reason}");

internal static class QueueFileReader
{
    public static QueueFileContents Read(string path, long maxDataLength)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.RandomAccess);
        var length = fs.Length;
        Span<byte> magic = stackalloc byte[QueueFileFormat.Magic.Length];
        if (fs.Read(magic) != magic.Length || !magic.SequenceEqual(QueueFileFormat.Magic))
            throw new CorruptQueueFileException(path, "bad magic line");

        QueueFileContents? contents = null;
        QueuedEnvelope? envelope = null;
        long dataOffset = -1, dataLength = -1;
        var pos = fs.Position;
        Span<byte> h = stackalloc byte[QueueFileFormat.HeaderLength];
        while (pos < length)
        {
            fs.Position = pos;
            if (fs.Read(h) != h.Length || h[17] != (byte)'\n' || !Utf8Parser.TryParse(h.Slice(1, 16), out long recLen, out var consumed, 'x') || consumed != 16 || recLen < 0)
                return Torn();
            var payloadAt = pos + QueueFileFormat.HeaderLength;
            if (payloadAt + recLen + 1 > length) return Torn();
            fs.Position = payloadAt + recLen;
            if (fs.ReadByte() != '\n') return Torn();
            var type = h[0];
            if (envelope is null && type != QueueFileFormat.Envelope) throw new CorruptQueueFileException(path, "the first record is not the envelope");
            if (type == QueueFileFormat.Data || type == QueueFileFormat.Copy)
            {
                if (recLen > maxDataLength) throw new CorruptQueueFileException(path, "content larger than the spool limit");
                if (type == QueueFileFormat.Data)
                {
                    if (dataOffset >= 0) throw new CorruptQueueFileException(path, "two data records");
                    dataOffset = payloadAt;
                    dataLength = recLen;
                }
                else
                {
                    EnsureContents().Copies.Add((payloadAt, recLen));
                }
            }
            else
            {
                if (recLen > QueueFileFormat.MaxJsonRecord) throw new CorruptQueueFileException(path, $"record '{(char)type}' too large");
                var payload = new byte[recLen];
                fs.Position = payloadAt;
                fs.ReadExactly(payload);
                try
                {
                    switch (type)
                    {
                        case QueueFileFormat.Envelope:
                            if (envelope is not null) throw new CorruptQueueFileException(path, "two envelope records");
                            envelope = JsonSerializer.Deserialize(payload, QueueJson.Default.QueuedEnvelope) ?? throw new CorruptQueueFileException(path, "empty envelope");
                            break;
                        case QueueFileFormat.Facts:
                            EnsureContents().Facts = JsonSerializer.Deserialize(payload, QueueJson.Default.MessageFacts);
                            break;
                        case QueueFileFormat.Policy:
                            EnsureContents().Policy = JsonSerializer.Deserialize(payload, QueueJson.Default.ListRecipientPolicy);
                            break;
                        case QueueFileFormat.Status:
                            EnsureContents().Statuses.AddRange(JsonSerializer.Deserialize(payload, QueueJson.Default.ListRecipientStatus) ?? []);
                            break;
                        case QueueFileFormat.Hold:
                            EnsureContents().Held = JsonSerializer.Deserialize(payload, QueueJson.Default.HoldRecord)?.Held ?? false;
                            break;
                        default:
                            throw new CorruptQueueFileException(path, $"unknown record type '{(char)type}'");
                    }
                }
                catch (JsonException ex)
                {
                    throw new CorruptQueueFileException(path, $"record '{(char)type}' is not valid JSON: {ex.Message}");
                }
            }
            pos = payloadAt + recLen + 1;
        }
        var done = EnsureContents();
        done.ValidLength = pos;
        return done;

        QueueFileContents EnsureContents()
        {
            if (contents is not null) return contents;
            if (envelope is null || dataOffset < 0) throw new CorruptQueueFileException(path, "the data record must follow the envelope");
            contents = new QueueFileContents { Envelope = envelope, DataOffset = dataOffset, DataLength = dataLength, ValidLength = pos };
            return contents;
        }

        QueueFileContents Torn()
        {
            if (contents is null && (envelope is null || dataOffset < 0)) throw new CorruptQueueFileException(path, "truncated before the message data was complete");
            var c = EnsureContents();
            c.ValidLength = pos;
            c.TornTail = true;
            return c;
        }
    }

    /// <summary>Appends records to a committed queue file at <paramref name="validLength"/> (cutting a torn tail) and returns the new end.</summary>
    public static long Append(string path, long validLength, IReadOnlyList<(byte Type, byte[] Payload)> records, bool fsync)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 4096, FileOptions.None);
        if (fs.Length != validLength) fs.SetLength(validLength);
        fs.Position = validLength;
        Span<byte> h = stackalloc byte[QueueFileFormat.HeaderLength];
        foreach (var (type, payload) in records)
        {
            QueueFileFormat.WriteHeader(h, type, payload.Length);
            fs.Write(h);
            fs.Write(payload);
            fs.WriteByte((byte)'\n');
        }
        fs.Flush(fsync);
        return fs.Position;
    }
}

/// <summary>A read-only window on part of a file (a message inside its queue file).</summary>
internal sealed class FileSliceStream : Stream
{
    private readonly FileStream _fs;
    private readonly long _start;
    private readonly long _length;
    private long _pos;

    public FileSliceStream(string path, long start, long length)
    {
        // Unbuffered: readers ask for large blocks themselves.
        _fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        _start = start;
        _length = length;
        _fs.Position = start;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position
    {
        get => _pos;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _pos = Math.Min(value, _length);
            _fs.Position = _start + _pos;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = _length - _pos;
        if (left <= 0) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        var n = _fs.Read(buffer);
        _pos += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var left = _length - _pos;
        if (left <= 0) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        var n = await _fs.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _pos += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _pos + offset,
            _ => _length + offset,
        };
        return _pos;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _fs.Dispose();
        base.Dispose(disposing);
    }
}
