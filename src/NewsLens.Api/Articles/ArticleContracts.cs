using System.Text.Json.Serialization;
using System.ComponentModel.DataAnnotations;
using FluentValidation;

namespace NewsLens.Api.Articles;

/// <summary>A new article.</summary>
/// <param name="Url">Absolute http(s) URL, up to 2,048 characters; stored canonical (see docs/api.md).</param>
/// <param name="Title">1–500 characters after trimming.</param>
/// <param name="PublishedAt">RFC 3339 timestamp with an offset; stored in UTC with millisecond precision.</param>
/// <param name="OutletId">The publishing outlet; when omitted, the outlet whose domain matches the URL's host or its closest parent domain.</param>
public sealed record ArticleRequest(string Url, string Title, DateTimeOffset PublishedAt, long? OutletId = null)
{
    private (bool Done, CanonicalUrl? Url) canonical;

    /// <summary>The URL in canonical form, or null when it is not an article URL; worked out once, for the validator and the store.</summary>
    [JsonIgnore]
    public CanonicalUrl? Canonical
    {
        get
        {
            if (!canonical.Done)
            {
                canonical = (true, Url is { Length: <= ArticleUrl.MaxLength } && CanonicalUrl.TryParse(Url, out var parsed, out _) ? parsed : null);
            }

            return canonical.Url;
        }
    }
}

public sealed record ArticleResponse(long Id, string Url, string Title, long OutletId, DateTime PublishedAt, DateTime CreatedAt);

/// <summary>Query of <c>GET /v1/articles</c>.</summary>
/// <param name="Url">Only the article with this URL (canonicalized before matching).</param>
/// <param name="OutletId">Only this outlet's articles.</param>
/// <param name="Limit">Page size, 1–200; 50 when omitted.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page; omit for the first page.</param>
public sealed record ArticleListQuery(
    [property: MaxLength(ArticleUrl.MaxLength)] QueryValue<CanonicalUrl>? Url,
    QueryValue<long>? OutletId,
    [property: Range(1, Paging.MaxLimit)] QueryValue<int>? Limit,
    QueryValue<PageCursor>? Cursor) : IPageQuery;

public sealed class ArticleRequestValidator : AbstractValidator<ArticleRequest>
{
    /// <summary>The earliest publication time accepted.</summary>
    public static readonly DateTimeOffset Earliest = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far in the future a publication time may lie (clock skew, embargoes).</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(1);

    public ArticleRequestValidator(TimeProvider clock)
    {
        RuleFor(x => x.Url)
            .NotEmpty()
            .MaximumLength(ArticleUrl.MaxLength)
            .Must((x, _) => x.Canonical is not null)
            .When(x => !string.IsNullOrEmpty(x.Url) && x.Url.Length <= ArticleUrl.MaxLength, ApplyConditionTo.CurrentValidator)
            .WithMessage(CanonicalUrl.Invalid);
        RuleFor(x => x.Title).NotEmpty().MaximumLength(500).Must(t => TextRules.IsClean(t)).WithMessage($"'title' {TextRules.Message}");
        RuleFor(x => x.PublishedAt)
            .Must(p => p != default).WithMessage("'publishedAt' is required.")
            .Must(p => p >= Earliest).When(x => x.PublishedAt != default, ApplyConditionTo.CurrentValidator).WithMessage("'publishedAt' must not be before 1900-01-01T00:00:00Z.")
            .Must(p => p <= clock.GetUtcNow() + MaxAhead).WithMessage("'publishedAt' must not be more than a day in the future.");
        RuleFor(x => x.OutletId).GreaterThan(0);
    }
}

public sealed class ArticleListQueryValidator : PageQueryValidator<ArticleListQuery>
{
    public ArticleListQueryValidator(CursorProtector cursors) : base(cursors, ArticleStore.ListName, ArticleStore.ListKeyParts)
    {
    }
}
