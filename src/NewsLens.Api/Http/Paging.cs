using FluentValidation;

namespace NewsLens.Api.Http;

/// <summary>The query members every list takes.</summary>
public interface IPageQuery
{
    /// <summary>Page size, 1–200; 50 when omitted.</summary>
    QueryValue<int>? Limit { get; }

    /// <summary>The <c>nextCursor</c> of the previous page; omit for the first page.</summary>
    QueryValue<PageCursor>? Cursor { get; }
}

/// <summary>The rules every list's <c>limit</c> and <c>cursor</c> follow; list validators add their filters.</summary>
public abstract class PageQueryValidator<T> : AbstractValidator<T> where T : IPageQuery
{
    protected PageQueryValidator(CursorProtector cursors, string list, int keyParts) : this(cursors, _ => (list, keyParts))
    {
    }

    /// <param name="list">
    /// The list a query pages through (a story's article list is one list per story; a filtered story
    /// list one per filter and sort) and how many numbers its keyset cursor holds.
    /// </param>
    protected PageQueryValidator(CursorProtector cursors, Func<T, (string Name, int KeyParts)> list)
    {
        RuleFor(x => x.Cursor)
            .Must((query, c) => c is not { IsValid: true } cursor || cursors.Issued(cursor.Value, list(query).Name, list(query).KeyParts))
            .WithMessage(PageCursor.NotIssued);
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
    public static Page<TOut> ToPage<TRow, TOut>(
        IReadOnlyList<TRow> rows, int limit, CursorProtector cursors, string list, Func<TRow, long[]> key, Func<TRow, TOut> map)
    {
        var shown = rows.Count > limit ? rows.Take(limit).ToList() : rows;
        var next = rows.Count > limit ? cursors.Encode(list, key(shown[^1])) : null;
        return new Page<TOut>([.. shown.Select(map)], next);
    }

    public static int Limit(this IPageQuery query) => query.Limit?.Value ?? DefaultLimit;

    /// <summary>The keyset position after which the page starts (the validator has checked the cursor), or null for the first page.</summary>
    public static long[]? After(this IPageQuery query) => query.Cursor?.Value.Keys;
}
