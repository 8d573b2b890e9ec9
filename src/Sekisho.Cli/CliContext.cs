using System.CommandLine;
using System.Text.Json;
using Sekisho.Cli.Localization;
using Sekisho.Model;
using Sekisho.Model.Serialization;
using Sekisho.Store;

namespace Sekisho.Cli;

/// <summary>The options every verb understands.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Data { get; } = new("--data") { Description = CliText.T("opt.data"), Recursive = true };
    public Option<string?> Db { get; } = new("--db") { Description = CliText.T("opt.db"), Recursive = true };
    public Option<string> Org { get; } = new("--org") { Description = CliText.T("opt.org"), Recursive = true, DefaultValueFactory = _ => Organization.DefaultName };
    public Option<bool> Json { get; } = new("--json") { Description = CliText.T("opt.json"), Recursive = true };
    public Option<string?> Lang { get; } = new("--lang") { Description = CliText.T("opt.lang"), Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Data);
        root.Options.Add(Db);
        root.Options.Add(Org);
        root.Options.Add(Json);
        root.Options.Add(Lang);
    }
}

/// <summary>A problem caused by the user's input: printed as one line, exit code 1.</summary>
internal sealed class CliUserException(string message) : Exception(message);

/// <summary>What a running verb needs: parsed options, output writers, the store and the organization.</summary>
internal sealed class CliContext(ParseResult parse, GlobalOptions globals, TextWriter output, TextWriter error, TimeProvider time, TextReader? input = null)
{
    /// <summary>Where answers to questions come from (standard input for the real command).</summary>
    public TextReader? Input { get; } = input;

    private SekishoStore? _store;
    private Organization? _org;

    public ParseResult Parse { get; } = parse;
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public TimeProvider Time { get; } = time;
    public bool Json => Parse.GetValue(globals.Json);
    public string Language => CliText.Language;

    /// <summary>The language given with --lang, or null when it came from the locale.</summary>
    public string? ExplicitLanguage => Parse.GetValue(globals.Lang) is { } l ? (l.StartsWith("ja", StringComparison.OrdinalIgnoreCase) ? "ja" : "en") : null;

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    /// <summary>Who the audit log records for command-line changes.</summary>
    public string Actor => "cli:" + Environment.UserName;

    public string DataDirectory
    {
        get
        {
            var d = Parse.GetValue(globals.Data) ?? Environment.GetEnvironmentVariable("SEKISHO_DATA");
            if (string.IsNullOrWhiteSpace(d))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
                if (string.IsNullOrWhiteSpace(xdg)) xdg = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
                d = Path.Combine(xdg, "sekisho");
            }
            return Path.GetFullPath(d);
        }
    }

    public string? PostgresConnectionString => Parse.GetValue(globals.Db) ?? Environment.GetEnvironmentVariable("SEKISHO_DB");

    public string OrganizationName => Parse.GetValue(globals.Org) ?? Organization.DefaultName;

    public async Task<SekishoStore> StoreAsync(CancellationToken ct)
    {
        _store ??= await SekishoStore.OpenAsync(new StoreOptions { DataDirectory = DataDirectory, PostgresConnectionString = PostgresConnectionString }, Time, ct);
        return _store;
    }

    public async Task<Organization> OrganizationAsync(CancellationToken ct)
    {
        _org ??= await (await StoreAsync(ct)).EnsureOrganizationAsync(OrganizationName, Actor, ct);
        return _org;
    }

    /// <summary>Starts one user action (one transaction) in the organization.</summary>
    public async Task<StoreSession> BeginAsync(CancellationToken ct) => await (await StoreAsync(ct)).BeginAsync(await OrganizationAsync(ct), Actor, ct);

    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, ModelJson.Indented));

    /// <summary>A local time for tables: yyyy/MM/dd HH:mm (the console's format).</summary>
    public static string When(DateTimeOffset? t) => t is null ? CliText.T("never") : t.Value.ToLocalTime().ToString("yyyy/MM/dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses an enum option written in kebab case, or fails with the allowed values.</summary>
    public static TEnum ParseEnum<TEnum>(string value, string what) where TEnum : struct, Enum =>
        ModelJson.TryParseEnum<TEnum>(value, out var v) ? v
            : throw new CliUserException(CliText.T("error.enum", value, what, string.Join(", ", Enum.GetValues<TEnum>().Select(ModelJson.EnumName))));
}
