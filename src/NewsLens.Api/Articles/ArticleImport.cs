using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using FluentValidation;
using Microsoft.Extensions.Options;
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
/// For an import of more than <see cref="TriggerRows"/> rows the per-link summary triggers stand aside (a
/// bulk_load row, visible only inside this transaction). Each window merges the links it added into story_outlets
/// and story_summaries in two set-based statements; stories whose existing articles the import changed are
/// recounted from their links before it commits, with the same recount the consistency test uses as its
/// reference. A smaller import leaves the triggers on, as single writes do, and runs none of that machinery.
/// </remarks>
public sealed class ArticleImporter(Database database, TimeProvider clock, IValidator<ArticleRequest> validator, IOptions<ImportSettings> settings,
    ILogger<ArticleImporter> logger)
{
    /// <summary>What an import did; <paramref name="Recount"/> is the time spent merging and recounting story summaries.</summary>
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

    /// <summary>
    /// The most rows an import writes with the per-link summary triggers on instead of in bulk mode: entering and
    /// leaving bulk mode and merging take seven more statements, which one-row imports would mostly spend on
    /// preparing statements.
    /// </summary>
    public const int TriggerRows = StatementRows;

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
        await using var lookups = new Lookups(connection, null, bad);
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
        var bulk = spool.Count > TriggerRows;
        var largeCache = spool.Count >= LargeImportRows;
        await using var connection = await database.OpenForWriteAsync(ct);
        var turnStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await using var transaction = Database.BeginWrite(connection);
            if (bulk)
            {
                await Execute(connection, transaction, BeginBulkLoad, ct);
            }

            if (largeCache)
            {
                await Execute(connection, transaction, LargeImportCache, ct);
            }

            await using var lookups = new Lookups(connection, transaction, bad);
            await using var writer = new BatchWriter(connection, transaction, now, bad, bulk);
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

                // Something changed since the rows were checked (an outlet or story deleted, an article stored under
                // another outlet): nothing is kept, and the answer lists what is now wrong.
                if (bad.Any)
                {
                    return new Outcome(null, bad, rows);
                }

                await writer.WriteAsync(valid, ct);
                if (bad.Any)
                {
                    return new Outcome(null, bad, rows);
                }
            }

            var recountStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            await writer.RecountChangedStoriesAsync(ct);
            var recount = writer.SummaryTime + System.Diagnostics.Stopwatch.GetElapsedTime(recountStarted);
            await transaction.CommitAsync(ct);
            return new Outcome(new ImportResult(writer.Created, writer.Updated, writer.Unchanged, DryRun: false) { Linked = writer.Linked }, bad, rows,
                writer.StoriesTouched, recount, System.Diagnostics.Stopwatch.GetElapsedTime(turnStarted));
        }
        finally
        {
            if (largeCache)
            {
                await RestorePageCacheAsync(connection);
            }
        }
    }

    /// <summary>
    /// The pooled writer connection goes back with the default page cache. After a storage fault the connection
    /// may refuse even that; then it is dropped from the pool, and the fault the caller sees is the original one.
    /// </summary>
    private async Task RestorePageCacheAsync(SqliteConnection connection)
    {
        try
        {
            await Execute(connection, null, "PRAGMA cache_size = -2000", CancellationToken.None);
        }
        catch (SqliteException exception)
        {
            logger.LogWarning("Could not restore the writer connection's page cache after an import (SQLite error {Code}); the connection is dropped.",
                exception.SqliteErrorCode);
            SqliteConnection.ClearPool(connection);
        }

        // Giving the cache back frees 16 MiB to the C allocator, which keeps it unless told otherwise.
        NativeHeap.ReleaseFreeMemory();
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

    private sealed class Lookups(SqliteConnection connection, SqliteTransaction? transaction, BadRows bad) : IAsyncDisposable
    {
        private readonly OutletResolver outlets = new(connection, transaction);
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
    /// window's links sorted by story, whose additions are merged into story_outlets and story_summaries.
    /// </summary>
    private sealed class BatchWriter : IAsyncDisposable
    {
        private readonly SqliteTransaction transaction;
        private readonly long now;
        private readonly BadRows bad;
        private readonly bool bulk;
        private readonly SqliteCommand insertArticles;
        private readonly SqliteCommand insertLinks;
        private readonly SqliteCommand? mergeOutlets;
        private readonly SqliteCommand? mergeSummaries;
        private SqliteCommand? find;
        private SqliteCommand? update;
        private SqliteCommand? touchLinked;
        private readonly StatementJson json = new();
        private readonly HashSet<long> touched = [];
        private readonly Dictionary<string, long> created = new(StringComparer.Ordinal);
        private readonly List<Link> links = [];
        private readonly Dictionary<(long Story, long Outlet), Added> added = [];
        private readonly Dictionary<long, StoryDelta> deltas = [];

        /// <param name="bulk">True when the per-link triggers stand aside and this writer keeps the summaries.</param>
        public BatchWriter(SqliteConnection connection, SqliteTransaction transaction, long now, BadRows bad, bool bulk)
        {
            (this.transaction, this.now, this.bad, this.bulk) = (transaction, now, bad, bulk);
            insertArticles = Command(connection, transaction, InsertArticlesSql, "$rows", "$now");
            insertLinks = Command(connection, transaction, InsertLinksSql, "$rows", "$now");
            Set(insertArticles, ("$now", now));
            Set(insertLinks, ("$now", now));
            if (bulk)
            {
                mergeOutlets = Command(connection, transaction, MergeStoryOutletsSql, "$rows");
                mergeSummaries = Command(connection, transaction, MergeStorySummariesSql, "$rows", "$now");
                Set(mergeSummaries, ("$now", now));
            }
        }

        // Prepared when a first row names an article already stored; most imports only create.
        private SqliteCommand Find => find ??= Command(transaction.Connection!, transaction,
            "SELECT id, outlet_id, title, published_at FROM articles WHERE url = $url", "$url");

        private SqliteCommand Update => update ??= Command(transaction.Connection!, transaction,
            "UPDATE articles SET title = $title, published_at = $published, version = version + 1 WHERE id = $id", "$title", "$published", "$id");

        private SqliteCommand TouchLinked => touchLinked ??= Command(transaction.Connection!, transaction,
            "INSERT OR IGNORE INTO temp.import_touched (story_id) SELECT story_id FROM story_articles WHERE article_id = $id", "$id");

        public int Created { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }
        public int Linked { get; private set; }

        /// <summary>Stories whose summary the import merged into or recounted (in bulk mode), or linked to (otherwise).</summary>
        public int StoriesTouched => touched.Count;

        /// <summary>Time spent merging links into the story summaries (the final recount is timed by the caller).</summary>
        public TimeSpan SummaryTime { get; private set; }

        public async Task WriteAsync(List<ValidRow> rows, CancellationToken ct)
        {
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
                        links.Add(new Link(storyId, articleId, row.OutletId, row.PublishedMs));
                    }
                }
            }

            await WriteLinksAsync(ct);
            if (bulk)
            {
                await MergeSummariesAsync(ct);
            }
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
                Set(Update, ("$title", row.Title), ("$published", row.PublishedMs), ("$id", id));
                await Update.ExecuteNonQueryAsync(ct);
                if (bulk)
                {
                    // Without bulk mode the new time reaches the links by cascade and the summaries by trigger.
                    Set(TouchLinked, ("$id", id));
                    await TouchLinked.ExecuteNonQueryAsync(ct);
                }

                Updated++;
            }

            return id;
        }

        /// <summary>Inserts the window's links in story order and gathers, per story and outlet, the articles each added.</summary>
        private async Task WriteLinksAsync(CancellationToken ct)
        {
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
                    if (!bulk)
                    {
                        touched.Add(reader.GetInt64(0));
                        continue;
                    }

                    var key = (reader.GetInt64(0), reader.GetInt64(1));
                    var published = reader.GetInt64(2);
                    added[key] = added.TryGetValue(key, out var sum)
                        ? new Added(sum.Articles + 1, Math.Min(sum.First, published), Math.Max(sum.Last, published))
                        : new Added(1, published, published);
                }
            }

            links.Clear();
        }

        /// <summary>
        /// Adds the window's new links to story_outlets (an upsert per story and outlet, which returns the outlet's
        /// article count in the story: equal to what the window added when the outlet is new to the story), then
        /// adds the per-story sums to story_summaries. Set-based, and proportional to what the window added, not
        /// to the size of the stories it touched.
        /// </summary>
        private async Task MergeSummariesAsync(CancellationToken ct)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var groups = added.OrderBy(g => g.Key).ToList();
            foreach (var (_, _, slice) in json.Slices(groups, static (writer, group) =>
            {
                writer.WriteNumberValue(group.Key.Story);
                writer.WriteNumberValue(group.Key.Outlet);
                writer.WriteNumberValue(group.Value.Articles);
                writer.WriteNumberValue(group.Value.First);
                writer.WriteNumberValue(group.Value.Last);
            }))
            {
                mergeOutlets!.Parameters[0].Value = slice;
                await using var reader = await mergeOutlets.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var story = reader.GetInt64(0);
                    var sum = added[(story, reader.GetInt64(1))];
                    var lean = reader.IsDBNull(3) ? StoryDelta.Unrated : StoryDelta.LeanIndex(reader.GetString(3));
                    if (!deltas.TryGetValue(story, out var delta))
                    {
                        deltas[story] = delta = new StoryDelta(sum.First, sum.Last);
                    }

                    delta.Add(lean, newSource: reader.GetInt64(2) == sum.Articles, sum);
                }
            }

            foreach (var (_, _, slice) in json.Slices(deltas.OrderBy(d => d.Key).ToList(), static (writer, story) =>
            {
                writer.WriteNumberValue(story.Key);
                foreach (var value in story.Value.Sources.Concat(story.Value.Articles))
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteNumberValue(story.Value.First);
                writer.WriteNumberValue(story.Value.Last);
            }))
            {
                mergeSummaries!.Parameters[0].Value = slice;
                await mergeSummaries.ExecuteNonQueryAsync(ct);
            }

            touched.UnionWith(deltas.Keys);
            added.Clear();
            deltas.Clear();
            SummaryTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }

        /// <summary>In bulk mode, recounts from their links the stories whose existing articles the import changed (when it changed any), then ends bulk mode.</summary>
        public async Task RecountChangedStoriesAsync(CancellationToken ct)
        {
            if (!bulk)
            {
                return;
            }

            var connection = transaction.Connection!;
            if (Updated > 0)
            {
                await using (var changed = Command(connection, transaction, "SELECT story_id FROM temp.import_touched"))
                await using (var reader = await changed.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        touched.Add(reader.GetInt64(0));
                    }
                }

                await using var recount = Command(connection, transaction, RecountChangedStories, "$now");
                Set(recount, ("$now", now));
                await recount.ExecuteNonQueryAsync(ct);
            }

            await Execute(connection, transaction, EndBulkLoad, ct);
        }

        public ValueTask DisposeAsync() => DisposeAllAsync(insertArticles, insertLinks, mergeOutlets, mergeSummaries, find, update, touchLinked);
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

    /// <summary>What a window's links added to one outlet's coverage of one story.</summary>
    private readonly record struct Added(long Articles, long First, long Last);

    /// <summary>What a window adds to one story's summary: sources and articles per lean (left, center, right, unrated).</summary>
    private sealed class StoryDelta(long first, long last)
    {
        public const int Unrated = 3;

        public long[] Sources { get; } = new long[4];
        public long[] Articles { get; } = new long[4];
        public long First { get; private set; } = first;
        public long Last { get; private set; } = last;

        public static int LeanIndex(string lean) => lean switch
        {
            "left" => 0,
            "center" => 1,
            "right" => 2,
            _ => throw new InvalidOperationException($"Unknown lean '{lean}' in story_outlets."),
        };

        public void Add(int lean, bool newSource, Added sum)
        {
            Sources[lean] += newSource ? 1 : 0;
            Articles[lean] += sum.Articles;
            (First, Last) = (Math.Min(First, sum.First), Math.Max(Last, sum.Last));
        }
    }

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

    private const string MergeStoryOutletsSql = """
        INSERT INTO story_outlets (story_id, outlet_id, articles, first_published_at, last_published_at, lean)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, (SELECT lean FROM outlets WHERE id = value ->> 1)
        FROM json_each($rows) WHERE true
        ON CONFLICT (story_id, outlet_id) DO UPDATE SET
            articles = articles + excluded.articles,
            first_published_at = MIN(first_published_at, excluded.first_published_at),
            last_published_at = MAX(last_published_at, excluded.last_published_at)
        RETURNING story_id, outlet_id, articles, lean
        """;

    private const string MergeStorySummariesSql = """
        UPDATE story_summaries SET
            sources_left     = sources_left     + (d.value ->> 1),
            sources_center   = sources_center   + (d.value ->> 2),
            sources_right    = sources_right    + (d.value ->> 3),
            sources_unrated  = sources_unrated  + (d.value ->> 4),
            articles_left    = articles_left    + (d.value ->> 5),
            articles_center  = articles_center  + (d.value ->> 6),
            articles_right   = articles_right   + (d.value ->> 7),
            articles_unrated = articles_unrated + (d.value ->> 8),
            first_published_at = MIN(COALESCE(first_published_at, d.value ->> 9), d.value ->> 9),
            last_published_at  = MAX(COALESCE(last_published_at, d.value ->> 10), d.value ->> 10),
            coverage_version = coverage_version + 1,
            changed_at = $now
        FROM json_each($rows) AS d
        WHERE story_summaries.story_id = d.value ->> 0
        """;

    private static async Task Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        // Not prepared: BeginBulkLoad's later statements name the temp table its first statement creates.
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    // A 16 MiB page cache for a large import's indexes (the default is 2 MiB), given back when the import ends:
    // larger caches were no faster once windows were sorted, and cost peak memory (docs/benchmarks.md).
    private const string LargeImportCache = "PRAGMA cache_size = -16384";

    /// <summary>
    /// Rows after which an import takes the large page cache. A small import (the mixed benchmark writes one row at
    /// a time) keeps the connection's default cache and skips growing, shrinking and trimming it.
    /// </summary>
    public const int LargeImportRows = 4_096;

    private const string BeginBulkLoad = """
        INSERT INTO bulk_load (id) VALUES (1);
        CREATE TEMP TABLE IF NOT EXISTS import_touched (story_id INTEGER PRIMARY KEY);
        DELETE FROM temp.import_touched;
        """;

    /// <summary>Rebuilds story_outlets and the summaries of the changed stories from their links.</summary>
    private const string RecountChangedStories = """
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
        """;

    private const string EndBulkLoad = """
        DELETE FROM bulk_load;
        DELETE FROM temp.import_touched;
        """;

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
