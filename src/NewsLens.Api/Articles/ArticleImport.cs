using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Data.Common;
using Dapper;
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

        // A small import whose rows read well is looked up only inside its write: looking its few rows up twice cost
        // more than it spared.
        if (!dryRun && !bad.Any && reader.Rows < CheckedBeforeTheWriteRows)
        {
            return await WriteAsync(spool, bad, reader.Rows, ct) with { Checks = (read, TimeSpan.Zero) };
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
        var lookups = new Lookups(connection, null, database.Dialect, bad);
        var preview = dryRun ? new Preview(connection, database.Dialect, bad) : null;
        foreach (var window in spool.Windows())
        {
            var valid = await lookups.ResolveAsync(window, ct);

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
            var lookups = new Lookups(write.Connection, write.Transaction, write.Dialect, bad);
            var writer = new BatchWriter(write, now, bad);
            var summaryTime = TimeSpan.Zero;
            foreach (var window in spool.Windows())
            {
                var valid = await lookups.ResolveAsync(window, ct);

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

    /// <summary>
    /// The checks that read the database, for a window of rows at a time: the outlet (given, or found from the URL's
    /// host) and the stories exist. Story ids are looked up set-based, each once; outlets through
    /// <see cref="OutletResolver"/>, each host or id once.
    /// </summary>
    private sealed class Lookups(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, BadRows bad)
    {
        private readonly OutletResolver outlets = new(connection, transaction, dialect);
        private readonly HashSet<long> storiesChecked = [];
        private readonly HashSet<long> storiesFound = [];

        /// <summary>The window's rows ready to write; the bad ones' problems are added to the bad rows.</summary>
        public async Task<List<ValidRow>> ResolveAsync(IReadOnlyList<CheckedRow> window, CancellationToken ct)
        {
            var notYetChecked = window.SelectMany(r => r.StoryIds).Where(storiesChecked.Add).ToList();
            foreach (var chunk in notYetChecked.Chunk(LookupIds))
            {
                var ids = dialect.Ids("ids", chunk);
                storiesFound.UnionWith(await connection.QueryAsync<long>(new CommandDefinition(
                    $"SELECT s.id FROM {ids.Table} JOIN stories s ON s.id = ids.id", ids.Parameters, transaction, cancellationToken: ct)));
            }

            var valid = new List<ValidRow>(window.Count);
            foreach (var row in window)
            {
                var ok = row.Valid;
                long? outletId = null;
                if (row.Url is not null)
                {
                    (outletId, var problem) = await outlets.ResolveAsync(row.OutletId, row.Host!, ct);
                    if (outletId is null)
                    {
                        bad.Add(row.Row, "outletId", row.OutletId?.ToString(System.Globalization.CultureInfo.InvariantCulture), problem!);
                    }
                }

                foreach (var storyId in row.StoryIds.Where(id => !storiesFound.Contains(id)))
                {
                    bad.Add(row.Row, "storyIds", storyId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Story {storyId} does not exist.");
                    ok = false;
                }

                if (ok && outletId is { } outlet)
                {
                    valid.Add(new ValidRow(row.Row, row.Url!, row.Title, outlet, row.PublishedMs, row.StoryIds));
                }
            }

            return valid;
        }
    }

    /// <summary>Ids per lookup statement.</summary>
    private const int LookupIds = 10_000;

    private static readonly RowColumn[] ArticleColumns =
        [new("url", typeof(string)), new("title", typeof(string)), new("outlet_id", typeof(long)), new("published_at", typeof(long))];

    private static readonly RowColumn[] UrlColumns = [new("url", typeof(string))];

    private static readonly RowColumn[] UpdateColumns = [new("id", typeof(long)), new("title", typeof(string)), new("published_at", typeof(long))];

    private static readonly RowColumn[] LinkColumns =
        [new("story_id", typeof(long)), new("article_id", typeof(long)), new("outlet_id", typeof(long)), new("published_at", typeof(long))];

    private static readonly RowColumn[] PairColumns = [new("story_id", typeof(long)), new("article_id", typeof(long))];

    /// <summary>An article as stored under a row's URL.</summary>
    private readonly record struct StoredArticle(long Id, long OutletId, string Title, long PublishedAt);

    /// <summary>The articles stored under these URLs (set-based).</summary>
    private static async Task<Dictionary<string, StoredArticle>> StoredAsync(DbConnection connection, DbTransaction? transaction, SqlDialect dialect,
        IEnumerable<string> urls, CancellationToken ct)
    {
        var set = dialect.Rows("u", UrlColumns, [.. urls.Select(u => new object?[] { u })]);
        var rows = await connection.QueryAsync<(long Id, long OutletId, string Title, long PublishedAt, string Url)>(new CommandDefinition(
            $"SELECT a.id, a.outlet_id, a.title, a.published_at, a.url FROM {set.Table} JOIN articles a ON a.url = u.url", set.Parameters, transaction, cancellationToken: ct));
        return rows.ToDictionary(r => r.Url, r => new StoredArticle(r.Id, r.OutletId, r.Title, r.PublishedAt), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes windows of checked rows: new articles with INSERT … ON CONFLICT (url) DO NOTHING RETURNING the ids it
    /// created, rows whose URL is already stored as one set (updated, or unchanged), then the window's links sorted by
    /// story. Each statement carries its rows as one row set (<see cref="SqlDialect.Rows"/>). Answers the links it added.
    /// </summary>
    private sealed class BatchWriter(StorageWrite write, long now, BadRows bad)
    {
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
            var links = new List<object?[]>();
            foreach (var slice in rows.Chunk(write.Dialect.RowsPerStatement))
            {
                var set = await write.Dialect.StageAsync(write, "r", ArticleColumns, [.. slice.Select(r => new object?[] { r.Url, r.Title, r.OutletId, r.PublishedMs })], ct);
                set.Parameters.Add("now", now);
                var created = (await write.Connection.QueryAsync<(long Id, string Url)>(write.Command($"""
                    INSERT INTO articles (url, title, outlet_id, published_at, created_at)
                    SELECT r.url, r.title, r.outlet_id, r.published_at, @now FROM {set.Table} WHERE true
                    ON CONFLICT (url) DO NOTHING
                    RETURNING id, url
                    """, set.Parameters, ct))).ToDictionary(c => c.Url, c => c.Id, StringComparer.Ordinal);
                Created += created.Count;

                var existing = slice.Where(r => !created.ContainsKey(r.Url)).ToList();
                var stored = existing.Count == 0 ? [] : await StoredAsync(write.Connection, write.Transaction, write.Dialect, existing.Select(r => r.Url), ct);
                var updates = new List<object?[]>();
                foreach (var row in slice)
                {
                    if (!created.TryGetValue(row.Url, out var articleId))
                    {
                        var article = stored[row.Url];
                        if (article.OutletId != row.OutletId)
                        {
                            OutletCannotChange(bad, row, article.Id, article.OutletId);
                            return null;
                        }

                        articleId = article.Id;
                        if (article.Title == row.Title && article.PublishedAt == row.PublishedMs)
                        {
                            Unchanged++;
                        }
                        else
                        {
                            updates.Add([article.Id, row.Title, row.PublishedMs]);
                            UpdatedArticles.Add(article.Id);
                        }
                    }

                    links.AddRange(row.StoryIds.Select(story => new object?[] { story, articleId, row.OutletId, row.PublishedMs }));
                }

                if (updates.Count > 0)
                {
                    // A new publication time reaches the article's links by the foreign key's ON UPDATE CASCADE.
                    var changed = await write.Dialect.StageAsync(write, "u", UpdateColumns, updates, ct);
                    await write.Connection.ExecuteAsync(write.Command($"""
                        UPDATE articles SET title = u.title, published_at = u.published_at, version = version + 1
                        FROM {changed.Table}
                        WHERE articles.id = u.id
                        """, changed.Parameters, ct));
                    Updated += updates.Count;
                }
            }

            return await WriteLinksAsync(links, ct);
        }

        /// <summary>Inserts the window's links in story order; answers the links it added (those not there before).</summary>
        private async Task<List<(long Story, long Outlet, long Published)>> WriteLinksAsync(List<object?[]> links, CancellationToken ct)
        {
            var added = new List<(long Story, long Outlet, long Published)>();
            links.Sort(static (a, b) => ((long)a[0]!, (long)a[1]!).CompareTo(((long)b[0]!, (long)b[1]!)));
            foreach (var slice in links.Chunk(write.Dialect.RowsPerStatement))
            {
                var set = await write.Dialect.StageAsync(write, "l", LinkColumns, slice, ct);
                set.Parameters.Add("now", now);
                added.AddRange(await write.Connection.QueryAsync<(long Story, long Outlet, long Published)>(write.Command($"""
                    INSERT INTO story_articles (story_id, article_id, outlet_id, published_at, linked_at)
                    SELECT l.story_id, l.article_id, l.outlet_id, l.published_at, @now FROM {set.Table} WHERE true
                    ON CONFLICT (story_id, article_id) DO NOTHING
                    RETURNING story_id, outlet_id, published_at
                    """, set.Parameters, ct)));
            }

            Linked += added.Count;
            return added;
        }
    }

    /// <summary>An article already stored under a row's URL belongs to another outlet.</summary>
    private static void OutletCannotChange(BadRows bad, ValidRow row, long articleId, long outletId) =>
        bad.Add(row.Row, "outletId", row.OutletId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"Article {articleId} with this URL belongs to outlet {outletId}; an article's outlet cannot change.");

    /// <summary>
    /// Counts what a dry run would do, with reads only: rows whose URL is stored are updated or unchanged (or bad,
    /// when the stored article belongs to another outlet), the others created; links not yet there are added.
    /// </summary>
    private sealed class Preview(DbConnection connection, SqlDialect dialect, BadRows bad)
    {
        public int Created { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }
        public int Linked { get; private set; }

        public async Task CountAsync(List<ValidRow> rows, CancellationToken ct)
        {
            var storedLinks = new List<object?[]>();
            foreach (var slice in rows.Chunk(LookupIds))
            {
                var stored = await StoredAsync(connection, null, dialect, slice.Select(r => r.Url), ct);
                foreach (var row in slice)
                {
                    if (!stored.TryGetValue(row.Url, out var article))
                    {
                        Created++;
                        Linked += row.StoryIds.Length;
                        continue;
                    }

                    if (article.OutletId != row.OutletId)
                    {
                        OutletCannotChange(bad, row, article.Id, article.OutletId);
                        continue;
                    }

                    if (article.Title == row.Title && article.PublishedAt == row.PublishedMs)
                    {
                        Unchanged++;
                    }
                    else
                    {
                        Updated++;
                    }

                    storedLinks.AddRange(row.StoryIds.Select(story => new object?[] { story, article.Id }));
                }
            }

            Linked += storedLinks.Count;
            foreach (var slice in storedLinks.Chunk(LookupIds))
            {
                var set = dialect.Rows("p", PairColumns, slice);
                Linked -= (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    $"SELECT COUNT(*) FROM {set.Table} JOIN story_articles sa ON sa.story_id = p.story_id AND sa.article_id = p.article_id",
                    set.Parameters, cancellationToken: ct));
            }
        }
    }

    /// <summary>
    /// Imports of at least this many rows are checked with a read connection before they take the write turn (step 2),
    /// so that a large import with bad rows never holds it; smaller ones are checked inside their write only. On
    /// PostgreSQL the second lookup was two more round trips and a second connection for every single-article import.
    /// </summary>
    public const int CheckedBeforeTheWriteRows = 64;

    /// <summary>Rows after which an import counts as bulk for the engine (SQLite gives its transaction a larger page cache).</summary>
    public const int LargeImportRows = 4_096;
}
