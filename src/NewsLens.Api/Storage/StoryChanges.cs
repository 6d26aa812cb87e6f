namespace NewsLens.Api.Storage;

/// <summary>
/// Which stories' coverage changed, for caches: a generation per story, which a write moves after it commits for
/// each story it touched (<see cref="StorageWrite.ChangedStories"/>). A cache entry read at generation g is current
/// while the story's generation is still g, without asking the database; any other story's writes leave it alone.
/// Generations live in 65,536 slots by story id, so memory stays fixed: two stories sharing a slot only cost each
/// other an extra read.
/// </summary>
public sealed class StoryChanges
{
    private const int Slots = 1 << 16;
    private readonly long[] slots = new long[Slots];
    private long everything;

    /// <summary>The story's generation; read it before reading the story from the database.</summary>
    public long Generation(long storyId) => Volatile.Read(ref slots[(int)((ulong)storyId % Slots)]) + Volatile.Read(ref everything);

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
