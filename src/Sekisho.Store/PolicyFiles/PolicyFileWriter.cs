using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Sekisho.Model.Serialization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sekisho.Store.PolicyFiles;

/// <summary>Writes a <see cref="PolicyDocument"/> as YAML or JSON (the same tree either way).</summary>
public static class PolicyFileWriter
{
    public static string Write(PolicyDocument document, PolicyFileFormat format)
    {
        var json = ModelJson.Serialize(document, indented: true);
        if (format == PolicyFileFormat.Json) return json + "\n";
        var node = JsonNode.Parse(json)!;
        var sb = new StringBuilder();
        sb.Append("# Sekisho policy file (").Append(PolicyDocument.CurrentSchema).Append("); schema: docs/policy-file.md\n");
        using var writer = new StringWriter(sb) { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(bestIndent: 2, bestWidth: 160, isCanonical: false, maxSimpleKeyLength: 1024, skipAnchorName: true, indentSequences: false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return sb.ToString();
    }

    private static void Emit(IEmitter e, JsonNode? node)
    {
        switch (node)
        {
            case null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject o:
                e.Emit(new MappingStart(null, null, true, o.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (k, v) in o)
                {
                    e.Emit(new Scalar(null, null, k, IsPlainSafe(k) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted, true, true));
                    Emit(e, v);
                }
                e.Emit(new MappingEnd());
                break;
            case JsonArray a:
                e.Emit(new SequenceStart(null, null, true, a.Count == 0 || a.All(x => x is JsonValue) ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in a) Emit(e, item);
                e.Emit(new SequenceEnd());
                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                var style = s.Contains('\n') && !s.Contains('\r') && !s.Any(c => char.IsControl(c) && c != '\n') && s == s.TrimEnd(' ') ? ScalarStyle.Literal
                    : IsPlainSafe(s) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
                e.Emit(new Scalar(null, null, s, style, true, true));
                break;
            case JsonValue v:
                e.Emit(new Scalar(null, null, v.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static readonly Regex Plain = new(@"^[\p{L}\p{N}_/][\p{L}\p{N}_ ./@+()\-]*$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~" };

    // A plain scalar is written only when a YAML reader cannot take it for anything but this string.
    private static bool IsPlainSafe(string s) =>
        s.Length > 0 && s.Length < 200 && s == s.Trim() && Plain.IsMatch(s) && !Reserved.Contains(s)
        && !double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        && !s.Contains(" #") && !char.IsDigit(s[0]);
}
