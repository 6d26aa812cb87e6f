using Dapper;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

public sealed class CoverageStore(Database database)
{
    private sealed class GroupRow
    {
        public string? Bias { get; init; }
        public string? Factuality { get; init; }
        public string? Ownership { get; init; }
        public int Sources { get; init; }
        public int Articles { get; init; }
        public long? FirstPublishedAt { get; init; }
        public long? LastPublishedAt { get; init; }
    }

    /// <summary>
    /// One aggregate query over the story's outlets (story_outlets, kept by triggers: one row per outlet
    /// with its article count), grouped by the outlets' current ratings. Its cost follows the number of
    /// outlets that covered the story, not the number of articles. Null when the story does not exist.
    /// </summary>
    public async Task<IReadOnlyList<CoverageGroup>?> GetGroupsAsync(long storyId, CancellationToken ct)
    {
        const string sql = """
            SELECT o.bias, o.factuality, o.ownership,
                   COUNT(*) AS sources,
                   SUM(so.articles) AS articles,
                   MIN(so.first_published_at) AS first_published_at,
                   MAX(so.last_published_at) AS last_published_at
            FROM story_outlets so
            JOIN outlets o ON o.id = so.outlet_id
            WHERE so.story_id = @storyId
            GROUP BY o.bias, o.factuality, o.ownership
            """;
        const string storyExists = "SELECT EXISTS (SELECT 1 FROM stories WHERE id = @storyId)";

        await using var connection = await database.OpenAsync(ct);
        // Both reads in one transaction see the same snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(storyExists, new { storyId }, transaction, cancellationToken: ct)))
        {
            return null;
        }

        var rows = await connection.QueryAsync<GroupRow>(new CommandDefinition(sql, new { storyId }, transaction, cancellationToken: ct));
        return [.. rows.Select(r => new CoverageGroup(
            EnumText<Bias>.ParseStored(r.Bias),
            EnumText<Factuality>.ParseStored(r.Factuality),
            EnumText<Ownership>.ParseStored(r.Ownership),
            r.Sources,
            r.Articles,
            UnixTime.FromMs(r.FirstPublishedAt),
            UnixTime.FromMs(r.LastPublishedAt)))];
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
