using System.Data.Common;

namespace NewsLens.LoadTest;

/// <summary>
/// The server's database as the checks reach it, on either engine: what a started server is told, a connection for
/// the recount, and the engine's own check of its storage after a crash. The checks themselves are the same SQL.
/// </summary>
abstract class ServerDatabase
{
    public static ServerDatabase For(LoadTestOptions options) => options.Engine switch
    {
        Engine.Sqlite => new SqliteServerDatabase(options.Database),
        Engine.PostgreSql => new PostgreSqlServerDatabase(options.Database),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Engine, "Unknown engine."),
    };

    /// <summary>The engine's name as the server's <c>Storage:Engine</c> takes it, and as the figures are labelled.</summary>
    public abstract string StorageEngine { get; }

    /// <summary>The server's <c>ConnectionStrings:NewsLens</c> for this database.</summary>
    public abstract string ServerConnectionString { get; }

    /// <summary>A connection that only reads, opened.</summary>
    public abstract Task<DbConnection> OpenAsync();

    /// <summary>The engine's own check of its storage after a crash: whether it passed, and a phrase for the round's line.</summary>
    public abstract Task<(bool Passed, string Report)> CheckStorageAsync();
}
