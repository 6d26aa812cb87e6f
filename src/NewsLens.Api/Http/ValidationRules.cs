using FluentValidation;

namespace NewsLens.Api.Http;

public static class ValidationRules
{
    /// <summary>An optional query value that, when given, must be one of <typeparamref name="TEnum"/>'s snake_case names.</summary>
    public static IRuleBuilderOptions<T, string?> IsOneOf<T, TEnum>(this IRuleBuilder<T, string?> rule, string what) where TEnum : struct, Enum =>
        rule.Must(value => value is null || EnumText<TEnum>.IsName(value))
            .WithMessage($"'{{PropertyValue}}' is not {what}; expected one of: {EnumText<TEnum>.AllowedList}.");

    /// <summary>An optional comma-separated list of <typeparamref name="TEnum"/>'s snake_case names.</summary>
    public static IRuleBuilderOptions<T, string?> IsListOf<T, TEnum>(this IRuleBuilder<T, string?> rule) where TEnum : struct, Enum =>
        rule.Must(value => value is null || CommaSeparated.TryParse<TEnum>(value, out _))
            .WithMessage($"'{{PropertyValue}}' is not a comma-separated list of: {EnumText<TEnum>.AllowedList}.");

    /// <summary>An optional RFC 3339 timestamp with offset, or a full date.</summary>
    public static IRuleBuilderOptions<T, string?> IsTimestamp<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || Rfc3339.TryParseDateOrDateTime(value, out _))
            .WithMessage($"'{{PropertyValue}}' is not an RFC 3339 timestamp with an offset (such as {Rfc3339.Example}) or a date (such as 2025-06-01).");
}

public static class CommaSeparated
{
    /// <summary>Parses "a,b" into enum values (duplicates folded); false on an unknown or empty item.</summary>
    public static bool TryParse<TEnum>(string? text, out IReadOnlySet<TEnum> values) where TEnum : struct, Enum
    {
        var parsed = new HashSet<TEnum>();
        values = parsed;
        if (text is null)
        {
            return true;
        }

        foreach (var part in text.Split(','))
        {
            if (!EnumText<TEnum>.TryParse(part.Trim(), out var value))
            {
                return false;
            }

            parsed.Add(value);
        }

        return true;
    }
}
