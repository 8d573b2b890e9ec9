using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sekisho.Migration.Export;
using Sekisho.Migration.Mapping;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;

namespace Sekisho.Migration.Reports;

/// <summary>The machine-readable analysis (spec/migration-mapping.md §5.1), and the document for a fatal problem.</summary>
public static class AnalysisJson
{
    public const string Schema = "sekisho.migration-analysis/1";

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(MigrationAnalysis a, string language)
    {
        using var stream = new MemoryStream();
        Write(stream, a, language);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the document to a stream (large analyses go straight to the file).</summary>
    public static void Write(Stream stream, MigrationAnalysis a, string language)
    {
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteStartObject("source");
            w.WriteString("product", a.Source.Product);
            w.WriteString("platform", a.Source.Platform);
            w.WriteString("version", a.Source.Version);
            w.WriteNumber("build", a.Source.Build);
            WriteNullable(w, "language", a.Source.Language);
            WriteNullable(w, "hostname", a.Source.Hostname);
            WriteNullable(w, "exportedAt", a.Source.ExportedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteString("file", a.Source.File);
            w.WriteString("sha256", a.Source.Sha256);
            w.WriteEndObject();
            w.WriteString("mode", ModelJson.EnumName(a.Mode));
            w.WriteString("generatedAt", a.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            var s = a.Summary;
            w.WriteStartObject("summary");
            w.WriteNumber("notSupported", s.NotSupported);
            w.WriteNumber("error", s.Error);
            w.WriteNumber("warning", s.Warning);
            w.WriteNumber("successful", s.Successful);
            w.WriteEndObject();
            w.WriteStartArray("items");
            foreach (var item in a.Items)
            {
                w.WriteStartObject();
                w.WriteString("id", item.Id);
                w.WriteString("kind", item.Kind);
                w.WriteString("name", item.Name);
                w.WriteString("source", item.Source);
                w.WriteString("status", ModelJson.EnumName(item.Status));
                w.WriteStartArray("targets");
                foreach (var t in item.Targets)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", t.Kind);
                    if (t.Direction is { } d) w.WriteString("direction", ModelJson.EnumName(d));
                    w.WriteString("name", t.Name);
                    if (t.Enabled is { } e) w.WriteBoolean("enabled", e);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("findings");
                foreach (var f in item.Findings)
                {
                    w.WriteStartObject();
                    w.WriteString("code", f.Code);
                    w.WriteString("status", ModelJson.EnumName(f.Status));
                    w.WriteString("message", f.Message.For(language));
                    w.WriteString("fix", f.Fix.For(language));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The document printed when the file cannot be analysed at all.</summary>
    public static string WriteFatal(ExportFatalError fatal, string language)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteStartObject("fatal");
            w.WriteString("code", fatal.CodeName);
            w.WriteString("message", fatal.GetMessage(language == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.InvariantCulture));
            if (fatal.Entry is not null) w.WriteString("entry", fatal.Entry);
            if (fatal.Line is not null) w.WriteNumber("line", fatal.Line.Value);
            if (fatal.EnableMigrationCommand is not null) w.WriteString("command", fatal.EnableMigrationCommand);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
