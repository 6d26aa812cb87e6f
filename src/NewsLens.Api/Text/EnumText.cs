using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace NewsLens.Api.Text;

/// <summary>
/// The snake_case wire and database names of an enum's members (<c>LeanLeft</c> ⇄ <c>lean_left</c>).
/// One table serves JSON, query strings, SQL parameters and the OpenAPI document, so they cannot disagree.
/// </summary>
public static class EnumText<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<T, string> NameOf =
        Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

    private static readonly FrozenDictionary<string, T> ValueOf =
        NameOf.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<T>().Select(v => NameOf[v])];

    public static string AllowedList { get; } = string.Join(", ", Names);

    public static string Name(T value) => NameOf[value];

    [return: NotNullIfNotNull(nameof(value))]
    public static string? Name(T? value) => value is { } v ? NameOf[v] : null;

    public static bool TryParse([NotNullWhen(true)] string? text, out T value)
    {
        if (text is not null && ValueOf.TryGetValue(text, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    public static bool IsName(string? text) => text is not null && ValueOf.ContainsKey(text);

    /// <summary>Reads a value written by <see cref="Name(T)"/>; for database columns guarded by CHECK constraints.</summary>
    public static T? ParseStored(string? text) =>
        text is null ? null
        : ValueOf.TryGetValue(text, out var value) ? value
        : throw new InvalidOperationException($"Stored value '{text}' is not a {typeof(T).Name}.");
}
