using Dapper;
using Microsoft.Data.Sqlite;

namespace NewsLens.Api.Tests.Storage;

/// <summary>Writers take turns on one native connection of their own, so its page cache stays warm between writes.</summary>
public sealed class WriterConnectionTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("newslens-writer-").FullName;

    private string ConnectionString => SqliteDatabase.ResolveConnectionString($"Data Source={Path.Combine(directory, "writer.db")}", directory);

    [SqliteFact("the writers' connection pool")]
    public async Task ConcurrentWritersTakeTurnsOnOneNativeConnectionThatReadsDoNotShare()
    {
        var database = new SqliteDatabase(ConnectionString);
        await using (var setup = await database.OpenAsync())
        {
            await setup.ExecuteAsync("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL);");
        }

        var handles = new System.Collections.Concurrent.ConcurrentBag<SQLitePCL.sqlite3>();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(CancellationToken.None);
            handles.Add(connection.Handle!);
            await connection.ExecuteAsync("INSERT INTO t (writer) VALUES (@i)", new { i });
            await Task.Delay(5);
        })));

        // Waiting writers hold no connection: opening before the turn gave each of the 16 its own.
        Assert.Single(handles.Distinct());
        await using var reader = await database.OpenAsync();
        Assert.DoesNotContain(((SqliteConnection)reader).Handle!, handles);
        Assert.Equal(16, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));
    }

    [SqliteTheory("the writers' connection pool")]
    [InlineData("Data Source=a.db", true)]
    [InlineData("Data Source=a.db;Default Timeout=3", true)]
    [InlineData("Data Source=a.db;recursive triggers=false", false)]
    public void TheWritersPoolNamesTheSameDatabaseWithTheSameSettings(string configured, bool ownPool)
    {
        var resolved = SqliteDatabase.ResolveConnectionString(configured, directory);
        var writer = SqliteDatabase.WriterConnectionString(resolved);
        var (writes, reads) = (new SqliteConnectionStringBuilder(writer), new SqliteConnectionStringBuilder(resolved));

        // Microsoft.Data.Sqlite keeps one pool per connection string.
        Assert.Equal(ownPool, writer != resolved);
        Assert.Equal(reads.DataSource, writes.DataSource);
        Assert.False(writes.RecursiveTriggers);
        Assert.True(writes.Pooling);
        Assert.Equal(reads.DefaultTimeout, writes.DefaultTimeout);
    }

    [SqliteTheory("the busy timeout of a SQLite connection string")]
    [InlineData("Data Source=a.db", SqliteDatabase.DefaultBusySeconds)]
    [InlineData("Data Source=a.db;Default Timeout=3", 3)]
    [InlineData("Data Source=a.db;Command Timeout=0", 0)]
    public void TheBusyTimeoutIsTenSecondsUnlessTheConnectionStringSetsOne(string configured, int seconds)
    {
        var resolved = new SqliteConnectionStringBuilder(SqliteDatabase.ResolveConnectionString(configured, directory));

        Assert.Equal(seconds, resolved.DefaultTimeout);
        Assert.Equal(Path.Combine(directory, "a.db"), resolved.DataSource);
    }

    public void Dispose()
    {
        // Only this test's pools: clearing all of them would close other tests' connections mid-test.
        foreach (var pool in new[] { ConnectionString, SqliteDatabase.WriterConnectionString(ConnectionString) })
        {
            using var connection = new SqliteConnection(pool);
            SqliteConnection.ClearPool(connection);
        }

        Directory.Delete(directory, recursive: true);
    }
}
