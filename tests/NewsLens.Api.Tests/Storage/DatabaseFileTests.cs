using Microsoft.Data.Sqlite;

namespace NewsLens.Api.Tests.Storage;

public class DatabaseFileTests(NewsLensFactory factory) : IClassFixture<NewsLensFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    [SqliteFact("WAL journal mode")]
    public async Task TheDatabaseIsAWalFileWithEveryMigrationJournaled()
    {
        await client.GetAsync("/health/ready");
        await using var connection = new SqliteConnection(factory.ConnectionString);
        await connection.OpenAsync();

        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal(DatabaseMigrator.KnownScripts(StorageEngine.Sqlite).Count, Convert.ToInt32(await ScalarAsync(connection, "SELECT COUNT(*) FROM schema_versions")));
        Assert.True(DatabaseMigrator.KnownScripts(StorageEngine.Sqlite).Count >= 1);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
