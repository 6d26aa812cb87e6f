using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using FluentValidation;

namespace NewsLens.Api.Infrastructure;

/// <summary>The query members every list takes.</summary>
public interface IPageQuery
{
    int? Limit { get; }

    string? Cursor { get; }
}

/// <summary>The rules every list's <c>limit</c> and <c>cursor</c> follow; list validators add their filters.</summary>
public abstract class PageQueryValidator<T> : AbstractValidator<T> where T : IPageQuery
{
    protected PageQueryValidator(string list, int keyParts) : this(_ => (list, keyParts))
    {
    }

    /// <param name="list">
    /// The list a query pages through (a story's article list is one list per story; a filtered story
    /// list one per filter and sort) and how many numbers its keyset cursor holds.
    /// </param>
    protected PageQueryValidator(Func<T, (string Name, int KeyParts)> list)
    {
        RuleFor(x => x.Limit).InclusiveBetween(1, Paging.MaxLimit);
        RuleFor(x => x.Cursor)
            .Must((query, c) => c is null || Cursor.TryDecode(c, list(query).Name, list(query).KeyParts, out _))
            .WithMessage("The cursor is not one this list issued; pass nextCursor from the previous page unchanged.");
    }
}

/// <summary>One page of a list; <c>nextCursor</c> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>
    /// Reads one row more than asked to learn whether another page exists, then builds the cursor
    /// from the last row shown.
    /// </summary>
    public static Page<TOut> ToPage<TRow, TOut>(IReadOnlyList<TRow> rows, int limit, string list, Func<TRow, long[]> key, Func<TRow, TOut> map)
    {
        var shown = rows.Count > limit ? rows.Take(limit).ToList() : rows;
        var next = rows.Count > limit ? Cursor.Encode(list, key(shown[^1])) : null;
        return new Page<TOut>([.. shown.Select(map)], next);
    }

    public static int LimitOrDefault(int? limit) => limit ?? DefaultLimit;
}

/// <summary>
/// Opaque keyset cursors: base64url of "list:k1:k2". The list name is part of the cursor, so a cursor
/// from one list is rejected by another instead of silently paging the wrong thing.
/// </summary>
public static class Cursor
{
    private const int MaxLength = 200;

    public static string Encode(string list, params long[] key) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{list}:{string.Join(':', key)}"));

    public static bool TryDecode(string? cursor, string list, int keyParts, [NotNullWhen(true)] out long[]? key)
    {
        key = null;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > MaxLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != keyParts + 1 || parts[0] != list)
        {
            return false;
        }

        var values = new long[keyParts];
        for (var i = 0; i < keyParts; i++)
        {
            if (!long.TryParse(parts[i + 1], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
            {
                return false;
            }
        }

        key = values;
        return true;
    }

    /// <summary>For handlers: the cursor was validated by the list's validator, so it decodes.</summary>
    public static long[]? DecodeValidated(string? cursor, string list, int keyParts) =>
        cursor is null ? null
        : TryDecode(cursor, list, keyParts, out var key) ? key
        : throw new InvalidOperationException("Cursor reached the handler without validation.");
}

/// <summary>Timestamps are stored as milliseconds since the Unix epoch and served as UTC.</summary>
internal static class UnixTime
{
    public static long ToMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTime FromMs(long ms) => DateTime.UnixEpoch.AddMilliseconds(ms);

    public static DateTime? FromMs(long? ms) => ms is { } v ? FromMs(v) : null;
}
