using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NewsLens.Api.Http;

/// <summary>A type a query value parses to, saying why text does not parse.</summary>
public interface IQueryParsable<TSelf>
{
    static abstract bool TryParse(string text, [MaybeNullWhen(false)] out TSelf value, out string error);
}

/// <summary>What <see cref="ValidationFilter"/> reads of any <see cref="QueryValue{T}"/>.</summary>
public interface IQueryValue
{
    string Text { get; }

    string? Error { get; }

    /// <summary>The value as a whole number, when it is one (for <c>[Range]</c>).</summary>
    long? Number { get; }
}

/// <summary>
/// A query parameter's value, parsed once when the request is bound. Binding never fails: text that does not parse
/// keeps the reason in <see cref="Error"/>, and <see cref="ValidationFilter"/> reports it beside every other bad
/// field in one 400. Handlers get typed values, validators check rules on them, and no framework binding message
/// ever reaches a client. The OpenAPI document describes the parameter as <typeparamref name="T"/>.
/// </summary>
public readonly record struct QueryValue<T>(T Value, string Text, string? Error) : IQueryValue
{
    private static readonly QueryParser<T> Parse = QueryParsers.For<T>();

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Error is null;

    long? IQueryValue.Number => IsValid ? Value switch { int i => i, long l => l, _ => null } : null;

    public static bool TryParse(string? text, IFormatProvider? provider, out QueryValue<T> result)
    {
        text ??= "";
        result = Parse(text, out var value, out var error) ? new QueryValue<T>(value, text, null) : new QueryValue<T>(default!, text, error);
        return true;
    }
}

public delegate bool QueryParser<T>(string text, out T value, out string error);

/// <summary>How query text becomes each type: whole numbers, booleans, timestamps, snake_case enum names, sets of them, and the types that parse themselves.</summary>
public static class QueryParsers
{
    public static QueryParser<T> For<T>()
    {
        var type = typeof(T);
        var parser = type switch
        {
            _ when type == typeof(int) => (Delegate)(QueryParser<int>)ParseInt,
            _ when type == typeof(long) => (QueryParser<long>)ParseLong,
            _ when type == typeof(bool) => (QueryParser<bool>)ParseBool,
            _ when type == typeof(DateTimeOffset) => (QueryParser<DateTimeOffset>)ParseTimestamp,
            { IsEnum: true } => Make(nameof(ParseEnum), type),
            { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(IReadOnlySet<>) => Make(nameof(ParseSet), type.GetGenericArguments()[0]),
            _ when type.GetInterfaces().Contains(typeof(IQueryParsable<>).MakeGenericType(type)) => Make(nameof(ParseSelf), type),
            _ => throw new NotSupportedException($"No query parser for {type}."),
        };
        return (QueryParser<T>)parser;

        static Delegate Make(string method, Type argument) =>
            typeof(QueryParsers).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(argument).CreateDelegate(typeof(QueryParser<T>));
    }

    private static bool ParseInt(string text, out int value, out string error) =>
        Number(int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value), text, out error);

    private static bool ParseLong(string text, out long value, out string error) =>
        Number(long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value), text, out error);

    private static bool Number(bool parsed, string text, out string error)
    {
        error = parsed ? "" : $"'{Shorten(text)}' is not a whole number.";
        return parsed;
    }

    private static bool ParseBool(string text, out bool value, out string error)
    {
        var parsed = bool.TryParse(text, out value);
        error = parsed ? "" : $"'{Shorten(text)}' is not true or false.";
        return parsed;
    }

    private static bool ParseTimestamp(string text, out DateTimeOffset value, out string error)
    {
        var parsed = Rfc3339.TryParseDateOrDateTime(text, out value);
        error = parsed ? "" : $"'{Shorten(text)}' is not an RFC 3339 timestamp with an offset (such as {Rfc3339.Example}) or a date (such as 2025-06-01).";
        return parsed;
    }

    private static bool ParseEnum<TEnum>(string text, out TEnum value, out string error) where TEnum : struct, Enum
    {
        var parsed = EnumText<TEnum>.TryParse(text, out value);
        error = parsed ? "" : $"'{Shorten(text)}' is not one of: {EnumText<TEnum>.AllowedList}.";
        return parsed;
    }

    /// <summary>"a,b": a comma-separated set of snake_case names (duplicates folded).</summary>
    private static bool ParseSet<TEnum>(string text, out IReadOnlySet<TEnum> value, out string error) where TEnum : struct, Enum
    {
        var set = new HashSet<TEnum>();
        value = set;
        foreach (var part in text.Split(','))
        {
            if (!EnumText<TEnum>.TryParse(part.Trim(), out var item))
            {
                error = $"'{Shorten(text)}' is not a comma-separated list of: {EnumText<TEnum>.AllowedList}.";
                return false;
            }

            set.Add(item);
        }

        error = "";
        return true;
    }

    private static bool ParseSelf<TSelf>(string text, out TSelf value, out string error) where TSelf : IQueryParsable<TSelf> =>
        TSelf.TryParse(text, out value!, out error);

    private static string Shorten(string text) => text.Length > 50 ? text[..50] + "…" : text;
}
