using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using FluentValidation;
using NewsLens.Api.Articles;
using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Stories;

/// <summary>A story as created or fully replaced.</summary>
/// <param name="Title">1–500 characters after trimming.</param>
/// <param name="Summary">Up to 5,000 characters; null for none.</param>
public sealed record StoryRequest(string Title, string? Summary = null);

public sealed record StoryResponse(long Id, string Title, string? Summary, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>The story's coverage on the sources basis; present only when asked for with <c>include=coverage</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StoryCoverage? Coverage { get; init; }

    /// <summary>The first page of the story's article list; present only when asked for with <c>include=articles</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Page<StoryArticleResponse>? Articles { get; init; }
}

/// <summary>An article on a story page, with the outlet that published it.</summary>
public sealed record StoryArticleResponse(
    long Id,
    string Url,
    string Title,
    long OutletId,
    DateTime PublishedAt,
    DateTime CreatedAt,
    OutletSummary Outlet);

/// <summary>The outlet of an article in a story's article list.</summary>
public sealed record OutletSummary(long Id, string Name, string Domain, Lean? Lean);

/// <summary>Query of <c>GET /v1/stories/{storyId}/articles</c>.</summary>
/// <param name="StoryId">The story.</param>
/// <param name="Limit">Page size, 1–200; 50 when omitted.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page; omit for the first page.</param>
public sealed record StoryArticleListQuery(
    long StoryId,
    [property: Range(1, Paging.MaxLimit)] QueryValue<int>? Limit,
    QueryValue<PageCursor>? Cursor) : IPageQuery;

public sealed class StoryRequestValidator : AbstractValidator<StoryRequest>
{
    public StoryRequestValidator()
    {
        RuleFor(x => x.Title).NotEmpty().MaximumLength(500).Must(t => TextRules.IsClean(t)).WithMessage($"'title' {TextRules.Message}");
        RuleFor(x => x.Summary).MaximumLength(5000).Must(t => TextRules.IsClean(t, allowLineBreaks: true)).WithMessage($"'summary' {TextRules.Message}");
    }
}

public sealed class StoryArticleListQueryValidator(CursorProtector cursors)
    : PageQueryValidator<StoryArticleListQuery>(cursors, q => (StoryStore.ArticleListName(q.StoryId), ArticleStore.ListKeyParts));
