using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NewsLens.Api.Coverage;

namespace NewsLens.Api.Tests.Coverage;

/// <summary>
/// Coverage is served from an in-process cache keyed by each story's coverage version. Every kind of write
/// that changes a story's coverage must show on the very next read of coverage that was cached before it,
/// on the single, batch and list endpoints.
/// </summary>
public class CoverageCacheTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task WithATrustBoundAnUnchangedEntryIsServedWithoutTheDatabaseOnlyWhileTheDatabaseOrTheChangeFeedVouchedForItThatRecently()
    {
        var feed = new NewsLens.Api.Storage.StoryChanges();
        using var bounded = new CoverageCache(100, TimeSpan.FromMilliseconds(200), feed);
        using var unbounded = new CoverageCache(100);
        var memo = new CoverageMemo(7, [new(NewsLens.Api.Ratings.Bias.Left, null, null, 1, 2, null, null)]);
        var stamp = new CoverageStamp(3, DateTime.UnixEpoch);
        bounded.Set(7, stamp, memo, generation: 10);
        unbounded.Set(7, stamp, memo, generation: 10);
        Assert.True(bounded.TryGetUnchanged(7, 10, out _, out _));     // just read from the database

        await Task.Delay(TimeSpan.FromMilliseconds(400));
        Assert.False(bounded.TryGetUnchanged(7, 10, out _, out _));    // ask the database: a late notification may be missing
        Assert.True(unbounded.TryGetUnchanged(7, 10, out _, out _));

        Assert.True(bounded.TryGet(7, stamp, 10, out _));              // the database confirmed the version
        Assert.True(bounded.TryGetUnchanged(7, 10, out _, out _));
        Assert.False(bounded.TryGetUnchanged(7, 11, out _, out _));    // a write touched the story

        await Task.Delay(TimeSpan.FromMilliseconds(400));
        Assert.False(bounded.TryGetUnchanged(7, 10, out _, out _));
        feed.FeedCompleteAt(System.Diagnostics.Stopwatch.GetTimestamp()); // a heartbeat came back: every earlier write is applied
        Assert.True(bounded.TryGetUnchanged(7, 10, out _, out _));
        Assert.False(bounded.TryGetUnchanged(7, 11, out _, out _));
        feed.FeedCompleteAt(System.Diagnostics.Stopwatch.GetTimestamp() - System.Diagnostics.Stopwatch.Frequency); // an older proof changes nothing
        Assert.True(bounded.TryGetUnchanged(7, 10, out _, out _));
        feed.Suspend();                                                  // the feed's connection is down
        Assert.False(bounded.TryGetUnchanged(7, 10, out _, out _));
    }

    [Fact]
    public void CacheHoldsAnEntryOnlyForTheVersionItWasReadAt()
    {
        using var cache = new CoverageCache(100);
        var memo = new CoverageMemo(7, [new(NewsLens.Api.Ratings.Bias.Left, null, null, 1, 2, null, null)]);
        var stamp = new CoverageStamp(3, DateTime.UnixEpoch);
        cache.Set(7, stamp, memo, generation: 10);

        Assert.True(cache.TryGet(7, stamp, 11, out var hit));
        Assert.Same(memo, hit);
        var ratings = new CoverageRatings(CoverageRatings.Combined, NewsLens.Api.Ratings.CombineMethod.Mean, null);
        Assert.Same(hit.Coverage(CoverageBasis.Sources, new BlindspotOptions(), ratings), hit.Coverage(CoverageBasis.Sources, new BlindspotOptions(), ratings));
        Assert.Equal(CoverageBasis.Articles, hit.Coverage(CoverageBasis.Articles, new BlindspotOptions(), ratings).Basis);
        Assert.False(cache.TryGet(7, stamp with { Version = 4 }, 11, out _));
        Assert.False(cache.TryGet(8, stamp, 11, out _));
    }

    [Fact]
    public void AnEntryIsCurrentWithoutTheDatabaseOnlyWhileItsStoryIsAtTheGenerationItWasConfirmedAt()
    {
        using var cache = new CoverageCache(100);
        var stamp = new CoverageStamp(3, DateTime.UnixEpoch);
        cache.Set(7, stamp, new CoverageMemo(7, []), generation: 10);

        Assert.True(cache.TryGetUnchanged(7, 10, out var unchanged, out _));
        Assert.Equal(stamp, unchanged);
        Assert.False(cache.TryGetUnchanged(7, 11, out _, out _));

        // Confirmed again by a read of the version at count 11.
        Assert.True(cache.TryGet(7, stamp, 11, out _));
        Assert.True(cache.TryGetUnchanged(7, 11, out _, out _));
    }

    [Fact]
    public void ZeroGroupsTurnsTheCacheOff()
    {
        using var cache = new CoverageCache(0);
        var stamp = new CoverageStamp(3, DateTime.UnixEpoch);
        cache.Set(7, stamp, new CoverageMemo(7, []), 1);
        Assert.False(cache.TryGet(7, stamp, 1, out _));
        Assert.False(cache.TryGetUnchanged(7, 1, out _, out _));
    }

    [Fact]
    public async Task EveryWriteThatChangesCoverageShowsOnTheNextReadOfCachedCoverage()
    {
        var story = await Api.CreateStoryAsync();
        var left = await Api.CreateOutletAsync("left", factuality: "high");
        var right = await Api.CreateOutletAsync("right");
        await Api.CoverAsync(story, left, 2);
        Assert.Equal("100% of the sources lean Left", await LabelAsync(story));

        // Link (single write path).
        var article = await Api.CreateArticleAsync(right);
        await Api.LinkAsync(story, article);
        Assert.Equal("No majority lean", await LabelAsync(story));
        Assert.Equal(3, (int)(await Api.CoverageAsync(story))["totalArticles"]!);

        // Re-rating an outlet changes every story it covered through a trigger, not through the story.
        (await Client.PutAsJsonAsync($"/v1/outlets/{right["id"]}", new { name = (string?)right["name"], domain = (string?)right["domain"], bias = "left" })).EnsureSuccessStatusCode();
        Assert.Equal("100% of the sources lean Left", await LabelAsync(story));

        // A factuality change moves no lean but changes the breakdown.
        (await Client.PutAsJsonAsync($"/v1/outlets/{left["id"]}", new { name = (string?)left["name"], domain = (string?)left["domain"], bias = "left", factuality = "low" })).EnsureSuccessStatusCode();
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["factuality"]!["low"]!);

        // Unlink, then delete the last article of that outlet.
        (await Client.DeleteAsync($"/v1/stories/{story["id"]}/articles/{article["id"]}")).EnsureSuccessStatusCode();
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["totalSources"]!);

        // The bulk import path recounts instead of running the per-link triggers.
        var center = await Api.CreateOutletAsync("center");
        var import = await Client.PostAsJsonAsync("/v1/articles/import", new[]
        {
            new { url = $"https://{center["domain"]}/cached/1", title = "Imported", publishedAt = "2025-05-05T05:05:05Z", storyIds = new[] { (long)story["id"]! } },
        });
        import.EnsureSuccessStatusCode();
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["bias"]!["center"]!["count"]!);

        // Batch and list read the same cache.
        var batch = await Client.GetFromJsonAsync<JsonNode>($"/v1/coverage?storyIds={story["id"]}");
        Assert.Equal(2, (int)batch!["items"]![0]!["totalSources"]!);
        var list = await Client.GetFromJsonAsync<JsonNode>("/v1/stories?include=coverage&limit=200");
        var listed = list!["items"]!.AsArray().Single(s => (long)s!["id"]! == (long)story["id"]!);
        Assert.Equal(2, (int)listed!["coverage"]!["totalSources"]!);

        // A deleted story is gone, not served from the cache.
        (await Client.DeleteAsync($"/v1/stories/{story["id"]}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/v1/stories/{story["id"]}/coverage")).StatusCode);
    }

    private async Task<string> LabelAsync(JsonNode story) => (string)(await Api.CoverageAsync(story))["bias"]!["label"]!;
}
