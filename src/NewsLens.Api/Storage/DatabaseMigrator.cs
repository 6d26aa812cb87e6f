using System.Data.Common;
using Dapper;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NewsLens.Api.Storage;

/// <summary>
/// Applies the embedded forward-only scripts with DbUp: <c>db/migrations/sqlite</c> or <c>db/migrations/postgresql</c>,
/// by engine, journaled in <see cref="JournalTable"/>.
/// </summary>
public static class DatabaseMigrator
{
    public const string JournalTable = "schema_versions";

    // SQLite's scripts keep the resource names they had before the engines had folders, which its journals hold.
    private const string SqlitePrefix = "NewsLens.Api.Migrations.";
    private const string PostgreSqlPrefix = "NewsLens.Api.PostgreSqlMigrations.";

    private static readonly string[] Resources = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames();

    private static bool IsScriptOf(StorageEngine engine, string name) => engine == StorageEngine.PostgreSql
        ? name.StartsWith(PostgreSqlPrefix, StringComparison.Ordinal)
        : name.StartsWith(SqlitePrefix, StringComparison.Ordinal) && !name.StartsWith(PostgreSqlPrefix, StringComparison.Ordinal);

    /// <summary>The scripts this build carries for <paramref name="engine"/>, in the order they apply.</summary>
    public static IReadOnlyList<string> KnownScripts(StorageEngine engine) => [.. Resources.Where(n => IsScriptOf(engine, n)).Order(StringComparer.Ordinal)];

    /// <summary>Whether the journal lists exactly the scripts this build knows.</summary>
    public static async Task<bool> IsCurrentAsync(Database database, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return IsCurrent(connection, database.Engine);
    }

    private static bool IsCurrent(DbConnection connection, StorageEngine engine)
    {
        var journalExists = engine == StorageEngine.PostgreSql
            ? connection.ExecuteScalar<bool>("SELECT to_regclass(@JournalTable) IS NOT NULL", new { JournalTable })
            : connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @JournalTable", new { JournalTable }) == 1;
        return journalExists &&
            connection.Query<string>($"SELECT scriptname FROM {JournalTable}").ToHashSet(StringComparer.Ordinal).SetEquals(KnownScripts(engine));
    }

    /// <summary>
    /// The advisory lock PostgreSQL replicas take while they migrate, so that of several starting at once one applies
    /// the scripts and the others then find the journal current.
    /// </summary>
    private const long MigrationLock = 0x4E6577734C656E73; // "NewsLens"

    public static async Task<int> MigrateAsync(Database database, ILogger logger, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        if (database.Engine == StorageEngine.Sqlite)
        {
            // WAL is a property of the database file: set once, before any transaction.
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        }
        else
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@MigrationLock)", new { MigrationLock }, cancellationToken: ct));
        }

        try
        {
            // The usual start: every script this build knows is in the journal, and nothing else. One query
            // answers that; DbUp (about a tenth of the start-up time) runs only when there is work or a mismatch.
            return IsCurrent(connection, database.Engine) ? 0 : Upgrade(database, logger);
        }
        finally
        {
            if (database.Engine == StorageEngine.PostgreSql)
            {
                // Pooled sessions keep advisory locks until they are reset, which happens on their next use.
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@MigrationLock)", new { MigrationLock });
            }
        }
    }

    private static int Upgrade(Database database, ILogger logger)
    {
        var upgrader = Builder(database)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => IsScriptOf(database.Engine, name))
            .WithTransaction()
            .LogTo(logger)
            .Build();

        var unknown = upgrader.GetExecutedButNotDiscoveredScripts();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database was migrated by a newer NewsLens: it has applied {string.Join(", ", unknown)}, " +
                "which this build does not know. Run a build that includes these migrations, or point ConnectionStrings:NewsLens at another database.");
        }

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Database migration failed in script {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }

        return result.Scripts.Count();
    }

    private static UpgradeEngineBuilder Builder(Database database) => database.Engine == StorageEngine.PostgreSql
        ? DeployChanges.To.PostgresqlDatabase(database.ConnectionString).JournalToPostgresqlTable("public", JournalTable)
        : DeployChanges.To.SqliteDatabase(database.ConnectionString).JournalToSqliteTable(JournalTable);
}
