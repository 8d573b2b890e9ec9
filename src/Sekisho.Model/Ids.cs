using System.Security.Cryptography;

namespace Sekisho.Model;

/// <summary>Identifiers of model objects: 32 lowercase hex digits, random unless a test controls them.</summary>
public static class Ids
{
    /// <summary>A new random identifier.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A stable identifier derived from a seed (used to give re-runs the same ids).</summary>
    public static string FromSeed(string seed)
    {
        Span<byte> hash = stackalloc byte[32];
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(seed.Length);
        byte[]? rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        int n = System.Text.Encoding.UTF8.GetBytes(seed, buffer);
        SHA256.HashData(buffer[..n], hash);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
