using Dapper;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>
/// What a story's timeline is built from, read in one snapshot: its coverage stamp, its publication span and, unless
/// the caller's copy is current or the span holds too many buckets, its links with each outlet's lean.
/// </summary>
/// <param name="Links">Null when they were not read.</param>
/// <param name="Mark">The last rating recorded, when counted by chosen ratings.</param>
public sealed record TimelineRead(CoverageStamp Stamp, long Buckets, IReadOnlyList<TimelineLink>? Links, CoverageRatings Ratings, RatingsMark? Mark);

public sealed class TimelineStore(Database database, CoverageStore coverage)
{
    private sealed class LinkRow
    {
        public long ArticleId { get; init; }
        public long OutletId { get; init; }
        public long PublishedAt { get; init; }
        public string? Lean { get; init; }
    }

    /// <summary>
    /// Null when the story does not exist. <paramref name="current"/> is asked, with the stamp, the ratings and their mark, whether
    /// the caller already holds this answer: then, as when the span exceeds <see cref="StoryTimelines.MaxBuckets"/>,
    /// the links are not read. The links are read in one query (a story's links by its primary key); each outlet's
    /// lean is its stored one, or with chosen ratings worked out from the ratings in force.
    /// </summary>
    public async Task<TimelineRead?> ReadAsync(long storyId, TimelineBucket bucket, RatingsChoice choice,
        Func<CoverageStamp, CoverageRatings, RatingsMark?, bool> current, CancellationToken ct)
    {
        const string summary = """
            SELECT coverage_version, changed_at, first_published_at, last_published_at FROM story_summaries WHERE story_id = @storyId
            """;
        const string links = """
            SELECT sa.article_id, sa.outlet_id, sa.published_at, o.lean
            FROM story_articles sa
            JOIN outlets o ON o.id = sa.outlet_id
            WHERE sa.story_id = @storyId
            """;

        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await database.BeginSnapshotAsync(connection, ct);
        var row = await connection.QuerySingleOrDefaultAsync<(long Version, long ChangedAt, long? First, long? Last)?>(
            new CommandDefinition(summary, new { storyId }, transaction, cancellationToken: ct));
        if (row is not { } found)
        {
            return null;
        }

        var stamp = new CoverageStamp(found.Version, UnixTime.FromMs(found.ChangedAt));
        var mark = choice.IsDefault ? null : await CoverageStore.RatingsMarkAsync(connection, transaction, ct);
        var buckets = StoryTimelines.BucketCount(found.First, found.Last, bucket);
        var ratings = coverage.Echo(choice);
        if (buckets > StoryTimelines.MaxBuckets || current(stamp, ratings, mark))
        {
            return new TimelineRead(stamp, buckets, null, ratings, mark);
        }

        var rows = (await connection.QueryAsync<LinkRow>(new CommandDefinition(links, new { storyId }, transaction, cancellationToken: ct))).AsList();
        Func<LinkRow, Lean?> leanOf = r => EnumText<Lean>.ParseStored(r.Lean);
        if (!choice.IsDefault)
        {
            var chosen = await coverage.ChosenRatingsAsync(connection, transaction, [.. rows.Select(r => r.OutletId).Distinct()], choice, ct);
            leanOf = r => chosen[r.OutletId].Bias?.ToLean();
        }

        return new TimelineRead(stamp, buckets, [.. rows.Select(r => new TimelineLink(r.ArticleId, r.OutletId, r.PublishedAt, leanOf(r)))], ratings, mark);
    }
}
