namespace NewsLens.Api.Storage;

/// <summary>
/// What the service knows about its storage beyond "it answers": whether it had to start read-only, and whether
/// the database's pages have been found damaged (by the integrity check or by a request). /health/ready reports it.
/// </summary>
public sealed class StorageHealth
{
    private volatile string? readOnlyReason;
    private volatile string? damage;

    /// <summary>Why the service runs read-only, or null when it can write.</summary>
    public string? ReadOnlyReason => readOnlyReason;

    /// <summary>The last integrity problem found, or null when none is known.</summary>
    public string? Damage => damage;

    /// <summary>When the last integrity check finished, and how long it took.</summary>
    public (DateTimeOffset At, TimeSpan Took)? LastCheck { get; private set; }

    public void StartedReadOnly(string reason) => readOnlyReason = reason;

    public void CorruptionSeen(string where) => damage ??= where;

    public void Checked(string? problem, DateTimeOffset at, TimeSpan took)
    {
        damage = problem;
        LastCheck = (at, took);
    }
}
