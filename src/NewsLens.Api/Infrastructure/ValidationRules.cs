using FluentValidation;

namespace NewsLens.Api.Infrastructure;

public static class ValidationRules
{
    /// <summary>An optional query value that, when given, must be one of <typeparamref name="TEnum"/>'s snake_case names.</summary>
    public static IRuleBuilderOptions<T, string?> IsOneOf<T, TEnum>(this IRuleBuilder<T, string?> rule, string what) where TEnum : struct, Enum =>
        rule.Must(value => value is null || EnumText<TEnum>.IsName(value))
            .WithMessage($"'{{PropertyValue}}' is not {what}; expected one of: {EnumText<TEnum>.AllowedList}.");
}
