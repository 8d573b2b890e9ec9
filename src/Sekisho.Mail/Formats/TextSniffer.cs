using System.Text;

namespace Sekisho.Mail.Formats;

/// <summary>
/// Classifies readable text as markup, mail or one of the script types by counting characteristic
/// constructs. It reads a bounded prefix with ordinal searches only, so hostile input cannot make it slow.
/// </summary>
internal static class TextSniffer
{
    private static readonly string[] MailHeaders =
        ["from", "to", "subject", "date", "message-id", "received", "mime-version", "return-path", "content-type",
         "delivered-to", "reply-to", "sender", "x-mailer", "cc", "content-transfer-encoding", "dkim-signature", "x-original-to"];

    private static readonly string[] HtmlTags =
        ["<html", "<head", "<body", "<title", "<meta", "<div", "<table", "<p>", "<p ", "<a ", "<br", "<script", "<iframe", "<form", "<style", "<img", "<span", "<font", "<center", "<h1"];

    /// <summary>Decodes a prefix as text when it looks like text (BOM-aware); null for binary content.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> d)
    {
        if (d.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return Encoding.Unicode.GetString(d[2..(2 + ((d.Length - 2) & ~1))]);
        if (d.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return Encoding.BigEndianUnicode.GetString(d[2..(2 + ((d.Length - 2) & ~1))]);
        if (d.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) d = d[3..];
        int control = 0;
        foreach (var b in d)
        {
            if (b == 0) return null;
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C or 0x1B)) control++;
        }
        if (control * 100 > d.Length) return null;
        return Encoding.Latin1.GetString(d);
    }

    public static TrueFileType Classify(string text)
    {
        var t = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        var lower = t.ToLowerInvariant();

        if (LooksLikeMail(t)) return TrueFileType.Eml;
        if (lower.Contains("<hta:application", StringComparison.Ordinal)) return TrueFileType.Hta;
        if ((lower.Contains("<job", StringComparison.Ordinal) || lower.Contains("<package", StringComparison.Ordinal))
            && lower.Contains("<script", StringComparison.Ordinal))
            return TrueFileType.Wsf;
        if (lower.StartsWith("<!doctype html", StringComparison.Ordinal)) return TrueFileType.Html;
        if (lower.StartsWith("<?xml", StringComparison.Ordinal))
            return lower.Contains("<html", StringComparison.Ordinal) ? TrueFileType.Html : TrueFileType.Xml;
        if (lower.StartsWith('<'))
        {
            var head = lower.Length > 1024 ? lower[..1024] : lower;
            foreach (var tag in HtmlTags)
                if (head.Contains(tag, StringComparison.Ordinal)) return TrueFileType.Html;
            if (head.StartsWith("<!--", StringComparison.Ordinal) && lower.Contains("<html", StringComparison.Ordinal)) return TrueFileType.Html;
        }

        // A shebang names an interpreter (sh, perl, python) that is not one of the Windows script types.
        if (lower.StartsWith("#!", StringComparison.Ordinal)) return TrueFileType.Text;
        int bat = ScoreBatch(lower), ps1 = ScorePowerShell(lower), vbs = ScoreVbs(lower), js = ScoreJs(lower);
        int[] scores = [bat, ps1, vbs, js];
        Array.Sort(scores);
        int best = scores[3];
        // Weak or mixed evidence (source code in other languages, patches, prose) stays text.
        if (best < 5 || best - scores[2] < 3) return TrueFileType.Text;
        if (best == ps1) return TrueFileType.Ps1;
        if (best == vbs) return TrueFileType.Vbs;
        if (best == js) return TrueFileType.Js;
        return TrueFileType.Bat;
    }

    private static bool LooksLikeMail(string t)
    {
        int known = 0, lines = 0, pos = 0;
        if (t.StartsWith("From ", StringComparison.Ordinal))
        {
            int nl = t.IndexOf('\n');
            if (nl < 0) return false;
            pos = nl + 1;
        }
        while (pos < t.Length && lines < 40)
        {
            int nl = t.IndexOf('\n', pos);
            var line = (nl < 0 ? t[pos..] : t[pos..nl]).TrimEnd('\r');
            pos = nl < 0 ? t.Length : nl + 1;
            if (line.Length == 0) break;
            lines++;
            if (line[0] is ' ' or '\t') continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) return false;
            var name = line[..colon];
            foreach (var ch in name)
                if (ch <= ' ' || ch > '~') return false;
            if (Array.IndexOf(MailHeaders, name.ToLowerInvariant()) >= 0) known++;
        }
        return known >= 2;
    }

    private static int Count(string s, string needle, int cap = 5)
    {
        int n = 0, i = 0;
        while (n < cap && (i = s.IndexOf(needle, i, StringComparison.Ordinal)) >= 0) { n++; i += needle.Length; }
        return n;
    }

    private static int LineStarts(string s, string prefix, int cap = 5)
    {
        int n = s.StartsWith(prefix, StringComparison.Ordinal) ? 1 : 0;
        return Math.Min(cap, n + Count(s, "\n" + prefix, cap));
    }

    private static int ScoreBatch(string s) =>
        (s.StartsWith("@echo off", StringComparison.Ordinal) ? 4 : 0) + LineStarts(s, "@echo ") * 2
        + LineStarts(s, "echo ") + LineStarts(s, "set ") + LineStarts(s, "goto ") + LineStarts(s, "rem ")
        + LineStarts(s, "if exist ") + LineStarts(s, "if not ") + LineStarts(s, "call ") + LineStarts(s, "::")
        + Count(s, "%~dp0") * 2 + Count(s, "%errorlevel%") * 2 + Count(s, "exit /b") * 2 + LineStarts(s, "start ")
        + LineStarts(s, "pause");

    private static int ScorePowerShell(string s) =>
        Count(s, "param(") * 2 + Count(s, "$env:") * 2 + Count(s, "write-host") * 2 + Count(s, "write-output") * 2
        + Count(s, "invoke-expression") * 2 + Count(s, "invoke-webrequest") * 2 + Count(s, "new-object ") + Count(s, "[cmdletbinding") * 3
        + Count(s, "-executionpolicy") * 2 + Count(s, "$psscriptroot") * 2 + Count(s, "foreach-object") * 2 + Count(s, "get-childitem") * 2
        + Count(s, "get-item") + Count(s, "set-item") + Count(s, "start-process") * 2 + Count(s, "[system.") + Count(s, "$_") + Count(s, " -eq ")
        + Count(s, " -ne ") + Count(s, "downloadstring(") + Count(s, "-encodedcommand") * 2;

    private static int ScoreVbs(string s) =>
        LineStarts(s, "dim ") * 2 + Count(s, "createobject(") + Count(s, "wscript.echo") + Count(s, "end sub") * 2 + Count(s, "end function") * 2
        + Count(s, "msgbox") + Count(s, "on error resume next") * 3 + Count(s, "end if") * 2 + Count(s, " then\r\n") + LineStarts(s, "option explicit") * 3;

    private static int ScoreJs(string s) =>
        Count(s, "function(") + LineStarts(s, "var ") * 2 + LineStarts(s, "let ") + LineStarts(s, "const ") * 2
        + Count(s, "new activexobject") * 3 + Count(s, "document.write") * 2 + Count(s, "window.") + Count(s, "eval(") + Count(s, "});") * 2
        + Count(s, "console.log") * 2 + Count(s, "wscript.createobject(") * 2 + Count(s, "===") + Count(s, ".run(") + Count(s, "wscript.shell") * 2;
}
