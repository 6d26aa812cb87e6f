using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>Coverage counted by one rater's ratings, as of an instant, and the raters' disagreement.</summary>
public sealed class CoverageByRaterTests(NewsLensFactory factory) : ApiTests(factory)
{
    private async Task RateAsync(JsonNode outlet, string rater, string bias, string effectiveFrom) =>
        (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings/{rater}", new { bias, effectiveFrom })).EnsureSuccessStatusCode();

    private async Task<JsonNode> CoverageAsync(JsonNode story, string query) =>
        await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage?{query}")).ReadJsonAsync(HttpStatusCode.OK);

    private static (int Left, int Center, int Right, int Unrated) Counts(JsonNode coverage) =>
        ((int)coverage["bias"]!["left"]!["count"]!, (int)coverage["bias"]!["center"]!["count"]!, (int)coverage["bias"]!["right"]!["count"]!,
         (int)coverage["bias"]!["unrated"]!);

    /// <summary>
    /// A: ours center; AllSides Center from 2017, Left from 2022. B: ours right; MBFC right-center from 2019. C: unrated.
    /// </summary>
    private async Task<(JsonNode Story, JsonNode A, JsonNode B)> StoryAsync()
    {
        var a = await Api.CreateOutletAsync(bias: "center");
        var b = await Api.CreateOutletAsync(bias: "right");
        var c = await Api.CreateOutletAsync();
        var story = await Api.CreateStoryAsync();
        foreach (var outlet in new[] { a, b, c })
        {
            await Api.CoverAsync(story, outlet);
        }

        Assert.Equal((0, 1, 1, 1), Counts(await Api.CoverageAsync(story)));
        await RateAsync(a, "allsides", "Center", "2017-01-01T00:00:00Z");
        await RateAsync(a, "allsides", "Left", "2022-01-01T00:00:00Z");
        await RateAsync(b, "mbfc", "right-center", "2019-01-01T00:00:00Z");
        return (story, a, b);
    }

    [Fact]
    public async Task TheDefaultCountsTheCombinedRatingsAndSaysWhereRatersDisagree()
    {
        var (story, _, _) = await StoryAsync();

        // A: center (0) and left (−2) → lean_left, contested; B: right (+2) and lean_right (+1) → +1.5 → lean_right, agreed.
        var coverage = await Api.CoverageAsync(story);
        Assert.Equal((1, 0, 1, 1), Counts(coverage));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"rater":"combined","method":"mean","asOf":null}"""), coverage["ratings"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"multiRated":2,"contested":1}"""), coverage["disagreement"]));
        Assert.Equal(coverage.ToJsonString(), (await CoverageAsync(story, "rater=combined")).ToJsonString());
    }

    [Fact]
    public async Task OneRatersCoverageCountsOnlyItsRatingsAndAsOfTheRatingsThenInForce()
    {
        var (story, _, _) = await StoryAsync();

        var allsides = await CoverageAsync(story, "rater=allsides");
        Assert.Equal((1, 0, 0, 2), Counts(allsides));
        Assert.Equal("100% of the sources lean Left", (string?)allsides["bias"]!["label"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"rater":"allsides","method":null,"asOf":null}"""), allsides["ratings"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"multiRated":0,"contested":0}"""), allsides["disagreement"]));

        var allsides2020 = await CoverageAsync(story, "rater=allsides&asOf=2020-01-01T00:00:00Z");
        Assert.Equal((0, 1, 0, 2), Counts(allsides2020));
        Assert.Equal("2020-01-01T00:00:00Z", (string?)allsides2020["ratings"]!["asOf"]);

        // Combined in 2020: our own ratings date from the outlets' creation (now), so A is AllSides' Center and B MBFC's right-center.
        var combined2020 = await CoverageAsync(story, "asOf=2020-01-01T00:00:00Z");
        Assert.Equal((0, 1, 1, 1), Counts(combined2020));
        Assert.Equal("mean", (string?)combined2020["ratings"]!["method"]);
        Assert.Equal(0, (int)combined2020["disagreement"]!["multiRated"]!);

        var articles = await CoverageAsync(story, "rater=mbfc&basis=articles");
        Assert.Equal((0, 0, 1, 2), Counts(articles));

        var batch = await (await Client.GetAsync($"/v1/coverage?storyIds={(long)story["id"]!}&rater=allsides&asOf=2020-01-01T00:00:00Z")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(allsides2020.ToJsonString(), batch["items"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task ARatingThatChangesOnlyAnAsOfAnswerStillChangesItsETag()
    {
        var (story, a, _) = await StoryAsync();
        var url = $"/v1/stories/{(long)story["id"]!}/coverage?rater=allsides&asOf=2020-01-01T00:00:00Z";
        var first = await Client.GetAsync(url);
        var etag = first.Headers.ETag!;
        Assert.NotEqual((await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).Headers.ETag, etag);
        Assert.NotEqual((await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage?rater=allsides")).Headers.ETag, etag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await Client.SendAsync(conditional)).StatusCode);

        // Backfilled between 2017 and 2022: what is in force now, and the story's own version, stay as they were.
        var version = (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).Headers.ETag;
        await RateAsync(a, "allsides", "Lean Left", "2019-01-01T00:00:00Z");
        Assert.Equal(version, (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        var changed = await Client.SendAsync(again);
        Assert.Equal((1, 0, 0, 2), Counts(await changed.ReadJsonAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task AnUnknownRaterOrABadAsOfIsA400()
    {
        var story = await Api.CreateStoryAsync();
        var id = (long)story["id"]!;
        await (await Client.GetAsync($"/v1/stories/{id}/coverage?rater=gallup")).ReadValidationErrorsAsync("rater");
        await (await Client.GetAsync($"/v1/stories/{id}/coverage?asOf=last-year")).ReadValidationErrorsAsync("asOf");
        await (await Client.GetAsync($"/v1/stories/{id}/coverage?asOf={DateTimeOffset.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}")).ReadValidationErrorsAsync("asOf");
        await (await Client.GetAsync($"/v1/coverage?storyIds={id}&rater=gallup")).ReadValidationErrorsAsync("rater");
        await (await Client.GetAsync("/v1/stories/999999999/coverage?rater=allsides")).ReadProblemAsync(HttpStatusCode.NotFound);
    }
}
