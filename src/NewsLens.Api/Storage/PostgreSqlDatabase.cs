using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;

namespace NewsLens.Api.Storage;

/// <summary>
/// The PostgreSQL engine: a shared server, written by any number of service processes at once. Writes need no turn
/// of the process: PostgreSQL's row locks order writers that touch the same rows (the summaries lock their stories'
/// rows, see <see cref="SqlDialect.ForUpdate"/>), and each statement of a READ COMMITTED transaction reads what was
/// committed before it.
/// </summary>
public sealed class PostgreSqlDatabase : Database, IAsyncDisposable
{
    /// <summary>Seconds a statement waits for a row lock before it gives up (a 503, like SQLite's busy timeout).</summary>
    public const int DefaultLockTimeoutSeconds = 10;

    private readonly NpgsqlDataSource dataSource;

    public PostgreSqlDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // An unreachable server answers 503 within seconds instead of holding requests for Npgsql's 15 s default.
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
        }

        // Statements this service repeats are prepared once per connection instead of parsed and planned on every
        // execution: a single-article import cost PostgreSQL 3.45 ms of processor time without, 2.25 ms with
        // (docs/benchmarks.md). A connection string that sets it (0 behind a PgBouncer older than 1.21) wins.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        builder.Options = $"-c lock_timeout={DefaultLockTimeoutSeconds * 1000} {builder.Options}".Trim();
        ConnectionString = builder.ToString();
        dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public override StorageEngine Engine => StorageEngine.PostgreSql;

    public override string ConnectionString { get; }

    public override SqlDialect Dialect => PostgreSqlDialect.Instance;

    public override string DataSource => new NpgsqlConnectionStringBuilder(ConnectionString) is var pg ? $"{pg.Host}:{pg.Port}/{pg.Database}" : "";

    public override async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await dataSource.OpenConnectionAsync(ct);

    public override DbConnection Open() => dataSource.OpenConnection();

    public override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    protected override async Task<Writer> OpenWriterAsync(bool bulk, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return new PostgreSqlWriter(connection, await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class PostgreSqlWriter(NpgsqlConnection connection, NpgsqlTransaction transaction) : Writer
    {
        public override DbConnection Connection => connection;

        public override DbTransaction Transaction => transaction;

        public override async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// NOTIFY on <see cref="PostgreSqlChangeFeed.Channel"/>, delivered to every listening process when the transaction
    /// commits, and not at all when it rolls back: this process's id, then the story ids (or <c>*</c> for every story),
    /// in as many notifications as PostgreSQL's 8,000-byte payload needs.
    /// </summary>
    protected override async Task PublishChangesAsync(StorageWrite write, CancellationToken ct)
    {
        if (write.ChangedAllStories || write.ChangedStories.Count > PostgreSqlChangeFeed.MaxStoriesNamed)
        {
            await NotifyAsync(write, PostgreSqlChangeFeed.Everything, ct);
            return;
        }

        foreach (var chunk in write.ChangedStories.Chunk(PostgreSqlChangeFeed.StoriesPerNotification))
        {
            await NotifyAsync(write, string.Join(',', chunk), ct);
        }
    }

    private Task NotifyAsync(StorageWrite write, string stories, CancellationToken ct) =>
        write.Connection.ExecuteAsync(write.Command("SELECT pg_notify(@channel, @payload)",
            new { channel = PostgreSqlChangeFeed.Channel, payload = $"{Sender} {stories}" }, ct));

    /// <summary>Names this service process in its notifications, so that its feed skips the changes it applied already.</summary>
    public string Sender { get; } = Guid.NewGuid().ToString("N");

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
