using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sekisho.Scanning.Signing;

namespace Sekisho.Web.EndUsers;

/// <summary>What a digest link does once confirmed.</summary>
public enum EndUserLinkAction
{
    /// <summary>Sign in to the end-user quarantine as the recipient.</summary>
    SignIn,
    /// <summary>Release one message (single use).</summary>
    Release,
    /// <summary>Add the message's sender to the recipient's approved senders.</summary>
    Approve,
    /// <summary>Add the message's sender to the recipient's blocked senders.</summary>
    Block,
}

/// <summary>A verified digest link: for whom, what, on which message and sender, until when.</summary>
public sealed record EndUserLink(EndUserLinkAction Action, string Recipient, string MessageId, string Sender, DateTimeOffset Expires, string Nonce);

/// <summary>Why a link was refused.</summary>
public enum EndUserLinkProblem
{
    None,
    /// <summary>Not a link the gateway signed (tampered, truncated, another key).</summary>
    Invalid,
    Expired,
}

/// <summary>
/// Signed digest links: <c>/my/link?t=TOKEN</c> where the token carries the action, the recipient it is bound to, the message
/// and its sender, the expiry and a random nonce, signed (HMAC-SHA256, <see cref="LinkSigner"/>) with <c>enduser.key</c> of the data directory.
/// </summary>
public sealed class EndUserLinks(LinkSigner signer, TimeProvider time)
{
    public const int MaxTokenLength = 4096;
    private const string Version = "v1";

    /// <summary>A token for the action; <paramref name="validFor"/> from now.</summary>
    public string Create(EndUserLinkAction action, string recipient, string messageId, string sender, TimeSpan validFor)
    {
        var expires = time.GetUtcNow().Add(validFor).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
        string[] fields = [Version, Name(action), recipient.ToLowerInvariant(), messageId, sender, expires, nonce];
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\n', fields))) + "." + signer.Sign(fields);
    }

    /// <summary>Checks a token: signature first (nothing of a forged token is trusted), then expiry.</summary>
    public (EndUserLink? Link, EndUserLinkProblem Problem) Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || token.IndexOf('.') is var dot && dot <= 0) return (null, EndUserLinkProblem.Invalid);
        string[] fields;
        try { fields = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot))).Split('\n'); }
        catch (FormatException) { return (null, EndUserLinkProblem.Invalid); }
        if (fields.Length != 7 || fields[0] != Version || !signer.Verify(token[(dot + 1)..], fields)) return (null, EndUserLinkProblem.Invalid);
        if (Parse(fields[1]) is not { } action || !long.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
            return (null, EndUserLinkProblem.Invalid);
        var expires = DateTimeOffset.FromUnixTimeSeconds(unix);
        if (time.GetUtcNow() >= expires) return (null, EndUserLinkProblem.Expired);
        return (new EndUserLink(action, fields[2], fields[3], fields[4], expires, fields[6]), EndUserLinkProblem.None);
    }

    private static string Name(EndUserLinkAction a) => a switch
    {
        EndUserLinkAction.SignIn => "signin",
        EndUserLinkAction.Release => "release",
        EndUserLinkAction.Approve => "approve",
        _ => "block",
    };

    private static EndUserLinkAction? Parse(string s) => s switch
    {
        "signin" => EndUserLinkAction.SignIn,
        "release" => EndUserLinkAction.Release,
        "approve" => EndUserLinkAction.Approve,
        "block" => EndUserLinkAction.Block,
        _ => null,
    };
}
