using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using FluentValidation;

namespace NewsLens.Api.Http;

/// <summary>
/// Checks every endpoint argument before the handler runs and answers one 400 with <c>errors</c> for all bad fields:
/// query values that did not parse (<see cref="QueryValue{T}"/>), the bounds their properties state
/// (<c>[Range]</c>, <c>[MaxLength]</c>: the OpenAPI document shows the same attributes), and the rules of the
/// FluentValidation validator registered for the argument's type. Attached once, on the <c>/v1</c> group.
/// </summary>
public static class ValidationFilter
{
    public static EndpointFilterDelegate Factory(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var services = context.ApplicationServices;
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        var parameters = context.MethodInfo.GetParameters();
        var shapes = parameters.Select((p, index) => (index, fields: QueryFields(p))).Where(s => s.fields.Length > 0).ToArray();
        // Validators (singletons) are built on the first request that needs them, not while the endpoints are
        // built at start: building them all compiles their rule expressions, a sixth of the start-up time.
        var validated = parameters
            .Select((parameter, index) => (index, type: typeof(IValidator<>).MakeGenericType(parameter.ParameterType)))
            .Where(p => registered.IsService(p.type))
            .Select(p => (p.index, validator: new Lazy<IValidator>(() => (IValidator)services.GetRequiredService(p.type))))
            .ToArray();

        if (shapes.Length == 0 && validated.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            var errors = new Dictionary<string, string[]>();
            foreach (var (index, fields) in shapes)
            {
                foreach (var field in fields)
                {
                    if (field.Check(invocation.Arguments[index]) is { } error)
                    {
                        errors[field.Name] = [error];
                    }
                }
            }

            foreach (var (index, validator) in validated)
            {
                if (invocation.Arguments[index] is { } argument)
                {
                    var result = await validator.Value.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                    foreach (var (name, messages) in result.ToDictionary())
                    {
                        errors.TryAdd(name, messages);
                    }
                }
            }

            return errors.Count > 0
                ? TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid; see errors.")
                : await next(invocation);
        };
    }

    /// <summary>A query field's check: the error for its value, or null.</summary>
    private sealed record Field(string Name, Func<object?, string?> Check);

    /// <summary>The checks of a handler parameter that is a query value, or of the query values and bounds of an <c>[AsParameters]</c> record.</summary>
    private static Field[] QueryFields(ParameterInfo parameter)
    {
        if (IsQueryValue(parameter.ParameterType))
        {
            return [new Field(JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!), value => Error(value))];
        }

        if (parameter.GetCustomAttribute<AsParametersAttribute>() is null)
        {
            return [];
        }

        return [.. parameter.ParameterType.GetProperties()
            .Where(p => IsQueryValue(p.PropertyType) || p.GetCustomAttribute<RangeAttribute>() is not null || p.GetCustomAttribute<MaxLengthAttribute>() is not null)
            .Select(property =>
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                var range = property.GetCustomAttribute<RangeAttribute>();
                var maxLength = property.GetCustomAttribute<MaxLengthAttribute>();
                return new Field(name, argument =>
                {
                    var value = argument is null ? null : property.GetValue(argument);
                    return Error(value) ?? Bounds(name, value, range, maxLength);
                });
            })];
    }

    private static bool IsQueryValue(Type type) =>
        Nullable.GetUnderlyingType(type) is { IsGenericType: true } inner && inner.GetGenericTypeDefinition() == typeof(QueryValue<>);

    /// <summary>The parse error a query value carries.</summary>
    private static string? Error(object? value) => (value as IQueryValue)?.Error;

    private static string? Bounds(string name, object? value, RangeAttribute? range, MaxLengthAttribute? maxLength)
    {
        var text = value switch { string s => s, IQueryValue q => q.Text, _ => null };
        if (maxLength is not null && text is not null && text.Length > maxLength.Length)
        {
            return $"The length of '{name}' must be {maxLength.Length} characters or fewer. You entered {text.Length} characters.";
        }

        if (range is not null && (value as IQueryValue)?.Number is { } number &&
            (number < Convert.ToInt64(range.Minimum, System.Globalization.CultureInfo.InvariantCulture) ||
             number > Convert.ToInt64(range.Maximum, System.Globalization.CultureInfo.InvariantCulture)))
        {
            return $"'{name}' must be between {range.Minimum} and {range.Maximum}. You entered {number}.";
        }

        return null;
    }
}
