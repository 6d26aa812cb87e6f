using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Articles;

public static class ArticlesApi
{
    public static IServiceCollection AddArticles(this IServiceCollection services) =>
        services.AddSingleton<ArticleStore>().AddSingleton<ArticleImporter>();

    public static RouteGroupBuilder MapArticles(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/articles").WithTags("Articles");

        group.MapGet("/", ListArticles)
            .WithName("listArticles")
            .WithSummary("List articles, newest published first")
            .WithDescription("Filter by canonical URL or by outlet. Keyset-paginated: pass `nextCursor` back as `cursor`.");
        group.MapGet("/{id:long}", GetArticle)
            .WithConditionalGet()
            .WithName("getArticle")
            .WithSummary("Get an article")
            .WithDescription("The article with its canonical URL, outlet and publication time.");
        group.MapPost("/", CreateArticle)
            .ReturnsETag()
            .WithName("createArticle")
            .WithSummary("Create an article")
            .WithDescription("The URL is canonicalized; a second article with the same canonical URL is a 409 whose problem carries `articleId`. " +
                "Without `outletId`, the outlet is found from the URL's host (`edition.cnn.com` → `cnn.com`).");
        group.MapDelete("/{id:long}", DeleteArticle)
            .WithName("deleteArticle")
            .WithSummary("Delete an article")
            .WithDescription("Also removes its links to stories.");

        group.MapPost("/import", ImportArticles)
            .AcceptsLargeBodies()
            .Accepts<List<ArticleImportRow>>(ImportEndpoints.Json, ImportEndpoints.NdJson)
            .WithName("importArticles")
            .WithSummary("Import articles in bulk")
            .WithDescription("A JSON array or NDJSON (one object per line) of articles, streamed into one transaction. A URL already stored " +
                "(canonically) is updated (title, publishedAt) and linked, not duplicated. All or nothing: any bad row makes it a 422 that lists " +
                "every bad row, and nothing is written. `dryRun=true` checks and counts without writing.");

        return group;
    }

    public static async Task<Results<Ok<ImportResult>, ValidationProblem, UnprocessableEntity<ImportProblem>, ProblemHttpResult>> ImportArticles(
        HttpRequest request, QueryValue<bool>? dryRun, ArticleImporter importer, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        IOptions<ImportSettings> settings, ILoggerFactory loggers, CancellationToken ct)
    {
        var options = json.Value.SerializerOptions;
        var maxRow = settings.Value.MaxRowBytes;
        var lines = ImportEndpoints.MediaType(request) switch
        {
            ImportEndpoints.Json => ArticleImport.ReadJsonAsync(request.BodyReader, options, maxRow, ct),
            ImportEndpoints.NdJson => ArticleImport.ReadNdJsonAsync(request.BodyReader, options, maxRow, ct),
            _ => null,
        };
        if (lines is null)
        {
            return ImportEndpoints.UnsupportedMediaType(ImportEndpoints.Json, ImportEndpoints.NdJson);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ArticleImporter.Outcome outcome;
        try
        {
            outcome = await importer.ImportAsync(lines, dryRun?.Value == true, ct);
        }
        catch (System.Text.Json.JsonException exception)
        {
            return ImportEndpoints.MalformedJson(exception);
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var logger = loggers.CreateLogger(ImportEndpoints.LogCategory);
        if (outcome.Rows == 0)
        {
            return ImportEndpoints.NoRows();
        }

        if (outcome.Result is not { } result)
        {
            logger.LogInformation("Article import refused: {BadRows} bad rows of {Rows}", outcome.BadRows.Count, outcome.Rows);
            NewsLensMetrics.Imported("articles", "refused", outcome.Rows);
            return TypedResults.UnprocessableEntity(ImportProblem.For(outcome.BadRows));
        }

        logger.LogInformation("Article import{DryRun}: {Rows} rows in {Seconds:F2} s ({Rate:F0} rows/s; read and checked {ReadSeconds:F2} s, looked up {LookupSeconds:F2} s, write turn held {TurnSeconds:F2} s): {Created} created, {Updated} updated, {Unchanged} unchanged, {Linked} links; summaries of {Stories} stories updated in {RecountSeconds:F2} s",
            dryRun?.Value == true ? " (dry run)" : "", outcome.Rows, elapsed.TotalSeconds, outcome.Rows / Math.Max(elapsed.TotalSeconds, 1e-6),
            outcome.Checks.Read.TotalSeconds, outcome.Checks.Lookup.TotalSeconds, outcome.WriteTurn.TotalSeconds,
            result.Created, result.Updated, result.Unchanged, result.Linked, outcome.StoriesTouched, outcome.Recount.TotalSeconds);
        NewsLensMetrics.Imported("articles", result.DryRun ? "dry_run" : "written", outcome.Rows);
        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<Page<ArticleResponse>>, ValidationProblem>> ListArticles(
        [AsParameters] ArticleListQuery query, ArticleStore store, CursorProtector cursors, CancellationToken ct)
    {
        var limit = query.Limit();
        var rows = await store.ListAsync(query.Url?.Value.Url, query.OutletId?.Value, query.After(), limit, ct);
        return TypedResults.Ok(Paging.ToPage(rows, limit, cursors, ArticleStore.ListName, r => [r.PublishedAt, r.Id], r => r.ToResponse()));
    }

    public static async Task<Results<Ok<ArticleResponse>, NotModified, NotFound<ProblemDetails>>> GetArticle(
        long id, ArticleStore store, HttpContext http, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } row)
        {
            return ArticleNotFound(id);
        }

        EntityTags.SetValidators(http.Response, row.ETag);
        return EntityTags.IsNotModified(http.Request, row.ETag) ? NotModified.Instance : TypedResults.Ok(row.ToResponse());
    }

    public static async Task<Results<Created<ArticleResponse>, ValidationProblem, Conflict<ProblemDetails>>> CreateArticle(
        ArticleRequest request, ArticleStore store, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var result = await store.CreateAsync(request, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        if (result.Created is { } row)
        {
            EntityTags.SetValidators(http.Response, row.ETag);
            return TypedResults.Created($"/v1/articles/{row.Id}", row.ToResponse());
        }

        return result.DuplicateOfId is { } existing
            ? ApiProblems.Conflict($"Article {existing} already has this canonical URL.", new Dictionary<string, object?> { ["articleId"] = existing })
            : ApiProblems.Validation("outletId", result.OutletProblem!);
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteArticle(long id, ArticleStore store, TimeProvider clock, CancellationToken ct) =>
        await store.DeleteAsync(id, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct) ? TypedResults.NoContent() : ArticleNotFound(id);

    private static NotFound<ProblemDetails> ArticleNotFound(long id) => ApiProblems.NotFound($"Article {id} does not exist.");
}
