using System.Data.Common;
using Dapper;
using Npgsql;

namespace NewsLens.LoadTest;

/// <summary>
/// The server's PostgreSQL database, reached with the service's own connection string. A crash round kills the
/// service, not PostgreSQL, so there is no recovery of pages to check: the storage check verifies the B-tree
/// indexes with amcheck (every index entry in order, every row indexed), which the superuser installs and lets
/// the service's role call; without it the check says so and passes.
/// </summary>
sealed class PostgreSqlServerDatabase(string connectionString) : ServerDatabase
{
    public override string StorageEngine => "postgresql";

    public override string ServerConnectionString => connectionString;

    public override async Task<DbConnection> OpenAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Options = "-c default_transaction_read_only=on" };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<(bool Passed, string Report)> CheckStorageAsync()
    {
        const string callable = "SELECT COALESCE(has_function_privilege(to_regprocedure('bt_index_check(regclass, boolean)'), 'EXECUTE'), false)";
        // Every valid B-tree index of the service's tables, chosen first (amcheck refuses other kinds); heapallindexed
        // also finds rows an index lacks.
        const string check = """
            WITH btrees AS MATERIALIZED (
                SELECT ix.oid, ix.relname
                FROM pg_index i
                JOIN pg_class ix ON ix.oid = i.indexrelid
                JOIN pg_am am ON am.oid = ix.relam
                JOIN pg_namespace n ON n.oid = ix.relnamespace
                WHERE am.amname = 'btree' AND n.nspname = 'public' AND i.indisvalid
            )
            SELECT relname FROM btrees CROSS JOIN LATERAL bt_index_check(oid::regclass, true)
            """;
        await using var connection = await OpenAsync();
        if (!await connection.ExecuteScalarAsync<bool>(callable))
        {
            return (true, "amcheck not installed for this role (CREATE EXTENSION amcheck needs a superuser): indexes not checked");
        }

        try
        {
            var indexes = (await connection.QueryAsync<string>(check)).Count();
            return (true, $"amcheck ok ({indexes} indexes)");
        }
        catch (PostgresException corrupt) when (corrupt.SqlState == PostgresErrorCodes.IndexCorrupted)
        {
            return (false, $"amcheck: {corrupt.MessageText}");
        }
    }
}
