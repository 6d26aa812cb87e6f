using Microsoft.AspNetCore.Http.HttpResults;
using NewsLens.Api.Coverage;

namespace NewsLens.Api.Readers;

/// <summary>
/// "What do I read?": the API form of Ground News' "My News Bias", done privately. The reading list is matched, folded
/// and answered in one request; nothing of it is stored, logged or cached.
/// </summary>
public static class ReaderProfileApi
{
    /// <summary>5,000 URLs of the longest length, with their JSON punctuation, fit.</summary>
    public const long MaxBodyBytes = 12 * 1024 * 1024;

    public static IServiceCollection AddReaderProfiles(this IServiceCollection services) => services.AddSingleton<ReaderProfileStore>();

    public static RouteGroupBuilder MapReaderProfiles(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Readers");

        // A POST because a reading list does not fit in a URL (and should not sit in one); it only reads, so it takes the
        // read policy: open where reads are open, a key with the read scope where they are not.
        group.MapPost("/reader-profile", PostReaderProfile)
            .RequireAuthorization(ApiKeys.ReadPolicy)
            .AcceptsLargeBodies(MaxBodyBytes)
            .WithName("getReaderProfile")
            .WithSummary("Profile what a reader reads")
            .WithDescription("The API form of Ground News' \"My News Bias\", done privately: send up to 5,000 article ids or URLs (URLs are " +
                "canonicalized as on import) and get how many matched, the rest in `unmatched`, the bias distribution of what was read by " +
                "sources and by articles (the coverage rules: \"62% of the sources lean Left\"), its factuality and ownership, and " +
                "`blindspotsMissed`: up to 20 blindspot stories, newest first, from the side the reader reads least, in the window " +
                "(default: the 30 days before the last article read), of which the reader read nothing. Reads only: nothing sent is stored " +
                "or logged, and the answer is `Cache-Control: no-store`. Rules in docs/api.md, \"A reader's own bias profile\".");
        return group;
    }

    public static async Task<Results<Ok<ReaderProfile>, ValidationProblem>> PostReaderProfile(ReaderProfileRequest request, ReaderProfileStore store,
        CoverageStore coverage, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        var items = request.Articles!;
        var read = await store.MatchAsync([.. items], ct);
        var groups = ReaderProfiles.Groups(read);
        var sources = ReaderProfiles.Mix(groups, CoverageBasis.Sources, coverage.DefaultRatings);
        var articles = ReaderProfiles.Mix(groups, CoverageBasis.Articles, coverage.DefaultRatings);
        var readsLeast = ReaderProfiles.ReadsLeast(articles.Bias, sources.Bias);
        var window = ReaderProfiles.Window(request.From, request.To, read, clock.GetUtcNow());
        var missed = window.From < window.To
            ? await store.MissedAsync(ReaderProfiles.MissedBlindspots(readsLeast), window, [.. read.Select(a => a.ArticleId)], ReaderProfiles.MaxMissed, ct)
            : [];

        return TypedResults.Ok(new ReaderProfile(items.Count, read.Count, ReaderProfiles.Unmatched(items, read), sources, articles, readsLeast, window, missed));
    }
}
