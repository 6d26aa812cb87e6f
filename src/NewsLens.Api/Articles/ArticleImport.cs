using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NewsLens.Api.Infrastructure;
using NewsLens.Api.Web;

namespace NewsLens.Api.Articles;

/// <summary>One article of a bulk import (a JSON array element or an NDJSON line).</summary>
/// <param name="Url">Required absolute http(s) URL; an article already stored under the same canonical URL is updated, not duplicated.</param>
/// <param name="Title">Required, 1–500 characters.</param>
/// <param name="PublishedAt">Required RFC 3339 timestamp with an offset.</param>
/// <param name="OutletId">The publishing outlet; when omitted, found from the URL's host as for single creation.</param>
/// <param name="StoryIds">Stories to link the article to (existing links are kept).</param>
public sealed record ArticleImportRow(string? Url, string? Title, string? PublishedAt, long? OutletId = null, long[]? StoryIds = null);

/// <summary>A row as read from the body: the article, or why the line could not be read.</summary>
public readonly record struct ImportedLine(long Row, ArticleImportRow? Article, string? Field, string? Error);

public static class ArticleImport
{
    /// <summary>Streams a JSON array element by element; a malformed document stops the import as a 400.</summary>
    public static async IAsyncEnumerable<ImportedLine> ReadJsonAsync(Stream body, JsonSerializerOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        long row = 0;
        await foreach (var article in JsonSerializer.DeserializeAsyncEnumerable<ArticleImportRow>(body, options, ct))
        {
            row++;
            yield return article is null ? new ImportedLine(row, null, "body", "Each element must be an object.") : new ImportedLine(row, article, null, null);
        }
    }

    /// <summary>Streams NDJSON line by line; a line that is not a JSON object is a bad row, blank lines are skipped.</summary>
    public static async IAsyncEnumerable<ImportedLine> ReadNdJsonAsync(Stream body, JsonSerializerOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long row = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            row++;
            ArticleImportRow? article = null;
            string? field = null, error = null;
            try
            {
                article = JsonSerializer.Deserialize<ArticleImportRow>(line, options);
                if (article is null)
                {
                    (field, error) = ("body", "Each line must be a JSON object.");
                }
            }
            catch (JsonException exception)
            {
                field = ApiExceptionHandler.FieldFromJsonPath(exception.Path);
                error = exception is JsonValueException ? exception.Message : "The line is not a JSON object of the documented shape.";
            }

            yield return new ImportedLine(row, article, field, error);
        }
    }
}

/// <summary>
/// Writes an article import in one IMMEDIATE transaction while the body streams in: rows are checked and
/// written as they arrive, with prepared statements, and the whole transaction is rolled back when any row
/// is bad or for a dry run. So an import is all there or absent, and memory holds one row, the outlet
/// domains and the canonical URLs seen (to refuse a URL named twice), never the file.
/// </summary>
/// <remarks>
/// The per-link summary triggers stand aside for the import (a bulk_load row, visible only inside this
/// transaction); the stories it touched are recounted from their links in three set-based statements
/// before it commits, the same recount the consistency test uses as its reference.
/// </remarks>
public sealed class ArticleImporter(Database database, TimeProvider clock)
{
    public sealed record Outcome(ImportResult? Result, BadRows BadRows, long Rows);

    public async Task<Outcome> ImportAsync(IAsyncEnumerable<ImportedLine> lines, bool dryRun, CancellationToken ct)
    {
        var bad = new BadRows();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var maxPublished = clock.GetUtcNow() + ArticleRequestValidator.MaxAhead;
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = Database.BeginWrite(connection);

        var outletsByDomain = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, "SELECT id, domain FROM outlets"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                outletsByDomain[reader.GetString(1)] = reader.GetInt64(0);
            }
        }

        var outletIds = outletsByDomain.Values.ToHashSet();
        await using (var bulk = connection.CreateCommand())
        {
            // Not prepared: its later statements name the temp table its first statement creates.
            bulk.Transaction = transaction;
            bulk.CommandText = BeginBulkLoad;
            await bulk.ExecuteNonQueryAsync(ct);
        }

        var storyExists = new Dictionary<long, bool>();
        var touched = new HashSet<long>();
        var urlsSeen = new Dictionary<string, long>(StringComparer.Ordinal);

        await using var find = Command(connection, transaction, "SELECT id, outlet_id, title, published_at FROM articles WHERE url = $url", "$url");
        await using var insert = Command(connection, transaction,
            "INSERT INTO articles (url, title, outlet_id, published_at, created_at) VALUES ($url, $title, $outlet, $published, $now) RETURNING id",
            "$url", "$title", "$outlet", "$published", "$now");
        await using var update = Command(connection, transaction,
            "UPDATE articles SET title = $title, published_at = $published, version = version + 1 WHERE id = $id", "$title", "$published", "$id");
        await using var story = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM stories WHERE id = $id)", "$id");
        await using var touchStory = Command(connection, transaction, "INSERT OR IGNORE INTO temp.import_touched (story_id) VALUES ($story)", "$story");
        await using var touchLinked = Command(connection, transaction,
            "INSERT OR IGNORE INTO temp.import_touched (story_id) SELECT story_id FROM story_articles WHERE article_id = $id", "$id");
        // The row's outlet and publication time are the article's as just written; the foreign key checks it.
        await using var link = Command(connection, transaction, """
            INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at)
            VALUES ($story, $id, $outlet, $published, $now)
            ON CONFLICT (story_id, article_id) DO NOTHING
            """, "$story", "$id", "$outlet", "$published", "$now");

        int created = 0, updated = 0, unchanged = 0, linked = 0;
        long rows = 0;
        await foreach (var line in lines.WithCancellation(ct))
        {
            rows = line.Row;
            if (line.Article is not { } article)
            {
                bad.Add(line.Row, line.Field ?? "body", null, line.Error ?? "The row could not be read.");
                continue;
            }

            var title = article.Title?.Trim();
            if (string.IsNullOrEmpty(title) || title.Length > 500 || !TextRules.IsClean(title))
            {
                bad.Add(line.Row, "title", article.Title, "A title of 1–500 characters, with visible text and no control characters, is required.");
            }

            if (!Rfc3339.TryParse(article.PublishedAt, out var published) || published < ArticleRequestValidator.Earliest || published > maxPublished)
            {
                bad.Add(line.Row, "publishedAt", article.PublishedAt, "An RFC 3339 timestamp with an offset, from 1900 to one day from now, is required.");
            }

            long outletId = 0;
            if (!ArticleUrl.TryCanonicalize(article.Url, out var url, out var host))
            {
                bad.Add(line.Row, "url", article.Url, "An absolute http or https URL on a host name, up to 2,048 characters, is required.");
            }
            else if (urlsSeen.TryGetValue(url, out var firstRow))
            {
                bad.Add(line.Row, "url", article.Url, $"The canonical URL {url} is also on row {firstRow}; a file names each article once.");
            }
            else
            {
                urlsSeen[url] = line.Row;
                if (article.OutletId is { } given)
                {
                    if (outletIds.Contains(given))
                    {
                        outletId = given;
                    }
                    else
                    {
                        bad.Add(line.Row, "outletId", given.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Outlet {given} does not exist.");
                    }
                }
                else if (DomainName.SelfAndParents(host).FirstOrDefault(outletsByDomain.ContainsKey) is { } domain)
                {
                    outletId = outletsByDomain[domain];
                }
                else
                {
                    bad.Add(line.Row, "outletId", null, $"No outlet is registered for {host} or a parent domain; import the outlet first or give outletId.");
                }
            }

            foreach (var storyId in article.StoryIds ?? [])
            {
                if (!storyExists.TryGetValue(storyId, out var exists))
                {
                    story.Parameters["$id"].Value = storyId;
                    exists = storyExists[storyId] = Convert.ToInt64(await story.ExecuteScalarAsync(ct)) == 1;
                }

                if (!exists)
                {
                    bad.Add(line.Row, "storyIds", storyId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Story {storyId} does not exist.");
                }
            }

            // Once a row is bad nothing will be kept, so later rows are only checked, not written.
            if (bad.Any)
            {
                continue;
            }

            long articleId;
            find.Parameters["$url"].Value = url;
            await using (var reader = await find.ExecuteReaderAsync(ct))
            {
                articleId = await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
                if (articleId != 0 && reader.GetInt64(1) != outletId)
                {
                    bad.Add(line.Row, "outletId", outletId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        $"Article {articleId} with this URL belongs to outlet {reader.GetInt64(1)}; an article's outlet cannot change.");
                    continue;
                }

                var sameContent = articleId != 0 && reader.GetString(2) == title && reader.GetInt64(3) == published.ToUnixTimeMilliseconds();
                if (articleId != 0 && sameContent)
                {
                    unchanged++;
                }
                else if (articleId != 0)
                {
                    await reader.DisposeAsync();
                    Set(update, ("$title", title), ("$published", published.ToUnixTimeMilliseconds()), ("$id", articleId));
                    await update.ExecuteNonQueryAsync(ct);
                    Set(touchLinked, ("$id", articleId));
                    await touchLinked.ExecuteNonQueryAsync(ct);
                    updated++;
                }
            }

            if (articleId == 0)
            {
                Set(insert, ("$url", url), ("$title", title), ("$outlet", outletId), ("$published", published.ToUnixTimeMilliseconds()), ("$now", now));
                articleId = Convert.ToInt64(await insert.ExecuteScalarAsync(ct));
                created++;
            }

            foreach (var storyId in (article.StoryIds ?? []).Distinct())
            {
                Set(link, ("$story", storyId), ("$id", articleId), ("$outlet", outletId), ("$published", published.ToUnixTimeMilliseconds()), ("$now", now));
                var added = await link.ExecuteNonQueryAsync(ct);
                linked += added;
                if (added > 0 && touched.Add(storyId))
                {
                    Set(touchStory, ("$story", storyId));
                    await touchStory.ExecuteNonQueryAsync(ct);
                }
            }
        }

        if (bad.Any || rows == 0)
        {
            return new Outcome(null, bad, rows);
        }

        await using (var recount = Command(connection, transaction, RecountTouchedStories, "$now"))
        {
            Set(recount, ("$now", now));
            await recount.ExecuteNonQueryAsync(ct);
        }

        if (!dryRun)
        {
            await transaction.CommitAsync(ct);
        }

        return new Outcome(new ImportResult(created, updated, unchanged, dryRun) { Linked = linked }, bad, rows);
    }

    // A 64 MiB page cache for the import's indexes, given back by RecountTouchedStories.
    private const string BeginBulkLoad = """
        PRAGMA cache_size = -65536;
        INSERT INTO bulk_load (id) VALUES (1);
        CREATE TEMP TABLE IF NOT EXISTS import_touched (story_id INTEGER PRIMARY KEY);
        DELETE FROM temp.import_touched;
        """;

    /// <summary>Rebuilds story_outlets and the summaries of the touched stories from their links, then ends bulk mode.</summary>
    private const string RecountTouchedStories = """
        DELETE FROM story_outlets WHERE story_id IN (SELECT story_id FROM temp.import_touched);

        INSERT INTO story_outlets (story_id, outlet_id, articles, first_published_at, last_published_at, lean)
        SELECT sa.story_id, sa.outlet_id, COUNT(*), MIN(sa.published_at), MAX(sa.published_at), o.lean
        FROM story_articles sa
        JOIN outlets o ON o.id = sa.outlet_id
        WHERE sa.story_id IN (SELECT story_id FROM temp.import_touched)
        GROUP BY sa.story_id, sa.outlet_id;

        UPDATE story_summaries SET
            (sources_left, sources_center, sources_right, sources_unrated,
             articles_left, articles_center, articles_right, articles_unrated,
             first_published_at, last_published_at) =
            (SELECT COUNT(*) FILTER (WHERE so.lean = 'left'),
                    COUNT(*) FILTER (WHERE so.lean = 'center'),
                    COUNT(*) FILTER (WHERE so.lean = 'right'),
                    COUNT(*) FILTER (WHERE so.lean IS NULL),
                    COALESCE(SUM(so.articles) FILTER (WHERE so.lean = 'left'), 0),
                    COALESCE(SUM(so.articles) FILTER (WHERE so.lean = 'center'), 0),
                    COALESCE(SUM(so.articles) FILTER (WHERE so.lean = 'right'), 0),
                    COALESCE(SUM(so.articles) FILTER (WHERE so.lean IS NULL), 0),
                    MIN(so.first_published_at),
                    MAX(so.last_published_at)
             FROM story_outlets so WHERE so.story_id = story_summaries.story_id),
            coverage_version = coverage_version + 1,
            changed_at = $now
        WHERE story_id IN (SELECT story_id FROM temp.import_touched);

        DELETE FROM bulk_load;
        DELETE FROM temp.import_touched;
        PRAGMA cache_size = -2000;
        """;

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static void Set(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
    }
}
