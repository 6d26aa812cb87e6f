using System.Data.Common;
using System.Text;
using Dapper;
using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Stories;

public sealed class StoryRow
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string? Summary { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public long Version { get; init; }

    /// <summary>Moves with every change of the story's links and of the outlets that cover it (kept by CoverageSummaries).</summary>
    public long CoverageVersion { get; init; }

    /// <summary>The tag of the plain story, which If-Match on PUT and DELETE compares with.</summary>
    public string ETag => EntityTags.For('s', Id, Version);

    /// <summary>
    /// The tag of the story with embedded parts: embedded coverage and articles change with the coverage
    /// version (links, outlet ratings and names), not with the story's own version.
    /// </summary>
    public string ETagWith(IReadOnlySet<StoryInclude> include) =>
        include.Count == 0 ? ETag
        : $"\"s{Id}v{Version}c{CoverageVersion}-{(include.Contains(StoryInclude.Coverage) ? "c" : "")}{(include.Contains(StoryInclude.Articles) ? "a" : "")}\"";

    public StoryResponse ToResponse() => new(Id, Title, Summary, UnixTime.FromMs(CreatedAt), UnixTime.FromMs(UpdatedAt));
}

public sealed class StoryListRow
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string? Summary { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public long TotalSources { get; init; }
    public long ChangedAt { get; init; }

    /// <summary>The keyset of this row in a list sorted by <paramref name="sort"/>.</summary>
    public long[] Key(StorySort sort) => sort switch
    {
        StorySort.MostSources => [TotalSources, Id],
        StorySort.RecentlyUpdated => [ChangedAt, Id],
        _ => [Id],
    };

    public StoryResponse ToResponse() => new(Id, Title, Summary, UnixTime.FromMs(CreatedAt), UnixTime.FromMs(UpdatedAt));
}

public sealed class StoryArticleRow
{
    public long Id { get; init; }
    public string Url { get; init; } = "";
    public string Title { get; init; } = "";
    public long OutletId { get; init; }
    public long PublishedAt { get; init; }
    public long CreatedAt { get; init; }
    public string OutletName { get; init; } = "";
    public string OutletDomain { get; init; } = "";
    public string? OutletBias { get; init; }

    public StoryArticleResponse ToResponse() => new(
        Id, Url, Title, OutletId, UnixTime.FromMs(PublishedAt), UnixTime.FromMs(CreatedAt),
        new OutletSummary(OutletId, OutletName, OutletDomain, EnumText<Bias>.ParseStored(OutletBias)?.ToLean()));
}

public enum LinkOutcome
{
    Done,
    StoryNotFound,
    ArticleNotFound,
    NotLinked,
}

public sealed class StoryStore(Database database, CoverageSummaries summaries)
{
    private const string Columns = "id, title, summary, created_at, updated_at, version";

    public static string ArticleListName(long storyId) => $"story{storyId}-articles";

    public async Task<StoryRow?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns}, s.coverage_version FROM stories st JOIN story_summaries s ON s.story_id = st.id WHERE st.id = @id
            """;
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<StoryRow>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    /// <summary>The list statement for these filters and this sort (parameters: the search's members, fullText, blindspotSide, afterKey, afterId, take).</summary>
    internal static string SearchSql(StorySearch search, SqlDialect dialect)
    {
        const string select = """
            SELECT st.id, st.title, st.summary, st.created_at, st.updated_at, s.total_sources, s.changed_at
            FROM story_summaries s
            JOIN stories st ON st.id = s.story_id
            WHERE 1 = 1
            """;
        const string byOutlet = " AND s.story_id IN (SELECT story_id FROM story_outlets WHERE outlet_id = @OutletId)";
        const string publishedFrom = " AND s.first_published_at >= @PublishedFromMs";
        const string publishedTo = " AND s.first_published_at < @PublishedToMs";
        const string byMajority = " AND s.majority = @Majority";
        const string byBlindspot = " AND s.blindspot = @blindspotSide";
        const string anyBlindspot = " AND s.blindspot IS NOT NULL";
        const string minSources = " AND s.total_sources >= @MinSources";
        // st.id too: PostgreSQL may otherwise join stories by reading its primary key down from the newest id (docs/schema.md).
        const string newest = " AND s.story_id < @afterId AND st.id < @afterId ORDER BY s.story_id DESC LIMIT @take";
        const string mostSources = " AND (s.total_sources, s.story_id) < (@afterKey, @afterId) ORDER BY s.total_sources DESC, s.story_id DESC LIMIT @take";
        const string recentlyUpdated = " AND (s.changed_at, s.story_id) < (@afterKey, @afterId) ORDER BY s.changed_at DESC, s.story_id DESC LIMIT @take";

        var sql = new StringBuilder(select);
        if (search.FullTextQuery is not null) sql.Append(dialect.FullTextFilter);
        if (search.OutletId is not null) sql.Append(byOutlet);
        if (search.PublishedFromMs is not null) sql.Append(publishedFrom);
        if (search.PublishedToMs is not null) sql.Append(publishedTo);
        if (search.Majority is not null) sql.Append(byMajority);
        if (search.Blindspot is BlindspotFilter.Any) sql.Append(anyBlindspot);
        else if (search.Blindspot is not null) sql.Append(byBlindspot);
        if (search.MinSources is not null) sql.Append(minSources);
        sql.Append(search.Sort switch
        {
            StorySort.MostSources => mostSources,
            StorySort.RecentlyUpdated => recentlyUpdated,
            _ => newest,
        });

        return sql.ToString();
    }

    /// <summary>
    /// A page of stories matching every filter given, in the search's sort. Filters read the story
    /// summaries kept by CoverageSummaries (and the full-text index for <c>q</c>), never a story's links.
    /// </summary>
    /// <remarks>
    /// The statement is assembled from the constant fragments below, one per filter given, so each filter
    /// shape can use its own index; every value is a bound parameter.
    /// </remarks>
    public async Task<IReadOnlyList<StoryListRow>> SearchAsync(StorySearch search, long[]? after, int limit, CancellationToken ct)
    {
        var parameters = new DynamicParameters(search);
        parameters.Add("fullText", search.FullTextQuery);
        parameters.Add("blindspotSide", search.Blindspot is { } side and not BlindspotFilter.Any ? EnumText<BlindspotFilter>.Name(side) : null);
        parameters.Add("afterKey", after is { Length: 2 } ? after[0] : long.MaxValue);
        parameters.Add("afterId", after is null ? long.MaxValue : after[^1]);
        parameters.Add("take", limit + 1);

        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<StoryListRow>(new CommandDefinition(SearchSql(search, database.Dialect), parameters, cancellationToken: ct));
        return rows.AsList();
    }

    public Task<StoryRow> CreateAsync(StoryRequest request, long now, CancellationToken ct) => database.WriteAsync(async write =>
    {
        const string sql = $"""
            INSERT INTO stories (title, summary, created_at, updated_at) VALUES (@Title, @Summary, @now, @now)
            RETURNING {Columns}
            """;
        var row = await write.Connection.QuerySingleAsync<StoryRow>(write.Command(sql, new { request.Title, request.Summary, now }, ct));
        await summaries.StoryCreatedAsync(write, row.Id, now, ct);
        return row;
    }, ct);

    /// <param name="versionMatches">The If-Match check, made on the current version inside the write transaction; null without one.</param>
    public Task<WriteResult<StoryRow>> ReplaceAsync(long id, StoryRequest request, long now, Func<long, bool>? versionMatches, CancellationToken ct) =>
        database.WriteAsync(async write =>
        {
            const string sql = $"""
                UPDATE stories SET title = @Title, summary = @Summary, updated_at = @now, version = version + 1 WHERE id = @id
                RETURNING {Columns}
                """;
            if (RowVersions.Refusal(await VersionAsync(write, id, ct), versionMatches) is { } refusal)
            {
                return WriteResult<StoryRow>.Refused(refusal);
            }

            var row = await write.Connection.QuerySingleAsync<StoryRow>(write.Command(sql, new { id, request.Title, request.Summary, now }, ct));
            await summaries.StoryEditedAsync(write, id, now, ct);
            return WriteResult<StoryRow>.Done(row);
        }, ct);

    /// <summary>Deletes the story; its links go with it (ON DELETE CASCADE), its articles stay.</summary>
    public Task<WriteOutcome> DeleteAsync(long id, Func<long, bool>? versionMatches, CancellationToken ct) => database.WriteAsync(async write =>
    {
        if (RowVersions.Refusal(await VersionAsync(write, id, ct), versionMatches) is { } refusal)
        {
            return refusal;
        }

        await write.Connection.ExecuteAsync(write.Command("DELETE FROM stories WHERE id = @id", new { id }, ct));
        write.ChangedStories.Add(id);
        return WriteOutcome.Done;
    }, ct);

    /// <summary>A page of the story's articles, newest published first; null when the story does not exist.</summary>
    public async Task<IReadOnlyList<StoryArticleRow>?> ListArticlesAsync(long storyId, long[]? after, int limit, CancellationToken ct)
    {
        const string sql = """
            SELECT a.id, a.url, a.title, a.outlet_id, a.published_at, a.created_at,
                   o.name AS outlet_name, o.domain AS outlet_domain, o.bias AS outlet_bias
            FROM story_articles sa
            JOIN articles a ON a.id = sa.article_id
            JOIN outlets o ON o.id = sa.outlet_id
            WHERE sa.story_id = @storyId AND (sa.published_at, sa.article_id) < (@publishedAt, @id)
            ORDER BY sa.published_at DESC, sa.article_id DESC
            LIMIT @take
            """;
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<StoryArticleRow>(new CommandDefinition(
            sql,
            new { storyId, publishedAt = after?[0] ?? long.MaxValue, id = after?[1] ?? long.MaxValue, take = limit + 1 },
            cancellationToken: ct))).AsList();
        if (rows.Count == 0 && !await ExistsAsync(connection, null, storyId, ct))
        {
            return null;
        }

        return rows;
    }

    /// <summary>Links an article to a story; linking twice is a no-op.</summary>
    public Task<LinkOutcome> LinkAsync(long storyId, long articleId, long now, CancellationToken ct) => database.WriteAsync(async write =>
    {
        const string articleExists = "SELECT EXISTS (SELECT 1 FROM articles WHERE id = @articleId)";
        // The link copies the article's outlet and publication time (kept equal by a foreign key).
        const string link = """
            INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at)
            SELECT @storyId, id, outlet_id, published_at, @now FROM articles WHERE id = @articleId
            ON CONFLICT (story_id, article_id) DO NOTHING
            RETURNING outlet_id, published_at
            """;
        if (!await ExistsAsync(write.Connection, write.Transaction, storyId, ct))
        {
            return LinkOutcome.StoryNotFound;
        }

        if (!await write.Connection.ExecuteScalarAsync<bool>(write.Command(articleExists, new { articleId }, ct)))
        {
            return LinkOutcome.ArticleNotFound;
        }

        var linked = (await write.Connection.QueryAsync<(long Outlet, long Published)>(write.Command(link, new { storyId, articleId, now }, ct))).AsList();
        await summaries.LinksAddedAsync(write, [.. linked.Select(l => (storyId, l.Outlet, l.Published))], now, ct);

        return LinkOutcome.Done;
    }, ct);

    public Task<LinkOutcome> UnlinkAsync(long storyId, long articleId, long now, CancellationToken ct) => database.WriteAsync(async write =>
    {
        const string sql = "DELETE FROM story_articles WHERE story_id = @storyId AND article_id = @articleId RETURNING outlet_id";
        if (await write.Connection.QuerySingleOrDefaultAsync<long?>(write.Command(sql, new { storyId, articleId }, ct)) is not { } outletId)
        {
            return LinkOutcome.NotLinked;
        }

        await summaries.LinksChangedAsync(write, [(storyId, outletId)], now, ct);
        return LinkOutcome.Done;
    }, ct);

    private static Task<long?> VersionAsync(StorageWrite write, long id, CancellationToken ct) =>
        write.Connection.QuerySingleOrDefaultAsync<long?>(write.Command("SELECT version FROM stories WHERE id = @id", new { id }, ct));

    private static Task<bool> ExistsAsync(DbConnection connection, DbTransaction? transaction, long storyId, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM stories WHERE id = @storyId)", new { storyId }, transaction, cancellationToken: ct));
}
