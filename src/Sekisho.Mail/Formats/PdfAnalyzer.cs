using System.IO.Compression;
using System.Text;
using UglyToad.PdfPig;

namespace Sekisho.Mail.Formats;

/// <summary>
/// PDF facts: encryption (/Encrypt), JavaScript (/JS, /JavaScript, /OpenAction running JS), /Launch,
/// URI actions, and text through PdfPig. Keywords are found by a token scan of the raw file and of its
/// compressed object streams, with #xx name escapes undone, as pdfid does.
/// </summary>
internal static class PdfAnalyzer
{
    private const int MaxInflatedBytes = 32 << 20;
    private const int MaxObjectStreams = 2000;

    public static DocumentFacts Analyze(ReadOnlyMemory<byte> data, int maxPages, int maxChars, bool extractText, CancellationToken ct)
    {
        var scan = new KeywordScan();
        scan.Scan(data.Span);
        int inflated = 0, streams = 0;
        foreach (var body in ObjectStreams(data))
        {
            ct.ThrowIfCancellationRequested();
            if (++streams > MaxObjectStreams || inflated > MaxInflatedBytes) break;
            var bytes = Inflate(body, MaxInflatedBytes - inflated);
            inflated += bytes.Length;
            scan.Scan(bytes);
        }

        var active = ActiveContent.None;
        if (scan.JavaScript) active |= ActiveContent.PdfJavaScript;
        if (scan.JavaScript && scan.OpenAction) active |= ActiveContent.PdfOpenActionJavaScript;
        if (scan.Launch) active |= ActiveContent.PdfLaunch;

        string? text = null;
        bool opened = false;
        try
        {
            using var document = PdfDocument.Open(data.ToArray(), new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            opened = true;
            if (extractText)
            {
                var sb = new StringBuilder();
                int pages = 0;
                foreach (var page in document.GetPages())
                {
                    ct.ThrowIfCancellationRequested();
                    if (++pages > maxPages || sb.Length >= maxChars) break;
                    foreach (var word in page.GetWords())
                    {
                        sb.Append(word.Text).Append(' ');
                        if (sb.Length >= maxChars) break;
                    }
                    sb.Append('\n');
                }
                text = sb.Length > maxChars ? sb.ToString(0, maxChars) : sb.ToString().Trim();
            }
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception)
        {
            // PdfPig throws many exception types on damaged or password-protected files; the keyword scan still stands.
        }
        // An /Encrypt dictionary with an empty user password opens anyway: that restricts permissions, it does not protect the content.
        bool passwordProtected = scan.Encrypt && !opened;
        return new DocumentFacts(passwordProtected, active, text, scan.Uris, []);
    }

    private static List<ReadOnlyMemory<byte>> ObjectStreams(ReadOnlyMemory<byte> pdf)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var copy = pdf.Span;
        int pos = 0;
        while (true)
        {
            int s = copy[pos..].IndexOf("stream"u8);
            if (s < 0) break;
            s += pos;
            pos = s + 6;
            if (s >= 3 && copy.Slice(s - 3, 3).SequenceEqual("end"u8)) continue;
            int dictStart = Math.Max(0, s - 1024);
            var dict = copy[dictStart..s];
            int open = dict.LastIndexOf("<<"u8);
            if (open < 0) continue;
            var header = Normalize(dict[open..]);
            if (!header.Contains("/ObjStm", StringComparison.Ordinal) || !header.Contains("/FlateDecode", StringComparison.Ordinal)) continue;
            int bodyStart = pos;
            if (bodyStart < copy.Length && copy[bodyStart] == '\r') bodyStart++;
            if (bodyStart < copy.Length && copy[bodyStart] == '\n') bodyStart++;
            int end = copy[bodyStart..].IndexOf("endstream"u8);
            if (end < 0) break;
            found.Add(pdf.Slice(bodyStart, end));
            pos = bodyStart + end + 9;
        }
        return found;
    }

    private static byte[] Inflate(ReadOnlyMemory<byte> body, int max)
    {
        try
        {
            using var z = new ZLibStream(MemoryStreams.Open(body), CompressionMode.Decompress);
            var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int n;
            while (buffer.Length < max && (n = z.Read(chunk, 0, chunk.Length)) > 0) buffer.Write(chunk, 0, n);
            return buffer.ToArray();
        }
        catch (InvalidDataException) { return []; }
    }

    private static string Normalize(ReadOnlySpan<byte> raw) => UndoNameEscapes(Encoding.Latin1.GetString(raw));

    private static string UndoNameEscapes(string s)
    {
        if (!s.Contains('#')) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '#' && i + 2 < s.Length && Uri.IsHexDigit(s[i + 1]) && Uri.IsHexDigit(s[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private sealed class KeywordScan
    {
        public bool Encrypt, JavaScript, OpenAction, Launch;
        public List<string> Uris { get; } = [];

        public void Scan(ReadOnlySpan<byte> d)
        {
            for (int i = d.IndexOf((byte)'/'); i >= 0 && i < d.Length; )
            {
                int j = i + 1;
                while (j < d.Length && IsNameChar(d[j]) && j - i < 64) j++;
                var name = UndoNameEscapes(Encoding.Latin1.GetString(d[(i + 1)..j]));
                switch (name)
                {
                    case "Encrypt": Encrypt = true; break;
                    case "JS" or "JavaScript": JavaScript = true; break;
                    case "OpenAction": OpenAction = true; break;
                    case "Launch": Launch = true; break;
                    case "URI" when Uris.Count < 1000:
                        var value = ReadString(d[j..]);
                        if (value is not null) Uris.Add(value);
                        break;
                }
                int next = j < d.Length ? d[j..].IndexOf((byte)'/') : -1;
                if (next < 0) break;
                i = j + next;
            }
        }

        private static bool IsNameChar(byte b) => b > 0x20 && b < 0x7F && b is not ((byte)'/' or (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'%');

        /// <summary>Reads a PDF literal string "(…)" or hex string "&lt;…&gt;" after optional white space.</summary>
        private static string? ReadString(ReadOnlySpan<byte> d)
        {
            int i = 0;
            while (i < d.Length && d[i] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t') i++;
            if (i >= d.Length) return null;
            var sb = new StringBuilder();
            if (d[i] == '(')
            {
                int depth = 1;
                for (i++; i < d.Length && sb.Length < 4096; i++)
                {
                    byte c = d[i];
                    if (c == '\\' && i + 1 < d.Length) { i++; sb.Append(d[i] switch { (byte)'n' => '\n', (byte)'r' => '\r', (byte)'t' => '\t', var x => (char)x }); continue; }
                    if (c == '(') depth++;
                    if (c == ')' && --depth == 0) return sb.ToString();
                    sb.Append((char)c);
                }
                return sb.ToString();
            }
            if (d[i] == '<')
            {
                var hex = new StringBuilder();
                for (i++; i < d.Length && d[i] != '>' && hex.Length < 8192; i++)
                    if (Uri.IsHexDigit((char)d[i])) hex.Append((char)d[i]);
                if (hex.Length % 2 == 1) hex.Append('0');
                var bytes = Convert.FromHexString(hex.ToString());
                return Encoding.Latin1.GetString(bytes);
            }
            return null;
        }
    }
}
