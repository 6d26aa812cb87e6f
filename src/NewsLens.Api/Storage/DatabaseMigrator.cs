using Dapper;
using DbUp;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace NewsLens.Api.Storage;

/// <summary>Applies the embedded forward-only scripts from <c>db/migrations</c> with DbUp.</summary>
public static class DatabaseMigrator
{
    public const string JournalTable = "schema_versions";
    private const string ScriptPrefix = "NewsLens.Api.Migrations.";

    public static IReadOnlyList<string> KnownScripts { get; } =
        [.. typeof(DatabaseMigrator).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(ScriptPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>Whether the journal lists exactly the scripts this build knows.</summary>
    public static bool IsCurrent(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        return IsCurrent(connection);
    }

    private static bool IsCurrent(SqliteConnection connection) =>
        connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @JournalTable", new { JournalTable }) == 1 &&
        connection.Query<string>($"SELECT ScriptName FROM {JournalTable}").ToHashSet(StringComparer.Ordinal).SetEquals(KnownScripts);

    public static int Migrate(string connectionString, ILogger logger)
    {
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            // WAL is a property of the database file: set once, before any transaction.
            connection.Execute("PRAGMA journal_mode = WAL;");

            // The usual start: every script this build knows is in the journal, and nothing else. One query
            // answers that; DbUp (about a tenth of the start-up time) runs only when there is work or a mismatch.
            if (IsCurrent(connection))
            {
                return 0;
            }
        }

        var upgrader = DeployChanges.To
            .SqliteDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.StartsWith(ScriptPrefix, StringComparison.Ordinal))
            .JournalToSqliteTable(JournalTable)
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
}
