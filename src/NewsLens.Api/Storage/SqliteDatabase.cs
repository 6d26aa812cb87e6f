using System.Data.Common;
using Dapper;
using DbUp;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace NewsLens.Api.Storage;

/// <summary>
/// The SQLite engine: one file, one writing process. Connections get the pragmas every connection needs, and writers
/// take turns in the process before SQLite's own lock.
/// </summary>
public sealed class SqliteDatabase : Database
{
    /// <summary>Seconds a statement waits for the write lock when the connection string names no Default Timeout.</summary>
    public const int DefaultBusySeconds = 10;

    // Foreign keys are per connection in SQLite; the busy timeout lets concurrent writers queue instead of failing.
    // temp_store = MEMORY: statement journals (one per insert into a table with two unique indexes) stay off the disk.
    // wal_autocheckpoint = 0: WalCheckpointer copies the log in the background, not inside a commit.
    // journal_size_limit: a log a large import grew is cut back to 64 MiB when it starts over.
    private readonly string connectionPragmas;

    public SqliteDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        writerConnectionString = WriterConnectionString(connectionString);
        var busyMs = new SqliteConnectionStringBuilder(connectionString).DefaultTimeout * 1000;
        busyTimeout = TimeSpan.FromMilliseconds(busyMs);
        connectionPragmas = $"""
            PRAGMA foreign_keys = ON;
            PRAGMA busy_timeout = {busyMs};
            PRAGMA synchronous = NORMAL;
            PRAGMA temp_store = MEMORY;
            PRAGMA wal_autocheckpoint = 0;
            PRAGMA journal_size_limit = 67108864;
            """;
    }

    public override StorageEngine Engine => StorageEngine.Sqlite;

    public override string ConnectionString { get; }

    public override SqlDialect Dialect => SqliteDialect.Instance;

    public override string DataSource => new SqliteConnectionStringBuilder(ConnectionString).DataSource;

    // Writers open from their own pool, and since they take turns it holds one native connection, used by every
    // write. Its page cache stays valid from one write to the next, because no other connection writes; from the
    // shared pool, each write took whichever connection a read last gave back, whose cache the writes since then
    // had made stale, and read every index page it needed again from the log or the file.
    private readonly string writerConnectionString;

    /// <summary>
    /// The connection string of the writers' pool: Microsoft.Data.Sqlite keeps one pool per connection string, so
    /// this one names Recursive Triggers (off, the default) explicitly. A configured string that already names it
    /// gives writers the shared pool, which works the same, only slower.
    /// </summary>
    internal static string WriterConnectionString(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!builder.ShouldSerialize("Recursive Triggers"))
        {
            builder.RecursiveTriggers = false;
        }

        return builder.ToString();
    }

    private readonly TimeSpan busyTimeout;
    private readonly SemaphoreSlim writeTurn = new(1, 1);

    /// <summary>
    /// A connection for one write (a transaction or a single statement): it holds this process's write turn from
    /// the moment it is returned until it is closed, so every write path takes the turn the same way.
    /// </summary>
    /// <remarks>
    /// One write at a time in this process, first come, first served. SQLite allows one writer anyway, but
    /// without this turn concurrent writers poll for its lock in SQLite's busy handler, which sleeps 1, 2, 5, 10 …
    /// 100 ms between tries: under a mixed load a write waited up to three quarters of a second for a lock that had
    /// been free for most of that time. Here the next writer wakes the moment the last one is done. No turn within
    /// the busy timeout fails like SQLITE_BUSY (a 503). Writes are serialized by SQLite's own lock either way.
    /// </remarks>
    internal async Task<SqliteConnection> OpenForWriteAsync(CancellationToken ct)
    {
        if (ReadOnly)
        {
            throw new SqliteException("attempt to write a readonly database: the service started in read-only mode", 8);
        }

        // The turn first, then the connection: writers waiting for their turn hold no connection, so the writers'
        // pool keeps one.
        if (!await writeTurn.WaitAsync(busyTimeout, ct))
        {
            throw new SqliteException("database is locked: no write turn within the busy timeout", 5);
        }

        var turn = new WriteTurn(this);
        SqliteConnection connection;
        try
        {
            connection = await OpenAsync(writerConnectionString, ct);
        }
        catch
        {
            turn.Release();
            throw;
        }

        // Closing (or disposing) the connection gives the turn back: after its transaction is disposed, since that
        // is declared after the connection, or after its single statement.
        connection.StateChange += (_, change) =>
        {
            if (change.CurrentState == System.Data.ConnectionState.Closed)
            {
                turn.Release();
            }
        };
        return connection;
    }

    /// <summary>
    /// Waits for the write turn like a writer, for work that must not overlap a write but is not one (the WAL
    /// checkpointer finishing a log so that it can start over). Not counted in <see cref="Database.WriteCount"/>.
    /// </summary>
    internal async Task<IAsyncDisposable?> TryTakeWriteTurnAsync(CancellationToken ct) =>
        await writeTurn.WaitAsync(busyTimeout, ct) ? new WriteTurn(this) : null;

    private bool readOnly;

    /// <summary>True when the database file could not be opened for writing at start: reads are served, writes refused.</summary>
    public override bool ReadOnly => readOnly;

    /// <summary>
    /// Whether SQLite opened the database read-only: it does so by itself when the file cannot be opened for
    /// writing (a read-only mount, an immutable file, no write permission), and then every write fails.
    /// </summary>
    public async Task<bool> IsReadOnlyOnDiskAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ConnectionString, ct);
        return SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1;
    }

    internal void EnterReadOnlyMode() => readOnly = true;

    /// <summary>A taken write turn; given back once, however often it is released.</summary>
    private sealed class WriteTurn(SqliteDatabase database) : IAsyncDisposable
    {
        private int released;

        public void Release()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                database.writeTurn.Release();
            }
        }

        public ValueTask DisposeAsync()
        {
            Release();
            return ValueTask.CompletedTask;
        }
    }

    private static readonly object Configured = new();

    // Weak keys: a handle the pool closes and frees drops out by itself.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> configuredHandles = new();

    public override async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await OpenAsync(ConnectionString, ct);

    /// <summary>A deferred transaction: SQLite takes its read snapshot at the first read and keeps it to the end.</summary>
    public override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    private async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Pooled connections reuse their native handle, and pragmas stay set on it: run them once per handle,
            // not on every open (they cost about as much as a small query on every request).
            if (connection.Handle is { } handle && !configuredHandles.TryGetValue(handle, out _))
            {
                await connection.ExecuteAsync(new CommandDefinition(connectionPragmas, cancellationToken: cancellationToken));
                configuredHandles.AddOrUpdate(handle, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a write transaction with BEGIN IMMEDIATE: the write lock is taken up front, so a
    /// read-then-write never fails half way with SQLITE_BUSY and checks made inside it stay true.
    /// </summary>
    private static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);

    protected override async Task<Writer> OpenWriterAsync(bool bulk, CancellationToken ct)
    {
        var connection = await OpenForWriteAsync(ct);
        try
        {
            var transaction = BeginWrite(connection);
            if (bulk)
            {
                await connection.ExecuteAsync(new CommandDefinition(LargeCache, transaction: transaction, cancellationToken: ct));
            }

            return new SqliteWriter(connection, transaction, bulk);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The writers' connection (holding the write turn until it closes) and its IMMEDIATE transaction.</summary>
    private sealed class SqliteWriter(SqliteConnection connection, SqliteTransaction transaction, bool bulk) : Writer
    {
        public override DbConnection Connection => connection;

        public override DbTransaction Transaction => transaction;

        public override async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            if (bulk)
            {
                await RestorePageCacheAsync(connection);
            }

            await connection.DisposeAsync();
        }
    }

    // A 16 MiB page cache for a large import's indexes (the default is 2 MiB): larger caches were no faster once
    // windows were sorted, and cost peak memory (docs/benchmarks.md).
    private const string LargeCache = "PRAGMA cache_size = -16384";

    /// <summary>
    /// The pooled writer connection goes back with the default page cache. After a storage fault the connection
    /// may refuse even that; then it is dropped from the pool, and the fault the caller sees is the original one.
    /// </summary>
    private static async Task RestorePageCacheAsync(SqliteConnection connection)
    {
        try
        {
            await connection.ExecuteAsync("PRAGMA cache_size = -2000");
        }
        catch (SqliteException)
        {
            SqliteConnection.ClearPool(connection);
        }

        // Giving the cache back frees 16 MiB to the C allocator, which keeps it unless told otherwise.
        NativeHeap.ReleaseFreeMemory();
    }

    /// <summary>
    /// Turns a configured connection string into one with an absolute file path (relative paths are
    /// resolved against <paramref name="contentRoot"/>) and makes sure the folder exists.
    /// </summary>
    public static string ResolveConnectionString(string configured, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(configured);
        var dataSource = builder.DataSource;
        var inMemory = builder.Mode == SqliteOpenMode.Memory || dataSource == ":memory:" || dataSource.Length == 0;
        if (!inMemory)
        {
            var path = Path.GetFullPath(dataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }

        builder.Pooling = true;
        // ShouldSerialize says whether the string sets a keyword (or a synonym); ContainsKey only says whether the
        // keyword exists, which it always does, so with it this default was never applied and writers waited 30 s.
        if (!builder.ShouldSerialize("Default Timeout"))
        {
            // Also the busy timeout: how long a write waits for another writer before it answers 503.
            builder.DefaultTimeout = DefaultBusySeconds;
        }

        return builder.ToString();
    }
}
