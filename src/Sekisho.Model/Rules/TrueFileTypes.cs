namespace Sekisho.Model.Rules;

/// <summary>The true file type vocabulary shared by the export format, the model and message facts.</summary>
public static class TrueFileTypes
{
    /// <summary>Every type name, as written in rules and in InterScan exports.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "exe", "dll", "msi", "lnk", "com", "elf", "java_class", "jar", "vbs", "js", "wsf", "bat", "ps1", "hta",
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "docm", "xlsm", "pptm", "rtf", "pdf", "odf",
        "zip", "rar", "7z", "gz", "bz2", "xz", "tar", "cab", "lzh", "arj", "iso",
        "jpeg", "png", "gif", "bmp", "tiff", "html", "xml", "eml", "tnef", "mp3", "mp4", "wav", "avi",
    ];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    public static bool IsKnown(string type) => Known.Contains(type);
}
