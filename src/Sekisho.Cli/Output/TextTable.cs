using System.Globalization;
using System.Text;

namespace Sekisho.Cli.Output;

/// <summary>A plain-text table whose columns line up in a terminal, counting East Asian wide characters as two cells.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public TextTable Row(params string?[] cells)
    {
        _rows.Add(cells.Select(c => (c ?? "").Replace('\n', ' ')).ToArray());
        return this;
    }

    public int Count => _rows.Count;

    public void WriteTo(TextWriter w)
    {
        var widths = headers.Select(Width).ToArray();
        foreach (var r in _rows)
            for (int i = 0; i < r.Length && i < widths.Length; i++)
                widths[i] = Math.Max(widths[i], Width(r[i]));
        Line(w, headers, widths);
        w.WriteLine(string.Join("  ", widths.Select(x => new string('-', x))));
        foreach (var r in _rows) Line(w, r, widths);
    }

    private static void Line(TextWriter w, string[] cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < widths.Length; i++)
        {
            var c = i < cells.Length ? cells[i] : "";
            sb.Append(c);
            if (i < widths.Length - 1) sb.Append(' ', widths[i] - Width(c) + 2);
        }
        w.WriteLine(sb.ToString().TrimEnd());
    }

    /// <summary>Terminal cells a text takes.</summary>
    public static int Width(string s)
    {
        int width = 0;
        var e = StringInfo.GetTextElementEnumerator(s);
        while (e.MoveNext())
        {
            int cp = char.ConvertToUtf32(e.GetTextElement(), 0);
            width += IsWide(cp) ? 2 : 1;
        }
        return width;
    }

    private static bool IsWide(int cp) =>
        cp is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0x303E or >= 0x3041 and <= 0x33FF or >= 0x3400 and <= 0x4DBF
            or >= 0x4E00 and <= 0x9FFF or >= 0xA000 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
            or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 or >= 0x1F300 and <= 0x1F64F
            or >= 0x20000 and <= 0x3FFFD;
}
