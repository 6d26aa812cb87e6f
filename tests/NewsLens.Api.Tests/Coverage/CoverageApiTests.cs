using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Coverage;

public class CoverageApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task SourcesBasisCountsEachOutletOnceAndArticlesBasisEachArticle()
    {
        var story = await Api.CreateStoryAsync();
        var left1 = await Api.CreateOutletAsync("far_left", factuality: "high", ownership: "independent");
        var left2 = await Api.CreateOutletAsync("lean_left", factuality: "high");
        var center = await Api.CreateOutletAsync("center", factuality: "very_high", ownership: "government");
        var right = await Api.CreateOutletAsync("right", factuality: "low", ownership: "billionaire");
        var unrated = await Api.CreateOutletAsync(factuality: "mixed");
        await Api.CoverAsync(story, left1, 3);
        await Api.CoverAsync(story, left2, 1);
        await Api.CoverAsync(story, center, 2);
        await Api.CoverAsync(story, right, 1);
        await Api.CoverAsync(story, unrated, 2);

        var sources = await Api.CoverageAsync(story);
        var expectedSources = JsonNode.Parse("""
            {
              "rated": 4, "unrated": 1,
              "left": {"count": 2, "percent": 50, "low": 15, "high": 85}, "center": {"count": 1, "percent": 25, "low": 4, "high": 70},
              "right": {"count": 1, "percent": 25, "low": 4, "high": 70},
              "majority": "left", "label": "50% of the sources lean Left"
            }
            """);
        Assert.Equal((long)story["id"]!, (long)sources["storyId"]!);
        Assert.Equal("sources", (string?)sources["basis"]);
        Assert.Equal(9, (int)sources["totalArticles"]!);
        Assert.Equal(5, (int)sources["totalSources"]!);
        Assert.True(JsonNode.DeepEquals(expectedSources, sources["bias"]), sources["bias"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"very_high":1,"high":2,"mostly_factual":0,"mixed":1,"low":1,"very_low":0,"unrated":0}"""), sources["factuality"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"independent":1,"media_conglomerate":0,"billionaire":1,"private_equity":0,"government":1,"corporation":0,"telecom":0,"other":0,"unrated":2}"""),
            sources["ownership"]));
        Assert.Null(sources["blindspot"]);

        var articles = await Api.CoverageAsync(story, "articles");
        var expectedArticles = JsonNode.Parse("""
            {
              "rated": 7, "unrated": 2,
              "left": {"count": 4, "percent": 57, "low": 25, "high": 85}, "center": {"count": 2, "percent": 29, "low": 8, "high": 65},
              "right": {"count": 1, "percent": 14, "low": 2, "high": 52},
              "majority": "left", "label": "57% of the articles lean Left"
            }
            """);
        Assert.Equal("articles", (string?)articles["basis"]);
        Assert.True(JsonNode.DeepEquals(expectedArticles, articles["bias"]), articles["bias"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"very_high":2,"high":4,"mostly_factual":0,"mixed":2,"low":1,"very_low":0,"unrated":0}"""), articles["factuality"]));
        Assert.Equal(
            ["storyId", "basis", "totalArticles", "totalSources", "bias", "blindspot", "factuality", "ownership", "firstPublishedAt", "lastPublishedAt", "ratings", "disagreement"],
            articles.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task PublishedRangeSpansTheLinkedArticles()
    {
        var story = await Api.CreateStoryAsync();
        var outlet = await Api.CreateOutletAsync("center");
        foreach (var at in new[] { "2025-02-03T10:00:00+05:00", "2025-02-01T23:30:00-02:00", "2025-02-02T12:00:00Z" })
        {
            await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet, DateTimeOffset.Parse(at)));
        }

        var coverage = await Api.CoverageAsync(story);

        Assert.Equal("2025-02-02T01:30:00Z", (string?)coverage["firstPublishedAt"]);
        Assert.Equal("2025-02-03T05:00:00Z", (string?)coverage["lastPublishedAt"]);
    }

    [Fact]
    public async Task AStoryWithoutLinksHasZeroCountsNullPercentsAndNullTimes()
    {
        var story = await Api.CreateStoryAsync();

        var coverage = await Api.CoverageAsync(story);

        var expected = JsonNode.Parse($$"""
            {
              "storyId": {{(long)story["id"]!}}, "basis": "sources", "totalArticles": 0, "totalSources": 0,
              "bias": { "rated": 0, "unrated": 0,
                        "left": {"count": 0, "percent": null, "low": null, "high": null}, "center": {"count": 0, "percent": null, "low": null, "high": null},
                        "right": {"count": 0, "percent": null, "low": null, "high": null},
                        "majority": null, "label": "No rated sources" },
              "blindspot": null,
              "factuality": {"very_high":0,"high":0,"mostly_factual":0,"mixed":0,"low":0,"very_low":0,"unrated":0},
              "ownership": {"independent":0,"media_conglomerate":0,"billionaire":0,"private_equity":0,"government":0,"corporation":0,"telecom":0,"other":0,"unrated":0},
              "firstPublishedAt": null, "lastPublishedAt": null,
              "ratings": {"rater": "combined", "method": "mean", "asOf": null},
              "disagreement": {"multiRated": 0, "contested": 0}
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, coverage), coverage.ToJsonString());
        Assert.Equal("No rated articles", (string?)(await Api.CoverageAsync(story, "articles"))["bias"]!["label"]);
    }

    [Fact]
    public async Task OnlyUnratedSourcesReadNoRatedSources()
    {
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, await Api.CreateOutletAsync(), 2);

        var coverage = await Api.CoverageAsync(story);

        Assert.Equal(0, (int)coverage["bias"]!["rated"]!);
        Assert.Equal(1, (int)coverage["bias"]!["unrated"]!);
        Assert.Null(coverage["bias"]!["left"]!["percent"]);
        Assert.Equal("No rated sources", (string?)coverage["bias"]!["label"]);
    }

    [Fact]
    public async Task ATieAtTheTopHasNoMajority()
    {
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, await Api.CreateOutletAsync("left"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("right"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("center"));

        var bias = (await Api.CoverageAsync(story))["bias"]!;

        Assert.Equal([33, 34, 33], new[] { "left", "center", "right" }.Select(l => (int)bias[l]!["percent"]!));
        Assert.Null(bias["majority"]);
        Assert.Equal("No majority lean", (string?)bias["label"]);
    }

    [Fact]
    public async Task ABlindspotIsFlaggedWhenOneSideBarelyCoversTheStory()
    {
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, await Api.CreateOutletAsync("lean_left"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("center"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("center"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("right"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("far_right"));
        await Api.CoverAsync(story, await Api.CreateOutletAsync("lean_right"));

        var coverage = await Api.CoverageAsync(story);

        Assert.Equal("left", (string?)coverage["blindspot"]);   // left 1/6 ≤ 20%, right 3/6 ≥ 50%
        Assert.Equal("50% of the sources lean Right", (string?)coverage["bias"]!["label"]);
    }

    [Fact]
    public async Task ReRatingAnOutletChangesTheCoverageOfEveryStoryItAppearsIn()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var other = await Api.CreateOutletAsync("center");
        var first = await Api.CreateStoryAsync();
        var second = await Api.CreateStoryAsync();
        await Api.CoverAsync(first, outlet);
        await Api.CoverAsync(first, other);
        await Api.CoverAsync(second, outlet, 2);
        Assert.Equal("left", (string?)(await Api.CoverageAsync(second))["bias"]!["majority"]);

        var rerated = await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new { name = "Moved right", domain = (string)outlet["domain"]!, bias = "lean_right" });
        await rerated.ReadJsonAsync(HttpStatusCode.OK);

        var firstBias = (await Api.CoverageAsync(first))["bias"]!;
        Assert.Equal(0, (int)firstBias["left"]!["count"]!);
        Assert.Equal(1, (int)firstBias["right"]!["count"]!);
        Assert.Equal("No majority lean", (string?)firstBias["label"]);
        Assert.Equal("100% of the sources lean Right", (string?)(await Api.CoverageAsync(second))["bias"]!["label"]);

        var unrated = await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new { name = "Unrated now", domain = (string)outlet["domain"]! });
        await unrated.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("No rated sources", (string?)(await Api.CoverageAsync(second))["bias"]!["label"]);
    }

    [Theory]
    [InlineData("?basis=outlets")]
    [InlineData("?basis=Sources")]
    [InlineData("?basis=")]
    public async Task AnUnknownBasisIs400(string query)
    {
        var story = await Api.CreateStoryAsync();

        await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage{query}")).ReadValidationErrorsAsync("basis");
    }

    [Fact]
    public async Task AnUnknownStoryIs404()
    {
        var problem = await (await Client.GetAsync("/v1/stories/987654321/coverage")).ReadProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal("Story 987654321 does not exist.", (string?)problem["detail"]);
    }
}
