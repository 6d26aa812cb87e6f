using System.Diagnostics.Metrics;

namespace NewsLens.Api.Telemetry;

/// <summary>
/// The service's own instruments (meter <c>NewsLens</c>), beside ASP.NET Core's request metrics; Prometheus reads
/// them at <c>/metrics</c> as <c>newslens_…</c>. One meter for the process: several hosts in one process (the tests)
/// add up.
/// </summary>
public static class NewsLensMetrics
{
    public const string MeterName = "NewsLens";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("newslens.coverage.cache.hits", "{story}",
        "Stories whose coverage was served from this process's cache.");

    private static readonly Counter<long> CacheMisses = Meter.CreateCounter<long>("newslens.coverage.cache.misses", "{story}",
        "Stories whose coverage was read from the database.");

    private static readonly Counter<long> CacheInvalidations = Meter.CreateCounter<long>("newslens.coverage.cache.invalidations", "{story}",
        "Stories whose cached coverage a write made stale (scope: story, or all for a write that changed every story).");

    private static readonly Histogram<double> WriteWait = Meter.CreateHistogram<double>("newslens.write.wait", "s",
        "Time a write waited for its turn and connection before it began.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Histogram<double> FeedHeartbeat = Meter.CreateHistogram<double>("newslens.change_feed.heartbeat", "s",
        "PostgreSQL: time from sending the change feed's heartbeat until it came back, that is, how far behind the feed runs.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    private static readonly Counter<long> ImportRows = Meter.CreateCounter<long>("newslens.import.rows", "{row}",
        "Rows of article, outlet and rating imports (kind), by what became of them (outcome: written, dry_run, refused).");

    public static void CoverageServed(int fromCache, int fromDatabase)
    {
        if (fromCache > 0)
        {
            CacheHits.Add(fromCache);
        }

        if (fromDatabase > 0)
        {
            CacheMisses.Add(fromDatabase);
        }
    }

    public static void StoriesChanged(int stories) => CacheInvalidations.Add(stories, new KeyValuePair<string, object?>("scope", "story"));

    public static void AllStoriesChanged() => CacheInvalidations.Add(1, new KeyValuePair<string, object?>("scope", "all"));

    public static void WriteWaited(TimeSpan waited) => WriteWait.Record(waited.TotalSeconds);

    public static void HeartbeatCameBack(TimeSpan roundTrip) => FeedHeartbeat.Record(roundTrip.TotalSeconds);

    public static void Imported(string kind, string outcome, long rows) =>
        ImportRows.Add(rows, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
}
