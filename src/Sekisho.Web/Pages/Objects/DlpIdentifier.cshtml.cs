using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Objects;
using Sekisho.Model.Serialization;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>DLP データ識別子の追加 / 編集: an expression (with validation), a keyword list or a file attribute. Predefined ones are shown read-only.</summary>
public sealed class DlpIdentifierModel(PolicyObjectService objects) : ObjectEditPage<DlpIdentifier>(objects)
{
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string? Type { get; set; } = "expression";
    [BindProperty] public string? Pattern { get; set; }
    [BindProperty] public string? Validator { get; set; } = "none";
    [BindProperty] public bool CaseSensitive { get; set; }
    [BindProperty] public string? Keywords { get; set; }
    [BindProperty] public string? Match { get; set; } = "any";
    [BindProperty] public int Threshold { get; set; }
    [BindProperty] public string? TrueTypes { get; set; }
    [BindProperty] public string? NamePatterns { get; set; }
    [BindProperty] public long MinBytes { get; set; }
    [BindProperty] public string? MaxBytes { get; set; }
    [BindProperty] public bool Except { get; set; }

    public bool Predefined => !IsNew && PredefinedDlp.IsPredefined(Id!);

    protected override string ListPath => "/objects/dlp";

    protected override DlpIdentifier FromForm()
    {
        var id = Id ?? "";
        var name = (Name ?? "").Trim();
        var description = Description ?? "";
        return Type switch
        {
            "keyword-list" => new DlpKeywordList
            {
                Id = id, Name = name, Description = description, Threshold = Threshold,
                Keywords = (Keywords ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Match = ModelJson.TryParseEnum<KeywordMatch>(Match, out var m) ? m : KeywordMatch.Any,
            },
            "file-attribute" => new DlpFileAttribute
            {
                Id = id, Name = name, Description = description, MinBytes = MinBytes, Except = Except,
                MaxBytes = long.TryParse(MaxBytes, NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : long.MaxValue,
                TrueTypes = Split(TrueTypes), NamePatterns = Split(NamePatterns),
            },
            _ => new DlpExpression
            {
                Id = id, Name = name, Description = description, Pattern = Pattern ?? "", CaseSensitive = CaseSensitive,
                Validator = ModelJson.TryParseEnum<DlpValidator>(Validator, out var v) ? v : DlpValidator.None,
            },
        };
    }

    private static string[] Split(string? s) => (s ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    protected override void Show(DlpIdentifier i)
    {
        Id = i.Id;
        Name = i.Name;
        Description = i.Description;
        switch (i)
        {
            case DlpExpression e:
                Type = "expression"; Pattern = e.Pattern; Validator = ModelJson.EnumName(e.Validator); CaseSensitive = e.CaseSensitive; break;
            case DlpKeywordList k:
                Type = "keyword-list"; Keywords = string.Join('\n', k.Keywords); Match = ModelJson.EnumName(k.Match); Threshold = k.Threshold; break;
            case DlpFileAttribute f:
                Type = "file-attribute"; TrueTypes = string.Join(", ", f.TrueTypes); NamePatterns = string.Join(", ", f.NamePatterns); MinBytes = f.MinBytes;
                MaxBytes = f.MaxBytes == long.MaxValue ? "" : f.MaxBytes.ToString(CultureInfo.InvariantCulture); Except = f.Except; break;
        }
    }
}
