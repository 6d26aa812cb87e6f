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
    /// One aggregate query: the story's linked articles grouped by their outlet's current ratings. Every
    /// outlet falls in exactly one group, so distinct outlets per group add up to the story's sources.
    /// Null when the story does not exist.
    /// </summary>
    public async Task<IReadOnlyList<CoverageGroup>?> GetGroupsAsync(long storyId, CancellationToken ct)
    {
        const string sql = """
            SELECT o.bias, o.factuality, o.ownership,
                   COUNT(DISTINCT a.outlet_id) AS sources,
                   COUNT(*) AS articles,
                   MIN(a.published_at) AS first_published_at,
                   MAX(a.published_at) AS last_published_at
            FROM story_articles sa
            JOIN articles a ON a.id = sa.article_id
            JOIN outlets o ON o.id = a.outlet_id
            WHERE sa.story_id = @storyId
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
}
