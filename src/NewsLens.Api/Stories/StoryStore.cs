using System.Data.Common;
using Dapper;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Stories;

public sealed class StoryRow
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string? Summary { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

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

public sealed class StoryStore(Database database)
{
    public const string ListName = "stories";

    private const string Columns = "id, title, summary, created_at, updated_at";

    public static string ArticleListName(long storyId) => $"story{storyId}-articles";

    public async Task<StoryRow?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM stories WHERE id = @id";
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<StoryRow>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    /// <summary>Newest first; ids grow with creation time, so the primary key orders and pages the list.</summary>
    public async Task<IReadOnlyList<StoryRow>> ListAsync(long? beforeId, int limit, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM stories WHERE id < @beforeId ORDER BY id DESC LIMIT @take";
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<StoryRow>(new CommandDefinition(sql, new { beforeId = beforeId ?? long.MaxValue, take = limit + 1 }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<StoryRow> CreateAsync(StoryRequest request, long now, CancellationToken ct)
    {
        const string sql = $"""
            INSERT INTO stories (title, summary, created_at, updated_at) VALUES (@Title, @Summary, @now, @now)
            RETURNING {Columns}
            """;
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleAsync<StoryRow>(new CommandDefinition(sql, new { request.Title, request.Summary, now }, cancellationToken: ct));
    }

    public async Task<StoryRow?> ReplaceAsync(long id, StoryRequest request, long now, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE stories SET title = @Title, summary = @Summary, updated_at = @now, version = version + 1 WHERE id = @id
            RETURNING {Columns}
            """;
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<StoryRow>(new CommandDefinition(sql, new { id, request.Title, request.Summary, now }, cancellationToken: ct));
    }

    /// <summary>Deletes the story; its links go with it (ON DELETE CASCADE), its articles stay.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM stories WHERE id = @id", new { id }, cancellationToken: ct)) > 0;
    }

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
    public async Task<LinkOutcome> LinkAsync(long storyId, long articleId, long now, CancellationToken ct)
    {
        const string articleExists = "SELECT EXISTS (SELECT 1 FROM articles WHERE id = @articleId)";
        // The link copies the article's outlet and publication time (kept equal by a foreign key);
        // triggers update the story's coverage summary in this transaction.
        const string link = """
            INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at)
            SELECT @storyId, id, outlet_id, published_at, @now FROM articles WHERE id = @articleId
            ON CONFLICT (story_id, article_id) DO NOTHING
            """;
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        if (!await ExistsAsync(connection, transaction, storyId, ct))
        {
            return LinkOutcome.StoryNotFound;
        }

        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(articleExists, new { articleId }, transaction, cancellationToken: ct)))
        {
            return LinkOutcome.ArticleNotFound;
        }

        await connection.ExecuteAsync(new CommandDefinition(link, new { storyId, articleId, now }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return LinkOutcome.Done;
    }

    public async Task<LinkOutcome> UnlinkAsync(long storyId, long articleId, CancellationToken ct)
    {
        const string sql = "DELETE FROM story_articles WHERE story_id = @storyId AND article_id = @articleId";
        await using var connection = await database.OpenAsync(ct);
        var removed = await connection.ExecuteAsync(new CommandDefinition(sql, new { storyId, articleId }, cancellationToken: ct));
        return removed > 0 ? LinkOutcome.Done : LinkOutcome.NotLinked;
    }

    private static Task<bool> ExistsAsync(DbConnection connection, DbTransaction? transaction, long storyId, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM stories WHERE id = @storyId)", new { storyId }, transaction, cancellationToken: ct));
}
