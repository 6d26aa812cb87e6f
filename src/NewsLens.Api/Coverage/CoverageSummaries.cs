using Dapper;
using Microsoft.Extensions.Options;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>
/// The per-story coverage summaries, kept in the same transaction as every write that changes them:
/// <c>story_outlets</c> (one row per story and outlet that covers it: its articles, first and last publication, and
/// the outlet's lean) and <c>story_summaries</c> (one row per story: sources and articles per lean, first and last
/// publication, majority, blindspot, the coverage version and the last change). The one home of their rules, on
/// every engine: counts are recounted from the links of what a write touched, and majority and blindspot come from
/// <see cref="BiasDistributionRule"/>, which coverage answers use too. Every write that creates or edits a story,
/// links, unlinks, deletes an article, moves its publication time, or re-rates or renames an outlet calls it, and
/// the consistency tests recount everything to check that none forgot.
/// </summary>
public sealed class CoverageSummaries(IOptions<CoverageOptions> options)
{
    private static readonly RowColumn[] PairColumns = [new("story_id", typeof(long)), new("outlet_id", typeof(long))];

    private static readonly RowColumn[] SummaryColumns =
    [
        new("story_id", typeof(long)),
        new("sources_left", typeof(long)), new("sources_center", typeof(long)), new("sources_right", typeof(long)), new("sources_unrated", typeof(long)),
        new("articles_left", typeof(long)), new("articles_center", typeof(long)), new("articles_right", typeof(long)), new("articles_unrated", typeof(long)),
        new("first_published_at", typeof(long?)), new("last_published_at", typeof(long?)),
        new("majority", typeof(string)), new("blindspot", typeof(string)),
    ];

    /// <summary>
    /// Stories recounted per statement, and rows per row set of the other statements. A row set travels as one JSON
    /// string on SQLite (an array per column on PostgreSQL): kept under the 85,000 bytes from which .NET puts an object
    /// on the large object heap, which only a full collection frees, so an import's summaries leave gen0 garbage
    /// instead. On the benchmark's 1,000,000-article generation (twenty 50,000-row imports) one set per import window
    /// and 8,192 stories per recount peaked at 371 MiB RSS (70 MiB of it large objects), these at 283 MiB (21 MiB), at
    /// the same import rate (docs/benchmarks.md).
    /// </summary>
    private const int StoriesPerRecount = 256;

    private const int RowsPerSet = 512;

    /// <summary>A new story starts with an empty summary.</summary>
    public async Task StoryCreatedAsync(StorageWrite write, long storyId, long now, CancellationToken ct)
    {
        await write.Connection.ExecuteAsync(write.Command(
            "INSERT INTO story_summaries (story_id, changed_at) VALUES (@storyId, @now)", new { storyId, now }, ct));
        write.ChangedStories.Add(storyId);
    }

    /// <summary>The story's own fields changed: its last change moves (Last-Modified, and the recently_updated sort).</summary>
    public async Task StoryEditedAsync(StorageWrite write, long storyId, long now, CancellationToken ct)
    {
        await write.Connection.ExecuteAsync(write.Command(
            "UPDATE story_summaries SET changed_at = @now WHERE story_id = @storyId", new { storyId, now }, ct));
        write.ChangedStories.Add(storyId);
    }

    /// <summary>The (story, outlet) pairs of the links these articles have, to pass to <see cref="LinksChangedAsync"/> (before they are deleted, say).</summary>
    public async Task<List<(long Story, long Outlet)>> PairsOfArticlesAsync(StorageWrite write, IReadOnlyCollection<long> articleIds, CancellationToken ct)
    {
        if (articleIds.Count == 0)
        {
            return [];
        }

        var ids = write.Dialect.Ids("articles", articleIds);
        var pairs = await write.Connection.QueryAsync<(long, long)>(write.Command(
            $"SELECT DISTINCT sa.story_id, sa.outlet_id FROM {ids.Table} JOIN story_articles sa ON sa.article_id = articles.id", ids.Parameters, ct));
        return pairs.AsList();
    }

    /// <summary>
    /// These links were added (and none of them existed before): their articles are added to their pairs'
    /// <c>story_outlets</c> rows, then their stories' summaries are recounted from those rows. Proportional to what
    /// was added, not to the size of the stories, so a large import into a giant story stays cheap.
    /// </summary>
    public async Task LinksAddedAsync(StorageWrite write, IReadOnlyCollection<(long Story, long Outlet, long Published)> links, long now, CancellationToken ct)
    {
        if (links.Count == 0)
        {
            return;
        }

        var stories = links.Select(l => l.Story).Distinct().Order().ToList();
        var added = links.GroupBy(l => (l.Story, l.Outlet))
            .OrderBy(g => g.Key)
            .Select(g => new object?[] { g.Key.Story, g.Key.Outlet, (long)g.Count(), g.Min(l => l.Published), g.Max(l => l.Published) })
            .Chunk(RowsPerSet)
            .Select(slice => AddToOutlets(write, slice))
            .ToList();
        await RecountStoriesAsync(write, stories, now, await AheadAsync(write, Lock(write, stories), added, ct), ct);
    }

    /// <summary>Adds a row set of new links, counted per (story, outlet), to their <c>story_outlets</c> rows.</summary>
    private static Statements AddToOutlets(StorageWrite write, object?[][] slice)
    {
        var set = write.Dialect.Rows("added", AddedColumns, slice);
        return new Statements($"""
            INSERT INTO story_outlets (story_id, outlet_id, articles, first_published_at, last_published_at, lean)
            SELECT added.story_id, added.outlet_id, added.articles, added.first_published_at, added.last_published_at,
                   (SELECT o.lean FROM outlets o WHERE o.id = added.outlet_id)
            FROM {set.Table}
            WHERE true
            ON CONFLICT (story_id, outlet_id) DO UPDATE SET
                articles = story_outlets.articles + excluded.articles,
                first_published_at = {write.Dialect.Least}(story_outlets.first_published_at, excluded.first_published_at),
                last_published_at = {write.Dialect.Greatest}(story_outlets.last_published_at, excluded.last_published_at);
            """, set.Parameters, 0);
    }

    private static readonly RowColumn[] AddedColumns =
    [
        new("story_id", typeof(long)), new("outlet_id", typeof(long)), new("articles", typeof(long)),
        new("first_published_at", typeof(long)), new("last_published_at", typeof(long)),
    ];

    /// <summary>
    /// Links of these (story, outlet) pairs were added or removed, or moved in time: their <c>story_outlets</c> rows are
    /// recounted from the links, then their stories' summaries from those rows.
    /// </summary>
    public async Task LinksChangedAsync(StorageWrite write, IReadOnlyCollection<(long Story, long Outlet)> pairs, long now, CancellationToken ct)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        var stories = pairs.Select(p => p.Story).Distinct().Order().ToList();
        var recounts = pairs.Distinct().Select(p => new object?[] { p.Story, p.Outlet }).Chunk(RowsPerSet).Select(slice =>
        {
            var set = write.Dialect.Rows("pairs", PairColumns, slice);
            return new Statements($"""
                DELETE FROM story_outlets WHERE (story_id, outlet_id) IN (SELECT pairs.story_id, pairs.outlet_id FROM {set.Table});
                INSERT INTO story_outlets (story_id, outlet_id, articles, first_published_at, last_published_at, lean)
                SELECT sa.story_id, sa.outlet_id, COUNT(*), MIN(sa.published_at), MAX(sa.published_at), o.lean
                FROM {set.Table}
                JOIN story_articles sa ON sa.story_id = pairs.story_id AND sa.outlet_id = pairs.outlet_id
                JOIN outlets o ON o.id = sa.outlet_id
                GROUP BY sa.story_id, sa.outlet_id, o.lean;
                """, set.Parameters, 0);
        }).ToList();
        await RecountStoriesAsync(write, stories, now, await AheadAsync(write, Lock(write, stories), recounts, ct), ct);
    }

    /// <summary>
    /// These outlets were re-rated or renamed: their lean is copied into every story they cover, and those stories'
    /// coverage (which shows each outlet's ratings, name and domain) reads differently.
    /// </summary>
    public async Task OutletsChangedAsync(StorageWrite write, IReadOnlyCollection<long> outletIds, long now, CancellationToken ct)
    {
        if (outletIds.Count == 0)
        {
            return;
        }

        var ids = write.Dialect.Ids("outlets", outletIds);
        var stories = (await write.Connection.QueryAsync<long>(write.Command(
            $"SELECT DISTINCT so.story_id FROM {ids.Table} JOIN story_outlets so ON so.outlet_id = outlets.id ORDER BY so.story_id", ids.Parameters, ct))).AsList();
        await RunAsync(write, Lock(write, stories), ct);
        await write.Connection.ExecuteAsync(write.Command(
            $"UPDATE story_outlets SET lean = (SELECT o.lean FROM outlets o WHERE o.id = story_outlets.outlet_id) WHERE outlet_id IN (SELECT outlets.id FROM {ids.Table})",
            ids.Parameters, ct));
        await RecountStoriesAsync(write, stories, now, Statements.None, ct);
    }

    /// <summary>The blindspot thresholds changed: every story's flag is worked out again, and every coverage reads differently.</summary>
    public async Task ThresholdsChangedAsync(StorageWrite write, long now, CancellationToken ct)
    {
        var stories = (await write.Connection.QueryAsync<long>(write.Command("SELECT story_id FROM story_summaries ORDER BY story_id", null, ct))).AsList();
        await RecountStoriesAsync(write, stories, now, Statements.None, ct);
        write.ChangedAllStories = true;
    }

    /// <summary>
    /// Statements sent ahead of a query in its round trip, with their parameters and the number of result sets they
    /// answer (read and skipped). On PostgreSQL every round trip of a small write cost the service and the server
    /// processor time; this took a single-article import's write from 10 round trips to 8 (docs/benchmarks.md).
    /// </summary>
    private sealed record Statements(string Sql, DynamicParameters Parameters, int ResultSets)
    {
        public static Statements None { get; } = new("", new DynamicParameters(), 0);

        public Statements Then(Statements next)
        {
            var parameters = new DynamicParameters();
            parameters.AddDynamicParams(Parameters);
            parameters.AddDynamicParams(next.Parameters);
            return new Statements(Sql + next.Sql, parameters, ResultSets + next.ResultSets);
        }
    }

    /// <summary>Holds the stories' summary rows until the write ends, so concurrent writers recount one story one after the other.</summary>
    private static Statements Lock(StorageWrite write, IReadOnlyList<long> sortedStories)
    {
        if (write.Dialect.ForUpdate.Length == 0 || sortedStories.Count == 0)
        {
            return Statements.None;
        }

        var ids = write.Dialect.Ids("locked", sortedStories);
        return new Statements(
            $"SELECT s.story_id FROM story_summaries s WHERE s.story_id IN (SELECT locked.id FROM {ids.Table}) ORDER BY s.story_id {write.Dialect.ForUpdate};\n",
            ids.Parameters, 1);
    }

    /// <summary>
    /// The statements to send ahead of the recount's first query: all of them when <paramref name="then"/> is one
    /// statement set (a small write), else <paramref name="first"/> and each of <paramref name="then"/> are run now,
    /// one by one, and nothing is left ahead (a bulk write's row sets each have the same parameter names).
    /// </summary>
    private static async Task<Statements> AheadAsync(StorageWrite write, Statements first, IReadOnlyList<Statements> then, CancellationToken ct)
    {
        if (then.Count == 1)
        {
            return first.Then(then[0]);
        }

        await RunAsync(write, first, ct);
        foreach (var statements in then)
        {
            await RunAsync(write, statements, ct);
        }

        return Statements.None;
    }

    private static async Task RunAsync(StorageWrite write, Statements statements, CancellationToken ct)
    {
        if (statements.Sql.Length > 0)
        {
            await write.Connection.ExecuteAsync(write.Command(statements.Sql, statements.Parameters, ct));
        }
    }

    /// <summary>
    /// Recounts the stories' summaries from their <c>story_outlets</c> rows and moves their coverage versions;
    /// <paramref name="ahead"/> goes in the round trip of the first query.
    /// </summary>
    private async Task RecountStoriesAsync(StorageWrite write, IReadOnlyList<long> stories, long now, Statements ahead, CancellationToken ct)
    {
        var thresholds = options.Value.Blindspot;
        foreach (var chunk in stories.Chunk(StoriesPerRecount))
        {
            var ids = write.Dialect.Ids("stories", chunk);
            var query = ahead.Then(new Statements($"""
                SELECT so.story_id, so.lean, COUNT(*), SUM(so.articles), MIN(so.first_published_at), MAX(so.last_published_at)
                FROM {ids.Table}
                JOIN story_outlets so ON so.story_id = stories.id
                GROUP BY so.story_id, so.lean
                """, ids.Parameters, 1));
            ahead = Statements.None;
            IEnumerable<(long StoryId, string? Lean, long Sources, long Articles, long First, long Last)> groups;
            await using (var results = await write.Connection.QueryMultipleAsync(write.Command(query.Sql, query.Parameters, ct)))
            {
                for (var skipped = 1; skipped < query.ResultSets; skipped++)
                {
                    await results.ReadAsync();
                }

                groups = await results.ReadAsync<(long StoryId, string? Lean, long Sources, long Articles, long First, long Last)>();
            }

            var summaries = chunk.ToDictionary(id => id, _ => new Summary());
            foreach (var group in groups)
            {
                summaries[group.StoryId].Add(EnumText<Lean>.ParseStored(group.Lean), group.Sources, group.Articles, group.First, group.Last);
            }

            var rows = summaries.Select(s => s.Value.Row(s.Key, thresholds)).ToList();
            var set = write.Dialect.Rows("s", SummaryColumns, rows);
            set.Parameters.Add("now", now);
            await write.Connection.ExecuteAsync(write.Command($"""
                UPDATE story_summaries SET
                    sources_left = s.sources_left, sources_center = s.sources_center, sources_right = s.sources_right, sources_unrated = s.sources_unrated,
                    articles_left = s.articles_left, articles_center = s.articles_center, articles_right = s.articles_right, articles_unrated = s.articles_unrated,
                    first_published_at = s.first_published_at, last_published_at = s.last_published_at,
                    majority = s.majority, blindspot = s.blindspot,
                    coverage_version = coverage_version + 1, changed_at = @now
                FROM {set.Table}
                WHERE story_summaries.story_id = s.story_id
                """, set.Parameters, ct));
            write.ChangedStories.UnionWith(chunk);
        }
    }

    /// <summary>One story's summary, added up from its outlets' rows.</summary>
    private sealed class Summary
    {
        private readonly long[] sources = new long[4];
        private readonly long[] articles = new long[4];
        private long? first;
        private long? last;

        public void Add(Lean? lean, long sourceCount, long articleCount, long firstPublished, long lastPublished)
        {
            var index = lean is { } rated ? (int)rated : 3;
            sources[index] += sourceCount;
            articles[index] += articleCount;
            first = first is { } f ? Math.Min(f, firstPublished) : firstPublished;
            last = last is { } l ? Math.Max(l, lastPublished) : lastPublished;
        }

        public object?[] Row(long storyId, BlindspotOptions thresholds)
        {
            var counts = new LeanCounts((int)sources[0], (int)sources[1], (int)sources[2]);
            return
            [
                storyId, sources[0], sources[1], sources[2], sources[3], articles[0], articles[1], articles[2], articles[3], first, last,
                EnumText<Lean>.Name(BiasDistributionRule.Majority(counts)) ?? "none",
                EnumText<BlindspotSide>.Name(BiasDistributionRule.Blindspot(counts, thresholds)),
            ];
        }
    }
}
