namespace Sekisho.Mail.Formats;

/// <summary>What a document analyser learned about one file.</summary>
internal sealed record DocumentFacts(
    bool PasswordProtected,
    ActiveContent ActiveContent,
    string? Text,
    IReadOnlyList<string> Links,
    IReadOnlyList<(ScanExceptionKind Kind, string Detail)> Exceptions)
{
    public static readonly DocumentFacts Empty = new(false, ActiveContent.None, null, [], []);
}
