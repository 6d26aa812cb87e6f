using Dapper;
using Npgsql;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>The test cluster itself, without the service: what every other test of this assembly stands on.</summary>
public class PostgreSqlClusterTests
{
    [Fact]
    public async Task ANewDatabaseIsEmptyAnswersAndIsGoneOnceDropped()
    {
        var connectionString = await PostgreSqlCluster.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            Assert.StartsWith("PostgreSQL 15", await connection.ExecuteScalarAsync<string>("SELECT version()"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"));
            Assert.Equal("UTF8", await connection.ExecuteScalarAsync<string>("SHOW server_encoding"));
            // The schema's first migration does this, as the database's owner.
            await connection.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS unaccent");
            Assert.Equal("Creme brulee", await connection.ExecuteScalarAsync<string>("SELECT unaccent('Crème brûlée')"));
        }

        await PostgreSqlCluster.DropDatabaseAsync(name);

        Assert.Equal(0, await CountDatabasesAsync(connectionString, name));
    }

    [Fact]
    public async Task DroppingADatabaseClosesTheConnectionsStillOpenToIt()
    {
        var connectionString = await PostgreSqlCluster.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var open = new NpgsqlConnection(connectionString);
        await open.OpenAsync();

        await PostgreSqlCluster.DropDatabaseAsync(name);

        Assert.Equal(0, await CountDatabasesAsync(connectionString, name));
        await Assert.ThrowsAnyAsync<Exception>(() => open.ExecuteScalarAsync<int>("SELECT 1"));
    }

    [Fact]
    public async Task EveryFactoryHasItsOwnDatabaseThatItDropsWhenDisposed()
    {
        string first, second;
        using (var a = new NewsLensFactory())
        using (var b = new NewsLensFactory())
        {
            await using (var connection = await a.OpenDatabaseAsync())
            {
                Assert.IsType<NpgsqlConnection>(connection);
                await connection.ExecuteAsync("CREATE TABLE only_in_a (id bigint)");
            }

            await using (var connection = await b.OpenDatabaseAsync())
            {
                Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'only_in_a'"));
            }

            (first, second) = (a.DatabaseLocation, b.DatabaseLocation);
            Assert.NotEqual(first, second);
            Assert.Equal(first, new NpgsqlConnectionStringBuilder(a.ConnectionString).Database);
        }

        var cluster = await PostgreSqlCluster.CreateDatabaseAsync();
        Assert.Equal(0, await CountDatabasesAsync(cluster, first));
        Assert.Equal(0, await CountDatabasesAsync(cluster, second));
        await PostgreSqlCluster.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(cluster).Database!);
    }

    private static async Task<long> CountDatabasesAsync(string anyDatabase, string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(anyDatabase) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_database WHERE datname = @name", new { name });
    }
}
