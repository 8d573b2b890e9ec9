namespace Sekisho.Policy.Matching;

/// <summary>File name patterns with <c>*</c> and <c>?</c>, matched against the whole name, case-insensitively.</summary>
public static class Wildcards
{
    public static bool Matches(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(name[n])))
            {
                p++; n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++; mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1; n = ++mark;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>A bare extension (<c>exe</c>, <c>.exe</c>) is read as <c>*.exe</c>, as the console does.</summary>
    public static string Normalize(string pattern)
    {
        var p = pattern.Trim();
        if (p.Contains('*') || p.Contains('?')) return p;
        if (p.StartsWith('.')) return "*" + p;
        return p.Contains('.') ? p : "*." + p;
    }
}
