using System.Security.Cryptography;
using System.Text;

namespace Sekisho.Web.Access;

/// <summary>REST API token secrets: <c>skt_</c> + 32 random bytes (base64url); the store keeps only their SHA-256.</summary>
public static class ApiTokens
{
    public const string Prefix = "skt_";

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
