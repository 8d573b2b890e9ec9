using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Sekisho.Scanning.Signing;

/// <summary>
/// HMAC-SHA256 signatures for links the gateway hands out (time-of-click links, end-user digest links): the fields are joined with
/// line feeds, signed with a key kept in the data directory, and compared in constant time.
/// </summary>
public sealed class LinkSigner(byte[] key)
{
    /// <summary>The base64url signature of the fields.</summary>
    public string Sign(params string[] fields) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Join('\n', fields))));

    /// <summary>True when <paramref name="signature"/> is the signature of the fields.</summary>
    public bool Verify(string? signature, params string[] fields) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(fields)), Encoding.ASCII.GetBytes(signature));

    /// <summary>The key in <paramref name="fileName"/> of the data directory: 32 random bytes, created once (mode 600).</summary>
    public static byte[] LoadOrCreateKey(string dataDirectory, string fileName)
    {
        var path = Path.Combine(dataDirectory, fileName);
        if (File.Exists(path)) return File.ReadAllBytes(path);
        Directory.CreateDirectory(dataDirectory);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            f.Write(key);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return File.ReadAllBytes(path);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}
