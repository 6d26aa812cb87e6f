using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>Which version of a story's coverage is current, and when the story last changed.</summary>
public readonly record struct CoverageStamp(long Version, DateTime ChangedAt);

/// <summary>
/// One story's coverage groups at one coverage version, and the coverage built from them, once per basis: a
/// cached story is answered without aggregating or folding its groups again, whatever its size.
/// </summary>
public sealed class CoverageMemo(long storyId, IReadOnlyList<CoverageGroup> groups)
{
    private readonly StoryCoverage?[] built = new StoryCoverage?[Enum.GetValues<CoverageBasis>().Length];

    public IReadOnlyList<CoverageGroup> Groups => groups;

    /// <summary>Built on first use; two threads may both build it, and either (equal) result is kept.</summary>
    public StoryCoverage Coverage(CoverageBasis basis, BlindspotOptions blindspot, CoverageRatings ratings) =>
        built[(int)basis] ??= CoverageReport.Build(storyId, basis, groups, blindspot, ratings);
}

/// <summary>
/// The coverage and stamps of the stories that exist among those asked for, each consistent with its own stamp,
/// counted by <see cref="Ratings"/>; <see cref="RatingsMark"/> names the state of every rating when they are not the
/// default ones (they are then read on request, and a rating recorded since changes the answer).
/// </summary>
public sealed record CoverageRead(IReadOnlyDictionary<long, CoverageMemo> Memos, IReadOnlyDictionary<long, CoverageStamp> Stamps, CoverageRatings Ratings,
    RatingsMark? RatingsMark = null)
{
    public bool Exists(long storyId) => Memos.ContainsKey(storyId);

    public StoryCoverage Coverage(long storyId, CoverageBasis basis, BlindspotOptions blindspot) => Memos[storyId].Coverage(basis, blindspot, Ratings);
}

/// <summary>The last rating recorded (its id and when): what answers counted by chosen ratings depend on beyond their stories.</summary>
public sealed record RatingsMark(long LastId, DateTime? LastRecordedAt);

/// <summary>Whose ratings coverage counts by: the combined ones (<see cref="Rater"/> null) or one rater's, now or as of an instant.</summary>
public sealed record RatingsChoice(string? Rater, DateTimeOffset? AsOf)
{
    public static readonly RatingsChoice Default = new(null, null);

    public bool IsDefault => Rater is null && AsOf is null;
}

/// <summary>
/// Coverage of recently read stories, each valid for exactly the coverage version it was read at. Every write
/// that can change a story's coverage moves its version in the same transaction (<see cref="CoverageSummaries"/>),
/// so a hit is always current and nothing ever needs to be evicted by hand. Each entry also remembers the story's
/// generation (<see cref="StoryChanges"/>) at which its version was last confirmed: while no write has touched
/// that story since, the entry is current without asking the database at all, however many other stories change.
/// Bounded by the number of groups held (<c>Coverage:CacheGroups</c>); 0 turns it off.
/// </summary>
public sealed class CoverageCache : IDisposable
{
    private sealed class Entry(CoverageStamp stamp, CoverageMemo memo, long confirmedAt)
    {
        public CoverageStamp Stamp { get; } = stamp;
        public CoverageMemo Memo { get; } = memo;
        private long confirmedAt = confirmedAt;
        private long confirmedTimestamp = Stopwatch.GetTimestamp();
        public long ConfirmedAt => Volatile.Read(ref confirmedAt);
        public long ConfirmedTimestamp => Volatile.Read(ref confirmedTimestamp);

        public void Confirm(long generation)
        {
            Volatile.Write(ref confirmedAt, generation);
            Volatile.Write(ref confirmedTimestamp, Stopwatch.GetTimestamp());
        }
    }

    private readonly MemoryCache? cache;
    private readonly TimeSpan? trust;
    private readonly StoryChanges? feed;

    /// <param name="trust">
    /// Null: an entry is served on the generation's word alone for as long as no write touches the story, which fits
    /// one process per database, whose own writes move the generations before they answer. Otherwise other processes'
    /// writes arrive by <paramref name="feed"/>, a little later, and later still on a machine out of CPU; an entry is
    /// then served without the database only while there is proof from less than this long ago that no write it
    /// missed had committed: the database confirmed the entry's version, or the feed was known complete (a heartbeat
    /// came back through it). So a late notification can make a read stale by at most this long.
    /// </param>
    public CoverageCache(int maxGroups, TimeSpan? trust = null, StoryChanges? feed = null)
    {
        if (trust is not null && feed is null)
        {
            throw new ArgumentException("A trust bound needs the change feed whose word it bounds.", nameof(feed));
        }

        cache = maxGroups > 0 ? new MemoryCache(new MemoryCacheOptions { SizeLimit = maxGroups, CompactionPercentage = 0.25 }) : null;
        (this.trust, this.feed) = (trust, feed);
    }

    /// <summary>The entry for this story at this version; marks it confirmed as of the story's <paramref name="generation"/>.</summary>
    public bool TryGet(long storyId, CoverageStamp stamp, long generation, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CoverageMemo? memo)
    {
        if (cache is not null && cache.TryGetValue(storyId, out Entry? entry) && entry!.Stamp == stamp)
        {
            entry.Confirm(generation);
            memo = entry.Memo;
            return true;
        }

        memo = null;
        return false;
    }

    /// <summary>
    /// The entry for this story if it was confirmed at the story's current <paramref name="generation"/>, that is, no
    /// write has touched the story since it was last read from the database (with a trust bound: none this process
    /// knows of, and the database or the change feed proved that less than the bound ago).
    /// </summary>
    public bool TryGetUnchanged(long storyId, long generation, out CoverageStamp stamp, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CoverageMemo? memo)
    {
        if (cache is not null && cache.TryGetValue(storyId, out Entry? entry) && entry!.ConfirmedAt == generation &&
            (trust is not { } limit || feed!.SinceFeedComplete < limit || Stopwatch.GetElapsedTime(entry.ConfirmedTimestamp) < limit))
        {
            (stamp, memo) = (entry.Stamp, entry.Memo);
            return true;
        }

        (stamp, memo) = (default, null);
        return false;
    }

    public void Set(long storyId, CoverageStamp stamp, CoverageMemo memo, long generation) =>
        cache?.Set(storyId, new Entry(stamp, memo, generation), new MemoryCacheEntryOptions { Size = memo.Groups.Count + 1 });

    public void Dispose() => cache?.Dispose();
}

public sealed class CoverageStore(Database database, CoverageCache cache, CoverageSummaries summaries, RatingStore ratings, TimeProvider clock)
{
    /// <summary>What the default answers count by: the combined ratings in force now.</summary>
    public CoverageRatings DefaultRatings { get; } = new(CoverageRatings.Combined, ratings.Combine.Method, null);

    private sealed class GroupRow
    {
        public long StoryId { get; init; }
        public long CoverageVersion { get; init; }
        public long ChangedAt { get; init; }
        public string? Bias { get; init; }
        public string? Factuality { get; init; }
        public string? Ownership { get; init; }
        public int Sources { get; init; }
        public int Articles { get; init; }
        public long? FirstPublishedAt { get; init; }
        public long? LastPublishedAt { get; init; }
        public long? MultiRated { get; init; }
        public long? Contested { get; init; }
    }

    /// <summary>The coverage of the stories that exist, by the default ratings (cached) or by the chosen ones (on request).</summary>
    public Task<CoverageRead> ReadAsync(IReadOnlyCollection<long> storyIds, RatingsChoice choice, CancellationToken ct) =>
        choice.IsDefault ? ReadAsync(storyIds, ct) : ReadWithRatingsAsync(storyIds, choice, ct);

    /// <summary>
    /// The stamps and coverage of the stories that exist. No query when every story is cached and no write has
    /// touched it since; else one query for the stamps (story_summaries), with each story's coverage from
    /// <see cref="CoverageCache"/> when it holds the current version, and for the others one statement that reads their
    /// stamps again with an aggregate over their outlets (story_outlets, kept by <see cref="CoverageSummaries"/>: one row per outlet
    /// with its article count), grouped by story and the outlets' current ratings. So at most two queries whatever the
    /// number of stories; the aggregate's cost follows the number of outlets, never the number of articles.
    /// </summary>
    public async Task<CoverageRead> ReadAsync(IReadOnlyCollection<long> storyIds, CancellationToken ct)
    {
        // Read before any database read: an entry confirmed at a story's generation was read from a snapshot at least
        // as new as every write that touched the story before it. Writes move generations after they commit.
        var generations = storyIds.Distinct().ToDictionary(id => id, database.Changes.Generation);
        if (TryReadUnchanged(generations) is { } unchanged)
        {
            NewsLensMetrics.CoverageServed(unchanged.Memos.Count, 0);
            return unchanged;
        }

        await using var connection = await database.OpenAsync(ct);
        var stamps = await ReadStampsAsync(connection, null, storyIds, ct);
        var memos = new Dictionary<long, CoverageMemo>(stamps.Count);
        List<long>? misses = null;
        foreach (var (id, stamp) in stamps)
        {
            if (cache.TryGet(id, stamp, generations[id], out var cached))
            {
                memos[id] = cached;
            }
            else
            {
                (misses ??= []).Add(id);
            }
        }

        NewsLensMetrics.CoverageServed(memos.Count, misses?.Count ?? 0);
        if (misses is null)
        {
            return new CoverageRead(memos, stamps, DefaultRatings);
        }

        // The stamps and groups of the misses come from one statement, so each cached entry is exactly its version's.
        var merged = new Dictionary<long, CoverageStamp>(stamps);
        var read = await ReadMissesAsync(connection, misses, ct);
        foreach (var id in misses)
        {
            if (read.TryGetValue(id, out var current))
            {
                var memo = new CoverageMemo(id, current.Groups);
                cache.Set(id, current.Stamp, memo, generations[id]);
                memos[id] = memo;
                merged[id] = current.Stamp;
            }
            else
            {
                merged.Remove(id); // deleted since the first read
            }
        }

        return new CoverageRead(memos, merged, DefaultRatings);
    }

    /// <summary>Every story asked for, from the cache, when no write has been committed since each was confirmed; else null.</summary>
    private CoverageRead? TryReadUnchanged(IReadOnlyDictionary<long, long> generations)
    {
        var memos = new Dictionary<long, CoverageMemo>(generations.Count);
        var stamps = new Dictionary<long, CoverageStamp>(generations.Count);
        foreach (var (id, generation) in generations)
        {
            if (!cache.TryGetUnchanged(id, generation, out var stamp, out var memo))
            {
                return null;
            }

            memos[id] = memo;
            stamps[id] = stamp;
        }

        return new CoverageRead(memos, stamps, DefaultRatings);
    }

    /// <summary>
    /// The stamps and groups of these stories, in one statement (so from one snapshot, on either engine): grouped by
    /// story and the outlets' current ratings; a story no outlet covers has one row with no outlet (0 sources). A
    /// snapshot transaction around two queries cost PostgreSQL four round trips for every story a write had touched.
    /// </summary>
    private async Task<Dictionary<long, (CoverageStamp Stamp, List<CoverageGroup> Groups)>> ReadMissesAsync(
        System.Data.Common.DbConnection connection, IReadOnlyCollection<long> storyIds, CancellationToken ct)
    {
        var ids = database.Dialect.Ids("ids", storyIds);
        var sql = $"""
            SELECT s.story_id, s.coverage_version, s.changed_at,
                   o.bias, o.factuality, o.ownership, o.multi_rated, o.contested,
                   COUNT(so.outlet_id) AS sources,
                   SUM(so.articles) AS articles,
                   MIN(so.first_published_at) AS first_published_at,
                   MAX(so.last_published_at) AS last_published_at
            FROM {ids.Table}
            JOIN story_summaries s ON s.story_id = ids.id
            LEFT JOIN story_outlets so ON so.story_id = s.story_id
            LEFT JOIN outlets o ON o.id = so.outlet_id
            GROUP BY s.story_id, s.coverage_version, s.changed_at, o.bias, o.factuality, o.ownership, o.multi_rated, o.contested
            """;
        var read = new Dictionary<long, (CoverageStamp Stamp, List<CoverageGroup> Groups)>();
        foreach (var r in await connection.QueryAsync<GroupRow>(new CommandDefinition(sql, ids.Parameters, cancellationToken: ct)))
        {
            if (!read.TryGetValue(r.StoryId, out var story))
            {
                read[r.StoryId] = story = (new CoverageStamp(r.CoverageVersion, UnixTime.FromMs(r.ChangedAt)), []);
            }

            if (r.Sources > 0)
            {
                story.Groups.Add(new CoverageGroup(
                    EnumText<Bias>.ParseStored(r.Bias),
                    EnumText<Factuality>.ParseStored(r.Factuality),
                    EnumText<Ownership>.ParseStored(r.Ownership),
                    r.Sources,
                    r.Articles,
                    UnixTime.FromMs(r.FirstPublishedAt),
                    UnixTime.FromMs(r.LastPublishedAt),
                    r.MultiRated != 0,
                    r.Contested != 0));
            }
        }

        return read;
    }

    private sealed class OutletRow
    {
        public long StoryId { get; init; }
        public long OutletId { get; init; }
        public string? Ownership { get; init; }
        public int Articles { get; init; }
        public long FirstPublishedAt { get; init; }
        public long LastPublishedAt { get; init; }
    }

    /// <summary>
    /// Coverage counted by chosen ratings (<paramref name="choice"/>: one rater's, or the combination as of an instant),
    /// worked out on request from each story's outlets (<c>story_outlets</c>) and the ratings in force, in one snapshot;
    /// never cached. Its cost follows the number of outlets of the stories, never their articles.
    /// </summary>
    public async Task<CoverageRead> ReadWithRatingsAsync(IReadOnlyCollection<long> storyIds, RatingsChoice choice, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await database.BeginSnapshotAsync(connection, ct);
        var stamps = await ReadStampsAsync(connection, transaction, storyIds, ct);
        var mark = await RatingsMarkAsync(connection, transaction, ct);
        var ids = database.Dialect.Ids("ids", stamps.Keys);
        var outlets = (await connection.QueryAsync<OutletRow>(new CommandDefinition($"""
            SELECT so.story_id, so.outlet_id, o.ownership, so.articles, so.first_published_at, so.last_published_at
            FROM {ids.Table}
            JOIN story_outlets so ON so.story_id = ids.id
            JOIN outlets o ON o.id = so.outlet_id
            """, ids.Parameters, transaction, cancellationToken: ct))).AsList();

        var combinations = await ChosenRatingsAsync(connection, transaction, [.. outlets.Select(o => o.OutletId).Distinct()], choice, ct);
        var groups = outlets
            .GroupBy(o => (o.StoryId, Combination: combinations[o.OutletId], o.Ownership))
            .ToLookup(g => g.Key.StoryId, g => new CoverageGroup(
                g.Key.Combination.Bias,
                g.Key.Combination.Factuality,
                EnumText<Ownership>.ParseStored(g.Key.Ownership),
                g.Count(),
                g.Sum(o => o.Articles),
                UnixTime.FromMs(g.Min(o => o.FirstPublishedAt)),
                UnixTime.FromMs(g.Max(o => o.LastPublishedAt)),
                g.Key.Combination.MultiRated,
                g.Key.Combination.Contested));
        return new CoverageRead(
            stamps.Keys.ToDictionary(id => id, id => new CoverageMemo(id, [.. groups[id]])),
            stamps,
            Echo(choice),
            mark);
    }

    /// <summary>What an answer counted by <paramref name="choice"/> echoes in <c>ratings</c>.</summary>
    public CoverageRatings Echo(RatingsChoice choice) => choice.IsDefault ? DefaultRatings :
        new(choice.Rater ?? CoverageRatings.Combined, choice.Rater is null ? ratings.Combine.Method : null, choice.AsOf?.UtcDateTime);

    /// <summary>The last rating recorded, read in the answer's snapshot: what answers counted by chosen ratings also depend on.</summary>
    public static async Task<RatingsMark> RatingsMarkAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        CancellationToken ct)
    {
        var mark = await connection.QuerySingleAsync<(long LastId, long? LastRecordedAt)>(new CommandDefinition(
            "SELECT COALESCE(MAX(id), 0), MAX(recorded_at) FROM outlet_ratings", transaction: transaction, cancellationToken: ct));
        return new RatingsMark(mark.LastId, UnixTime.FromMs(mark.LastRecordedAt));
    }

    /// <summary>Each outlet's rating by <paramref name="choice"/>: one rater's in force, or the combination of those in force, now or at <c>asOf</c>.</summary>
    public async Task<IReadOnlyDictionary<long, Combination>> ChosenRatingsAsync(System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction, IReadOnlyList<long> outletIds, RatingsChoice choice, CancellationToken ct)
    {
        var asOf = choice.AsOf?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        var inForce = (await RatingStore.CurrentAsync(connection, transaction, database.Dialect, outletIds, asOf, ct)).ToLookup(r => r.OutletId);
        var order = await ratings.RaterOrderAsync(connection, transaction, ct);
        return outletIds.Distinct().ToDictionary(id => id, id => choice.Rater is { } rater
            ? Combination.Single(inForce[id].FirstOrDefault(r => r.RaterId == rater)?.ForCombining)
            : ratings.CombineInForce(order, inForce[id]));
    }

    private async Task<IReadOnlyDictionary<long, CoverageStamp>> ReadStampsAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, IReadOnlyCollection<long> storyIds, CancellationToken ct)
    {
        // One story (the story page, the hot path) by primary key: a row set costs twice the lookup itself.
        const string one = "SELECT story_id, coverage_version, changed_at FROM story_summaries WHERE story_id = @id";
        var ids = storyIds.Count == 1 ? null : database.Dialect.Ids("ids", storyIds);
        var command = ids is null
            ? new CommandDefinition(one, new { id = storyIds.First() }, transaction, cancellationToken: ct)
            : new CommandDefinition($"SELECT s.story_id, s.coverage_version, s.changed_at FROM {ids.Table} JOIN story_summaries s ON s.story_id = ids.id",
                ids.Parameters, transaction, cancellationToken: ct);
        var rows = await connection.QueryAsync<(long StoryId, long Version, long ChangedAt)>(command);
        return rows.ToDictionary(r => r.StoryId, r => new CoverageStamp(r.Version, UnixTime.FromMs(r.ChangedAt)));
    }

    /// <summary>
    /// Records the configured blindspot thresholds in the database, where the stored blindspot flags
    /// (the list filter) are computed from them; a change recomputes every flag. Returns whether they changed.
    /// </summary>
    public async Task<bool> ApplyBlindspotThresholdsAsync(BlindspotOptions options, CancellationToken ct = default)
    {
        const string sql = """
            UPDATE coverage_settings
            SET min_rated = @MinRated, max_neglecting_percent = @MaxNeglectingPercent, min_dominant_percent = @MinDominantPercent
            WHERE id = 1 AND NOT (min_rated = @MinRated AND max_neglecting_percent = @MaxNeglectingPercent AND min_dominant_percent = @MinDominantPercent)
            """;
        return await database.WriteAsync(async write =>
        {
            if (await write.Connection.ExecuteAsync(write.Command(sql, options, ct)) == 0)
            {
                return false;
            }

            await summaries.ThresholdsChangedAsync(write, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            return true;
        }, ct);
    }
}
