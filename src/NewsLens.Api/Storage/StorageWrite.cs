using System.Data.Common;

namespace NewsLens.Api.Storage;

/// <summary>
/// One write in progress (see <see cref="Database.WriteAsync{T}"/>): its connection and transaction, the dialect to
/// speak, the stories whose coverage it changed, and whether it is to be kept.
/// </summary>
public sealed class StorageWrite(DbConnection connection, DbTransaction transaction, SqlDialect dialect)
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public SqlDialect Dialect { get; } = dialect;

    /// <summary>Stories whose coverage or listing this write changes; caches forget them once it commits.</summary>
    public HashSet<long> ChangedStories { get; } = [];

    /// <summary>True when every story may read differently afterwards.</summary>
    public bool ChangedAllStories { get; set; }

    /// <summary>Whether the write will be rolled back instead of committed.</summary>
    public bool Cancelled { get; private set; }

    /// <summary>Rolls the whole write back when it ends (a refused If-Match, a bad import row found while writing).</summary>
    public void Cancel() => Cancelled = true;

    /// <summary>A command definition in this write's transaction; the first one also carries the dialect's <see cref="SqlDialect.WritePreamble"/>.</summary>
    public Dapper.CommandDefinition Command(string sql, object? parameters, CancellationToken ct)
    {
        if (!preambleSent && Dialect.WritePreamble.Length > 0)
        {
            (sql, preambleSent) = (Dialect.WritePreamble + sql, true);
        }

        return new(sql, parameters, Transaction, cancellationToken: ct);
    }

    private bool preambleSent;
}
