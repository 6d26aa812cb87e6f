using Dapper;
using NewsLens.Api.Coverage;
using NewsLens.Api.Outlets;

namespace NewsLens.Api.Articles;

public sealed class ArticleRow
{
    public long Id { get; init; }
    public string Url { get; init; } = "";
    public string Title { get; init; } = "";
    public long OutletId { get; init; }
    public long PublishedAt { get; init; }
    public long CreatedAt { get; init; }
    public long Version { get; init; }

    public string ETag => EntityTags.For('a', Id, Version);

    public ArticleResponse ToResponse() => new(Id, Url, Title, OutletId, UnixTime.FromMs(PublishedAt), UnixTime.FromMs(CreatedAt));
}

/// <summary>What creating an article did. <see cref="OutletProblem"/> says why no outlet could be used.</summary>
public sealed record ArticleCreation(ArticleRow? Created, long? DuplicateOfId = null, string? OutletProblem = null);

public sealed class ArticleStore(Database database, CoverageSummaries summaries)
{
    public const string ListName = "articles";

    /// <summary>Article lists page on (published_at, id).</summary>
    public const int ListKeyParts = 2;

    private const string Columns = "id, url, title, outlet_id, published_at, created_at, version";

    public async Task<ArticleRow?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM articles WHERE id = @id";
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ArticleRow>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    /// <summary>Newest published first. One statement per filter shape, so each is served by its own index.</summary>
    public async Task<IReadOnlyList<ArticleRow>> ListAsync(string? canonicalUrl, long? outletId, long[]? after, int limit, CancellationToken ct)
    {
        const string byUrl = $"""
            SELECT {Columns} FROM articles
            WHERE url = @canonicalUrl AND (@outletId IS NULL OR outlet_id = @outletId) AND (published_at, id) < (@publishedAt, @id)
            LIMIT @take
            """;
        const string byOutlet = $"""
            SELECT {Columns} FROM articles
            WHERE outlet_id = @outletId AND (published_at, id) < (@publishedAt, @id)
            ORDER BY published_at DESC, id DESC
            LIMIT @take
            """;
        const string all = $"""
            SELECT {Columns} FROM articles
            WHERE (published_at, id) < (@publishedAt, @id)
            ORDER BY published_at DESC, id DESC
            LIMIT @take
            """;
        var sql = canonicalUrl is not null ? byUrl : outletId is not null ? byOutlet : all;
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<ArticleRow>(new CommandDefinition(
            sql,
            new { canonicalUrl, outletId, publishedAt = after?[0] ?? long.MaxValue, id = after?[1] ?? long.MaxValue, take = limit + 1 },
            cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// Creates an article under its canonical URL. The outlet is the one given or, without one, the outlet
    /// registered for the URL's host or its closest parent domain.
    /// </summary>
    public async Task<ArticleCreation> CreateAsync(ArticleRequest request, long now, CancellationToken ct)
    {
        const string findUrl = "SELECT id FROM articles WHERE url = @url";
        const string insert = $"""
            INSERT INTO articles (url, title, outlet_id, published_at, created_at)
            VALUES (@url, @Title, @outletId, @publishedAt, @now)
            RETURNING {Columns}
            """;

        var (url, host) = request.Canonical ?? throw new InvalidOperationException("Article URL reached the store without validation.");
        return await database.WriteAsync(async write =>
        {
            if (await write.Connection.QuerySingleOrDefaultAsync<long?>(write.Command(findUrl, new { url }, ct)) is { } existing)
            {
                return new ArticleCreation(null, DuplicateOfId: existing);
            }

            var (outletId, problem) = await new OutletResolver(write.Connection, write.Transaction, write.Dialect).ResolveAsync(request.OutletId, host, ct);
            if (outletId is null)
            {
                return new ArticleCreation(null, OutletProblem: problem);
            }

            return new ArticleCreation(await write.Connection.QuerySingleAsync<ArticleRow>(write.Command(
                insert, new { url, request.Title, outletId, publishedAt = request.PublishedAt.ToUnixTimeMilliseconds(), now }, ct)));
        }, ct);
    }

    /// <summary>Deletes the article and its story links (ON DELETE CASCADE), and recounts the stories it was in.</summary>
    public Task<bool> DeleteAsync(long id, long now, CancellationToken ct) => database.WriteAsync(async write =>
    {
        var pairs = await summaries.PairsOfArticlesAsync(write, [id], ct);
        if (await write.Connection.ExecuteAsync(write.Command("DELETE FROM articles WHERE id = @id", new { id }, ct)) == 0)
        {
            return false;
        }

        await summaries.LinksChangedAsync(write, pairs, now, ct);
        return true;
    }, ct);
}
