using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace NewsLens.Api.Http;

/// <summary>
/// A JSON value that is well-formed but not acceptable for its field. Its message is written for API
/// users and is returned in the problem's <c>errors</c>, keyed by the field's JSON path.
/// </summary>
public sealed class JsonValueException : JsonException
{
    public JsonValueException(string message) : base(message)
    {
    }

    /// <summary>The same problem reported at <paramref name="path"/> (an import element's place in the body).</summary>
    public JsonValueException(string message, string path) : base(message, path, null, null)
    {
    }

    /// <summary>"an object", "a number", ... for messages about a value of the wrong JSON type.</summary>
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.String => "a string",
        _ => "a JSON value of the wrong type",
    };
}

/// <summary>Enums travel as their snake_case names only; numbers and unknown names are rejected with the allowed list.</summary>
public sealed class SnakeCaseEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(SnakeCaseEnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class SnakeCaseEnumConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && EnumText<T>.TryParse(reader.GetString(), out var value))
            {
                return value;
            }

            var shown = reader.TokenType == JsonTokenType.String ? $"'{Truncate(reader.GetString())}'" : JsonValueException.Describe(reader.TokenType);
            throw new JsonValueException($"{shown} is not a valid value; expected one of: {EnumText<T>.AllowedList}.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(EnumText<T>.Name(value));

        private static string? Truncate(string? text) => text is { Length: > 50 } ? text[..50] + "…" : text;
    }
}

/// <summary>
/// RFC 3339 timestamps: an explicit offset (<c>Z</c> or <c>±hh:mm</c>) is required, so a timestamp never
/// silently takes the server's local time zone.
/// </summary>
public sealed class Rfc3339DateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && Rfc3339.TryParse(reader.GetString(), out var value))
        {
            return value;
        }

        throw new JsonValueException(Rfc3339.Expected);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime);
}

/// <summary>Every string the API reads is trimmed, so "  Reuters " and "Reuters" are the same name.</summary>
public sealed class TrimmingStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonValueException($"Expected a string, not {JsonValueException.Describe(reader.TokenType)}.");
        }

        return reader.GetString()?.Trim();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
