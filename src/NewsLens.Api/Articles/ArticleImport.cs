using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using FluentValidation;
using Microsoft.Extensions.Options;
using NewsLens.Api.Coverage;
using NewsLens.Api.Outlets;

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
    /// <summary>
    /// Streams a JSON array element by element. An element over the row limit or not in UTF-8 is a bad row; a
    /// malformed document, or an element of the wrong shape, stops the import as a 400 naming where.
    /// </summary>
    public static async IAsyncEnumerable<ImportedLine> ReadJsonAsync(PipeReader body, JsonSerializerOptions options, int maxRowBytes,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var record in ImportRecords.ReadAsync(body, new JsonArrayFramer(maxRowBytes), ct))
        {
            yield return record.Fault != RecordFault.None
                ? new ImportedLine(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes))
                : ParseElement(record, options);
        }
    }

    private static ImportedLine ParseElement(ImportRecord record, JsonSerializerOptions options)
    {
        ArticleImportRow? article;
        try
        {
            article = JsonSerializer.Deserialize<ArticleImportRow>(record.Bytes.Span, options);
        }
        catch (JsonException exception)
        {
            throw ImportEndpoints.InElement(exception, record.Row - 1);
        }

        return article is null
            ? new ImportedLine(record.Row, null, "body", "Each element must be an object.")
            : new ImportedLine(record.Row, article, null, null);
    }

    /// <summary>Streams NDJSON line by line; a line that is not a JSON object, is too long or is not UTF-8 is a bad row; blank lines are skipped.</summary>
    public static async IAsyncEnumerable<ImportedLine> ReadNdJsonAsync(PipeReader body, JsonSerializerOptions options, int maxRowBytes,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var record in ImportRecords.ReadAsync(body, new NdJsonFramer(maxRowBytes), ct))
        {
            yield return record.Fault != RecordFault.None
                ? new ImportedLine(record.Row, null, "body", ImportEndpoints.FaultMessage(record.Fault, maxRowBytes))
                : ParseLine(record, options);
        }
    }

    private static ImportedLine ParseLine(ImportRecord record, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<ArticleImportRow>(record.Bytes.Span, options) is { } article
                ? new ImportedLine(record.Row, article, null, null)
                : new ImportedLine(record.Row, null, "body", "Each line must be a JSON object.");
        }
        catch (JsonException exception)
        {
            return new ImportedLine(record.Row, null, ApiExceptionHandler.FieldFromJsonPath(exception.Path),
                exception is JsonValueException ? exception.Message : "The line is not a JSON object of the documented shape.");
        }
    }
}

/// <summary>
/// Imports articles all or nothing, in three steps. (1) The body is read as it arrives and every row gets the
/// checks that need no database; the rows are spooled (one window in memory, the rest in a temporary file).
/// (2) With a read connection, the outlets and stories the rows name are looked up, so every bad row is known
/// and a dry run is counted without the write turn. (3) Only then does the import take the write turn, look
/// its rows up again inside its IMMEDIATE transaction (things may have changed since), and write them window
/// by window with JSON-batched statements. So no import holds the database's one writer while its body is
/// still arriving or while a dry run runs, and memory holds one window, never the file.
/// </summary>
/// <remarks>
/// Each window's links and updated articles are handed to <see cref="CoverageSummaries"/>, which recounts the
/// summaries of the (story, outlet) pairs they touched in the same transaction, as for single writes.
/// </remarks>
public sealed class ArticleImporter(Database database, CoverageSummaries summaries, TimeProvider clock, IValidator<ArticleRequest> validator,
    IOptions<ImportSettings> settings)
{
    /// <summary>What an import did; <paramref name="Recount"/> is the time spent recounting story summaries.</summary>
    public sealed record Outcome(ImportResult? Result, BadRows BadRows, long Rows, int StoriesTouched = 0, TimeSpan Recount = default, TimeSpan WriteTurn = default)
    {
        /// <summary>Time spent reading the body and checking rows (step 1), and looking them up without the turn (step 2).</summary>
        public (TimeSpan Read, TimeSpan Lookup) Checks { get; init; }
    }

    /// <summary>
    /// Rows written together. A window is sorted by outlet and publication time before it is written, so the
    /// article indexes (by URL, which starts with the outlet's host, and by outlet and time) take their new entries
    /// in key order instead of at random, and the links by story (docs/benchmarks.md has the measurements).
    /// </summary>
    public const int WindowRows = 65_536;

    /// <summary>
    /// Rows per statement: one JSON array parameter read with json_each (Microsoft.Data.Sqlite binds by name and
    /// SQLite looks names up linearly, so one parameter beats 257). Larger statements were not faster and raised
    /// SQLite's memory high-water mark.
    /// </summary>
    public const int StatementRows = 64;

    /// <summary>A row that passed every check, waiting for its window to be written.</summary>
    private readonly record struct ValidRow(long Row, string Url, string Title, long OutletId, long PublishedMs, long[] StoryIds);

    /// <summary>
    /// A row after the checks that need no database. <paramref name="Url"/> is null when the URL is unusable (so
    /// there is no outlet to look for); <paramref name="Valid"/> says whether every such check passed.
    /// </summary>
    private readonly record struct CheckedRow(long Row, bool Valid, string? Url, string? Host, string Title, long? OutletId, long PublishedMs, long[] StoryIds);

    public async Task<Outcome> ImportAsync(IAsyncEnumerable<ImportedLine> lines, bool dryRun, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var bad = new BadRows();
        var reader = new RowReader(bad, validator);
        using var spool = new ImportSpool<CheckedRow>(CheckedRowCodec.Instance, WindowRows, settings.Value.SpoolDirectory);
        await foreach (var line in lines.WithCancellation(ct))
        {
            if (reader.Read(line) is { } row)
            {
                spool.Add(row);
            }
        }

        var read = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (reader.Rows == 0)
        {
            return new Outcome(null, bad, 0);
        }

        // (2) Every check, without the write turn; a dry run is counted here too.
        var lookupStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var preview = await CheckAsync(spool, bad, dryRun, ct);
        var checks = (read, System.Diagnostics.Stopwatch.GetElapsedTime(lookupStarted));
        if (bad.Any)
        {
            return new Outcome(null, bad, reader.Rows) { Checks = checks };
        }

        if (preview is not null)
        {
            return new Outcome(new ImportResult(preview.Created, preview.Updated, preview.Unchanged, DryRun: true) { Linked = preview.Linked }, bad, reader.Rows)
            {
                Checks = checks,
            };
        }

        return await WriteAsync(spool, bad, reader.Rows, ct) with { Checks = checks };
    }

    /// <summary>Looks up every row's outlet and stories with a read connection; for a dry run also counts what it would do.</summary>
    private async Task<Preview?> CheckAsync(ImportSpool<CheckedRow> spool, BadRows bad, bool dryRun, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var lookups = new Lookups(connection, null, database.Dialect, bad);
        var preview = dryRun ? new Preview(connection, bad) : null;
        var valid = new List<ValidRow>();
        foreach (var window in spool.Windows())
        {
            valid.Clear();
            foreach (var row in window)
            {
                if (await lookups.ResolveAsync(row, ct) is { } resolved)
                {
                    valid.Add(resolved);
                }
            }

            if (preview is not null && !bad.Any)
            {
                await preview.CountAsync(valid, ct);
            }
        }

        return preview;
    }

    private async Task<Outcome> WriteAsync(ImportSpool<CheckedRow> spool, BadRows bad, long rows, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var waited = System.Diagnostics.Stopwatch.GetTimestamp();
        var turnStarted = 0L;
        return await database.WriteAsync(async write =>
        {
            turnStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var lookups = new Lookups((SqliteConnection)write.Connection, (SqliteTransaction)write.Transaction, write.Dialect, bad);
            await using var writer = new BatchWriter(write, now, bad);
            var valid = new List<ValidRow>();
            var summaryTime = TimeSpan.Zero;
            foreach (var window in spool.Windows())
            {
                valid.Clear();
                foreach (var row in window)
                {
                    if (await lookups.ResolveAsync(row, ct) is { } resolved)
                    {
                        valid.Add(resolved);
                    }
                }

                // Something changed since the rows were checked (an outlet or story deleted, an article stored under
                // another outlet): nothing is kept, and the answer lists what is now wrong.
                var added = bad.Any ? null : await writer.WriteAsync(valid, ct);
                if (added is null || bad.Any)
                {
                    write.Cancel();
                    return new Outcome(null, bad, rows);
                }

                var summaryStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                // New links are added; then the pairs of updated articles, whose links moved with their new time, are
                // recounted from the links (the new ones included), which overwrites what was added to them.
                await summaries.LinksAddedAsync(write, added, now, ct);
                await summaries.LinksChangedAsync(write, await summaries.PairsOfArticlesAsync(write, writer.UpdatedArticles, ct), now, ct);
                summaryTime += System.Diagnostics.Stopwatch.GetElapsedTime(summaryStarted);
            }

            return new Outcome(new ImportResult(writer.Created, writer.Updated, writer.Unchanged, DryRun: false) { Linked = writer.Linked }, bad, rows,
                write.ChangedStories.Count, summaryTime, System.Diagnostics.Stopwatch.GetElapsedTime(turnStarted));
        }, ct, bulk: spool.Count >= LargeImportRows);
    }

    /// <summary>
    /// Gives each row the checks that need no database: the rules of <c>POST /v1/articles</c> (its validator, on the row
    /// as an <see cref="ArticleRequest"/>), and that the file names each canonical URL once.
    /// </summary>
    private sealed class RowReader(BadRows bad, IValidator<ArticleRequest> validator)
    {
        private readonly FirstRows urlsSeen = new();

        /// <summary>The number of the last row read (1 = the first record).</summary>
        public long Rows { get; private set; }

        /// <summary>The row checked, or null when the line could not be read at all (a bad row is recorded).</summary>
        public CheckedRow? Read(ImportedLine line)
        {
            Rows = line.Row;
            if (line.Article is not { } article)
            {
                bad.Add(line.Row, line.Field ?? "body", null, line.Error ?? "The row could not be read.");
                return null;
            }

            return Check(line.Row, article);
        }

        private CheckedRow Check(long row, ArticleImportRow article)
        {
            var valid = true;
            // The time is a string in an import row, so that a bad one is a bad row rather than malformed JSON.
            var publishedParsed = Rfc3339.TryParse(article.PublishedAt, out var published);
            if (!publishedParsed && article.PublishedAt is not null)
            {
                bad.Add(row, "publishedAt", article.PublishedAt, Rfc3339.Expected);
                valid = false;
            }

            var request = new ArticleRequest(article.Url!, article.Title!, published, article.OutletId);
            foreach (var failure in validator.Validate(request).Errors)
            {
                if (failure.PropertyName != "publishedAt" || publishedParsed || article.PublishedAt is null)
                {
                    bad.Add(row, failure.PropertyName, RawValue(article, failure.PropertyName), failure.ErrorMessage);
                    valid = false;
                }
            }

            var canonical = request.Canonical;
            if (canonical is not null && !urlsSeen.TryAdd(canonical.Url, row, out var firstRow))
            {
                bad.Add(row, "url", article.Url, $"The canonical URL {canonical.Url} is also on row {firstRow}; a file names each article once.");
                (valid, canonical) = (false, null);
            }

            return new CheckedRow(row, valid, canonical?.Url, canonical?.Host, article.Title ?? "", article.OutletId, valid ? published.ToUnixTimeMilliseconds() : 0,
                [.. (article.StoryIds ?? []).Distinct()]);
        }

        private static string? RawValue(ArticleImportRow article, string field) => field switch
        {
            "url" => article.Url,
            "title" => article.Title,
            "publishedAt" => article.PublishedAt,
            "outletId" => article.OutletId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    /// <summary>How checked rows are spooled.</summary>
    private sealed class CheckedRowCodec : IRowCodec<CheckedRow>
    {
        public static readonly CheckedRowCodec Instance = new();

        public void Write(BinaryWriter writer, CheckedRow row)
        {
            writer.Write(row.Row);
            writer.Write(row.Valid);
            WriteNullable(writer, row.Url);
            WriteNullable(writer, row.Host);
            writer.Write(row.Title);
            writer.Write(row.OutletId.HasValue);
            writer.Write(row.OutletId.GetValueOrDefault());
            writer.Write(row.PublishedMs);
            writer.Write(row.StoryIds.Length);
            foreach (var story in row.StoryIds)
            {
                writer.Write(story);
            }
        }

        public CheckedRow Read(BinaryReader reader)
        {
            var row = reader.ReadInt64();
            var valid = reader.ReadBoolean();
            var url = ReadNullable(reader);
            var host = ReadNullable(reader);
            var title = reader.ReadString();
            var hasOutlet = reader.ReadBoolean();
            var outlet = reader.ReadInt64();
            var published = reader.ReadInt64();
            var stories = new long[reader.ReadInt32()];
            for (var i = 0; i < stories.Length; i++)
            {
                stories[i] = reader.ReadInt64();
            }

            return new CheckedRow(row, valid, url, host, title, hasOutlet ? outlet : null, published, stories);
        }

        private static void WriteNullable(BinaryWriter writer, string? text)
        {
            writer.Write(text is not null);
            if (text is not null)
            {
                writer.Write(text);
            }
        }

        private static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
    }

    private sealed class Lookups(SqliteConnection connection, SqliteTransaction? transaction, SqlDialect dialect, BadRows bad) : IAsyncDisposable
    {
        private readonly OutletResolver outlets = new(connection, transaction, dialect);
        private readonly Dictionary<long, bool> storyExists = [];
        private SqliteCommand? story;

        private SqliteCommand Story => story ??= Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM stories WHERE id = $id)", "$id");

        /// <summary>The row ready to write, or null when it is bad (its problems are added to the bad rows).</summary>
        public async Task<ValidRow?> ResolveAsync(CheckedRow row, CancellationToken ct)
        {
            var valid = row.Valid;
            long? outletId = null;
            if (row.Url is not null)
            {
                (outletId, var problem) = await outlets.ResolveAsync(row.OutletId, row.Host!, ct);
                if (outletId is null)
                {
                    bad.Add(row.Row, "outletId", row.OutletId?.ToString(System.Globalization.CultureInfo.InvariantCulture), problem!);
                }
            }

            foreach (var storyId in row.StoryIds)
            {
                if (!await ExistsAsync(storyExists, () => Story, storyId, ct))
                {
                    bad.Add(row.Row, "storyIds", storyId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Story {storyId} does not exist.");
                    valid = false;
                }
            }

            return valid && outletId is { } outlet ? new ValidRow(row.Row, row.Url!, row.Title, outlet, row.PublishedMs, row.StoryIds) : null;
        }

        /// <summary>Whether the row <paramref name="id"/> exists, asked of the database once per id.</summary>
        private static async Task<bool> ExistsAsync(Dictionary<long, bool> known, Func<SqliteCommand> query, long id, CancellationToken ct)
        {
            if (!known.TryGetValue(id, out var exists))
            {
                var command = query();
                command.Parameters[0].Value = id;
                exists = known[id] = Convert.ToInt64(await command.ExecuteScalarAsync(ct)) == 1;
            }

            return exists;
        }

        public ValueTask DisposeAsync() => DisposeAllAsync(story);
    }

    /// <summary>
    /// Writes windows of checked rows: new articles with JSON-batched INSERT … ON CONFLICT (url) DO NOTHING
    /// RETURNING the ids it created, rows whose URL already exists one by one (update or unchanged), then the
    /// window's links sorted by story. Answers the (story, outlet) pairs whose links changed, for the summaries.
    /// </summary>
    private sealed class BatchWriter : IAsyncDisposable
    {
        private readonly SqliteTransaction transaction;
        private readonly BadRows bad;
        private readonly SqliteCommand insertArticles;
        private readonly SqliteCommand insertLinks;
        private SqliteCommand? find;
        private SqliteCommand? update;
        private readonly StatementJson json = new();
        private readonly Dictionary<string, long> created = new(StringComparer.Ordinal);
        private readonly List<Link> links = [];

        public BatchWriter(StorageWrite write, long now, BadRows bad)
        {
            (transaction, this.bad) = ((SqliteTransaction)write.Transaction, bad);
            var connection = (SqliteConnection)write.Connection;
            insertArticles = Command(connection, transaction, InsertArticlesSql, "$rows", "$now");
            insertLinks = Command(connection, transaction, InsertLinksSql, "$rows", "$now");
            Set(insertArticles, ("$now", now));
            Set(insertLinks, ("$now", now));
        }

        // Prepared when a first row names an article already stored; most imports only create.
        private SqliteCommand Find => find ??= Command(transaction.Connection!, transaction,
            "SELECT id, outlet_id, title, published_at FROM articles WHERE url = $url", "$url");

        private SqliteCommand Update => update ??= Command(transaction.Connection!, transaction,
            "UPDATE articles SET title = $title, published_at = $published, version = version + 1 WHERE id = $id", "$title", "$published", "$id");

        public int Created { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }
        public int Linked { get; private set; }

        /// <summary>Articles already stored whose title or publication time this window changed (their links moved with them).</summary>
        public List<long> UpdatedArticles { get; } = [];

        /// <summary>Writes the window; answers the links it added, or null when a row turned out bad while writing.</summary>
        public async Task<List<(long Story, long Outlet, long Published)>?> WriteAsync(List<ValidRow> rows, CancellationToken ct)
        {
            UpdatedArticles.Clear();
            rows.Sort(static (a, b) => (a.OutletId, a.PublishedMs, a.Row).CompareTo((b.OutletId, b.PublishedMs, b.Row)));
            foreach (var (start, end, slice) in json.Slices(rows, static (writer, row) =>
            {
                writer.WriteStringValue(row.Url);
                writer.WriteStringValue(row.Title);
                writer.WriteNumberValue(row.OutletId);
                writer.WriteNumberValue(row.PublishedMs);
            }))
            {
                insertArticles.Parameters[0].Value = slice;
                created.Clear();
                await using (var reader = await insertArticles.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        created[reader.GetString(1)] = reader.GetInt64(0);
                    }
                }

                Created += created.Count;
                for (var i = start; i < end; i++)
                {
                    var row = rows[i];
                    var articleId = created.TryGetValue(row.Url, out var newId) ? newId : await UpdateExistingAsync(row, ct);
                    if (articleId is null)
                    {
                        return null;
                    }

                    foreach (var storyId in row.StoryIds)
                    {
                        links.Add(new Link(storyId, articleId.Value, row.OutletId, row.PublishedMs));
                    }
                }
            }

            return await WriteLinksAsync(ct);
        }

        /// <summary>An article already stored under the URL: the same outlet is required; the title and time are updated.</summary>
        private async Task<long?> UpdateExistingAsync(ValidRow row, CancellationToken ct)
        {
            Find.Parameters[0].Value = row.Url;
            long id, outlet;
            bool same;
            await using (var reader = await Find.ExecuteReaderAsync(ct))
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
                OutletCannotChange(bad, row, id, outlet);
                return null;
            }

            if (same)
            {
                Unchanged++;
            }
            else
            {
                // A new publication time reaches the article's links by the foreign key's ON UPDATE CASCADE.
                Set(Update, ("$title", row.Title), ("$published", row.PublishedMs), ("$id", id));
                await Update.ExecuteNonQueryAsync(ct);
                UpdatedArticles.Add(id);
                Updated++;
            }

            return id;
        }

        /// <summary>Inserts the window's links in story order; answers the links it added (those not there before).</summary>
        private async Task<List<(long Story, long Outlet, long Published)>> WriteLinksAsync(CancellationToken ct)
        {
            var added = new List<(long Story, long Outlet, long Published)>();
            links.Sort(static (a, b) => (a.Story, a.Article).CompareTo((b.Story, b.Article)));
            foreach (var (_, _, slice) in json.Slices(links, static (writer, link) =>
            {
                writer.WriteNumberValue(link.Story);
                writer.WriteNumberValue(link.Article);
                writer.WriteNumberValue(link.Outlet);
                writer.WriteNumberValue(link.Published);
            }))
            {
                insertLinks.Parameters[0].Value = slice;
                await using var reader = await insertLinks.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    Linked++;
                    added.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
                }
            }

            links.Clear();
            return added;
        }

        public ValueTask DisposeAsync() => DisposeAllAsync(insertArticles, insertLinks, find, update);
    }

    /// <summary>An article already stored under a row's URL belongs to another outlet.</summary>
    private static void OutletCannotChange(BadRows bad, ValidRow row, long articleId, long outletId) =>
        bad.Add(row.Row, "outletId", row.OutletId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"Article {articleId} with this URL belongs to outlet {outletId}; an article's outlet cannot change.");

    /// <summary>
    /// Counts what a dry run would do, with reads only: rows whose URL is stored are updated or unchanged (or bad,
    /// when the stored article belongs to another outlet), the others created; links not yet there are added.
    /// </summary>
    private sealed class Preview(SqliteConnection connection, BadRows bad)
    {
        private readonly StatementJson json = new();

        public int Created { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }
        public int Linked { get; private set; }

        public async Task CountAsync(List<ValidRow> rows, CancellationToken ct)
        {
            var stored = new List<(long Story, long Article)>();
            await using (var find = Command(connection, null, FindStoredSql, "$rows"))
            {
                var found = new Dictionary<long, (long Id, long Outlet, bool Same)>();
                foreach (var (start, end, slice) in json.Slices(rows, static (writer, row) =>
                {
                    writer.WriteStringValue(row.Url);
                    writer.WriteStringValue(row.Title);
                    writer.WriteNumberValue(row.PublishedMs);
                }))
                {
                    found.Clear();
                    find.Parameters[0].Value = slice;
                    await using (var reader = await find.ExecuteReaderAsync(ct))
                    {
                        while (await reader.ReadAsync(ct))
                        {
                            found[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3) == 1);
                        }
                    }

                    for (var i = start; i < end; i++)
                    {
                        var row = rows[i];
                        if (!found.TryGetValue(i - start, out var article))
                        {
                            Created++;
                            Linked += row.StoryIds.Length;
                            continue;
                        }

                        if (article.Outlet != row.OutletId)
                        {
                            OutletCannotChange(bad, row, article.Id, article.Outlet);
                            continue;
                        }

                        if (article.Same)
                        {
                            Unchanged++;
                        }
                        else
                        {
                            Updated++;
                        }

                        stored.AddRange(row.StoryIds.Select(story => (story, article.Id)));
                    }
                }
            }

            Linked += stored.Count;
            await using var links = Command(connection, null, CountStoredLinksSql, "$rows");
            foreach (var (_, _, slice) in json.Slices(stored, static (writer, link) =>
            {
                writer.WriteNumberValue(link.Story);
                writer.WriteNumberValue(link.Article);
            }))
            {
                links.Parameters[0].Value = slice;
                Linked -= Convert.ToInt32(await links.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        private const string FindStoredSql = """
            SELECT j.key, a.id, a.outlet_id, a.title = j.value ->> 1 AND a.published_at = j.value ->> 2
            FROM json_each($rows) AS j
            JOIN articles AS a ON a.url = j.value ->> 0
            """;

        private const string CountStoredLinksSql = """
            SELECT COUNT(*)
            FROM json_each($rows) AS j
            JOIN story_articles AS sa ON sa.story_id = j.value ->> 0 AND sa.article_id = j.value ->> 1
            """;
    }

    private readonly record struct Link(long Story, long Article, long Outlet, long Published);

    /// <summary>
    /// The JSON arrays that statements' $rows parameters carry, written with one reused buffer. Escaping is relaxed:
    /// the text goes to SQLite's JSON parser only, never to a page.
    /// </summary>
    private sealed class StatementJson
    {
        private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
        private readonly System.Buffers.ArrayBufferWriter<byte> buffer = new(64 * 1024);
        private readonly Utf8JsonWriter writer;

        public StatementJson() => writer = new Utf8JsonWriter(buffer, Options);

        /// <summary>
        /// The items in slices of <see cref="StatementRows"/>, each as a JSON array of rows (one JSON array per item,
        /// its fields written by <paramref name="fields"/>), with the slice's bounds in <paramref name="items"/>.
        /// </summary>
        public IEnumerable<(int Start, int End, string Rows)> Slices<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> fields)
        {
            for (var start = 0; start < items.Count; start += StatementRows)
            {
                var end = Math.Min(items.Count, start + StatementRows);
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                writer.WriteStartArray();
                for (var i = start; i < end; i++)
                {
                    writer.WriteStartArray();
                    fields(writer, items[i]);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.Flush();
                yield return (start, end, Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
        }
    }

    // json_each walks the array in order, so rows are inserted in the window's sorted order. "WHERE true" tells the
    // parser that ON CONFLICT starts the upsert clause (an INSERT … SELECT … FROM needs a WHERE before it).
    // The link's outlet and publication time are the article's as just written; the composite foreign key checks it.
    private const string InsertArticlesSql = """
        INSERT INTO articles (url, title, outlet_id, published_at, created_at)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, $now FROM json_each($rows) WHERE true
        ON CONFLICT (url) DO NOTHING
        RETURNING id, url
        """;

    private const string InsertLinksSql = """
        INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, $now FROM json_each($rows) WHERE true
        ON CONFLICT (story_id, article_id) DO NOTHING
        RETURNING story_id, outlet_id, published_at
        """;

    /// <summary>
    /// Rows after which an import takes the large page cache. A small import (the mixed benchmark writes one row at
    /// a time) keeps the connection's default cache and skips growing, shrinking and trimming it.
    /// </summary>
    public const int LargeImportRows = 4_096;

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
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

    /// <summary>Disposes the commands that were prepared (lazily prepared ones may be null).</summary>
    private static async ValueTask DisposeAllAsync(params SqliteCommand?[] commands)
    {
        foreach (var command in commands)
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }
    }

    private static void Set(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
    }
}
