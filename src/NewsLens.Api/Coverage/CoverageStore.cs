using Dapper;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>The coverage groups of the stories that exist among those asked for.</summary>
public sealed record CoverageRead(IReadOnlyDictionary<long, IReadOnlyList<CoverageGroup>> Groups)
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
        const string existing = "SELECT id FROM stories WHERE id IN @storyIds";
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
        var ids = await connection.QueryAsync<long>(new CommandDefinition(existing, new { storyIds }, transaction, cancellationToken: ct));
        var rows = await connection.QueryAsync<GroupRow>(new CommandDefinition(groups, new { storyIds }, transaction, cancellationToken: ct));

        var byStory = rows.ToLookup(r => r.StoryId);
        return new CoverageRead(ids.ToDictionary(
            id => id,
            id => (IReadOnlyList<CoverageGroup>)[.. byStory[id].Select(r => new CoverageGroup(
                EnumText<Bias>.ParseStored(r.Bias),
                EnumText<Factuality>.ParseStored(r.Factuality),
                EnumText<Ownership>.ParseStored(r.Ownership),
                r.Sources,
                r.Articles,
                UnixTime.FromMs(r.FirstPublishedAt),
                UnixTime.FromMs(r.LastPublishedAt)))]));
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
