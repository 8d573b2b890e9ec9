using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Sekisho.Mail;

/// <summary>
/// The true file type of a piece of content, decided from its bytes and never from its name.
/// The members mirror the InterScan true-file-type vocabulary (export format §6) so that the
/// migration tool and the policy engine speak the same identifiers; use <see cref="TrueFileTypes"/>
/// to convert to and from those identifiers.
/// </summary>
public enum TrueFileType
{
    /// <summary>Nothing in the vocabulary matched (plain data, unknown formats, encrypted Office 2007+ files).</summary>
    Unknown = 0,
    Exe, Dll, Msi, Lnk, Com, Elf, JavaClass, Jar, Vbs, Js, Wsf, Bat, Ps1, Hta,
    Doc, Docx, Xls, Xlsx, Ppt, Pptx, Docm, Xlsm, Pptm, Rtf, Pdf, Odf,
    Zip, Rar, SevenZip, Gz, Bz2, Xz, Tar, Cab, Lzh, Arj, Iso,
    Jpeg, Png, Gif, Bmp, Tiff, Html, Xml, Eml, Tnef, Mp3, Mp4, Wav, Avi,

    /// <summary>Readable text that is none of the script or markup types. Not part of the InterScan vocabulary.</summary>
    Text,
}

/// <summary>Broad families of true file types, for grouping in criteria and reports.</summary>
public enum TrueFileTypeCategory
{
    /// <summary>Not classified.</summary>
    Other,
    /// <summary>Native executables, installers and shortcuts.</summary>
    Executable,
    /// <summary>Script files run by an interpreter on the recipient's machine.</summary>
    Script,
    /// <summary>Office and other documents.</summary>
    Document,
    /// <summary>Archives and compressed files.</summary>
    Archive,
    /// <summary>Still images.</summary>
    Image,
    /// <summary>Audio and video.</summary>
    Media,
    /// <summary>Markup and mail formats.</summary>
    Markup,
}

/// <summary>Identifiers, categories and lookups for <see cref="TrueFileType"/>.</summary>
public static class TrueFileTypes
{
    private static readonly (TrueFileType Type, string Id, TrueFileTypeCategory Category)[] Table =
    [
        (TrueFileType.Exe, "exe", TrueFileTypeCategory.Executable),
        (TrueFileType.Dll, "dll", TrueFileTypeCategory.Executable),
        (TrueFileType.Msi, "msi", TrueFileTypeCategory.Executable),
        (TrueFileType.Lnk, "lnk", TrueFileTypeCategory.Executable),
        (TrueFileType.Com, "com", TrueFileTypeCategory.Executable),
        (TrueFileType.Elf, "elf", TrueFileTypeCategory.Executable),
        (TrueFileType.JavaClass, "java_class", TrueFileTypeCategory.Executable),
        (TrueFileType.Jar, "jar", TrueFileTypeCategory.Executable),
        (TrueFileType.Vbs, "vbs", TrueFileTypeCategory.Script),
        (TrueFileType.Js, "js", TrueFileTypeCategory.Script),
        (TrueFileType.Wsf, "wsf", TrueFileTypeCategory.Script),
        (TrueFileType.Bat, "bat", TrueFileTypeCategory.Script),
        (TrueFileType.Ps1, "ps1", TrueFileTypeCategory.Script),
        (TrueFileType.Hta, "hta", TrueFileTypeCategory.Script),
        (TrueFileType.Doc, "doc", TrueFileTypeCategory.Document),
        (TrueFileType.Docx, "docx", TrueFileTypeCategory.Document),
        (TrueFileType.Xls, "xls", TrueFileTypeCategory.Document),
        (TrueFileType.Xlsx, "xlsx", TrueFileTypeCategory.Document),
        (TrueFileType.Ppt, "ppt", TrueFileTypeCategory.Document),
        (TrueFileType.Pptx, "pptx", TrueFileTypeCategory.Document),
        (TrueFileType.Docm, "docm", TrueFileTypeCategory.Document),
        (TrueFileType.Xlsm, "xlsm", TrueFileTypeCategory.Document),
        (TrueFileType.Pptm, "pptm", TrueFileTypeCategory.Document),
        (TrueFileType.Rtf, "rtf", TrueFileTypeCategory.Document),
        (TrueFileType.Pdf, "pdf", TrueFileTypeCategory.Document),
        (TrueFileType.Odf, "odf", TrueFileTypeCategory.Document),
        (TrueFileType.Zip, "zip", TrueFileTypeCategory.Archive),
        (TrueFileType.Rar, "rar", TrueFileTypeCategory.Archive),
        (TrueFileType.SevenZip, "7z", TrueFileTypeCategory.Archive),
        (TrueFileType.Gz, "gz", TrueFileTypeCategory.Archive),
        (TrueFileType.Bz2, "bz2", TrueFileTypeCategory.Archive),
        (TrueFileType.Xz, "xz", TrueFileTypeCategory.Archive),
        (TrueFileType.Tar, "tar", TrueFileTypeCategory.Archive),
        (TrueFileType.Cab, "cab", TrueFileTypeCategory.Archive),
        (TrueFileType.Lzh, "lzh", TrueFileTypeCategory.Archive),
        (TrueFileType.Arj, "arj", TrueFileTypeCategory.Archive),
        (TrueFileType.Iso, "iso", TrueFileTypeCategory.Archive),
        (TrueFileType.Jpeg, "jpeg", TrueFileTypeCategory.Image),
        (TrueFileType.Png, "png", TrueFileTypeCategory.Image),
        (TrueFileType.Gif, "gif", TrueFileTypeCategory.Image),
        (TrueFileType.Bmp, "bmp", TrueFileTypeCategory.Image),
        (TrueFileType.Tiff, "tiff", TrueFileTypeCategory.Image),
        (TrueFileType.Html, "html", TrueFileTypeCategory.Markup),
        (TrueFileType.Xml, "xml", TrueFileTypeCategory.Markup),
        (TrueFileType.Eml, "eml", TrueFileTypeCategory.Markup),
        (TrueFileType.Tnef, "tnef", TrueFileTypeCategory.Markup),
        (TrueFileType.Mp3, "mp3", TrueFileTypeCategory.Media),
        (TrueFileType.Mp4, "mp4", TrueFileTypeCategory.Media),
        (TrueFileType.Wav, "wav", TrueFileTypeCategory.Media),
        (TrueFileType.Avi, "avi", TrueFileTypeCategory.Media),
    ];

    private static readonly FrozenDictionary<TrueFileType, (string Id, TrueFileTypeCategory Category)> ByType =
        Table.ToFrozenDictionary(t => t.Type, t => (t.Id, t.Category));

    private static readonly FrozenDictionary<string, TrueFileType> ById =
        Table.ToFrozenDictionary(t => t.Id, t => t.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every type of the InterScan vocabulary, in the order of the export format specification.</summary>
    public static ImmutableArray<TrueFileType> Vocabulary { get; } = [.. Table.Select(t => t.Type)];

    /// <summary>The vocabulary identifier (for example <c>java_class</c> or <c>7z</c>); <c>unknown</c> and <c>text</c> for the two extra members.</summary>
    public static string Id(this TrueFileType type) => type switch
    {
        TrueFileType.Unknown => "unknown",
        TrueFileType.Text => "text",
        _ => ByType.TryGetValue(type, out var v) ? v.Id : throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The broad family the type belongs to.</summary>
    public static TrueFileTypeCategory Category(this TrueFileType type) =>
        ByType.TryGetValue(type, out var v) ? v.Category : TrueFileTypeCategory.Other;

    /// <summary>Whether the type is one of the InterScan vocabulary (not <see cref="TrueFileType.Unknown"/> or <see cref="TrueFileType.Text"/>).</summary>
    public static bool IsInVocabulary(this TrueFileType type) => ByType.ContainsKey(type);

    /// <summary>Whether the type is a container this library opens (archives, compressed files).</summary>
    public static bool IsArchive(this TrueFileType type) => type.Category() == TrueFileTypeCategory.Archive;

    /// <summary>Looks up a vocabulary identifier, case-insensitively.</summary>
    public static bool TryParse(string? id, out TrueFileType type)
    {
        type = TrueFileType.Unknown;
        if (string.IsNullOrWhiteSpace(id))
            return false;
        if (ById.TryGetValue(id.Trim(), out type))
            return true;
        if (string.Equals(id.Trim(), "text", StringComparison.OrdinalIgnoreCase)) { type = TrueFileType.Text; return true; }
        return false;
    }
}
