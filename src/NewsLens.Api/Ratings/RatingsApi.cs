using FluentValidation;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Ratings;

public static class RatingsApi
{
    public static IServiceCollection AddRatings(this IServiceCollection services)
    {
        services.AddOptions<RatingsSettings>().BindConfiguration(RatingsSettings.Section);
        return services.AddSingleton<RatingStore>();
    }

    public static IEndpointRouteBuilder MapRatings(this IEndpointRouteBuilder routes)
    {
        var raters = routes.MapGroup("/raters").WithTags("Ratings");
        raters.MapGet("/", ListRaters)
            .WithName("listRaters")
            .WithSummary("List raters")
            .WithDescription("Every rater, the four built-in ones (newslens, allsides, mbfc, adfontes) first, then in the order they were added: " +
                "the order the combined rating reads them in unless Ratings:Combine:Raters says otherwise.");
        raters.MapGet("/{raterId}", GetRater)
            .WithName("getRater")
            .WithSummary("Get a rater");
        raters.MapPost("/", CreateRater)
            .WithName("createRater")
            .WithSummary("Add a rater")
            .WithDescription("A rater whose ratings are written in one of the four vocabularies. Raters are never deleted: their ratings are history.");

        raters.MapPost("/{raterId}/ratings/import", ImportRatings)
            .AcceptsLargeBodies()
            .Accepts<List<RatingImportRow>>(ImportEndpoints.Json, ImportEndpoints.Csv)
            .WithName("importRatings")
            .WithSummary("Import a rater's ratings")
            .WithDescription("A CSV (header: domain, name, bias, factuality, source_url, note) or a JSON array of the rater's ratings in its vocabulary, " +
                "each recorded effective `effectiveFrom` (now when omitted; not in the future). A row names its outlet by domain, or by its exact name " +
                "where it has no domain; the import creates no outlets. All or nothing: any bad row (an unknown word, no such outlet, a name two " +
                "outlets share, an outlet named twice, a different rating at that very instant) makes it a 422 that lists every bad row, and nothing " +
                $"is written. At most {RatingImport.MaxRows:N0} rows. `dryRun=true` checks and counts without writing.");

        routes.MapGet("/outlets/{outletId:long}/ratings", GetOutletRatings)
            .WithTags("Ratings")
            .WithName("getOutletRatings")
            .WithSummary("An outlet's ratings, per rater and combined")
            .WithDescription("Each rater's rating in force (now, or at `asOf`) and the combined rating; `history=true` adds every dated rating with its provenance.");
        routes.MapPut("/outlets/{outletId:long}/ratings/{raterId}", RecordRating)
            .WithTags("Ratings")
            .WithName("recordRating")
            .WithSummary("Record a rater's rating of an outlet")
            .WithDescription("Records a rating in force from `effectiveFrom` (now when omitted) until the same rater's next one; history is never overwritten. " +
                "`201` when it was recorded; `200` and nothing recorded when the same rating was already in force then; `409` when a different rating " +
                "of the rater is recorded at exactly that instant. A rating in force now recombines the outlet's `bias` and `factuality` and, when they " +
                "change, the coverage of every story the outlet covered.");
        return routes;
    }

    public static async Task<Ok<Page<RaterResponse>>> ListRaters(RatingStore store, CancellationToken ct) =>
        TypedResults.Ok(new Page<RaterResponse>([.. (await store.ListRatersAsync(ct)).Select(r => r.ToResponse())], null));

    public static async Task<Results<Ok<RaterResponse>, NotFound<ProblemDetails>>> GetRater(string raterId, RatingStore store, CancellationToken ct) =>
        await store.GetRaterAsync(raterId, ct) is { } rater ? TypedResults.Ok(rater.ToResponse()) : RaterNotFound(raterId);

    public static async Task<Results<Created<RaterResponse>, ValidationProblem, Conflict<ProblemDetails>>> CreateRater(
        RaterRequest request, RatingStore store, TimeProvider clock, CancellationToken ct)
    {
        var result = await store.CreateRaterAsync(request, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        return result.Outcome == WriteOutcome.Done
            ? TypedResults.Created($"/v1/raters/{result.Value!.Id}", result.Value.ToResponse())
            : ApiProblems.Conflict($"Rater '{request.Id}' already exists.");
    }

    public static async Task<Results<Created<RatingResponse>, Ok<RatingResponse>, ValidationProblem, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> RecordRating(
        long outletId, string raterId, RatingRequest request, RatingStore store, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (await store.GetRaterAsync(raterId, ct) is not { } rater)
        {
            return RaterNotFound(raterId);
        }

        if (!RaterVocabularies.TryParseBias(rater.ParsedVocabulary, request.Bias, out var bias, out var error))
        {
            return ApiProblems.Validation("bias", error);
        }

        RaterVocabularies.TryParseFactuality(request.Factuality, out var factuality);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var rating = new RatingRow(outletId, rater.Id, EnumText<Bias>.Name(bias), string.IsNullOrWhiteSpace(request.Bias) ? null : request.Bias.Trim(),
            EnumText<Factuality>.Name(factuality), request.EffectiveFrom?.ToUnixTimeMilliseconds() ?? now, request.SourceUrl, request.Note, now, http.User.Identity?.Name);
        var (outcome, stored) = await store.RecordAsync(rating, now, ct);
        return outcome switch
        {
            RecordOutcome.Recorded => TypedResults.Created($"/v1/outlets/{outletId}/ratings", stored!.ToResponse()),
            RecordOutcome.Unchanged => TypedResults.Ok(stored!.ToResponse()),
            RecordOutcome.OutletNotFound => ApiProblems.NotFound($"Outlet {outletId} does not exist."),
            _ => ApiProblems.Conflict($"A different rating of outlet {outletId} by '{rater.Id}' is recorded effective {UnixTime.FromMs(rating.EffectiveFrom):yyyy-MM-ddTHH:mm:ss.fffZ}; " +
                "history is never overwritten: record the new rating from a later instant."),
        };
    }

    public static async Task<Results<Ok<OutletRatingsResponse>, ValidationProblem, NotFound<ProblemDetails>>> GetOutletRatings(
        long outletId, [AsParameters] OutletRatingsQuery query, RatingStore store, TimeProvider clock, CancellationToken ct)
    {
        if (await store.ReadOutletAsync(outletId, ct) is not var (ratings, raters))
        {
            return ApiProblems.NotFound($"Outlet {outletId} does not exist.");
        }

        var asOf = query.AsOf?.Value.ToUnixTimeMilliseconds() ?? clock.GetUtcNow().ToUnixTimeMilliseconds();
        var standing = ratings.Where(r => r.EffectiveFrom <= asOf).ToList();
        var position = raters.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var current = standing.GroupBy(r => r.RaterId).Select(g => g.MaxBy(r => r.EffectiveFrom)!).OrderBy(r => position[r.RaterId]).ToList();
        var order = store.Combine.Raters.Count > 0 ? store.Combine.Raters : raters;
        var (bias, factuality, _, _) = store.CombineInForce(order, current);
        var combinedFrom = order.Where(id => current.Any(r => r.RaterId == id && (r.Bias is not null || r.Factuality is not null))).ToList();
        return TypedResults.Ok(new OutletRatingsResponse(
            outletId,
            UnixTime.FromMs(asOf),
            new CombinedRatingResponse(bias, bias?.ToLean(), factuality, store.Combine.Method, combinedFrom),
            [.. current.Select(r => r.ToResponse())],
            query.History?.Value == true ? [.. standing.OrderBy(r => position[r.RaterId]).ThenBy(r => r.EffectiveFrom).Select(r => r.ToResponse())] : null));
    }

    /// <param name="raterId">The rater whose ratings these are (its vocabulary reads the words).</param>
    /// <param name="effectiveFrom">From when every rating of the import is in force (RFC 3339); now when omitted; not in the future.</param>
    /// <param name="dryRun">Check and count without writing.</param>
    public static async Task<Results<Ok<RatingImportResult>, ValidationProblem, NotFound<ProblemDetails>, UnprocessableEntity<ImportProblem>, ProblemHttpResult>> ImportRatings(
        string raterId, HttpRequest request, QueryValue<DateTimeOffset>? effectiveFrom, QueryValue<bool>? dryRun, RatingStore store, TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<ImportSettings> settings, CancellationToken ct)
    {
        if (await store.GetRaterAsync(raterId, ct) is not { } rater)
        {
            return RaterNotFound(raterId);
        }

        var now = clock.GetUtcNow();
        if (effectiveFrom?.Value > now)
        {
            return ApiProblems.Validation("effectiveFrom", "'effectiveFrom' is in the future: ratings can only be recorded from now or from a past instant.");
        }

        var lines = ImportRows.Read(request, json.Value.SerializerOptions, settings.Value.MaxRowBytes, RatingImport.Columns, RatingImport.FromCsv,
            RatingImport.Empty, ct);
        if (lines is null)
        {
            return ImportEndpoints.UnsupportedMediaType(ImportEndpoints.Csv, ImportEndpoints.Json);
        }

        // Read and check the whole body first; ratings files are small (a rater rates thousands of outlets, not millions).
        var bad = new BadRows();
        var rows = new List<CheckedRating>();
        var malformed = await ImportRows.ForEachAsync(lines, line =>
        {
            if (rows.Count + bad.Count >= RatingImport.MaxRows)
            {
                bad.Add(line.Row, "body", null, $"An import holds at most {RatingImport.MaxRows:N0} rows; send the rest in another.");
                return false;
            }

            if (RatingImport.Check(line, rater.ParsedVocabulary, bad) is { } rating)
            {
                rows.Add(rating);
            }

            return true;
        });
        if (malformed is not null)
        {
            return malformed;
        }

        if (!bad.Any && rows.Count == 0)
        {
            return ImportEndpoints.NoRows();
        }

        var matched = await MatchOutletsAsync(rows, store, bad, ct);
        if (bad.Any)
        {
            return TypedResults.UnprocessableEntity(ImportProblem.For(bad));
        }

        var (result, conflicts) = await store.ImportAsync(rater.Id, matched, (effectiveFrom?.Value ?? now).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(),
            request.HttpContext.User.Identity?.Name, dryRun?.Value == true, ct);
        foreach (var conflict in conflicts)
        {
            bad.Add(conflict.Row, conflict.Field, conflict.Value, conflict.Message);
        }

        NewsLensMetrics.Imported("ratings", bad.Any ? "refused" : result!.DryRun ? "dry_run" : "written", rows.Count);
        return bad.Any ? TypedResults.UnprocessableEntity(ImportProblem.For(bad)) : TypedResults.Ok(result!);
    }

    /// <summary>Each row's outlet, by domain or by exact name; a row without one, with a name two outlets share, or naming an outlet another row names, is bad.</summary>
    private static async Task<List<(long OutletId, CheckedRating Rating)>> MatchOutletsAsync(List<CheckedRating> rows, RatingStore store, BadRows bad,
        CancellationToken ct)
    {
        var byDomain = await store.OutletsByDomainAsync([.. rows.Where(r => r.Domain is not null).Select(r => r.Domain!)], ct);
        var byName = await store.OutletsByNameAsync([.. rows.Where(r => r.Name is not null).Select(r => r.Name!)], ct);
        var firstRow = new Dictionary<long, long>();
        var matched = new List<(long, CheckedRating)>();
        foreach (var row in rows)
        {
            long? outletId = null;
            if (row.Domain is { } domain)
            {
                if (byDomain.TryGetValue(domain, out var id))
                {
                    outletId = id;
                }
                else
                {
                    bad.Add(row.Row, "domain", domain, $"No outlet has the domain {domain}; create it first (POST /v1/outlets or the outlet import).");
                }
            }
            else
            {
                var ids = byName[row.Name!].ToList();
                if (ids.Count == 1)
                {
                    outletId = ids[0];
                }
                else
                {
                    bad.Add(row.Row, "name", row.Name, ids.Count == 0
                        ? $"No outlet is named exactly '{row.Name}'; give its domain, or create it first."
                        : $"{ids.Count} outlets are named '{row.Name}' (ids {string.Join(", ", ids)}); give the domain instead.");
                }
            }

            if (outletId is { } outlet)
            {
                if (firstRow.TryGetValue(outlet, out var first))
                {
                    bad.Add(row.Row, row.Domain is null ? "name" : "domain", row.Domain ?? row.Name, $"Outlet {outlet} is also on row {first}; a file rates each outlet once.");
                }
                else
                {
                    firstRow[outlet] = row.Row;
                    matched.Add((outlet, row));
                }
            }
        }

        return matched;
    }

    private static NotFound<ProblemDetails> RaterNotFound(string raterId) =>
        ApiProblems.NotFound($"Rater '{raterId}' does not exist; GET /v1/raters lists them.");
}

public sealed class OutletRatingsQueryValidator : AbstractValidator<OutletRatingsQuery>
{
    public OutletRatingsQueryValidator(TimeProvider clock) => RuleFor(x => x.AsOf).NotInTheFuture(clock);
}

public static class AsOfRules
{
    /// <summary>An <c>asOf</c> that parsed lies no later than now: ratings are known up to now.</summary>
    public static IRuleBuilderOptions<T, QueryValue<DateTimeOffset>?> NotInTheFuture<T>(this IRuleBuilder<T, QueryValue<DateTimeOffset>?> rule, TimeProvider clock) =>
        rule.Must(a => a is not { IsValid: true } valid || valid.Value <= clock.GetUtcNow())
            .WithMessage("'asOf' is in the future; ratings are known up to now.");
}
