using System.Globalization;
using System.Security.Cryptography;

namespace Sekisho.Web.Access;

/// <summary>PBKDF2-SHA256 password hashes in the form <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (base64), compared in constant time.</summary>
public static class PasswordHashing
{
    private const string Algorithm = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Iterations for new hashes (OWASP 2023 guidance for PBKDF2-SHA256 is 600,000).</summary>
    public const int Iterations = 600_000;

    /// <summary>Shortest password accepted for a console user.</summary>
    public const int MinimumLength = 12;

    public static string Hash(string password, int iterations = Iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Algorithm, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Algorithm || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > 10_000_000)
            return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Does the work of one verification for an unknown user, so timing does not reveal which names exist.</summary>
    public static void Decoy(string password) => Verify(password, DecoyHash.Value);

    /// <summary>The problem (400) for a password shorter than <see cref="MinimumLength"/>, or null.</summary>
    public static Services.ConsoleProblem? TooShort(string password) => password.Length >= MinimumLength ? null
        : new("user.password.short", new Model.LocalizedText($"パスワードは {MinimumLength} 文字以上にしてください。", $"The password must have at least {MinimumLength} characters."));

    private static readonly Lazy<string> DecoyHash = new(() => Hash("sekisho-dummy-password", Iterations));

    /// <summary>A random password for the first administrator (printed once).</summary>
    public static string RandomPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'k').Replace('/', 'z');
}
