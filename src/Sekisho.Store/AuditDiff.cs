using System.Text.Json.Nodes;
using Sekisho.Model.Audit;
using Sekisho.Model.Serialization;

namespace Sekisho.Store;

/// <summary>Field / new value / previous value lists for audit records, computed from the model's JSON form.</summary>
public static class AuditDiff
{
    private const int MaxValueLength = 2000;
    private static readonly HashSet<string> Ignored = ["modified", "created", "lastUsed"];

    /// <summary>Every top-level field of a new object, with its value.</summary>
    public static IReadOnlyList<AuditChange> Created<T>(T value) =>
        Fields(value).Where(f => f.Value is not null).Select(f => new AuditChange(f.Key, f.Value, null)).ToList();

    /// <summary>The top-level fields that differ between two versions of an object.</summary>
    public static IReadOnlyList<AuditChange> Changed<T>(T previous, T current)
    {
        var before = Fields(previous).ToDictionary(f => f.Key, f => f.Value);
        var after = Fields(current).ToDictionary(f => f.Key, f => f.Value);
        var changes = new List<AuditChange>();
        foreach (var key in after.Keys.Union(before.Keys))
        {
            before.TryGetValue(key, out var b);
            after.TryGetValue(key, out var a);
            if (a != b) changes.Add(new AuditChange(key, a, b));
        }
        return changes;
    }

    private static IEnumerable<KeyValuePair<string, string?>> Fields<T>(T value)
    {
        var node = JsonNode.Parse(ModelJson.Serialize<object?>(value)) as JsonObject;
        if (node is null) yield break;
        foreach (var (key, v) in node)
        {
            if (Ignored.Contains(key)) continue;
            yield return new(key, Render(v));
        }
    }

    private static string? Render(JsonNode? node)
    {
        if (node is null) return null;
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString(ModelJson.Options);
        return text.Length > MaxValueLength ? text[..MaxValueLength] + "…" : text;
    }
}
