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
/// Writes an article import in one IMMEDIATE transaction while the body streams in: rows are checked as they
/// arrive and written in batches of <see cref="BatchRows"/> with multi-row statements, and the whole transaction
/// is rolled back when any row is bad or for a dry run. So an import is all there or absent, and memory holds
/// one batch, the outlet domains and the canonical URLs seen (to refuse a URL named twice), never the file.
/// </summary>
/// <remarks>
/// The per-link summary triggers stand aside for the import (a bulk_load row, visible only inside this
/// transaction); the stories it touched are recounted from their links in three set-based statements
/// before it commits, the same recount the consistency test uses as its reference.
/// </remarks>
public sealed class ArticleImporter(Database database, TimeProvider clock)
{
    /// <summary>What an import did; <paramref name="Recount"/> is the time spent recounting the stories it touched.</summary>
    public sealed record Outcome(ImportResult? Result, BadRows BadRows, long Rows, int StoriesTouched = 0, TimeSpan Recount = default);

    /// <summary>
    /// Rows per multi-row INSERT. One statement per batch instead of one per row halves the cost of an import
    /// (statement start-up, parameter binding and the statement journal are paid once per batch).
    /// </summary>
    public const int BatchRows = 64;

    /// <summary>A row that passed every check, waiting for its batch to be written.</summary>
    private readonly record struct ValidRow(long Row, string Url, string Title, long OutletId, long PublishedMs, long[] StoryIds);

    public async Task<Outcome> ImportAsync(IAsyncEnumerable<ImportedLine> lines, bool dryRun, CancellationToken ct)
    {
        var bad = new BadRows();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var maxPublished = clock.GetUtcNow() + ArticleRequestValidator.MaxAhead;
        await using var connection = await database.OpenForWriteAsync(ct);
        await using var transaction = Database.BeginWrite(connection);

        // Outlets are looked up as rows name them and remembered, so a one-row import reads one outlet, not all.
        var outletOfDomain = new Dictionary<string, long?>(StringComparer.Ordinal);
        var outletExists = new Dictionary<long, bool>();
        await using var byDomain = Command(connection, transaction, "SELECT id FROM outlets WHERE domain = $domain", "$domain");
        await using var byId = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM outlets WHERE id = $id)", "$id");
        async Task<long?> OutletOfDomainAsync(string domain)
        {
            if (!outletOfDomain.TryGetValue(domain, out var id))
            {
                byDomain.Parameters[0].Value = domain;
                id = outletOfDomain[domain] = await byDomain.ExecuteScalarAsync(ct) is long found ? found : null;
            }

            return id;
        }

        await Execute(connection, transaction, BeginBulkLoad, ct);
        try
        {
            await using var writer = new BatchWriter(connection, transaction, now, bad);
            var storyExists = new Dictionary<long, bool>();
            var urlsSeen = new Dictionary<string, long>(StringComparer.Ordinal);
            await using var story = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM stories WHERE id = $id)", "$id");
            var pending = new List<ValidRow>(BatchRows);
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
                        if (!outletExists.TryGetValue(given, out var exists))
                        {
                            byId.Parameters[0].Value = given;
                            exists = outletExists[given] = Convert.ToInt64(await byId.ExecuteScalarAsync(ct)) == 1;
                        }

                        if (exists)
                        {
                            outletId = given;
                        }
                        else
                        {
                            bad.Add(line.Row, "outletId", given.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Outlet {given} does not exist.");
                        }
                    }
                    else
                    {
                        foreach (var domain in DomainName.SelfAndParents(host))
                        {
                            if (await OutletOfDomainAsync(domain) is { } found)
                            {
                                outletId = found;
                                break;
                            }
                        }

                        if (outletId == 0)
                        {
                            bad.Add(line.Row, "outletId", null, $"No outlet is registered for {host} or a parent domain; import the outlet first or give outletId.");
                        }
                    }
                }

                foreach (var storyId in article.StoryIds ?? [])
                {
                    if (!storyExists.TryGetValue(storyId, out var exists))
                    {
                        story.Parameters[0].Value = storyId;
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

                pending.Add(new ValidRow(line.Row, url!, title!, outletId, published.ToUnixTimeMilliseconds(), [.. (article.StoryIds ?? []).Distinct()]));
                if (pending.Count == BatchRows)
                {
                    await writer.WriteAsync(pending, ct);
                    pending.Clear();
                }
            }

            if (!bad.Any && pending.Count > 0)
            {
                await writer.WriteAsync(pending, ct);
            }

            if (bad.Any || rows == 0)
            {
                return new Outcome(null, bad, rows);
            }

            var recountStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var storiesTouched = await writer.RecountTouchedStoriesAsync(ct);
            var recount = System.Diagnostics.Stopwatch.GetElapsedTime(recountStarted);
            if (!dryRun)
            {
                await transaction.CommitAsync(ct);
            }

            return new Outcome(new ImportResult(writer.Created, writer.Updated, writer.Unchanged, dryRun) { Linked = writer.Linked }, bad, rows, storiesTouched, recount);
        }
        finally
        {
            // The pooled connection goes back with the default page cache, whatever happened.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await Execute(connection, transaction.Connection is null ? null : transaction, "PRAGMA cache_size = -2000", CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Writes batches of checked rows: new articles with one multi-row INSERT (ON CONFLICT (url) DO NOTHING
    /// RETURNING the ids it created), rows whose URL already exists one by one (update or unchanged), then every
    /// link of the batch with multi-row INSERTs that return the stories they added a link to.
    /// </summary>
    private sealed class BatchWriter : IAsyncDisposable
    {
        private const int ArticleColumns = 4;
        private const int LinkColumns = 4;

        private readonly SqliteConnection connection;
        private readonly SqliteTransaction transaction;
        private readonly long now;
        private readonly BadRows bad;
        private SqliteCommand? insertFull;
        private SqliteCommand? linkFull;
        private readonly SqliteCommand find;
        private readonly SqliteCommand update;
        private readonly SqliteCommand touchLinked;
        private readonly HashSet<long> touched = [];
        private readonly Dictionary<string, long> created = new(StringComparer.Ordinal);
        private readonly List<(long Story, long Article, long Outlet, long Published)> links = [];

        public BatchWriter(SqliteConnection connection, SqliteTransaction transaction, long now, BadRows bad)
        {
            (this.connection, this.transaction, this.now, this.bad) = (connection, transaction, now, bad);
            find = Command(connection, transaction, "SELECT id, outlet_id, title, published_at FROM articles WHERE url = $url", "$url");
            update = Command(connection, transaction,
                "UPDATE articles SET title = $title, published_at = $published, version = version + 1 WHERE id = $id", "$title", "$published", "$id");
            touchLinked = Command(connection, transaction,
                "INSERT OR IGNORE INTO temp.import_touched (story_id) SELECT story_id FROM story_articles WHERE article_id = $id", "$id");
        }

        public int Created { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }
        public int Linked { get; private set; }

        public async Task WriteAsync(List<ValidRow> rows, CancellationToken ct)
        {
            created.Clear();
            // The full-batch statements are prepared once, when a first full batch comes (a small import never needs them).
            var insert = rows.Count == BatchRows ? insertFull ??= InsertArticles(BatchRows) : InsertArticles(rows.Count);
            try
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var p = i * ArticleColumns;
                    insert.Parameters[p].Value = rows[i].Url;
                    insert.Parameters[p + 1].Value = rows[i].Title;
                    insert.Parameters[p + 2].Value = rows[i].OutletId;
                    insert.Parameters[p + 3].Value = rows[i].PublishedMs;
                }

                await using var reader = await insert.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    created[reader.GetString(1)] = reader.GetInt64(0);
                }
            }
            finally
            {
                if (insert != insertFull)
                {
                    await insert.DisposeAsync();
                }
            }

            Created += created.Count;
            foreach (var row in rows)
            {
                long articleId;
                if (created.TryGetValue(row.Url, out var newId))
                {
                    articleId = newId;
                }
                else if (await UpdateExistingAsync(row, ct) is { } existingId)
                {
                    articleId = existingId;
                }
                else
                {
                    continue;
                }

                foreach (var storyId in row.StoryIds)
                {
                    links.Add((storyId, articleId, row.OutletId, row.PublishedMs));
                }
            }

            await WriteLinksAsync(ct);
        }

        /// <summary>An article already stored under the URL: the same outlet is required; the title and time are updated.</summary>
        private async Task<long?> UpdateExistingAsync(ValidRow row, CancellationToken ct)
        {
            find.Parameters[0].Value = row.Url;
            long id, outlet;
            bool same;
            await using (var reader = await find.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    throw new InvalidOperationException($"Row {row.Row}: the article was neither inserted nor found.");
                }

                (id, outlet) = (reader.GetInt64(0), reader.GetInt64(1));
                same = reader.GetString(2) == row.Title && reader.GetInt64(3) == row.PublishedMs;
            }

            if (outlet != row.OutletId)
            {
                bad.Add(row.Row, "outletId", row.OutletId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"Article {id} with this URL belongs to outlet {outlet}; an article's outlet cannot change.");
                return null;
            }

            if (same)
            {
                Unchanged++;
            }
            else
            {
                Set(update, ("$title", row.Title), ("$published", row.PublishedMs), ("$id", id));
                await update.ExecuteNonQueryAsync(ct);
                Set(touchLinked, ("$id", id));
                await touchLinked.ExecuteNonQueryAsync(ct);
                Updated++;
            }

            return id;
        }

        private async Task WriteLinksAsync(CancellationToken ct)
        {
            for (var start = 0; start < links.Count; start += BatchRows)
            {
                var count = Math.Min(BatchRows, links.Count - start);
                var insert = count == BatchRows ? linkFull ??= InsertLinks(BatchRows) : InsertLinks(count);
                try
                {
                    for (var i = 0; i < count; i++)
                    {
                        var (story, article, outlet, published) = links[start + i];
                        var p = i * LinkColumns;
                        insert.Parameters[p].Value = story;
                        insert.Parameters[p + 1].Value = article;
                        insert.Parameters[p + 2].Value = outlet;
                        insert.Parameters[p + 3].Value = published;
                    }

                    await using var reader = await insert.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        Linked++;
                        touched.Add(reader.GetInt64(0));
                    }
                }
                finally
                {
                    if (insert != linkFull)
                    {
                        await insert.DisposeAsync();
                    }
                }
            }

            links.Clear();
        }

        /// <summary>Rebuilds story_outlets and the summaries of every story the import linked to or whose articles it changed.</summary>
        public async Task<int> RecountTouchedStoriesAsync(CancellationToken ct)
        {
            int stories;
            await using (var touch = Command(connection, transaction,
                "INSERT OR IGNORE INTO temp.import_touched (story_id) SELECT value FROM json_each($ids)", "$ids"))
            await using (var count = Command(connection, transaction, "SELECT COUNT(*) FROM temp.import_touched"))
            {
                touch.Parameters[0].Value = "[" + string.Join(',', touched) + "]";
                await touch.ExecuteNonQueryAsync(ct);
                stories = Convert.ToInt32(await count.ExecuteScalarAsync(ct));
            }

            await using var recount = Command(connection, transaction, RecountTouchedStories, "$now");
            Set(recount, ("$now", now));
            await recount.ExecuteNonQueryAsync(ct);
            return stories;
        }

        // The row's outlet and publication time are the article's as just written; the foreign key checks it.
        private SqliteCommand InsertArticles(int rows) => Multi(rows, ArticleColumns,
            "INSERT INTO articles (url, title, outlet_id, published_at, created_at) VALUES ",
            i => $"($u{i}, $t{i}, $o{i}, $p{i}, $now)",
            " ON CONFLICT (url) DO NOTHING RETURNING id, url",
            i => [$"$u{i}", $"$t{i}", $"$o{i}", $"$p{i}"]);

        private SqliteCommand InsertLinks(int rows) => Multi(rows, LinkColumns,
            "INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at) VALUES ",
            i => $"($s{i}, $a{i}, $o{i}, $p{i}, $now)",
            " ON CONFLICT (story_id, article_id) DO NOTHING RETURNING story_id",
            i => [$"$s{i}", $"$a{i}", $"$o{i}", $"$p{i}"]);

        /// <summary>A prepared multi-row statement whose parameters are in row order (set by index), then $now.</summary>
        private SqliteCommand Multi(int rows, int columns, string prefix, Func<int, string> values, string suffix, Func<int, string[]> names)
        {
            var sql = new StringBuilder(prefix);
            var parameters = new List<string>(rows * columns + 1);
            for (var i = 0; i < rows; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(values(i));
                parameters.AddRange(names(i));
            }

            parameters.Add("$now");
            var command = Command(connection, transaction, sql.Append(suffix).ToString(), [.. parameters]);
            command.Parameters[^1].Value = now;
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { insertFull, linkFull, find, update, touchLinked })
            {
                if (command is not null)
                {
                    await command.DisposeAsync();
                }
            }
        }
    }

    private static async Task Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        // Not prepared: BeginBulkLoad's later statements name the temp table its first statement creates.
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    // A 16 MiB page cache for the import's indexes (the default is 2 MiB), given back when the import ends.
    // Measured on a 500,000-article generation (rates vary by about 20% between runs on this machine):
    // 64 MiB: 21k rows/s, 395 MB peak RSS; 32 MiB: 14k rows/s, 256 MB; 16 MiB: 16.8k rows/s, 210 MB
    // (the last two with the allocator and GC settings of the README's Performance section).
    private const string BeginBulkLoad = """
        PRAGMA cache_size = -16384;
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
