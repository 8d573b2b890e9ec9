using System.Security.Cryptography;

namespace Sekisho.Model;

/// <summary>Identifiers of model objects: 32 lowercase hex digits, random unless a test controls them.</summary>
public static class Ids
{
    /// <summary>A new random identifier.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A stable identifier derived from a seed (used to give re-runs the same ids).</summary>
    public static string FromSeed(string seed) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)).AsSpan(0, 16));
}
