using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Outlets;

public static class OutletsApi
{
    public static IServiceCollection AddOutlets(this IServiceCollection services) => services.AddSingleton<OutletStore>();

    public static RouteGroupBuilder MapOutlets(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/outlets").WithTags("Outlets");

        group.MapGet("/", ListOutlets)
            .WithName("listOutlets")
            .WithSummary("List outlets")
            .WithDescription("Outlets in id order, optionally filtered by lean and by a text match on name or domain. Keyset-paginated: pass `nextCursor` back as `cursor`.");
        group.MapGet("/{id:long}", GetOutlet)
            .WithConditionalGet()
            .WithName("getOutlet")
            .WithSummary("Get an outlet")
            .WithDescription("The outlet: `bias` and `factuality` are the combined rating of its raters, `ratings` each rater's rating in force; `lean` is derived from `bias`.");
        group.MapPost("/", CreateOutlet)
            .ReturnsETag()
            .WithName("createOutlet")
            .WithSummary("Create an outlet")
            .WithDescription("The domain is normalized (lower case; no scheme, `www.`, port or path) and must be unique.");
        group.MapPut("/{id:long}", ReplaceOutlet)
            .WithIfMatch()
            .WithName("replaceOutlet")
            .WithSummary("Replace an outlet")
            .WithDescription("Full replace: omitted ratings become unrated. A re-rating changes the coverage of every story the outlet appears in.");
        group.MapDelete("/{id:long}", DeleteOutlet)
            .WithIfMatch(returnsETag: false)
            .WithName("deleteOutlet")
            .WithSummary("Delete an outlet")
            .WithDescription("Refused with 409 while the outlet still has articles.");

        group.MapPost("/import", ImportOutlets)
            .AcceptsLargeBodies()
            .Accepts<List<OutletImportRow>>(ImportEndpoints.Json, ImportEndpoints.Csv)
            .WithName("importOutlets")
            .WithSummary("Import outlets in bulk")
            .WithDescription("A CSV (header: name, domain, bias, factuality, ownership, country) or a JSON array, upserted by normalized domain. " +
                "All or nothing: any bad row makes it a 422 that lists every bad row, and nothing is written. " +
                "The rows' bias and factuality are recorded as ratings of `rater` (default `newslens`), in force from now, and combined with the " +
                "other raters' ratings into each outlet's `bias`; the bias is read in the rater's vocabulary (for `newslens`, words from AllSides " +
                "and Media Bias/Fact Check are mapped too: docs/partners.md, rating vocabulary). A row counts as updated when its name, ownership " +
                "or country differs from the stored outlet's, or its rating from the rater's rating in force. " +
                "`dryRun=true` checks and counts without writing.");

        return group;
    }

    /// <param name="rater">Whose ratings the rows' bias and factuality are (an id from <c>GET /v1/raters</c>); the bias is read in its vocabulary. Default <c>newslens</c>, which also reads AllSides and MBFC words.</param>
    /// <param name="dryRun">Check and count without writing.</param>
    public static async Task<Results<Ok<ImportResult>, ValidationProblem, UnprocessableEntity<ImportProblem>, ProblemHttpResult>> ImportOutlets(
        HttpRequest request, string? rater, QueryValue<bool>? dryRun, OutletStore store, RatingStore ratings, TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<ImportSettings> settings, FluentValidation.IValidator<OutletRequest> validator,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (await ratings.GetRaterAsync(rater ?? RatingStore.NewsLens, ct) is not { } raterRow)
        {
            return ApiProblems.Validation("rater", $"Rater '{rater}' does not exist; GET /v1/raters lists them.");
        }

        var lines = ImportRows.Read(request, json.Value.SerializerOptions, settings.Value.MaxRowBytes, OutletImport.Columns, OutletImport.FromCsv,
            OutletImport.Empty, ct);
        if (lines is null)
        {
            return ImportEndpoints.UnsupportedMediaType(ImportEndpoints.Csv, ImportEndpoints.Json);
        }

        // The whole body is read and checked before the import asks for the write turn.
        var bad = new BadRows();
        var checker = new OutletImport.RowChecker(bad, validator, raterRow);
        using var spool = new ImportSpool<OutletImportValues>(OutletImport.Codec.Instance, ImportSpoolWindow, settings.Value.SpoolDirectory);
        var malformed = await ImportRows.ForEachAsync(lines, line =>
        {
            if (checker.Check(line) is { } outlet)
            {
                spool.Add(outlet);
            }

            return true;
        });
        if (malformed is not null)
        {
            return malformed;
        }

        if (bad.Any)
        {
            NewsLensMetrics.Imported("outlets", "refused", spool.Count + bad.Count);
            return TypedResults.UnprocessableEntity(ImportProblem.For(bad));
        }

        if (spool.Count == 0)
        {
            return ImportEndpoints.NoRows();
        }

        var result = await store.ImportAsync(spool, raterRow.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), dryRun?.Value == true,
            request.HttpContext.User.Identity?.Name, ct);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        loggers.CreateLogger(ImportEndpoints.LogCategory).LogInformation("Outlet import{DryRun} ({Rater}): {Rows} rows in {Seconds:F2} s ({Rate:F0} rows/s): {Created} created, {Updated} updated, {Unchanged} unchanged",
            dryRun?.Value == true ? " (dry run)" : "", raterRow.Id, spool.Count, elapsed.TotalSeconds, spool.Count / Math.Max(elapsed.TotalSeconds, 1e-6),
            result.Created, result.Updated, result.Unchanged);
        NewsLensMetrics.Imported("outlets", result.DryRun ? "dry_run" : "written", spool.Count);
        return TypedResults.Ok(result);
    }

    /// <summary>Outlets held in memory before an import spools to a file, and classified together.</summary>
    private const int ImportSpoolWindow = 16_384;

    public static async Task<Results<Ok<Page<OutletResponse>>, ValidationProblem>> ListOutlets(
        [AsParameters] OutletListQuery query, OutletStore store, RatingStore ratings, CursorProtector cursors, CancellationToken ct)
    {
        var limit = query.Limit();
        var rows = await store.ListAsync(query.Lean?.Value, query.Q, query.After()?[0], limit, ct);
        var inForce = await ratings.InForceAsync([.. rows.Take(limit).Select(r => r.Id)], ct);
        return TypedResults.Ok(Paging.ToPage(rows, limit, cursors, OutletStore.ListName, r => [r.Id], r => r.ToResponse(inForce[r.Id])));
    }

    public static async Task<Results<Ok<OutletResponse>, NotModified, NotFound<ProblemDetails>>> GetOutlet(
        long id, OutletStore store, RatingStore ratings, HttpContext http, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } row)
        {
            return OutletNotFound(id);
        }

        EntityTags.SetValidators(http.Response, row.ETag);
        return EntityTags.IsNotModified(http.Request, row.ETag) ? NotModified.Instance : TypedResults.Ok(await ResponseAsync(row, ratings, ct));
    }

    /// <summary>The outlet with its ratings in force (read after its own row: a rating recorded between the two moves its ETag for the next read).</summary>
    private static async Task<OutletResponse> ResponseAsync(OutletRow row, RatingStore ratings, CancellationToken ct) =>
        row.ToResponse((await ratings.InForceAsync([row.Id], ct))[row.Id]);

    public static async Task<Results<Created<OutletResponse>, ValidationProblem, Conflict<ProblemDetails>>> CreateOutlet(
        OutletRequest request, OutletStore store, RatingStore ratings, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var result = await store.CreateAsync(request.ToValues(), clock.GetUtcNow().ToUnixTimeMilliseconds(), http.User.Identity?.Name, ct);
        if (result.Outcome != WriteOutcome.Done)
        {
            return DomainTaken(result.ConflictingId);
        }

        EntityTags.SetValidators(http.Response, result.Value!.ETag);
        return TypedResults.Created($"/v1/outlets/{result.Value.Id}", await ResponseAsync(result.Value, ratings, ct));
    }

    public static async Task<Results<Ok<OutletResponse>, ValidationProblem, NotFound<ProblemDetails>, Conflict<ProblemDetails>, PreconditionFailed>> ReplaceOutlet(
        long id, OutletRequest request, OutletStore store, RatingStore ratings, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var result = await store.ReplaceAsync(id, request.ToValues(), clock.GetUtcNow().ToUnixTimeMilliseconds(), EntityTags.IfMatchCheck(http.Request, 'o', id),
            http.User.Identity?.Name, ct);
        switch (result.Outcome)
        {
            case WriteOutcome.Done:
                EntityTags.SetValidators(http.Response, result.Value!.ETag);
                return TypedResults.Ok(await ResponseAsync(result.Value, ratings, ct));
            case WriteOutcome.NotFound:
                return OutletNotFound(id);
            case WriteOutcome.PreconditionFailed:
                return ApiProblems.PreconditionFailed($"Outlet {id} has changed since the version named in If-Match; read it again and retry.");
            default:
                return DomainTaken(result.ConflictingId);
        }
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>, PreconditionFailed>> DeleteOutlet(
        long id, OutletStore store, HttpContext http, CancellationToken ct) =>
        await store.DeleteAsync(id, EntityTags.IfMatchCheck(http.Request, 'o', id), ct) switch
        {
            WriteOutcome.Done => TypedResults.NoContent(),
            WriteOutcome.NotFound => OutletNotFound(id),
            WriteOutcome.PreconditionFailed => ApiProblems.PreconditionFailed($"Outlet {id} has changed since the version named in If-Match; read it again and retry."),
            _ => ApiProblems.Conflict($"Outlet {id} still has articles; delete or move them first."),
        };

    private static NotFound<ProblemDetails> OutletNotFound(long id) => ApiProblems.NotFound($"Outlet {id} does not exist.");

    private static Conflict<ProblemDetails> DomainTaken(long? outletId) =>
        ApiProblems.Conflict($"Outlet {outletId} already has this domain.", new Dictionary<string, object?> { ["outletId"] = outletId });
}
