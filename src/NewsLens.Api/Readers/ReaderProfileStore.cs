using Dapper;
using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Readers;

/// <summary>Reads what a reader profile needs, never writes: the articles a reading list names, and the blindspot stories of a window.</summary>
public sealed class ReaderProfileStore(Database database)
{
    private sealed class ArticleRow
    {
        public long Id { get; init; }
        public string Url { get; init; } = "";
        public long OutletId { get; init; }
        public long PublishedAt { get; init; }
        public string? Bias { get; init; }
        public string? Factuality { get; init; }
        public string? Ownership { get; init; }
    }

    private sealed class StoryRow
    {
        public long StoryId { get; init; }
        public string Title { get; init; } = "";
        public string Blindspot { get; init; } = "";
        public long? FirstPublishedAt { get; init; }
        public int SourcesLeft { get; init; }
        public int SourcesCenter { get; init; }
        public int SourcesRight { get; init; }
        public int TotalSources { get; init; }
    }

    /// <summary>
    /// The articles the items name, by id or by canonical URL (the unique keys of <c>articles</c>), with their outlets'
    /// ratings: one query whatever the number of items.
    /// </summary>
    public async Task<IReadOnlyList<ReadArticle>> MatchAsync(IReadOnlyCollection<ArticleReference> items, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var ids = database.Dialect.Ids("ids", items.Where(i => i.Id is not null).Select(i => i.Id!.Value).Distinct());
        var urls = database.Dialect.Rows("urls", [new RowColumn("url", typeof(string))],
            [.. items.Where(i => i.Url is not null).Select(i => ReaderProfiles.Canonical(i.Url!)).Distinct(StringComparer.Ordinal).Select(u => new object?[] { u })]);
        var parameters = new DynamicParameters(ids.Parameters);
        parameters.AddDynamicParams(urls.Parameters);
        const string columns = "a.id, a.url, a.outlet_id, a.published_at, o.bias, o.factuality, o.ownership";
        var sql = $"""
            SELECT {columns} FROM {ids.Table} JOIN articles a ON a.id = ids.id JOIN outlets o ON o.id = a.outlet_id
            UNION
            SELECT {columns} FROM {urls.Table} JOIN articles a ON a.url = urls.url JOIN outlets o ON o.id = a.outlet_id
            """;
        var rows = await connection.QueryAsync<ArticleRow>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        return [.. rows.Select(r => new ReadArticle(r.Id, r.Url, r.OutletId, r.PublishedAt,
            EnumText<Bias>.ParseStored(r.Bias), EnumText<Factuality>.ParseStored(r.Factuality), EnumText<Ownership>.ParseStored(r.Ownership)))];
    }

    /// <summary>
    /// Up to <paramref name="limit"/> stories flagged with one of <paramref name="sides"/> (the stored flag, sources basis)
    /// whose first publication lies in [from, to), none of whose linked articles is among <paramref name="read"/>;
    /// newest first. Walks the blindspot index of the story list.
    /// </summary>
    public async Task<IReadOnlyList<MissedStory>> MissedAsync(IReadOnlyList<BlindspotSide> sides, ReadingWindow window, IReadOnlyCollection<long> read, int limit,
        CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var ids = database.Dialect.Ids("ids", read);
        var parameters = new DynamicParameters(ids.Parameters);
        parameters.AddDynamicParams(new
        {
            side1 = EnumText<BlindspotSide>.Name(sides[0]),
            side2 = EnumText<BlindspotSide>.Name(sides[^1]),
            from = new DateTimeOffset(window.From).ToUnixTimeMilliseconds(),
            to = new DateTimeOffset(window.To).ToUnixTimeMilliseconds(),
            limit,
        });
        var sql = $"""
            SELECT s.story_id, st.title, s.blindspot, s.first_published_at, s.sources_left, s.sources_center, s.sources_right, s.total_sources
            FROM story_summaries s
            JOIN stories st ON st.id = s.story_id
            WHERE s.blindspot IN (@side1, @side2)
              AND s.first_published_at >= @from AND s.first_published_at < @to
              AND NOT EXISTS (SELECT 1 FROM {ids.Table} JOIN story_articles sa ON sa.article_id = ids.id WHERE sa.story_id = s.story_id)
            ORDER BY s.first_published_at DESC, s.story_id DESC
            LIMIT @limit
            """;
        var rows = await connection.QueryAsync<StoryRow>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        return [.. rows.Select(r =>
        {
            var leans = new LeanCounts(r.SourcesLeft, r.SourcesCenter, r.SourcesRight);
            return new MissedStory(r.StoryId, r.Title, EnumText<BlindspotSide>.ParseStored(r.Blindspot)!.Value, UnixTime.FromMs(r.FirstPublishedAt), r.TotalSources,
                BiasDistributionRule.Label(CoverageBasis.Sources, leans, BiasDistributionRule.Percentages(leans)));
        })];
    }
}
