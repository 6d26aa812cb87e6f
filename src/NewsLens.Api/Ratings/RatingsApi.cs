using FluentValidation;
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

        RatingVocabulary.TryParseFactuality(request.Factuality, out var factuality);
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

    private static NotFound<ProblemDetails> RaterNotFound(string raterId) =>
        ApiProblems.NotFound($"Rater '{raterId}' does not exist; GET /v1/raters lists them.");
}

public sealed class OutletRatingsQueryValidator : AbstractValidator<OutletRatingsQuery>
{
    public OutletRatingsQueryValidator(TimeProvider clock)
    {
        RuleFor(x => x.AsOf).Must(a => a!.Value.Value <= clock.GetUtcNow()).When(x => x.AsOf is { IsValid: true })
            .WithMessage("'asOf' is in the future; ratings are known up to now.");
    }
}
