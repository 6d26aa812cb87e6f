using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FluentValidation;

namespace NewsLens.Api.Stories;

public enum StorySort
{
    Newest,
    MostSources,
    RecentlyUpdated,
}

/// <summary>The sources-basis majority a story list can filter on; <c>none</c> is a tie at the top or nothing rated.</summary>
public enum MajorityFilter
{
    Left,
    Center,
    Right,
    None,
}

public enum BlindspotFilter
{
    Left,
    Right,
    Any,
}

/// <summary>What <c>GET /v1/stories</c> can embed in each item.</summary>
public enum StoryListInclude
{
    Coverage,
}

/// <summary>What <c>GET /v1/stories/{id}</c> can embed.</summary>
public enum StoryInclude
{
    Coverage,
    Articles,
}

/// <summary>Query of <c>GET /v1/stories</c>. Every filter is optional and they combine with AND.</summary>
/// <param name="Q">Words that must all occur in the title or summary, each as a word or the start of one (case- and accent-insensitive).</param>
/// <param name="OutletId">Only stories this outlet covered (has an article linked to).</param>
/// <param name="PublishedFrom">Only stories whose first linked article was published at or after this time (RFC 3339, or a date read as 00:00Z).</param>
/// <param name="PublishedTo">Only stories whose first linked article was published before this time (RFC 3339, or a date read as 00:00Z).</param>
/// <param name="Majority">Only stories whose sources-basis majority is this lean; <c>none</c> for a tie at the top or no rated source.</param>
/// <param name="Blindspot">Only stories with this blindspot (sources basis); <c>any</c> for either side.</param>
/// <param name="MinSources">Only stories covered by at least this many sources (distinct outlets).</param>
/// <param name="Sort"><c>newest</c> (created, the default), <c>most_sources</c>, or <c>recently_updated</c> (last change of the story or its coverage).</param>
/// <param name="Include"><c>coverage</c> embeds each story's coverage (sources basis).</param>
/// <param name="Limit">Page size, 1–200; 50 when omitted.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page; omit for the first page. A cursor only works with the filters and sort it was issued for.</param>
public sealed record StoryListQuery(
    [property: MaxLength(StorySearch.MaxQueryLength)] string? Q,
    QueryValue<long>? OutletId,
    QueryValue<DateTimeOffset>? PublishedFrom,
    QueryValue<DateTimeOffset>? PublishedTo,
    QueryValue<MajorityFilter>? Majority,
    QueryValue<BlindspotFilter>? Blindspot,
    [property: Range(0, int.MaxValue)] QueryValue<int>? MinSources,
    QueryValue<StorySort>? Sort,
    QueryValue<IReadOnlySet<StoryListInclude>>? Include,
    [property: Range(1, Paging.MaxLimit)] QueryValue<int>? Limit,
    QueryValue<PageCursor>? Cursor) : IPageQuery;

/// <summary>Query of <c>GET /v1/stories/{id}</c>.</summary>
/// <param name="StoryId">The story.</param>
/// <param name="Include"><c>coverage</c> embeds the story's coverage (sources basis); <c>articles</c> the first page of its article list.</param>
public sealed record StoryQuery(long StoryId, QueryValue<IReadOnlySet<StoryInclude>>? Include);

/// <summary>A validated story list query, ready for SQL.</summary>
public sealed partial record StorySearch(
    string? FullTextQuery,
    long? OutletId,
    long? PublishedFromMs,
    long? PublishedToMs,
    string? Majority,
    BlindspotFilter? Blindspot,
    int? MinSources,
    StorySort Sort)
{
    public const int MaxQueryLength = 200;

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    /// <summary>Each cursor names its list: the sort and a digest of the filters.</summary>
    public string ListName
    {
        get
        {
            var filters = $"{FullTextQuery}|{OutletId}|{PublishedFromMs}|{PublishedToMs}|{Majority}|{Blindspot}|{MinSources}";
            var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(filters)))[..12];
            return $"stories-{EnumText<StorySort>.Name(Sort)}-{digest}";
        }
    }

    /// <summary>Newest sorts on the id alone; the others on (key, id).</summary>
    public int KeyParts => Sort == StorySort.Newest ? 1 : 2;

    /// <summary>
    /// An FTS5 query in which each word of <paramref name="q"/> is a quoted prefix term, so user text can
    /// never be read as FTS5 syntax. Null when <paramref name="q"/> holds no letter or digit.
    /// </summary>
    public static string? ToFullTextQuery(string? q)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return null;
        }

        var words = Word().Matches(q).Select(m => $"\"{m.Value}\"*").ToList();
        return words.Count == 0 ? null : string.Join(' ', words);
    }

    /// <summary>The search a list query asks for (its values were parsed when it was bound).</summary>
    public static StorySearch From(StoryListQuery query) => new(
        ToFullTextQuery(query.Q),
        query.OutletId?.Value,
        query.PublishedFrom?.Value.ToUnixTimeMilliseconds(),
        query.PublishedTo?.Value.ToUnixTimeMilliseconds(),
        EnumText<MajorityFilter>.Name(query.Majority?.Value),
        query.Blindspot?.Value,
        query.MinSources?.Value,
        query.Sort?.Value ?? StorySort.Newest);
}

public sealed class StoryListQueryValidator : PageQueryValidator<StoryListQuery>
{
    public StoryListQueryValidator(CursorProtector cursors)
        : base(cursors, query => StorySearch.From(query) is var search ? (search.ListName, search.KeyParts) : default)
    {
        RuleFor(x => x.Q)
            .Must(q => StorySearch.ToFullTextQuery(q) is not null).When(x => x.Q is not null)
            .WithMessage("'q' must contain at least one letter or digit.");
        RuleFor(x => x.OutletId).Must(id => id is not { IsValid: true } given || given.Value > 0).WithMessage("'outletId' must be greater than '0'.");
        RuleFor(x => x.PublishedTo)
            .Must((x, to) => x.PublishedFrom is not { IsValid: true } from || to is not { IsValid: true } || from.Value < to.Value.Value)
            .WithMessage("'publishedTo' must be after 'publishedFrom'.");
    }
}
