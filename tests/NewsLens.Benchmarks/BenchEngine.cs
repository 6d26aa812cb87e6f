using Npgsql;

namespace NewsLens.Benchmarks;

/// <summary>One empty database the server under test is started on.</summary>
public sealed record BenchDatabase(string Name, string ConnectionString);

/// <summary>
/// A storage engine the benchmark measures: it makes each data set's empty database, settles it after generation
/// and says how big it grew. <see cref="Name"/> is what the server's <c>Storage:Engine</c> takes.
/// </summary>
public abstract class BenchEngine
{
    public abstract string Name { get; }

    public abstract string Title { get; }

    /// <summary>What the report says the server stores its data in.</summary>
    public abstract string Storage { get; }

    public abstract Task<BenchDatabase> CreateAsync(string name);

    /// <summary>After the generator's bulk load, before anything is measured on the database.</summary>
    public virtual Task SettleAsync(BenchDatabase database) => Task.CompletedTask;

    public abstract Task<long> SizeBytesAsync(BenchDatabase database);

    /// <summary>The database server's main process, whose processor time counts with the server's; none for an in-process engine.</summary>
    public virtual Task<int?> DatabaseServerPidAsync() => Task.FromResult<int?>(null);

    public static IReadOnlyList<BenchEngine> Parse(string engines, string workDirectory, string? postgresAdmin)
    {
        BenchEngine PostgreSql() => new PostgreSqlBenchEngine(postgresAdmin
            ?? throw new ArgumentException("--engine postgresql needs --postgres CONNECTIONSTRING (tests/load/run.sh starts a cluster)"));
        return engines switch
        {
            "sqlite" => [new SqliteBenchEngine(workDirectory)],
            "postgresql" => [PostgreSql()],
            "both" => [new SqliteBenchEngine(workDirectory), PostgreSql()],
            _ => throw new ArgumentException("--engine must be sqlite, postgresql or both"),
        };
    }
}

/// <summary>A SQLite file per data set in the work folder.</summary>
public sealed class SqliteBenchEngine(string workDirectory) : BenchEngine
{
    public override string Name => "sqlite";

    public override string Title => "SQLite";

    public override string Storage => "SQLite file database (WAL, synchronous = NORMAL)";

    public override Task<BenchDatabase> CreateAsync(string name)
    {
        var path = Path.Combine(workDirectory, name + ".db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.FromResult(new BenchDatabase(name, $"Data Source={path}"));
    }

    public override Task<long> SizeBytesAsync(BenchDatabase database)
    {
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        return Task.FromResult(new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length));
    }
}

/// <summary>
/// A database per data set on the cluster tests/load/run.sh started, owned by the service's own role (its first
/// migration creates the unaccent extension, which needs the owner).
/// </summary>
public sealed class PostgreSqlBenchEngine(string adminConnectionString) : BenchEngine
{
    private const string Role = "newslens";

    private string server = "PostgreSQL";

    public override string Name => "postgresql";

    public override string Title => "PostgreSQL";

    public override string Storage => server;

    public override async Task<BenchDatabase> CreateAsync(string name)
    {
        var database = "bench_" + name.Replace('-', '_');
        await using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            await admin.OpenAsync();
            server = await DescribeAsync(admin);
            // Identifiers cannot be bound as parameters; both names are the runner's own constants.
            await ExecuteAsync(admin, $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Role}') THEN CREATE ROLE {Role} LOGIN; END IF; END $$");
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await ExecuteAsync(admin, $"CREATE DATABASE {database} OWNER {Role} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0");
        }

        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, Username = Role };
        return new BenchDatabase(name, builder.ConnectionString);
    }

    /// <summary>
    /// Statistics and the visibility map for the freshly loaded tables, as an operator runs after a bulk load: the
    /// scenarios then measure a settled database instead of racing autovacuum's first pass over a million new rows.
    /// </summary>
    public override async Task SettleAsync(BenchDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "VACUUM (ANALYZE)", timeoutSeconds: 0);
    }

    public override async Task<long> SizeBytesAsync(BenchDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The server's version and every setting tests/load/postgres.sh gave it, as the report shows them.</summary>
    private static async Task<string> DescribeAsync(NpgsqlConnection admin)
    {
        await using var command = new NpgsqlCommand("""
            SELECT current_setting('server_version'), string_agg(name || ' = ' || current_setting(name), ', ' ORDER BY name)
            FROM pg_settings
            WHERE source = 'configuration file' AND category NOT LIKE 'Client Connection Defaults%'
              AND name NOT IN ('port', 'listen_addresses', 'unix_socket_directories', 'log_timezone', 'dynamic_shared_memory_type', 'min_wal_size')
            """, admin);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"PostgreSQL {reader.GetString(0)}, a throwaway cluster on loopback: {reader.GetString(1)}";
    }

    /// <summary>The postmaster: the first line of its pid file in the data directory.</summary>
    public override async Task<int?> DatabaseServerPidAsync()
    {
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT split_part(pg_read_file('postmaster.pid'), E'\\n', 1)::int", admin);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, int timeoutSeconds = 60)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = timeoutSeconds };
        await command.ExecuteNonQueryAsync();
    }
}
