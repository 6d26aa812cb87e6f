using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NewsLens.Api.Ratings;
using NewsLens.Api.Stories;

namespace NewsLens.Api.Coverage;

public sealed class CoverageOptions
{
    public const string Section = "Coverage";

    public BlindspotOptions Blindspot { get; set; } = new();

    /// <summary>
    /// How many coverage groups (one per combination of bias, factuality and ownership in a story) the in-process
    /// coverage cache holds; 0 turns it off. A typical story has 5–20 groups, a 50,000-article story a few hundred.
    /// </summary>
    public int CacheGroups { get; set; } = 200_000;

    /// <summary>
    /// PostgreSQL: how long a process serves a cached coverage on the change feed's word alone before it asks the
    /// database for the story's version again. Bounds how late another process's write can show here, however late
    /// its notification arrives (the cluster's freshness promise is 1 s). 0: ask on every read.
    /// </summary>
    public TimeSpan ChangeFeedTrust { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>The ratings a coverage query may choose.</summary>
public interface IRatingsQuery
{
    string? Rater { get; }

    QueryValue<DateTimeOffset>? AsOf { get; }

    /// <summary><c>rater=combined</c>, the name the answers echo, asks for the default.</summary>
    RatingsChoice Choice => new(Rater is null or CoverageRatings.Combined ? null : Rater, AsOf?.Value);
}

/// <summary>Query of the coverage endpoint.</summary>
/// <param name="StoryId">The story.</param>
/// <param name="Basis">What one unit is: a distinct outlet (<c>sources</c>, the default) or a linked article (<c>articles</c>).</param>
/// <param name="Rater">Count by this rater's ratings only (an id from <c>GET /v1/raters</c>); outlets it has not rated are unrated. Omitted: the combined rating.</param>
/// <param name="AsOf">Count by the ratings in force at this instant (RFC 3339, not in the future); articles count whenever they were published.</param>
public sealed record CoverageQuery(long StoryId, QueryValue<CoverageBasis>? Basis, string? Rater, QueryValue<DateTimeOffset>? AsOf) : IRatingsQuery;

/// <summary>Query of the coverage bar (SVG).</summary>
/// <param name="StoryId">The story.</param>
/// <param name="Basis">What one unit is: a distinct outlet (<c>sources</c>, the default) or a linked article (<c>articles</c>).</param>
/// <param name="Width">The bar's width in pixels, 120–1200 (default 320); the image is 52 px high.</param>
/// <param name="Theme">The colours: <c>light</c> (the default) for light pages, <c>dark</c> for dark ones.</param>
/// <param name="Rater">Count by this rater's ratings only (an id from <c>GET /v1/raters</c>); outlets it has not rated are unrated. Omitted: the combined rating.</param>
/// <param name="AsOf">Count by the ratings in force at this instant (RFC 3339, not in the future); articles count whenever they were published.</param>
public sealed record CoverageSvgQuery(
    long StoryId,
    QueryValue<CoverageBasis>? Basis,
    [property: System.ComponentModel.DataAnnotations.Range(BiasBarSvg.MinWidth, BiasBarSvg.MaxWidth)] QueryValue<int>? Width,
    QueryValue<BarTheme>? Theme,
    string? Rater,
    QueryValue<DateTimeOffset>? AsOf) : IRatingsQuery;

/// <summary>Query of the timeline endpoint.</summary>
/// <param name="StoryId">The story.</param>
/// <param name="Bucket">The width of a bucket: <c>hour</c> (the default) or <c>day</c>, in UTC. At most 2,000 buckets.</param>
/// <param name="Basis">What one unit is: a distinct outlet (<c>sources</c>, the default; it counts in the bucket of its first article) or a linked article (<c>articles</c>).</param>
/// <param name="Rater">Count by this rater's ratings only (an id from <c>GET /v1/raters</c>); outlets it has not rated are unrated. Omitted: the combined rating.</param>
/// <param name="AsOf">Count by the ratings in force at this instant (RFC 3339, not in the future); articles count whenever they were published.</param>
public sealed record TimelineQuery(long StoryId, QueryValue<TimelineBucket>? Bucket, QueryValue<CoverageBasis>? Basis, string? Rater, QueryValue<DateTimeOffset>? AsOf)
    : IRatingsQuery;

/// <summary>Query of the batch coverage endpoint.</summary>
/// <param name="StoryIds">Comma-separated story ids, at most 100 after duplicates are folded.</param>
/// <param name="Basis">What one unit is: a distinct outlet (<c>sources</c>, the default) or a linked article (<c>articles</c>).</param>
/// <param name="Rater">Count by this rater's ratings only (an id from <c>GET /v1/raters</c>); outlets it has not rated are unrated. Omitted: the combined rating.</param>
/// <param name="AsOf">Count by the ratings in force at this instant (RFC 3339, not in the future); articles count whenever they were published.</param>
public sealed record BatchCoverageQuery(QueryValue<StoryIdList>? StoryIds, QueryValue<CoverageBasis>? Basis, string? Rater, QueryValue<DateTimeOffset>? AsOf)
    : IRatingsQuery;

/// <summary>Coverage of several stories, in the order asked; ids of stories that do not exist are in <c>missing</c>.</summary>
public sealed record BatchCoverage(IReadOnlyList<StoryCoverage> Items, IReadOnlyList<long> Missing);

/// <summary>A comma-separated list of story ids, duplicates folded in first-seen order; the batch coverage query requires one.</summary>
public sealed record StoryIdList(long[] Ids) : IQueryParsable<StoryIdList>
{
    public const int MaxIds = 100;

    public const string Missing = "Give at least one story id.";

    public static bool TryParse(string text, [MaybeNullWhen(false)] out StoryIdList value, out string error)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = Missing;
            return false;
        }

        var seen = new List<long>();
        foreach (var part in text.Split(','))
        {
            if (!long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
            {
                error = $"'{(part.Length > 30 ? part[..30] + "…" : part)}' is not a story id (a positive whole number).";
                return false;
            }

            if (!seen.Contains(id))
            {
                seen.Add(id);
            }
        }

        if (seen.Count > MaxIds)
        {
            error = $"At most {MaxIds} distinct story ids per request; {seen.Count} were given.";
            return false;
        }

        value = new StoryIdList([.. seen]);
        error = "";
        return true;
    }
}

public sealed class BatchCoverageQueryValidator : AbstractValidator<BatchCoverageQuery>
{
    public BatchCoverageQueryValidator(TimeProvider clock)
    {
        RuleFor(x => x.StoryIds).NotNull().WithMessage(StoryIdList.Missing);
        Include(new RatingsQueryRules<BatchCoverageQuery>(clock));
    }
}

public sealed class CoverageQueryValidator : AbstractValidator<CoverageQuery>
{
    public CoverageQueryValidator(TimeProvider clock) => Include(new RatingsQueryRules<CoverageQuery>(clock));
}

public sealed class TimelineQueryValidator : AbstractValidator<TimelineQuery>
{
    public TimelineQueryValidator(TimeProvider clock) => Include(new RatingsQueryRules<TimelineQuery>(clock));
}

public sealed class CoverageSvgQueryValidator : AbstractValidator<CoverageSvgQuery>
{
    public CoverageSvgQueryValidator(TimeProvider clock) => Include(new RatingsQueryRules<CoverageSvgQuery>(clock));
}

/// <summary><c>asOf</c> is not in the future (ratings are known up to now); <c>rater</c>, when given, is not empty.</summary>
public sealed class RatingsQueryRules<T> : AbstractValidator<T> where T : IRatingsQuery
{
    public RatingsQueryRules(TimeProvider clock)
    {
        RuleFor(x => x.AsOf).NotInTheFuture(clock);
        RuleFor(x => x.Rater).NotEmpty().MaximumLength(40).When(x => x.Rater is not null)
            .WithMessage("'rater' must name a rater (GET /v1/raters lists them).");
    }
}

public static class CoverageApi
{
    public static IServiceCollection AddCoverage(this IServiceCollection services)
    {
        services.AddOptions<CoverageOptions>()
            .BindConfiguration(CoverageOptions.Section)
            .Validate(o => o.Blindspot.MinRated >= 1, "Coverage:Blindspot:MinRated must be at least 1.")
            .Validate(o => o.Blindspot.MaxNeglectingPercent is >= 0 and <= 100 && o.Blindspot.MinDominantPercent is >= 0 and <= 100,
                "Coverage:Blindspot percentages must lie between 0 and 100.")
            .Validate(o => o.Blindspot.MaxNeglectingPercent < o.Blindspot.MinDominantPercent,
                "Coverage:Blindspot:MaxNeglectingPercent must be below MinDominantPercent.")
            .Validate(o => o.CacheGroups >= 0, "Coverage:CacheGroups must be 0 (off) or more.")
            .Validate(o => o.ChangeFeedTrust >= TimeSpan.Zero, "Coverage:ChangeFeedTrust must not be negative.")
            .ValidateOnStart();
        services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<CoverageOptions>>().Value;
            // One SQLite process sees every write itself; PostgreSQL processes learn of each other's by the change feed.
            var database = services.GetRequiredService<Database>();
            return database.Engine == StorageEngine.PostgreSql
                ? new CoverageCache(options.CacheGroups, options.ChangeFeedTrust, database.Changes)
                : new CoverageCache(options.CacheGroups);
        });
        return services.AddSingleton<CoverageSummaries>().AddSingleton<CoverageStore>().AddSingleton<TimelineStore>();
    }

    /// <summary>When the configured blindspot thresholds differ from those the stored flags were computed with, recomputes the flags.</summary>
    public static async Task ApplyBlindspotThresholdsAsync(this WebApplication app)
    {
        var blindspot = app.Services.GetRequiredService<IOptions<CoverageOptions>>().Value.Blindspot;
        if (await app.Services.GetRequiredService<CoverageStore>().ApplyBlindspotThresholdsAsync(blindspot))
        {
            app.Logger.LogInformation("Blindspot thresholds changed to {MinRated} rated, ≤{MaxNeglecting}% / ≥{MinDominant}%: stored blindspot flags recomputed.",
                blindspot.MinRated, blindspot.MaxNeglectingPercent, blindspot.MinDominantPercent);
        }
    }

    public static RouteGroupBuilder MapCoverage(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Coverage");

        group.MapGet("/stories/{storyId:long}/coverage", GetStoryCoverage)
            .WithConditionalGet(lastModified: true)
            .WithName("getStoryCoverage")
            .WithSummary("Get a story's coverage")
            .WithDescription("How many sources covered the story and how they lean, with factuality and ownership breakdowns and the blindspot flag. " +
                "The rules (units, rounding, ties, labels, thresholds) are stated in docs/api.md, \"Coverage semantics\".");
        group.MapGet("/stories/{storyId:long}/coverage.svg", GetStoryCoverageSvg)
            .WithConditionalGet(lastModified: true)
            .WithName("getStoryCoverageSvg")
            .WithSummary("Get a story's bias bar as an SVG image")
            .WithDescription("The coverage's bias bar, ready to embed (`<img src=\"…/coverage.svg\">`): left, center and right segments exactly " +
                "their percentages of the width (a 0% segment is absent), each percent written in its segment where it fits, and the label under " +
                "the bar; a grey bar reading \"No rated sources\" when nothing is rated. `role=\"img\"`, a `<title>` with the label and a " +
                "`<desc>` with the counts. No script, style or external reference; served with `Content-Security-Policy: default-src 'none'`. " +
                "Same counts, ETag rules and caching as `getStoryCoverage`; colours and their contrast are in docs/api.md, \"The bias bar as SVG\".");
        group.MapGet("/stories/{storyId:long}/timeline", GetStoryTimeline)
            .WithConditionalGet(lastModified: true)
            .WithName("getStoryTimeline")
            .WithSummary("Get how a story's coverage grew")
            .WithDescription("Buckets of an hour or a day (UTC) from the first publication to the last, empty ones included: the units first seen " +
                "in each, by lean (on `sources` an outlet counts in the bucket of its first article), and the coverage after it (percentages and " +
                "label by the coverage rules). `firstBySide`: each lean's first article, so a page can say \"the Right picked this up 14 hours after the " +
                "Left\". A span of more than 2,000 buckets is a 400 on `bucket`. Same ETag rules and caching as `getStoryCoverage`.");
        group.MapGet("/coverage", GetBatchCoverage)
            .WithConditionalGet(lastModified: true)
            .WithName("getBatchCoverage")
            .WithSummary("Get the coverage of many stories")
            .WithDescription("Up to 100 story ids (duplicates are folded). Items come in the order asked, with the same coverage object and rules as " +
                "`getStoryCoverage`; ids of stories that do not exist are listed in `missing` instead. Two queries whatever the number of ids.");

        return group;
    }

    public static async Task<Results<Ok<StoryCoverage>, NotModified, ValidationProblem, NotFound<ProblemDetails>>> GetStoryCoverage(
        [AsParameters] CoverageQuery query, CoverageStore store, RatingStore ratings, IOptions<CoverageOptions> options, IOptions<HttpCachingOptions> caching,
        IOptions<AuthSettings> auth, HttpContext http, CancellationToken ct)
    {
        var basis = query.Basis?.Value ?? CoverageBasis.Sources;
        var choice = ((IRatingsQuery)query).Choice;
        if (await UnknownRaterAsync(choice, ratings, ct) is { } unknown)
        {
            return unknown;
        }

        // No query, or one, when the story's coverage at its current version is cached (the usual case), so a
        // conditional request costs the same; an uncached story is aggregated once per version. Chosen ratings are
        // counted on request.
        var read = await store.ReadAsync([query.StoryId], choice, ct);
        if (!read.Exists(query.StoryId))
        {
            return StoriesApi.StoryNotFound(query.StoryId);
        }

        var stamp = read.Stamps[query.StoryId];
        var (etag, lastModified) = (ETag('c', query.StoryId, basis, stamp, read.Ratings, read.RatingsMark), LastModified(stamp.ChangedAt, read.RatingsMark));
        SetCaching(http.Response, caching.Value, auth.Value);
        EntityTags.SetValidators(http.Response, etag, lastModified);
        if (EntityTags.IsNotModified(http.Request, etag, lastModified))
        {
            return NotModified.Instance;
        }

        return TypedResults.Ok(read.Coverage(query.StoryId, basis, options.Value.Blindspot));
    }

    public static async Task<Results<SvgImage, NotModified, ValidationProblem, NotFound<ProblemDetails>>> GetStoryCoverageSvg(
        [AsParameters] CoverageSvgQuery query, CoverageStore store, RatingStore ratings, IOptions<CoverageOptions> options, IOptions<HttpCachingOptions> caching,
        IOptions<AuthSettings> auth, HttpContext http, CancellationToken ct)
    {
        var basis = query.Basis?.Value ?? CoverageBasis.Sources;
        var width = query.Width?.Value ?? BiasBarSvg.DefaultWidth;
        var theme = query.Theme?.Value ?? BarTheme.Light;
        var choice = ((IRatingsQuery)query).Choice;
        if (await UnknownRaterAsync(choice, ratings, ct) is { } unknown)
        {
            return unknown;
        }

        var read = await store.ReadAsync([query.StoryId], choice, ct);
        if (!read.Exists(query.StoryId))
        {
            return StoriesApi.StoryNotFound(query.StoryId);
        }

        var stamp = read.Stamps[query.StoryId];
        var variant = $"w{width}{EnumText<BarTheme>.Name(theme)[0]}";
        var (etag, lastModified) = (ETag('g', query.StoryId, basis, stamp, read.Ratings, read.RatingsMark, variant), LastModified(stamp.ChangedAt, read.RatingsMark));
        SetCaching(http.Response, caching.Value, auth.Value);
        http.Response.Headers.ContentSecurityPolicy = SvgImage.ContentSecurityPolicy;
        EntityTags.SetValidators(http.Response, etag, lastModified);
        if (EntityTags.IsNotModified(http.Request, etag, lastModified))
        {
            return NotModified.Instance;
        }

        var coverage = read.Coverage(query.StoryId, basis, options.Value.Blindspot);
        return new SvgImage(BiasBarSvg.Render(BiasBar.Of(coverage), width, theme));
    }

    public static async Task<Results<Ok<StoryTimeline>, NotModified, ValidationProblem, NotFound<ProblemDetails>>> GetStoryTimeline(
        [AsParameters] TimelineQuery query, TimelineStore store, RatingStore ratings, IOptions<HttpCachingOptions> caching, IOptions<AuthSettings> auth,
        HttpContext http, CancellationToken ct)
    {
        var basis = query.Basis?.Value ?? CoverageBasis.Sources;
        var bucket = query.Bucket?.Value ?? TimelineBucket.Hour;
        var choice = ((IRatingsQuery)query).Choice;
        if (await UnknownRaterAsync(choice, ratings, ct) is { } unknown)
        {
            return unknown;
        }

        string Tag(CoverageStamp stamp, CoverageRatings chosen, RatingsMark? mark) =>
            ETag('t', query.StoryId, basis, stamp, chosen, mark, EnumText<TimelineBucket>.Name(bucket)[..1]);
        // The caller's copy is checked on the stamp, before the links are read.
        var read = await store.ReadAsync(query.StoryId, bucket, choice,
            (stamp, chosen, mark) => EntityTags.IsNotModified(http.Request, Tag(stamp, chosen, mark), LastModified(stamp.ChangedAt, mark)), ct);
        if (read is null)
        {
            return StoriesApi.StoryNotFound(query.StoryId);
        }

        if (read.Buckets > StoryTimelines.MaxBuckets)
        {
            return ApiProblems.Validation("bucket", bucket == TimelineBucket.Hour
                ? $"The story's articles span {read.Buckets:N0} hours, more than {StoryTimelines.MaxBuckets:N0} buckets; use a larger bucket (bucket=day)."
                : $"The story's articles span {read.Buckets:N0} days, more than {StoryTimelines.MaxBuckets:N0} buckets; no larger bucket is offered.");
        }

        var (etag, lastModified) = (Tag(read.Stamp, read.Ratings, read.Mark), LastModified(read.Stamp.ChangedAt, read.Mark));
        SetCaching(http.Response, caching.Value, auth.Value);
        EntityTags.SetValidators(http.Response, etag, lastModified);
        if (read.Links is null)
        {
            return NotModified.Instance;
        }

        return TypedResults.Ok(StoryTimelines.Build(query.StoryId, basis, bucket, read.Ratings, read.Links));
    }

    /// <summary>A 400 on <c>rater</c> when it names no rater.</summary>
    internal static async Task<ValidationProblem?> UnknownRaterAsync(RatingsChoice choice, RatingStore ratings, CancellationToken ct) =>
        choice.Rater is { } rater && await ratings.GetRaterAsync(rater, ct) is null
            ? ApiProblems.Validation("rater", $"Rater '{rater}' does not exist; GET /v1/raters lists them.")
            : null;

    public static async Task<Results<Ok<BatchCoverage>, NotModified, ValidationProblem>> GetBatchCoverage(
        [AsParameters] BatchCoverageQuery query, CoverageStore store, RatingStore ratings, IOptions<CoverageOptions> options, IOptions<HttpCachingOptions> caching,
        IOptions<AuthSettings> auth, HttpContext http, CancellationToken ct)
    {
        var ids = query.StoryIds!.Value.Value.Ids;
        var basis = query.Basis?.Value ?? CoverageBasis.Sources;
        var choice = ((IRatingsQuery)query).Choice;
        if (await UnknownRaterAsync(choice, ratings, ct) is { } unknown)
        {
            return unknown;
        }

        SetCaching(http.Response, caching.Value, auth.Value);
        var read = await store.ReadAsync(ids, choice, ct);
        var etag = BatchETag(ids, basis, read);
        var lastModified = LastChange(read.Stamps) is { } last ? LastModified(last, read.RatingsMark) : (DateTime?)null;
        EntityTags.SetValidators(http.Response, etag, lastModified);
        if (EntityTags.IsNotModified(http.Request, etag, lastModified))
        {
            return NotModified.Instance;
        }

        return TypedResults.Ok(new BatchCoverage(
            [.. ids.Where(read.Exists).Select(id => read.Coverage(id, basis, options.Value.Blindspot))],
            [.. ids.Where(id => !read.Exists(id))]));
    }

    /// <summary>
    /// "c12v7s": story 12's coverage (<paramref name="kind"/> c; g its SVG bar, t its timeline) at coverage version 7 on
    /// the sources basis, then the <paramref name="variant"/> of the representation ("w320l": 320 px, light); counted by
    /// chosen ratings, "-r…" adds a digest of the choice and of the last rating recorded (which can change such an answer alone).
    /// </summary>
    internal static string ETag(char kind, long storyId, CoverageBasis basis, CoverageStamp stamp, CoverageRatings ratings, RatingsMark? mark, string variant = "") =>
        $"\"{kind}{storyId}v{stamp.Version}{EnumText<CoverageBasis>.Name(basis)[0]}{variant}{RatingsPart(ratings, mark)}\"";

    private static string RatingsPart(CoverageRatings ratings, RatingsMark? mark) => mark is null ? "" :
        "-r" + Digest($"{ratings.Rater}|{ratings.AsOf?.Ticks}|{mark.LastId}")[..12];

    /// <summary>Counted by chosen ratings, the answer also changes when a rating is recorded.</summary>
    internal static DateTime LastModified(DateTime changedAt, RatingsMark? mark) =>
        mark?.LastRecordedAt is { } recorded && recorded > changedAt ? recorded : changedAt;

    /// <summary>A digest of the ids asked for, in order, with each one's coverage version (or its absence), the basis and the ratings chosen.</summary>
    private static string BatchETag(IReadOnlyList<long> ids, CoverageBasis basis, CoverageRead read)
    {
        var state = string.Join(',', ids.Select(id => read.Stamps.TryGetValue(id, out var s) ? $"{id}v{s.Version}" : $"{id}-")) + "|" + EnumText<CoverageBasis>.Name(basis);
        return $"\"b{Digest(state)[..24]}{RatingsPart(read.Ratings, read.RatingsMark)}\"";
    }

    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static DateTime? LastChange(IReadOnlyDictionary<long, CoverageStamp> stamps) =>
        stamps.Count == 0 ? null : stamps.Values.Max(s => s.ChangedAt);

    /// <summary>Shared caches may keep coverage, unless reads need a key: then only the client's own cache may.</summary>
    internal static void SetCaching(HttpResponse response, HttpCachingOptions caching, AuthSettings auth) =>
        response.Headers.CacheControl = $"{(auth.RequireKeyForReads ? "private" : "public")}, max-age={caching.CoverageMaxAgeSeconds}";
}
