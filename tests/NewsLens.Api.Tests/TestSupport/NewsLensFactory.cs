using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// The API on its own temporary SQLite file, set through configuration like any deployment would.
/// Each factory (one per test class) gets a fresh database that is deleted afterwards.
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
    }

    /// <summary>The key every client from <see cref="WebApplicationFactory{T}.CreateClient()"/> sends; configured only by its hash.</summary>
    public const string TestKey = "test-key-0123456789";

    public const string TestKeyName = "tests";

    public string DatabasePath { get; }

    /// <summary>When set, disposing the factory leaves the database file for another factory to open.</summary>
    public bool KeepDatabaseFile { get; set; }

    public string ConnectionString => $"Data Source={DatabasePath}";

    /// <summary>Extra configuration for a test class's own factory.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:NewsLens", ConnectionString);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Auth:Keys:0:Name", TestKeyName);
        builder.UseSetting("Auth:Keys:0:Sha256", NewsLens.Api.Security.ApiKeys.Hash(TestKey));
        // Tests fire requests far faster than any client should; the rate limit tests switch it back on.
        builder.UseSetting("RateLimiting:Enabled", "false");
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
        resolvedConnectionString = host.Services.GetRequiredService<NewsLens.Api.Storage.Database>().ConnectionString;
        return host;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);

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
}
