using System.Data.Common;

namespace NewsLens.Api.Storage;

/// <summary>The engines NewsLens stores its data in (<c>Storage:Engine</c>).</summary>
public enum StorageEngine
{
    /// <summary>One file beside the service; one service process per file. The default: <c>dotnet run</c> needs nothing else.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server, shared by any number of service processes.</summary>
    PostgreSql,
}

/// <summary>
/// The database, whichever engine holds it: connections for reads, the one way to write
/// (<see cref="WriteAsync{T}"/>), the dialect its SQL needs, and the feed of which stories changed.
/// </summary>
public abstract class Database
{
    public abstract StorageEngine Engine { get; }

    public abstract string ConnectionString { get; }

    /// <summary>Where the data lives, for logs: the file, or the server and database (never a password).</summary>
    public abstract string DataSource { get; }

    /// <summary>What SQL says differently on this engine.</summary>
    public abstract SqlDialect Dialect { get; }

    /// <summary>Which stories changed, for caches; moved by every write after it commits.</summary>
    public StoryChanges Changes { get; } = new();

    /// <summary>True when the service runs read-only (its database could not be written at start).</summary>
    public virtual bool ReadOnly => false;

    /// <summary>An open connection for reads.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken ct = default);

    /// <summary>A transaction in which several reads see one snapshot of the database.</summary>
    public abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct);

    /// <summary>
    /// The one way to write: takes whatever turn the engine needs, opens a connection and a transaction, runs
    /// <paramref name="body"/>, commits it (or rolls it back when the body cancelled it, or on any fault), and then
    /// tells caches which stories changed. <paramref name="bulk"/> marks a large import, for which an engine may
    /// prepare (SQLite: a larger page cache for the transaction).
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<StorageWrite, Task<T>> body, CancellationToken ct, bool bulk = false)
    {
        StorageWrite write;
        T result;
        try
        {
            await using var writer = await OpenWriterAsync(bulk, ct);
            write = new StorageWrite(writer.Connection, writer.Transaction, Dialect);
            result = await body(write);
            if (write.Cancelled)
            {
                await writer.Transaction.RollbackAsync(CancellationToken.None);
                return result;
            }

            await PublishChangesAsync(write, ct);
            await writer.Transaction.CommitAsync(ct);
        }
        finally
        {
            Interlocked.Increment(ref writeCount);
        }

        if (write.ChangedAllStories)
        {
            Changes.ChangedAll();
        }
        else
        {
            Changes.Changed(write.ChangedStories);
        }

        return result;
    }

    private long writeCount;

    /// <summary>
    /// How many writes (<see cref="WriteAsync{T}"/>) this process has ended, committed or not. It moves after the
    /// write's connection is given back, so work that waits for quiet (the SQLite checkpointer) and tests (a dry
    /// run writes nothing) can tell whether a write happened.
    /// </summary>
    public long WriteCount => Interlocked.Read(ref writeCount);

    /// <summary>Tells other processes, with the commit, which stories <paramref name="write"/> changed (none to tell on an engine of one process).</summary>
    protected virtual Task PublishChangesAsync(StorageWrite write, CancellationToken ct) => Task.CompletedTask;

    /// <summary>A connection and a transaction open for one write; disposing ends both (and gives back the engine's turn).</summary>
    protected abstract Task<Writer> OpenWriterAsync(bool bulk, CancellationToken ct);

    protected abstract class Writer : IAsyncDisposable
    {
        public abstract DbConnection Connection { get; }

        public abstract DbTransaction Transaction { get; }

        public abstract ValueTask DisposeAsync();
    }
}
