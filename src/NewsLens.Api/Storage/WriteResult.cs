namespace NewsLens.Api.Storage;

public enum WriteOutcome
{
    Done,
    NotFound,
    Conflict,

    /// <summary>An If-Match condition failed: the row changed since the client read it.</summary>
    PreconditionFailed,
}

/// <summary>What a store's write did; on a conflict, <see cref="ConflictingId"/> names the row in the way.</summary>
public readonly record struct WriteResult<T>(WriteOutcome Outcome, T? Value = default, long? ConflictingId = null)
{
    public static WriteResult<T> Done(T value) => new(WriteOutcome.Done, value);
    public static WriteResult<T> NotFound() => new(WriteOutcome.NotFound);
    public static WriteResult<T> Conflict(long? conflictingId = null) => new(WriteOutcome.Conflict, ConflictingId: conflictingId);
    public static WriteResult<T> Refused(WriteOutcome outcome) => new(outcome);
}

public static class RowVersions
{
    /// <summary>
    /// The If-Match rule on a row's current version (null when the row is gone): NotFound, PreconditionFailed
    /// when If-Match names another version, or null to go ahead.
    /// </summary>
    public static WriteOutcome? Refusal(long? version, Func<long, bool>? versionMatches) =>
        version is not { } current ? WriteOutcome.NotFound
        : versionMatches?.Invoke(current) == false ? WriteOutcome.PreconditionFailed
        : null;
}
