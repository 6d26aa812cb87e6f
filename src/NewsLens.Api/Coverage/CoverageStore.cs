using Dapper;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>Which version of a story's coverage is current, and when the story last changed.</summary>
public readonly record struct CoverageStamp(long Version, DateTime ChangedAt);

/// <summary>The coverage groups and stamps of the stories that exist among those asked for, from one snapshot.</summary>
public sealed record CoverageRead(IReadOnlyDictionary<long, IReadOnlyList<CoverageGroup>> Groups, IReadOnlyDictionary<long, CoverageStamp> Stamps)
{
    public bool Exists(long storyId) => Groups.ContainsKey(storyId);
}

public sealed class CoverageStore(Database database)
{
    private sealed class GroupRow
    {
        public long StoryId { get; init; }
        public string? Bias { get; init; }
        public string? Factuality { get; init; }
        public string? Ownership { get; init; }
        public int Sources { get; init; }
        public int Articles { get; init; }
        public long? FirstPublishedAt { get; init; }
        public long? LastPublishedAt { get; init; }
    }

    /// <summary>
    /// Two queries whatever the number of stories: which of them exist, and one aggregate over their
    /// outlets (story_outlets, kept by triggers: one row per outlet with its article count) grouped by
    /// story and the outlets' current ratings. The cost follows the number of outlets that covered the
    /// stories, not the number of articles.
    /// </summary>
    public async Task<CoverageRead> ReadAsync(IReadOnlyCollection<long> storyIds, CancellationToken ct)
    {
        const string groups = """
            SELECT so.story_id, o.bias, o.factuality, o.ownership,
                   COUNT(*) AS sources,
                   SUM(so.articles) AS articles,
                   MIN(so.first_published_at) AS first_published_at,
                   MAX(so.last_published_at) AS last_published_at
            FROM story_outlets so
            JOIN outlets o ON o.id = so.outlet_id
            WHERE so.story_id IN @storyIds
            GROUP BY so.story_id, o.bias, o.factuality, o.ownership
            """;

        await using var connection = await database.OpenAsync(ct);
        // Both reads in one transaction see the same snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var stamps = await ReadStampsAsync(connection, transaction, storyIds, ct);
        var rows = await connection.QueryAsync<GroupRow>(new CommandDefinition(groups, new { storyIds }, transaction, cancellationToken: ct));

        var byStory = rows.ToLookup(r => r.StoryId);
        return new CoverageRead(stamps.Keys.ToDictionary(
            id => id,
            id => (IReadOnlyList<CoverageGroup>)[.. byStory[id].Select(r => new CoverageGroup(
                EnumText<Bias>.ParseStored(r.Bias),
                EnumText<Factuality>.ParseStored(r.Factuality),
                EnumText<Ownership>.ParseStored(r.Ownership),
                r.Sources,
                r.Articles,
                UnixTime.FromMs(r.FirstPublishedAt),
                UnixTime.FromMs(r.LastPublishedAt)))]),
            stamps);
    }

    /// <summary>One cheap query: the coverage stamps of the stories that exist, to answer conditional requests.</summary>
    public async Task<IReadOnlyDictionary<long, CoverageStamp>> ReadStampsAsync(IReadOnlyCollection<long> storyIds, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ReadStampsAsync(connection, null, storyIds, ct);
    }

    private static async Task<IReadOnlyDictionary<long, CoverageStamp>> ReadStampsAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, IReadOnlyCollection<long> storyIds, CancellationToken ct)
    {
        const string sql = "SELECT story_id, coverage_version, changed_at FROM story_summaries WHERE story_id IN @storyIds";
        var rows = await connection.QueryAsync<(long StoryId, long Version, long ChangedAt)>(new CommandDefinition(sql, new { storyIds }, transaction, cancellationToken: ct));
        return rows.ToDictionary(r => r.StoryId, r => new CoverageStamp(r.Version, UnixTime.FromMs(r.ChangedAt)));
    }

    /// <summary>
    /// Records the configured blindspot thresholds in the database, where the stored blindspot flags
    /// (the list filter) are computed from them; a change recomputes every flag. Returns whether they changed.
    /// </summary>
    public async Task<bool> ApplyBlindspotThresholdsAsync(BlindspotOptions options, CancellationToken ct = default)
    {
        const string sql = """
            UPDATE coverage_settings
            SET min_rated = @MinRated, max_neglecting_percent = @MaxNeglectingPercent, min_dominant_percent = @MinDominantPercent
            WHERE id = 1 AND NOT (min_rated = @MinRated AND max_neglecting_percent = @MaxNeglectingPercent AND min_dominant_percent = @MinDominantPercent)
            """;
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql, options, transaction, cancellationToken: ct)) > 0;
        await transaction.CommitAsync(ct);
        return changed;
    }
}
