using System.Net;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Coverage;

public class BatchCoverageApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task ItemsComeInTheOrderAskedWithUnknownIdsInMissing()
    {
        var left = await Api.CreateOutletAsync("left");
        var right = await Api.CreateOutletAsync("right");
        var a = await Api.CreateStoryAsync("A");
        var b = await Api.CreateStoryAsync("B");
        var empty = await Api.CreateStoryAsync("Empty");
        await Api.CoverAsync(a, left, 2);
        await Api.CoverAsync(b, right);
        await Api.CoverAsync(b, left);
        long Id(JsonNode story) => (long)story["id"]!;

        var batch = await (await Client.GetAsync($"/v1/coverage?storyIds={Id(b)},987654321,{Id(empty)},{Id(a)},987654322")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal([Id(b), Id(empty), Id(a)], batch["items"]!.AsArray().Select(i => (long)i!["storyId"]!));
        Assert.Equal([987654321L, 987654322L], batch["missing"]!.AsArray().Select(i => (long)i!));
        foreach (var item in batch["items"]!.AsArray())
        {
            var single = await (await Client.GetAsync($"/v1/stories/{(long)item!["storyId"]!}/coverage")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.True(JsonNode.DeepEquals(single, item), $"batch item differs from the single-story coverage: {item.ToJsonString()}");
        }
    }

    [Fact]
    public async Task BasisAppliesToEveryItem()
    {
        var outlet = await Api.CreateOutletAsync("center");
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet, 3);

        var batch = await (await Client.GetAsync($"/v1/coverage?storyIds={(long)story["id"]!}&basis=articles")).ReadJsonAsync(HttpStatusCode.OK);

        var item = Assert.Single(batch["items"]!.AsArray())!;
        Assert.Equal("articles", (string?)item["basis"]);
        Assert.Equal("100% of the articles are Center", (string?)item["bias"]!["label"]);
        Assert.Equal(3, (int)item["bias"]!["center"]!["count"]!);
    }

    [Fact]
    public async Task DuplicatesAreFoldedInFirstSeenOrder()
    {
        var a = await Api.CreateStoryAsync();
        var b = await Api.CreateStoryAsync();

        var batch = await (await Client.GetAsync($"/v1/coverage?storyIds={(long)b["id"]!},{(long)a["id"]!},{(long)b["id"]!},5555555,5555555")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal([(long)b["id"]!, (long)a["id"]!], batch["items"]!.AsArray().Select(i => (long)i!["storyId"]!));
        Assert.Equal([5555555L], batch["missing"]!.AsArray().Select(i => (long)i!));
    }

    [Fact]
    public async Task AHundredIdsAreAcceptedAndAHundredAndOneAreNot()
    {
        var hundred = string.Join(',', Enumerable.Range(1_000_000, 100));
        var batch = await (await Client.GetAsync($"/v1/coverage?storyIds={hundred}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(100, batch["missing"]!.AsArray().Count);

        var errors = await (await Client.GetAsync($"/v1/coverage?storyIds={hundred},2000000")).ReadValidationErrorsAsync("storyIds");
        Assert.Contains("At most 100", (string?)errors["storyIds"]![0]);
    }

    [Theory]
    [InlineData("/v1/coverage", "storyIds")]
    [InlineData("/v1/coverage?storyIds=", "storyIds")]
    [InlineData("/v1/coverage?storyIds=1,x", "storyIds")]
    [InlineData("/v1/coverage?storyIds=1,,2", "storyIds")]
    [InlineData("/v1/coverage?storyIds=-4", "storyIds")]
    [InlineData("/v1/coverage?storyIds=0", "storyIds")]
    [InlineData("/v1/coverage?storyIds=99999999999999999999", "storyIds")]
    [InlineData("/v1/coverage?storyIds=1.5", "storyIds")]
    [InlineData("/v1/coverage?storyIds=1&basis=outlets", "basis")]
    public async Task BadQueriesAre400Problems(string url, string field)
    {
        await (await Client.GetAsync(url)).ReadValidationErrorsAsync(field);
    }
}
