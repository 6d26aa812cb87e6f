using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace NewsLens.Api.Tests.Storage;

/// <summary>
/// Commits leave the write-ahead log to the background checkpointer: no write copies the log into the database
/// file on its way out, and the checkpointer does.
/// </summary>
public sealed class WalCheckpointerTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("newslens-wal-").FullName;

    private string DatabaseFile => Path.Combine(directory, "wal.db");

    [SqliteFact("WAL checkpoints")]
    public async Task ACommitLeavesTheLogAndTheCheckpointerCopiesItIntoTheDatabaseFile()
    {
        var database = new SqliteDatabase(SqliteDatabase.ResolveConnectionString($"Data Source={DatabaseFile}", directory));
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL; CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL);");
        }

        var before = new FileInfo(DatabaseFile).Length;
        await using (var connection = await database.OpenForWriteAsync(CancellationToken.None))
        {
            // About 2,000 pages: twice the log size at which SQLite's automatic checkpoint runs in the commit.
            await connection.ExecuteAsync("""
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                INSERT INTO pages (body) SELECT randomblob(4000) FROM n
                """);
        }

        Assert.Equal(before, new FileInfo(DatabaseFile).Length);

        Assert.True(await new WalCheckpointer(database, NullLogger<WalCheckpointer>.Instance).CheckpointAsync(CancellationToken.None));

        Assert.True(new FileInfo(DatabaseFile).Length > before + 2000L * 4000, "the checkpoint copied the log into the database file");
        await using (var connection = await database.OpenAsync())
        {
            Assert.Equal(2000, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pages"));
        }
    }

    [SqliteFact("WAL checkpoints")]
    public void TheServiceRunsTheCheckpointer()
    {
        using var factory = new NewsLensFactory();
        Assert.Single(factory.Services.GetServices<IHostedService>().OfType<WalCheckpointer>());
    }

    public void Dispose()
    {
        var resolved = SqliteDatabase.ResolveConnectionString($"Data Source={DatabaseFile}", directory);
        foreach (var pool in new[] { resolved, SqliteDatabase.WriterConnectionString(resolved) })
        {
            using var connection = new SqliteConnection(pool);
            SqliteConnection.ClearPool(connection);
        }

        Directory.Delete(directory, recursive: true);
    }
}
