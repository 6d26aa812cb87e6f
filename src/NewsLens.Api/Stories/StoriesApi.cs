using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NewsLens.Api.Articles;
using NewsLens.Api.Coverage;

namespace NewsLens.Api.Stories;

public static class StoriesApi
{
    public static IServiceCollection AddStories(this IServiceCollection services) => services.AddSingleton<StoryStore>();

    public static RouteGroupBuilder MapStories(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stories").WithTags("Stories");

        group.MapGet("/", ListStories)
            .WithName("listStories")
            .WithSummary("Search and list stories")
            .WithDescription("Newest first unless `sort` says otherwise. Filters combine with AND and read the maintained per-story summaries, " +
                "never a story's links. `include=coverage` embeds each story's coverage (sources basis) at a constant number of queries per page. " +
                "Keyset-paginated: pass `nextCursor` back as `cursor` with the same filters and sort.");
        group.MapGet("/{storyId:long}", GetStory)
            .WithConditionalGet()
            .WithName("getStory")
            .WithSummary("Get a story")
            .WithDescription("The story's title and summary. `include=coverage,articles` also embeds its coverage (sources basis) and the first page " +
                "of its article list, so a story page renders from one request.");
        group.MapPost("/", CreateStory)
            .ReturnsETag()
            .WithName("createStory")
            .WithSummary("Create a story")
            .WithDescription("A story groups articles about one event; link articles to it to get its coverage.");
        group.MapPut("/{storyId:long}", ReplaceStory)
            .WithIfMatch()
            .WithName("replaceStory")
            .WithSummary("Replace a story")
            .WithDescription("Full replace of title and summary; an omitted summary becomes null.");
        group.MapDelete("/{storyId:long}", DeleteStory)
            .WithIfMatch(returnsETag: false)
            .WithName("deleteStory")
            .WithSummary("Delete a story")
            .WithDescription("Removes the story and its links; the articles stay.");

        group.MapGet("/{storyId:long}/articles", ListStoryArticles)
            .WithName("listStoryArticles")
            .WithSummary("List a story's articles, newest published first")
            .WithDescription("Each article comes with its outlet (id, name, domain, lean). Keyset-paginated.");
        group.MapPut("/{storyId:long}/articles/{articleId:long}", LinkArticle)
            .WithName("linkArticle")
            .WithSummary("Link an article to a story")
            .WithDescription("Idempotent: linking an already linked article changes nothing and answers 204 again.");
        group.MapDelete("/{storyId:long}/articles/{articleId:long}", UnlinkArticle)
            .WithName("unlinkArticle")
            .WithSummary("Unlink an article from a story")
            .WithDescription("404 when the article is not linked to the story.");

        return group;
    }

    public static async Task<Results<Ok<Page<StoryResponse>>, ValidationProblem>> ListStories(
        [AsParameters] StoryListQuery query, StoryStore stories, CoverageStore coverage, IOptions<CoverageOptions> options, CursorProtector cursors,
        CancellationToken ct)
    {
        var search = StorySearch.From(query);
        var limit = query.Limit();
        var rows = await stories.SearchAsync(search, query.After(), limit, ct);
        var page = Paging.ToPage(rows, limit, cursors, search.ListName, r => r.Key(search.Sort), r => r.ToResponse());

        if (query.Include?.Value.Contains(StoryListInclude.Coverage) == true && page.Items.Count > 0)
        {
            // Two more queries for the whole page, whatever its size.
            var read = await coverage.ReadAsync([.. page.Items.Select(s => s.Id)], ct);
            page = page with
            {
                Items = [.. page.Items.Where(s => read.Exists(s.Id)).Select(s => s with
                {
                    Coverage = read.Coverage(s.Id, CoverageBasis.Sources, options.Value.Blindspot),
                })],
            };
        }

        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<StoryResponse>, NotModified, ValidationProblem, NotFound<ProblemDetails>>> GetStory(
        [AsParameters] StoryQuery query, StoryStore stories, CoverageStore coverage, IOptions<CoverageOptions> options, CursorProtector cursors,
        HttpContext http, CancellationToken ct)
    {
        if (await stories.GetAsync(query.StoryId, ct) is not { } row)
        {
            return StoryNotFound(query.StoryId);
        }

        var include = query.Include?.Value ?? new HashSet<StoryInclude>();
        var etag = row.ETagWith(include);
        EntityTags.SetValidators(http.Response, etag);
        if (EntityTags.IsNotModified(http.Request, etag))
        {
            return NotModified.Instance;
        }

        var story = row.ToResponse();
        if (include.Contains(StoryInclude.Coverage) && (await coverage.ReadAsync([query.StoryId], ct)).Memos.TryGetValue(query.StoryId, out var memo))
        {
            story = story with { Coverage = memo.Coverage(CoverageBasis.Sources, options.Value.Blindspot, coverage.DefaultRatings) };
        }

        if (include.Contains(StoryInclude.Articles) && await stories.ListArticlesAsync(query.StoryId, null, Paging.DefaultLimit, ct) is { } articles)
        {
            var list = StoryStore.ArticleListName(query.StoryId);
            story = story with { Articles = Paging.ToPage(articles, Paging.DefaultLimit, cursors, list, r => [r.PublishedAt, r.Id], r => r.ToResponse()) };
        }

        return TypedResults.Ok(story);
    }

    public static async Task<Results<Created<StoryResponse>, ValidationProblem>> CreateStory(
        StoryRequest request, StoryStore store, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var row = await store.CreateAsync(request, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        EntityTags.SetValidators(http.Response, row.ETag);
        return TypedResults.Created($"/v1/stories/{row.Id}", row.ToResponse());
    }

    public static async Task<Results<Ok<StoryResponse>, ValidationProblem, NotFound<ProblemDetails>, PreconditionFailed>> ReplaceStory(
        long storyId, StoryRequest request, StoryStore store, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var result = await store.ReplaceAsync(storyId, request, clock.GetUtcNow().ToUnixTimeMilliseconds(), EntityTags.IfMatchCheck(http.Request, 's', storyId), ct);
        switch (result.Outcome)
        {
            case WriteOutcome.Done:
                EntityTags.SetValidators(http.Response, result.Value!.ETag);
                return TypedResults.Ok(result.Value.ToResponse());
            case WriteOutcome.PreconditionFailed:
                return StoryChanged(storyId);
            default:
                return StoryNotFound(storyId);
        }
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, PreconditionFailed>> DeleteStory(
        long storyId, StoryStore store, HttpContext http, CancellationToken ct) =>
        await store.DeleteAsync(storyId, EntityTags.IfMatchCheck(http.Request, 's', storyId), ct) switch
        {
            WriteOutcome.Done => TypedResults.NoContent(),
            WriteOutcome.PreconditionFailed => StoryChanged(storyId),
            _ => StoryNotFound(storyId),
        };

    public static async Task<Results<Ok<Page<StoryArticleResponse>>, ValidationProblem, NotFound<ProblemDetails>>> ListStoryArticles(
        [AsParameters] StoryArticleListQuery query, StoryStore store, CursorProtector cursors, CancellationToken ct)
    {
        var limit = query.Limit();
        var list = StoryStore.ArticleListName(query.StoryId);
        var rows = await store.ListArticlesAsync(query.StoryId, query.After(), limit, ct);
        return rows is null
            ? StoryNotFound(query.StoryId)
            : TypedResults.Ok(Paging.ToPage(rows, limit, cursors, list, r => [r.PublishedAt, r.Id], r => r.ToResponse()));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> LinkArticle(
        long storyId, long articleId, StoryStore store, TimeProvider clock, CancellationToken ct) =>
        await store.LinkAsync(storyId, articleId, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct) switch
        {
            LinkOutcome.Done => TypedResults.NoContent(),
            LinkOutcome.StoryNotFound => StoryNotFound(storyId),
            _ => ApiProblems.NotFound($"Article {articleId} does not exist."),
        };

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> UnlinkArticle(
        long storyId, long articleId, StoryStore store, TimeProvider clock, CancellationToken ct) =>
        await store.UnlinkAsync(storyId, articleId, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct) == LinkOutcome.Done
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"Article {articleId} is not linked to story {storyId}.");

    internal static NotFound<ProblemDetails> StoryNotFound(long id) => ApiProblems.NotFound($"Story {id} does not exist.");

    private static PreconditionFailed StoryChanged(long id) =>
        ApiProblems.PreconditionFailed($"Story {id} has changed since the version named in If-Match; read it again and retry.");
}
