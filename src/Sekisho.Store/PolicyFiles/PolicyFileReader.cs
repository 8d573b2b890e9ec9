using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Sekisho.Model;
using Sekisho.Model.Serialization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sekisho.Store.PolicyFiles;

/// <summary>A policy file read from disk: the document and the line of any path in it.</summary>
public sealed record ParsedPolicyFile(PolicyDocument Document, Func<string, int?> LineOf);

/// <summary>
/// Reads a policy file (YAML or JSON) into a <see cref="PolicyDocument"/>, keeping the line of every node so that
/// each problem — syntax, type, or a validation rule — is reported with its path and line. Bounded: file size,
/// nesting depth, no YAML aliases (no billion laughs).
/// </summary>
public static class PolicyFileReader
{
    public const long MaxFileBytes = 64L * 1024 * 1024;
    public const int MaxDepth = 64;

    /// <summary>
    /// Parses and type-checks a policy file; throws <see cref="PolicyFileException"/> with the path and line of the problem.
    /// Validation against the rest of the policy happens on import (<see cref="PolicyImporter"/>), where references
    /// to objects already in the store are known.
    /// </summary>
    public static ParsedPolicyFile Read(byte[] content, PolicyFileFormat? format = null)
    {
        if (content.Length > MaxFileBytes)
            throw Fail("", null, new LocalizedText($"ポリシーファイルが大きすぎます (上限 {MaxFileBytes / 1024 / 1024} MB)。", $"The policy file is larger than {MaxFileBytes / 1024 / 1024} MB."));
        var lines = new LineMap(content);
        format ??= LooksLikeJson(content) ? PolicyFileFormat.Json : PolicyFileFormat.Yaml;
        JsonNode? root = format == PolicyFileFormat.Json ? ReadJson(content, lines) : ReadYaml(content, lines);
        if (root is not JsonObject obj)
            throw Fail("", 1, new LocalizedText("ポリシーファイルの最上位はマッピング (キーと値の組) である必要があります。", "The top of a policy file must be a mapping of keys to values."));
        var schema = obj["schema"]?.GetValueKind() == JsonValueKind.String ? obj["schema"]!.GetValue<string>() : null;
        if (schema != PolicyDocument.CurrentSchema)
            throw Fail("schema", lines.Line("schema"), new LocalizedText(
                $"schema は \"{PolicyDocument.CurrentSchema}\" である必要があります (実際: {schema ?? "なし"})。",
                $"schema must be \"{PolicyDocument.CurrentSchema}\" (found: {schema ?? "none"})."));
        PolicyDocument document;
        try
        {
            document = obj.Deserialize<PolicyDocument>(ModelJson.Options) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            var path = e.Path is null ? "" : e.Path.TrimStart('$').TrimStart('.');
            throw Fail(path, lines.Line(path), new LocalizedText("値が正しくありません: " + e.Message, "Invalid value: " + e.Message));
        }
        catch (InvalidOperationException e)
        {
            throw Fail("", null, new LocalizedText("値が正しくありません: " + e.Message, "Invalid value: " + e.Message));
        }
        return new ParsedPolicyFile(document, lines.Line);
    }

    private static bool LooksLikeJson(byte[] content)
    {
        foreach (var b in content.AsSpan(content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0))
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b is (byte)'{' or (byte)'[';
        }
        return false;
    }

    private static PolicyFileException Fail(string path, int? line, LocalizedText message) => new([new PolicyFileProblem(path, line, message)]);

    // ------------------------------------------------------------------ JSON

    private static JsonNode? ReadJson(byte[] content, LineMap lines)
    {
        var reader = new Utf8JsonReader(content, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read()) throw new JsonException("empty file");
            var node = ReadJsonValue(ref reader, "", lines);
            if (reader.Read()) throw new JsonException("text after the end of the document");
            return node;
        }
        catch (JsonException e)
        {
            throw Fail("", (int?)e.LineNumber + 1, new LocalizedText("JSON の構文エラー: " + e.Message, "JSON syntax error: " + e.Message));
        }
    }

    private static JsonNode? ReadJsonValue(ref Utf8JsonReader r, string path, LineMap lines)
    {
        lines.Record(path, lines.LineAtOffset(r.TokenStartIndex));
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject:
                var o = new JsonObject();
                while (r.Read() && r.TokenType != JsonTokenType.EndObject)
                {
                    var key = r.GetString()!;
                    if (o.ContainsKey(key)) throw new JsonException($"duplicate key '{key}'", null, lines.LineAtOffset(r.TokenStartIndex) - 1, null);
                    r.Read();
                    o[key] = ReadJsonValue(ref r, Join(path, key), lines);
                }
                return o;
            case JsonTokenType.StartArray:
                var a = new JsonArray();
                int i = 0;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    a.Add(ReadJsonValue(ref r, $"{path}[{i++}]", lines));
                return a;
            case JsonTokenType.String: return JsonValue.Create(r.GetString());
            case JsonTokenType.Number:
                return r.TryGetInt64(out var l) ? JsonValue.Create(l) : JsonValue.Create(r.GetDouble());
            case JsonTokenType.True: return JsonValue.Create(true);
            case JsonTokenType.False: return JsonValue.Create(false);
            case JsonTokenType.Null: return null;
            default: throw new JsonException("unexpected " + r.TokenType);
        }
    }

    // ------------------------------------------------------------------ YAML

    private static readonly Regex YamlInt = new(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex YamlFloat = new(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static JsonNode? ReadYaml(byte[] content, LineMap lines)
    {
        try
        {
            using var text = new StreamReader(new MemoryStream(content), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var parser = new Parser(text);
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) throw Fail("", 1, new LocalizedText("ポリシーファイルが空です。", "The policy file is empty."));
            parser.Consume<DocumentStart>();
            var node = ReadYamlValue(parser, "", lines, 0);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
                throw Fail("", null, new LocalizedText("ポリシーファイルには 1 つの文書だけを記述してください。", "A policy file holds exactly one YAML document."));
            return node;
        }
        catch (YamlException e)
        {
            throw Fail("", (int)e.Start.Line, new LocalizedText("YAML の構文エラー: " + e.Message, "YAML syntax error: " + e.Message));
        }
    }

    private static JsonNode? ReadYamlValue(IParser p, string path, LineMap lines, int depth)
    {
        if (depth > MaxDepth) throw Fail(path, null, new LocalizedText("入れ子が深すぎます。", "The document is nested too deeply."));
        var ev = p.Current ?? throw new YamlException("unexpected end of document");
        lines.Record(path, (int)ev.Start.Line);
        switch (ev)
        {
            case AnchorAlias alias:
                throw Fail(path, (int)alias.Start.Line, new LocalizedText("YAML のエイリアス (*name) は使用できません。値をそのまま記述してください。", "YAML aliases (*name) are not allowed; write the value out."));
            case Scalar s:
                p.MoveNext();
                return ScalarValue(s);
            case MappingStart:
                p.MoveNext();
                var o = new JsonObject();
                while (!p.TryConsume<MappingEnd>(out _))
                {
                    if (p.Current is not Scalar key)
                        throw Fail(path, (int)(p.Current?.Start.Line ?? 0), new LocalizedText("キーは文字列である必要があります。", "Keys must be plain strings."));
                    p.MoveNext();
                    if (o.ContainsKey(key.Value))
                        throw Fail(Join(path, key.Value), (int)key.Start.Line, new LocalizedText($"キー「{key.Value}」が重複しています。", $"The key '{key.Value}' appears twice."));
                    o[key.Value] = ReadYamlValue(p, Join(path, key.Value), lines, depth + 1);
                }
                return o;
            case SequenceStart:
                p.MoveNext();
                var a = new JsonArray();
                int i = 0;
                while (!p.TryConsume<SequenceEnd>(out _))
                    a.Add(ReadYamlValue(p, $"{path}[{i++}]", lines, depth + 1));
                return a;
            default:
                throw new YamlException(ev.Start, ev.End, "unexpected " + ev.GetType().Name);
        }
    }

    private static JsonNode? ScalarValue(Scalar s)
    {
        if (s.Style != ScalarStyle.Plain) return JsonValue.Create(s.Value);
        var v = s.Value;
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (YamlInt.IsMatch(v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (YamlFloat.IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>Lines of nodes by path, and byte offsets to lines.</summary>
    internal sealed class LineMap
    {
        private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
        private readonly List<long> _newlines = [];

        public LineMap(byte[] content)
        {
            for (int i = 0; i < content.Length; i++)
                if (content[i] == (byte)'\n') _newlines.Add(i);
        }

        public void Record(string path, int line) => _lines.TryAdd(path, line);

        public int LineAtOffset(long offset)
        {
            int idx = _newlines.BinarySearch(offset);
            return (idx < 0 ? ~idx : idx) + 1;
        }

        /// <summary>The line of the node at this path, or of its nearest recorded ancestor.</summary>
        public int? Line(string path)
        {
            var p = path;
            while (true)
            {
                if (_lines.TryGetValue(p, out var line)) return line;
                if (p.Length == 0) return null;
                int cut = Math.Max(p.LastIndexOf('.'), p.LastIndexOf('['));
                p = cut <= 0 ? "" : p[..cut];
            }
        }
    }
}
