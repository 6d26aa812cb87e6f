using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace NewsLens.Api.Tests.Storage;

/// <summary>The API with a one-second wait for the write lock, so a held lock becomes a fault quickly.</summary>
public sealed class ShortBusyFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("ConnectionStrings:NewsLens", ConnectionString + ";Default Timeout=1")];
}

/// <summary>
/// A storage fault simulated at the connection layer: another connection holds the database's write lock
/// past the busy timeout (as a stuck writer, a long maintenance job or a backup tool would). The machine's
/// root user can write to read-only files, so a read-only file cannot be used to test this here.
/// </summary>
public class StorageFaultTests(ShortBusyFactory factory) : IClassFixture<ShortBusyFactory>
{
    [SqliteFact("the write lock (BEGIN IMMEDIATE) and its busy timeout")]
    public async Task WritesAnswer503WithRetryAfterWhileReadsGoOnAndTheServiceRecovers()
    {
        var client = factory.CreateClient();
        var story = await new ApiDriver(client).CreateStoryAsync("Before the fault");

        await using (var holder = new SqliteConnection(factory.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = holder.BeginTransaction(deferred: false);   // BEGIN IMMEDIATE: the write lock

            var refused = await client.PostAsJsonAsync("/v1/stories", new { title = "During the fault" });
            var problem = await refused.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("5", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains("nothing was changed", (string?)problem["detail"]);

            var read = await client.GetAsync($"/v1/stories/{(long)story["id"]!}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).StatusCode);
        }

        var recovered = await client.PostAsJsonAsync("/v1/stories", new { title = "After the fault" });
        await recovered.ReadJsonAsync(HttpStatusCode.Created);
        var titles = (await new ApiDriver(client).ReadAllPagesAsync("/v1/stories", 50)).Select(s => (string)s["title"]!).ToList();
        Assert.DoesNotContain("During the fault", titles);
        Assert.Contains("After the fault", titles);
    }
}

public class DiskFullTests(LoggedFactory factory) : IClassFixture<LoggedFactory>
{
    [SqliteFact("a full disk, made with max_page_count")]
    public async Task ALargeImportThatFillsTheDiskIsA503NamedInTheLogAndTheServiceRecovers()
    {
        var client = factory.CreateClient();
        var api = new ApiDriver(client);
        var outlet = await api.CreateOutletAsync("left");
        var rows = string.Concat(Enumerable.Range(0, 5_000).Select(i =>
            $"{{\"url\":\"https://{(string)outlet["domain"]!}/full/{i}\",\"title\":\"Filling the disk, row {i}\",\"publishedAt\":\"2025-03-01T10:00:00Z\"}}\n"));
        var database = factory.Services.GetRequiredService<NewsLens.Api.Storage.SqliteDatabase>();

        // The writers' pool keeps one native connection, so a size limit set on it applies to the next writes:
        // SQLite then fails them with SQLITE_FULL, as a full disk would.
        await using (var writer = await database.OpenForWriteAsync(CancellationToken.None))
        {
            var pages = await writer.ExecuteScalarAsync<long>("PRAGMA page_count");
            await writer.ExecuteAsync($"PRAGMA max_page_count = {pages + 20}");
        }

        var refused = await client.PostAsync("/v1/articles/import", new StringContent(rows, System.Text.Encoding.UTF8, "application/x-ndjson"));

        var problem = await refused.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("nothing was changed", (string?)problem["detail"]);
        Assert.True(refused.Headers.RetryAfter is not null, "A storage fault must say when to retry.");
        Assert.Contains(factory.Logs.Lines, line => line.Contains("disk full", StringComparison.Ordinal));
        Assert.Empty(await api.ReadAllPagesAsync($"/v1/articles?outletId={(long)outlet["id"]!}", 200));

        await using (var writer = await database.OpenForWriteAsync(CancellationToken.None))
        {
            await writer.ExecuteAsync("PRAGMA max_page_count = 1073741823");
        }

        var result = await (await client.PostAsync("/v1/articles/import", new StringContent(rows, System.Text.Encoding.UTF8, "application/x-ndjson")))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(5_000, (int)result["created"]!);
    }
}

public class DamagedDatabaseTests
{
    private static string NewPath() => Path.Combine(Path.GetTempPath(), "newslens-tests", $"{Guid.NewGuid():N}.db");

    /// <summary>A database with 300 articles whose table's root page is then overwritten with garbage.</summary>
    private static async Task<(string Path, long ArticleId)> DamagedDatabaseAsync()
    {
        var path = NewPath();
        long articleId;
        using (var seeding = new FileFactory(path))
        {
            var api = new ApiDriver(seeding.CreateClient());
            var outlet = await api.CreateOutletAsync("left");
            JsonNode? article = null;
            for (var i = 0; i < 300; i++)
            {
                article = await api.CreateArticleAsync(outlet, path: $"damaged/{i}/{new string('x', 100)}");
            }

            articleId = (long)article!["id"]!;
            seeding.KeepDatabaseFile = true;
        }

        long root, pageSize;
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            root = await connection.ExecuteScalarAsync<long>("SELECT rootpage FROM sqlite_master WHERE name = 'articles'");
            pageSize = await connection.ExecuteScalarAsync<long>("PRAGMA page_size");
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pragma_database_list WHERE file LIKE '%-wal'"));
        }

        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0, "The WAL should have been checkpointed into the file.");
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = (root - 1) * pageSize;
            var garbage = new byte[pageSize];
            Array.Fill(garbage, (byte)0xA5);
            await file.WriteAsync(garbage);
        }

        return (path, articleId);
    }

    [SqliteFact("a damaged page of the database file")]
    public async Task ADamagedPageIsFoundAtStartAndReportedUnhealthyWhileOtherReadsGoOn()
    {
        var (path, articleId) = await DamagedDatabaseAsync();
        using var factory = new FileFactory(path);
        var client = factory.CreateClient();

        var ready = await PollReadyAsync(client, "Unhealthy");
        Assert.Contains("damaged", ready, StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, line => line.Contains("integrity check FAILED", StringComparison.Ordinal));

        var read = await client.GetAsync($"/v1/articles/{articleId}");
        var problem = await read.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain("SQLite", (string?)problem["detail"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("malformed", (string?)problem["detail"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/outlets")).StatusCode);
    }

    [SqliteFact("a damaged page of the database file")]
    public async Task ARequestThatMeetsADamagedPageIsA503AndMakesTheServiceUnhealthy()
    {
        var (path, articleId) = await DamagedDatabaseAsync();
        using var factory = new FileFactory(path, ("Storage:IntegrityCheckInterval", "00:00:00"));
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        await (await client.GetAsync($"/v1/articles/{articleId}")).ReadProblemAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Contains(factory.Logs.Lines, line => line.Contains("corrupt database", StringComparison.Ordinal));
    }

    internal static async Task<string> PollReadyAsync(HttpClient client, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var body = await (await client.GetAsync("/health/ready")).Content.ReadAsStringAsync();
            if (body.Contains($"\"status\":\"{status}\"", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                Assert.Contains($"\"status\":\"{status}\"", body, StringComparison.Ordinal);
                return body;
            }

            await Task.Delay(50);
        }
    }
}

public class ReadOnlyDatabaseTests
{
    /// <summary>Makes a file immutable (even root cannot write it), or says why it cannot.</summary>
    private static string? Chattr(string flag, string path)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"chattr {flag} failed: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"chattr is not available: {exception.Message}";
        }
    }

    [SqliteSkippableFact(Feature = "a read-only database file (chattr +i)")]
    public async Task AnUnwritableDatabaseStartsReadOnlyServesReadsAndRefusesWritesWith503()
    {
        var path = Path.Combine(Path.GetTempPath(), "newslens-tests", $"{Guid.NewGuid():N}.db");
        long storyId;
        using (var seeding = new FileFactory(path))
        {
            var api = new ApiDriver(seeding.CreateClient());
            await api.CreateStoryAsync("Another story, so that the list has a second page");
            storyId = (long)(await api.CreateStoryAsync("Written before the disk went read-only"))["id"]!;
            seeding.KeepDatabaseFile = true;
        }

        var cannot = Chattr("+i", path);
        Skip.If(cannot is not null, cannot);
        try
        {
            using var factory = new FileFactory(path);
            var client = factory.CreateClient();

            var story = await (await client.GetAsync($"/v1/stories/{storyId}")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("Written before the disk went read-only", (string?)story["title"]);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/stories/{storyId}/coverage")).StatusCode);
            var page = await (await client.GetAsync("/v1/stories?limit=1")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/stories?limit=1&cursor={(string?)page["nextCursor"]}")).StatusCode);

            var refused = await client.PostAsJsonAsync("/v1/stories", new { title = "Cannot be written" });
            var problem = await refused.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("can only read", (string?)problem["detail"]);
            Assert.True(refused.Headers.RetryAfter is not null);

            var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"status\":\"Degraded\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains(factory.Logs.Lines, line => line.Contains("READ-ONLY MODE", StringComparison.Ordinal));
            Chattr("-i", path);
        }
        finally
        {
            Chattr("-i", path);
        }
    }
}
