using System.Text;

namespace Sekisho.Mail.Text;

/// <summary>
/// Charset lookup and detection for the text Japanese mail carries: ISO-2022-JP, Shift_JIS (CP932),
/// EUC-JP and UTF-8, with Windows-1252 as the last resort for undeclared 8-bit text.
/// </summary>
internal static class Charsets
{
    static Charsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Registers the code-page encodings as soon as this assembly loads, so that ISO-2022-JP, Shift_JIS and EUC-JP are
    /// known before the first message is read, whichever code reads it (relying on static constructors alone made the
    /// decoding depend on which type happened to run first).
    /// </summary>
#pragma warning disable CA2255 // a library initializer on purpose: the registration is process-wide and idempotent
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void RegisterOnLoad() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
#pragma warning restore CA2255

    /// <summary>Makes sure the code-page encodings are registered (the static constructor does it once).</summary>
    public static void EnsureRegistered() { }

    public static readonly Encoding Utf8Strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
    public static Encoding Iso2022Jp => Encoding.GetEncoding(50220);
    public static Encoding ShiftJis => Encoding.GetEncoding(932);
    public static Encoding EucJp => Encoding.GetEncoding(51932);
    public static Encoding Windows1252 => Encoding.GetEncoding(1252);

    /// <summary>The encoding for a declared charset name, with the aliases Japanese mailers use; null when unknown.</summary>
    public static Encoding? FromName(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset)) return null;
        var name = charset.Trim().Trim('"', '\'').ToLowerInvariant();
        switch (name)
        {
            case "shift_jis" or "shift-jis" or "sjis" or "x-sjis" or "cp932" or "ms932" or "windows-31j" or "ms_kanji" or "csshiftjis" or "x-ms-cp932":
                return ShiftJis;
            case "euc-jp" or "x-euc-jp" or "eucjp" or "euc_jp" or "cseucpkdfmtjapanese" or "eucjp-ms" or "euc-jp-ms" or "cp51932":
                return EucJp;
            case "iso-2022-jp" or "iso-2022-jp-1" or "iso-2022-jp-2" or "iso-2022-jp-3" or "iso-2022-jp-ms" or "csiso2022jp" or "jis" or "x-jis" or "iso2022jp":
                return Iso2022Jp;
            case "utf8" or "utf-8" or "x-utf8":
                return Encoding.UTF8;
            case "us-ascii" or "ascii" or "ansi_x3.4-1968" or "iso646-us":
                return Encoding.ASCII;
        }
        try { return Encoding.GetEncoding(name); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Whether the bytes carry ISO-2022 escape sequences for Japanese (ESC $ B, ESC $ @, ESC ( J, ESC ( I, ESC $ ( D).</summary>
    public static bool HasJisEscapes(ReadOnlySpan<byte> d)
    {
        for (int i = d.IndexOf((byte)0x1B); i >= 0 && i + 2 < d.Length; )
        {
            if ((d[i + 1] == '$' && d[i + 2] is (byte)'B' or (byte)'@' or (byte)'(') || (d[i + 1] == '(' && d[i + 2] is (byte)'J' or (byte)'I'))
                return true;
            int next = d[(i + 1)..].IndexOf((byte)0x1B);
            if (next < 0) break;
            i += next + 1;
        }
        return false;
    }

    public static bool IsAscii(ReadOnlySpan<byte> d) => !d.ContainsAnyInRange((byte)0x80, (byte)0xFF);

    public static bool IsValidUtf8(ReadOnlySpan<byte> d) => System.Text.Unicode.Utf8.IsValid(d);

    /// <summary>Guesses the charset of undeclared (or wrongly declared) text.</summary>
    public static Encoding Detect(ReadOnlySpan<byte> d)
    {
        if (HasJisEscapes(d) && IsAscii(d)) return Iso2022Jp;
        if (IsAscii(d) || IsValidUtf8(d)) return Encoding.UTF8;
        int sjis = JapaneseScore(d, ShiftJis), euc = JapaneseScore(d, EucJp);
        if (sjis < 0 && euc < 0) return Windows1252;
        return euc > sjis ? EucJp : ShiftJis;
    }

    /// <summary>Decodes text with its declared charset when the bytes fit it, otherwise with the detected one.</summary>
    public static string Decode(ReadOnlySpan<byte> d, string? declaredCharset, int maxChars)
    {
        var encoding = Choose(d, declaredCharset);
        // Decoding costs at most a few characters per byte; bound the input so the output is bounded too.
        var slice = d.Length > maxChars * 4L ? d[..(maxChars * 4)] : d;
        var text = encoding.GetString(slice);
        return text.Length > maxChars ? text[..maxChars] : text;
    }

    public static Encoding Choose(ReadOnlySpan<byte> d, string? declaredCharset)
    {
        var declared = FromName(declaredCharset);
        if (declared is null) return Detect(d);
        if (declared.CodePage is 20127 or 50220 or 50221 or 50222)
        {
            // 7-bit charsets: 8-bit bytes mean the label is wrong (often Shift_JIS sent as ISO-2022-JP).
            if (!IsAscii(d)) return Detect(d);
            if (declared.CodePage == 20127 && HasJisEscapes(d)) return Iso2022Jp;
            return declared.CodePage == 20127 ? Encoding.UTF8 : declared;
        }
        if (declared.CodePage == 65001 && !IsValidUtf8(d)) return Detect(d);
        if (declared.CodePage is 932 or 51932 or 20932 && !Fits(d, declared)) return Detect(d);
        return declared;
    }

    private static bool Fits(ReadOnlySpan<byte> d, Encoding encoding)
    {
        try
        {
            Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback).GetCharCount(d);
            return true;
        }
        catch (DecoderFallbackException) { return false; }
    }

    /// <summary>How Japanese the bytes look in an encoding: kana and kanji count, half-width kana count against; -1 when invalid.</summary>
    private static int JapaneseScore(ReadOnlySpan<byte> d, Encoding encoding)
    {
        string text;
        try
        {
            var strict = Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            text = strict.GetString(d.Length > 65536 ? d[..65536] : d);
        }
        catch (DecoderFallbackException) { return -1; }
        int score = 0;
        foreach (var c in text)
        {
            if (c is >= '\u3040' and <= '\u30FF' or >= '\u4E00' and <= '\u9FFF' or >= '\u3000' and <= '\u303F' or >= '\uFF01' and <= '\uFF5E') score += 2;
            else if (c is >= '\uFF61' and <= '\uFF9F') score -= 1;
            else if (c >= '\u0080' && c < '\u3000') score -= 2;
        }
        return score;
    }
}
