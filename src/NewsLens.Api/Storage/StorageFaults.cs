using Microsoft.Data.Sqlite;

namespace NewsLens.Api.Storage;

/// <summary>The ways storage can fail a request, each answered with a 503 and named in the log.</summary>
public enum StorageFault
{
    /// <summary>Another writer held the database past the busy timeout.</summary>
    Busy,

    /// <summary>The database file or its folder cannot be written (read-only file or mount).</summary>
    ReadOnly,

    /// <summary>The disk (or the database's size limit) is full.</summary>
    DiskFull,

    /// <summary>The operating system reported an I/O error.</summary>
    IoError,

    /// <summary>The database file cannot be opened.</summary>
    CannotOpen,

    /// <summary>A page of the database is damaged.</summary>
    Corrupt,

    /// <summary>The database server cannot be reached, or is shutting down or starting.</summary>
    Unreachable,
}

public static class StorageFaults
{
    /// <summary>The fault an exception reports, or null when it is not a storage fault.</summary>
    public static StorageFault? Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 } => StorageFault.Busy,
        SqliteException { SqliteErrorCode: 8 } => StorageFault.ReadOnly,
        SqliteException { SqliteErrorCode: 13 } => StorageFault.DiskFull,
        SqliteException { SqliteErrorCode: 10 } => StorageFault.IoError,
        SqliteException { SqliteErrorCode: 14 } => StorageFault.CannotOpen,
        SqliteException { SqliteErrorCode: 11 or 26 } => StorageFault.Corrupt,
        IOException io when io.HResult is 28 or unchecked((int)0x80070070) => StorageFault.DiskFull, // ENOSPC, ERROR_DISK_FULL
        Npgsql.PostgresException postgres => ClassifyPostgreSql(postgres.SqlState),
        // A statement that ran past its command timeout waited on someone else's locks or work.
        Npgsql.NpgsqlException { InnerException: TimeoutException } => StorageFault.Busy,
        // Any other Npgsql failure is the connection's: the server is down, restarting, unreachable, or the pool is exhausted.
        Npgsql.NpgsqlException => StorageFault.Unreachable,
        _ => null,
    };

    /// <summary>PostgreSQL's error classes (SQLSTATE) that are storage faults, not mistakes in a request.</summary>
    private static StorageFault? ClassifyPostgreSql(string state) => state switch
    {
        "40001" or "40P01" or "55P03" or "57014" => StorageFault.Busy,   // serialization failure, deadlock, lock timeout, canceled
        "25006" => StorageFault.ReadOnly,                                 // a read-only transaction (a standby)
        "53100" => StorageFault.DiskFull,
        "58030" => StorageFault.IoError,
        "XX001" or "XX002" => StorageFault.Corrupt,                       // data or index corrupted
        "3D000" or "55000" => StorageFault.Unreachable,                  // the database is gone, or takes no connections
        _ when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)
            || state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("28", StringComparison.Ordinal)
            => StorageFault.Unreachable,                                  // connection, shutdown, insufficient resources, refused login
        _ => null,
    };

    /// <summary>How the log names the fault, for operators.</summary>
    public static string LogName(StorageFault fault) => fault switch
    {
        StorageFault.Busy => "busy (another writer held the database past the busy timeout)",
        StorageFault.ReadOnly => "read-only database",
        StorageFault.DiskFull => "disk full",
        StorageFault.IoError => "I/O error",
        StorageFault.CannotOpen => "cannot open the database file",
        StorageFault.Corrupt => "corrupt database",
        StorageFault.Unreachable => "database unreachable",
        _ => fault.ToString(),
    };

    /// <summary>Seconds a client should wait before trying again.</summary>
    public static int RetryAfterSeconds(StorageFault fault) => fault switch
    {
        StorageFault.Busy => 5,
        StorageFault.Unreachable => 10,
        StorageFault.ReadOnly or StorageFault.Corrupt => 60,
        _ => 30,
    };

    /// <summary>What the client is told: nothing about the server's insides, and that nothing was changed.</summary>
    public static string Detail(StorageFault fault, bool isRead) => fault switch
    {
        StorageFault.ReadOnly when !isRead =>
            "This service can only read right now: its database cannot be written. Nothing was changed; retry after the Retry-After seconds.",
        StorageFault.Corrupt =>
            "The stored data this request needs cannot be read right now; nothing was changed. The service reports the fault on /health/ready.",
        StorageFault.Unreachable =>
            "The service cannot reach its database right now; nothing was changed. Retry after the Retry-After seconds.",
        _ when isRead => "The database cannot serve this request right now; nothing was changed. Retry after the Retry-After seconds.",
        _ => "The database cannot take this write right now (it is busy, read-only or full); nothing was changed. Retry after the Retry-After seconds.",
    };
}
