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

    /// <summary>
    /// The story's generation; read it before reading the story from the database. While suspended, a new one on every
    /// call, so no cache entry is ever current.
    /// </summary>
    public long Generation(long storyId) => suspended
        ? Interlocked.Increment(ref everything)
        : Volatile.Read(ref slots[(int)((ulong)storyId % Slots)]) + Volatile.Read(ref everything);

    /// <summary>Changes made elsewhere may be missed (the change feed is not connected): trust no cache entry.</summary>
    public void Suspend() => suspended = true;

    /// <summary>The change feed is connected again: entries confirmed while it was not are dropped once, then trusted.</summary>
    public void Resume()
    {
        suspended = false;
        ChangedAll();
    }

    /// <summary>After a commit: these stories may read differently now.</summary>
    public void Changed(IEnumerable<long> storyIds)
    {
        foreach (var id in storyIds)
        {
            Interlocked.Increment(ref slots[(int)((ulong)id % Slots)]);
        }
    }

    /// <summary>After a commit that touched every story (new blindspot thresholds).</summary>
    public void ChangedAll() => Interlocked.Increment(ref everything);
}
