namespace Sekisho.Policy.Apply;

/// <summary>Puts a signature header field (DKIM-Signature) in front of a message, with CRLF line ends like the rest of it.</summary>
public static class SignatureField
{
    public static byte[] Prepend(string signature, ReadOnlySpan<byte> message)
    {
        // Folded lines of the field end in CRLF on the wire, like the rest of the message.
        var header = System.Text.Encoding.ASCII.GetBytes(signature.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
        return [.. header, .. message];
    }
}
