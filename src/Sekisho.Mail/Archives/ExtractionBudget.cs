namespace Sekisho.Mail.Archives;

/// <summary>Outcome of reading one member under the limits.</summary>
internal readonly record struct BoundedRead(byte[]? Content, long BytesSeen, ScanExceptionKind? Limit, string? Detail);

/// <summary>
/// The decompression limits shared by everything extracted from one message: per-file size, ratio and
/// the total quota. Reading stops as soon as a limit is crossed, so a bomb costs at most the limit.
/// </summary>
internal sealed class ExtractionBudget(InspectionOptions options, CancellationToken cancellationToken)
{
    private long _total;

    public InspectionOptions Options { get; } = options;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public long TotalDecompressed => _total;

    public BoundedRead Read(Stream source, long compressedSize)
    {
        long fileCap = Options.MaxDecompressedFileBytes;
        long ratioCap = compressedSize > 0
            ? (long)Math.Min(long.MaxValue / 2, Math.Max(Options.CompressionRatioMinimumBytes, compressedSize * Options.MaxCompressionRatio))
            : long.MaxValue;
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            CancellationToken.ThrowIfCancellationRequested();
            int n = source.Read(chunk, 0, chunk.Length);
            if (n <= 0) break;
            long seen = buffer.Length + n;
            if (seen > fileCap)
                return new BoundedRead(null, seen, ScanExceptionKind.DecompressedFileTooLarge, $"more than {fileCap} bytes");
            if (seen > ratioCap)
                return new BoundedRead(null, seen, ScanExceptionKind.CompressionRatio,
                    $"more than {ratioCap} bytes from {compressedSize} (ratio above {Options.MaxCompressionRatio})");
            if (_total + n > Options.MaxTotalDecompressedBytes)
                return new BoundedRead(null, seen, ScanExceptionKind.TotalSizeQuota, $"more than {Options.MaxTotalDecompressedBytes} bytes in total");
            _total += n;
            buffer.Write(chunk, 0, n);
        }
        return new BoundedRead(buffer.ToArray(), buffer.Length, null, null);
    }

    /// <summary>Checks declared sizes before any byte is inflated.</summary>
    public (ScanExceptionKind Kind, string Detail)? PreCheck(long declaredSize, long compressedSize)
    {
        if (declaredSize > Options.MaxDecompressedFileBytes)
            return (ScanExceptionKind.DecompressedFileTooLarge, $"declares {declaredSize} bytes, limit {Options.MaxDecompressedFileBytes}");
        if (compressedSize > 0 && declaredSize >= Options.CompressionRatioMinimumBytes && (double)declaredSize / compressedSize > Options.MaxCompressionRatio)
            return (ScanExceptionKind.CompressionRatio, $"declares {declaredSize} bytes from {compressedSize}, limit ratio {Options.MaxCompressionRatio}");
        if (_total + Math.Max(0, declaredSize) > Options.MaxTotalDecompressedBytes)
            return (ScanExceptionKind.TotalSizeQuota, $"more than {Options.MaxTotalDecompressedBytes} bytes in total");
        return null;
    }
}
