using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// The API on its own database, set through configuration like any deployment would: a temporary SQLite file, or
/// in the PostgreSQL run a database of the test cluster (<see cref="TestEngine"/>). Each factory (one per test
/// class) gets a fresh database that is deleted afterwards.
/// </summary>
public class NewsLensFactory : WebApplicationFactory<Program>
{
    public NewsLensFactory()
        : this(Path.Combine(Path.GetTempPath(), "newslens-tests", $"{Guid.NewGuid():N}.db"))
    {
    }

    /// <summary>The API on a given database file (deleted when the factory is disposed), for tests that reopen one.</summary>
    protected NewsLensFactory(string databasePath)
    {
        DatabasePath = databasePath;
        postgreSqlDatabase = new(() => PostgreSqlCluster.CreateDatabaseAsync().GetAwaiter().GetResult());
    }

    /// <summary>The key every client from <see cref="WebApplicationFactory{T}.CreateClient()"/> sends; configured only by its hash.</summary>
    public const string TestKey = "test-key-0123456789";

    public const string TestKeyName = "tests";

    /// <summary>The SQLite database file (in the SQLite run).</summary>
    public string DatabasePath { get; }

    /// <summary>When set, disposing the factory leaves the database file for another factory to open.</summary>
    public bool KeepDatabaseFile { get; set; }

    // Made on first use, so that factories whose settings name another database make none.
    private readonly Lazy<string> postgreSqlDatabase;

    /// <summary>The service's <c>ConnectionStrings:NewsLens</c>: SQLite's <c>Data Source=…</c>, or an Npgsql connection string.</summary>
    public string ConnectionString => TestEngine.Current == StorageEngine.Sqlite ? $"Data Source={DatabasePath}" : postgreSqlDatabase.Value;

    /// <summary>What names the database in a message: the SQLite file's path, or the PostgreSQL database's name.</summary>
    public string DatabaseLocation =>
        TestEngine.Current == StorageEngine.Sqlite ? DatabasePath : new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    /// <summary>An open connection to the service's database, for tests that check it with SQL both engines understand.</summary>
    public async Task<DbConnection> OpenDatabaseAsync()
    {
        DbConnection connection = TestEngine.Current == StorageEngine.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Extra configuration for a test class's own factory.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        if (TestEngine.Current != StorageEngine.Sqlite)
        {
            builder.UseSetting("Storage:Engine", TestEngine.Setting);
        }

        if (!Settings.Any(setting => setting.Key == "ConnectionStrings:NewsLens"))
        {
            builder.UseSetting("ConnectionStrings:NewsLens", ConnectionString);
        }

        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Auth:Keys:0:Name", TestKeyName);
        builder.UseSetting("Auth:Keys:0:Sha256", NewsLens.Api.Security.ApiKeys.Hash(TestKey));
        // Tests fire requests far faster than any client should; the rate limit tests switch it back on.
        builder.UseSetting("RateLimiting:Enabled", "false");
        // Test hosts stop without a balancer to wait for.
        builder.UseSetting("Shutdown:DrainDelay", "00:00:00");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(NewsLens.Api.Security.ApiKeys.Header, TestKey);
    }

    /// <summary>A client that sends no API key.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove(NewsLens.Api.Security.ApiKeys.Header);
        return client;
    }

    private string? resolvedConnectionString;

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        if (TestEngine.Current == StorageEngine.Sqlite)
        {
            resolvedConnectionString = host.Services.GetRequiredService<NewsLens.Api.Storage.Database>().ConnectionString;
        }

        return host;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (TestEngine.Current == StorageEngine.PostgreSql)
        {
            DropPostgreSqlDatabase();
            return;
        }

        // This factory's pools only (the app's readers and writers, and tests' own connections): clearing every
        // pool would close connections that tests running in parallel are using.
        string[] pools = resolvedConnectionString is { } resolved
            ? [ConnectionString, resolved, NewsLens.Api.Storage.SqliteDatabase.WriterConnectionString(resolved)]
            : [ConnectionString];
        foreach (var pool in pools)
        {
            using var connection = new SqliteConnection(pool);
            SqliteConnection.ClearPool(connection);
        }

        if (KeepDatabaseFile)
        {
            return;
        }

        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(DatabasePath + suffix);
        }
    }

    private int dropped;

    private void DropPostgreSqlDatabase()
    {
        if (!postgreSqlDatabase.IsValueCreated || Interlocked.Exchange(ref dropped, 1) == 1)
        {
            return;
        }

        using (var connection = new NpgsqlConnection(postgreSqlDatabase.Value))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        if (!KeepDatabaseFile)
        {
            PostgreSqlCluster.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(postgreSqlDatabase.Value).Database!).GetAwaiter().GetResult();
        }
    }
}
