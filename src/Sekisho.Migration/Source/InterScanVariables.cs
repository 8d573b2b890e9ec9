namespace Sekisho.Migration.Source;

/// <summary>InterScan notification and stamp variables: any <c>%NAME%</c> token with NAME of <c>[A-Z_&amp;]+</c>.</summary>
public static class InterScanVariables
{
    /// <summary>The distinct tokens of the texts, with their percent signs, in order of first appearance.</summary>
    public static IReadOnlyList<string> Find(params string[] texts)
    {
        var found = new List<string>();
        foreach (var text in texts)
        {
            var i = 0;
            while (i < text.Length)
            {
                if (text[i] != '%') { i++; continue; }
                var j = i + 1;
                while (j < text.Length && (text[j] is >= 'A' and <= 'Z' || text[j] == '_' || text[j] == '&')) j++;
                if (j > i + 1 && j < text.Length && text[j] == '%')
                {
                    var token = text[i..(j + 1)];
                    if (!found.Contains(token)) found.Add(token);
                    i = j + 1;
                }
                else
                {
                    i = j > i + 1 ? j : i + 1;
                }
            }
        }
        return found;
    }
}
