using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace NewsLens.Api.Tests.Storage;

/// <summary>
/// Two service processes on one PostgreSQL database: a write through one reaches the other's coverage cache by the
/// change feed (LISTEN/NOTIFY), so the other serves the new coverage without a restart and without its cache off.
/// </summary>
public sealed class ChangeFeedTests : IDisposable
{
    private readonly NewsLensFactory first = new();
    private SameDatabaseFactory? second;

    [PostgreSqlFact("the change feed between processes")]
    public async Task AWriteThroughOneProcessReachesTheOthersCachedCoverage()
    {
        second = new SameDatabaseFactory(first.ConnectionString);
        var writer = new ApiDriver(first.CreateClient());
        var reader = second.CreateClient();
        var left = await writer.CreateOutletAsync("left");
        var right = await writer.CreateOutletAsync("right");
        var story = await writer.CreateStoryAsync("Seen from two processes");
        var storyId = (long)story["id"]!;
        await writer.LinkAsync(story, await writer.CreateArticleAsync(left));
        await WaitUntilListeningAsync(second);

        // The reader caches the story's coverage; left alone, it would serve that entry for as long as it lives.
        Assert.Equal(1, await SourcesAsync(reader, storyId));
        Assert.Equal(1, await SourcesAsync(reader, storyId));

        await writer.LinkAsync(story, await writer.CreateArticleAsync(right));

        var waited = Stopwatch.StartNew();
        while (await SourcesAsync(reader, storyId) != 2)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), "the other process still serves the coverage from before the write");
            await Task.Delay(20);
        }
    }

    [PostgreSqlFact("the change feed's heartbeat")]
    public async Task TheFeedKeepsShowingItIsCompleteSoCachedCoverageIsServedWithoutTheDatabase()
    {
        _ = first.CreateClient();
        var (changes, trust) = Feed(first);
        await WaitUntilCompleteAsync(changes, trust);

        // Sampled for two seconds while idle: a heartbeat every 100 ms keeps the feed known complete well within the bound.
        var worst = TimeSpan.Zero;
        for (var sample = Stopwatch.StartNew(); sample.Elapsed < TimeSpan.FromSeconds(2); await Task.Delay(10))
        {
            worst = changes.SinceFeedComplete > worst ? changes.SinceFeedComplete : worst;
        }

        Assert.True(worst < trust, $"the feed was last known complete {worst.TotalMilliseconds:F0} ms ago at worst (bound {trust.TotalMilliseconds:F0} ms)");
    }

    [PostgreSqlFact("the change feed's recovery")]
    public async Task AFeedWhoseConnectionIsCutStopsVouchingForTheCacheAndComesBackByItself()
    {
        _ = first.CreateClient();
        var (changes, trust) = Feed(first);
        await WaitUntilCompleteAsync(changes, trust);

        await using (var admin = new Npgsql.NpgsqlConnection(first.ConnectionString))
        {
            await admin.OpenAsync();
            await using var cut = new Npgsql.NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
            await cut.ExecuteNonQueryAsync();
        }

        var waited = Stopwatch.StartNew();
        while (changes.SinceFeedComplete < trust)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), "the feed still vouches for the cache after losing its connection");
            await Task.Delay(10);
        }

        await WaitUntilCompleteAsync(changes, trust);
    }

    private static (NewsLens.Api.Storage.StoryChanges Changes, TimeSpan Trust) Feed(NewsLensFactory factory) => (
        factory.Services.GetRequiredService<Database>().Changes,
        factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NewsLens.Api.Coverage.CoverageOptions>>().Value.ChangeFeedTrust);

    private static async Task WaitUntilCompleteAsync(NewsLens.Api.Storage.StoryChanges changes, TimeSpan trust)
    {
        var waited = Stopwatch.StartNew();
        while (changes.SinceFeedComplete >= trust)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "no heartbeat came back through the change feed");
            await Task.Delay(20);
        }
    }

    /// <summary>The second process's feed connects after it starts; until then it reads through, which proves nothing.</summary>
    private static async Task WaitUntilListeningAsync(SameDatabaseFactory factory)
    {
        var changes = factory.Services.GetRequiredService<Database>().Changes;
        var waited = Stopwatch.StartNew();
        while (changes.Generation(1) != changes.Generation(1))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the change feed did not connect");
            await Task.Delay(20);
        }
    }

    private static async Task<int> SourcesAsync(HttpClient client, long storyId) =>
        (int)(await (await client.GetAsync($"/v1/stories/{storyId}/coverage")).ReadJsonAsync(HttpStatusCode.OK))["totalSources"]!;

    public void Dispose()
    {
        second?.Dispose();
        first.Dispose();
    }
}
