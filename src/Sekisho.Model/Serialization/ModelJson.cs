using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sekisho.Model.Addresses;

namespace Sekisho.Model.Serialization;

/// <summary>
/// The one JSON shape of the model: camelCase members, kebab-case enum values, polymorphic types with a
/// discriminator, addresses as strings, times of day as <c>HH:mm</c>. Used by the store, the policy file and the API.
/// </summary>
public static class ModelJson
{
    /// <summary>Options for storage and files (indented off).</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same options, indented, for files people read.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            AllowOutOfOrderMetadataProperties = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            MaxDepth = 64,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        o.Converters.Add(new AddressPatternJsonConverter());
        o.Converters.Add(new TimeOfDayJsonConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value, bool indented = false) => JsonSerializer.Serialize(value, indented ? Indented : Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("null document");

    /// <summary>The kebab-case name of an enum value, as written in JSON.</summary>
    public static string EnumName<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Parses a kebab-case enum name (as written in JSON and on the command line).</summary>
    public static bool TryParseEnum<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var v in Enum.GetValues<TEnum>())
        {
            if (string.Equals(EnumName(v), text, StringComparison.OrdinalIgnoreCase) || string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }
}

/// <summary>Writes an <see cref="AddressPattern"/> as its text and reads it back with validation.</summary>
public sealed class AddressPatternJsonConverter : JsonConverter<AddressPattern>
{
    public override AddressPattern Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (AddressPattern.TryParse(text, out var p, out var error)) return p!;
        throw new JsonException($"'{text}' is not an address or address pattern ({error}); write user@example.com, *@example.com, *@*.example.com or user@*.");
    }

    public override void Write(Utf8JsonWriter writer, AddressPattern value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

/// <summary>Times of day as <c>HH:mm</c> (or <c>HH:mm:ss</c>).</summary>
public sealed class TimeOfDayJsonConverter : JsonConverter<TimeOnly>
{
    private static readonly string[] Formats = ["HH:mm", "H:mm", "HH:mm:ss", "H:mm:ss"];

    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (TimeOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        throw new JsonException($"'{text}' is not a time of day; write HH:mm (e.g. 22:00).");
    }

    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Second == 0 ? value.ToString("HH:mm", CultureInfo.InvariantCulture) : value.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
}
