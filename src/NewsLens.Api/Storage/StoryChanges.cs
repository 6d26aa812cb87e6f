namespace NewsLens.Api.Storage;

/// <summary>
/// Which stories' coverage changed, for caches: a generation per story, which a write moves after it commits for
/// each story it touched (<see cref="StorageWrite.ChangedStories"/>). A cache entry read at generation g is current
/// while the story's generation is still g, without asking the database; any other story's writes leave it alone.
/// Generations live in 65,536 slots by story id, so memory stays fixed: two stories sharing a slot only cost each
/// other an extra read. Other processes' writes arrive through a change feed (PostgreSQL: <see cref="PostgreSqlChangeFeed"/>);
/// while it is not connected the changes are <see cref="Suspend">suspended</see>, and every read asks the database.
/// </summary>
public sealed class StoryChanges
{
    private const int Slots = 1 << 16;
    private readonly long[] slots = new long[Slots];
    private long everything;

    private volatile bool suspended;

    // A Stopwatch timestamp before which every write committed elsewhere has been applied here (0: not known).
    private long feedComplete;

    /// <summary>
    /// The story's generation; read it before reading the story from the database. While suspended, a new one on every
    /// call, so no cache entry is ever current.
    /// </summary>
    public long Generation(long storyId) => suspended
        ? Interlocked.Increment(ref everything)
        : Volatile.Read(ref slots[(int)((ulong)storyId % Slots)]) + Volatile.Read(ref everything);

    /// <summary>Changes made elsewhere may be missed (the change feed is not connected): trust no cache entry.</summary>
    public void Suspend()
    {
        suspended = true;
        Volatile.Write(ref feedComplete, 0);
    }

    /// <summary>
    /// The change feed has applied every write committed elsewhere before <paramref name="timestamp"/> (a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp): a heartbeat sent then came back behind them.
    /// </summary>
    public void FeedCompleteAt(long timestamp)
    {
        for (var seen = Volatile.Read(ref feedComplete); timestamp > seen;)
        {
            var found = Interlocked.CompareExchange(ref feedComplete, timestamp, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    /// <summary>
    /// How long ago the change feed was last known complete: a write made elsewhere can be unknown here only if it
    /// committed since. <see cref="TimeSpan.MaxValue"/> while suspended and before the first heartbeat.
    /// </summary>
    public TimeSpan SinceFeedComplete => Volatile.Read(ref feedComplete) is var at and > 0
        ? System.Diagnostics.Stopwatch.GetElapsedTime(at)
        : TimeSpan.MaxValue;

    /// <summary>The change feed is connected again: entries confirmed while it was not are dropped once, then trusted.</summary>
    public void Resume()
    {
        suspended = false;
        ChangedAll();
    }

    /// <summary>After a commit: these stories may read differently now.</summary>
    public void Changed(IEnumerable<long> storyIds)
    {
        var count = 0;
        foreach (var id in storyIds)
        {
            Interlocked.Increment(ref slots[(int)((ulong)id % Slots)]);
            count++;
        }

        NewsLensMetrics.StoriesChanged(count);
    }

    /// <summary>After a commit that touched every story (new blindspot thresholds).</summary>
    public void ChangedAll()
    {
        Interlocked.Increment(ref everything);
        NewsLensMetrics.AllStoriesChanged();
    }
}
