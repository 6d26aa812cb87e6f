using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace NewsLens.Api.Tests.Infrastructure;

/// <summary>
/// The API on its own temporary SQLite file, set through configuration like any deployment would.
/// Each factory (one per test class) gets a fresh database that is deleted afterwards.
/// </summary>
public class NewsLensFactory : WebApplicationFactory<Program>
{
    public NewsLensFactory()
    {
        DatabasePath = Path.Combine(Path.GetTempPath(), "newslens-tests", $"{Guid.NewGuid():N}.db");
    }

    public string DatabasePath { get; }

    public string ConnectionString => $"Data Source={DatabasePath}";

    /// <summary>Extra configuration for a test class's own factory.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:NewsLens", ConnectionString);
        builder.UseSetting("Demo:Seed", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(DatabasePath + suffix);
        }
    }
}
