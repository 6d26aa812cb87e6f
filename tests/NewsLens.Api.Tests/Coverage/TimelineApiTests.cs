using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Coverage;

public class TimelineApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    private async Task<JsonNode> TimelineAsync(JsonNode story, string query = "")
    {
        var response = await Client.GetAsync($"/v1/stories/{story["id"]}/timeline{query}");
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheTimelineListsEachHourFromTheFirstToTheLastPublicationWithTheFirstArticleOfEachSide()
    {
        var story = await Api.CreateStoryAsync();
        var (left, right, unrated) = (await Api.CreateOutletAsync("lean_left"), await Api.CreateOutletAsync("far_right"), await Api.CreateOutletAsync());
        var firstLeft = await Api.CreateArticleAsync(left, DateTimeOffset.Parse("2025-09-04T08:23:00+02:00"));
        var firstRight = await Api.CreateArticleAsync(right, DateTimeOffset.Parse("2025-09-04T20:40:00Z"));
        await Api.LinkAsync(story, firstLeft);
        await Api.LinkAsync(story, firstRight);
        await Api.LinkAsync(story, await Api.CreateArticleAsync(left, DateTimeOffset.Parse("2025-09-04T20:59:00Z")));
        await Api.LinkAsync(story, await Api.CreateArticleAsync(unrated, DateTimeOffset.Parse("2025-09-04T07:00:00Z")));

        var timeline = await TimelineAsync(story);

        Assert.Equal(
            ["storyId", "basis", "bucket", "ratings", "firstPublishedAt", "lastPublishedAt", "buckets", "firstBySide"],
            timeline.AsObject().Select(p => p.Key));
        Assert.Equal(("sources", "hour"), ((string?)timeline["basis"], (string?)timeline["bucket"]));
        var buckets = timeline["buckets"]!.AsArray();
        Assert.Equal(15, buckets.Count); // 06:00 … 20:00
        Assert.Equal("2025-09-04T06:00:00Z", (string?)buckets[0]!["start"]);
        Assert.Equal("2025-09-04T20:00:00Z", (string?)buckets[^1]!["start"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"start": "2025-09-04T06:00:00Z", "left": 1, "center": 0, "right": 0, "unrated": 0,
             "cumulative": {"rated": 1, "unrated": 0, "left": 100, "center": 0, "right": 0, "label": "100% of the sources lean Left"}}
            """), buckets[0]), buckets[0]!.ToJsonString());
        Assert.Equal(1, (int)buckets[1]!["unrated"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"start": "2025-09-04T20:00:00Z", "left": 0, "center": 0, "right": 1, "unrated": 0,
             "cumulative": {"rated": 2, "unrated": 1, "left": 50, "center": 0, "right": 50, "label": "No majority lean"}}
            """), buckets[^1]), buckets[^1]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"left": {"articleId": {{firstLeft["id"]}}, "outletId": {{left["id"]}}, "publishedAt": "2025-09-04T06:23:00Z"},
             "right": {"articleId": {{firstRight["id"]}}, "outletId": {{right["id"]}}, "publishedAt": "2025-09-04T20:40:00Z"} }
            """), timeline["firstBySide"]), timeline["firstBySide"]!.ToJsonString());

        var articles = await TimelineAsync(story, "?basis=articles&bucket=day");
        var day = Assert.Single(articles["buckets"]!.AsArray());
        Assert.Equal(("2025-09-04T00:00:00Z", 2, 1, 1), ((string?)day!["start"], (int)day["left"]!, (int)day["right"]!, (int)day["unrated"]!));
        Assert.Equal("67% of the articles lean Left", (string?)day["cumulative"]!["label"]);
    }

    [Fact]
    public async Task AStoryWithoutArticlesHasAnEmptyTimeline()
    {
        var story = await Api.CreateStoryAsync();

        var timeline = await TimelineAsync(story);

        Assert.Empty(timeline["buckets"]!.AsArray());
        Assert.Empty(timeline["firstBySide"]!.AsObject());
        Assert.Null(timeline["firstPublishedAt"]);
    }

    /// <summary>Random stories through the API, each bucket recounted from the links that were made, and the last bucket against the coverage endpoint.</summary>
    [Fact]
    public async Task RandomStoriesMatchARecountFromTheirLinks()
    {
        var random = new Random(16);
        string?[] biases = ["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null];
        var outlets = new List<(JsonNode Outlet, string? Lean)>();
        foreach (var bias in biases.Concat(biases))
        {
            var lean = bias switch { null => null, "center" => "center", _ when bias.Contains("left") => "left", _ => "right" };
            outlets.Add((await Api.CreateOutletAsync(bias), lean));
        }

        for (var round = 0; round < 6; round++)
        {
            var story = await Api.CreateStoryAsync();
            var start = new DateTimeOffset(2025, 3, 29, 21, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 600));
            var links = new List<(long Article, long Outlet, DateTimeOffset At, string? Lean)>();
            for (var i = random.Next(1, 14); i > 0; i--)
            {
                var (outlet, lean) = outlets[random.Next(outlets.Count)];
                var at = start.AddMinutes(random.Next(0, 3 * 24 * 60));
                var article = await Api.CreateArticleAsync(outlet, at);
                await Api.LinkAsync(story, article);
                links.Add(((long)article["id"]!, (long)outlet["id"]!, at, lean));
            }

            foreach (var (bucket, width) in new[] { ("hour", TimeSpan.FromHours(1)), ("day", TimeSpan.FromDays(1)) })
            {
                foreach (var basis in new[] { "sources", "articles" })
                {
                    var timeline = await TimelineAsync(story, $"?bucket={bucket}&basis={basis}");
                    var units = basis == "sources"
                        ? links.GroupBy(l => l.Outlet).Select(g => (At: g.Min(l => l.At), g.First().Lean))
                        : links.Select(l => (l.At, l.Lean));
                    var first = links.Min(l => l.At).UtcDateTime;
                    var at = bucket == "hour" ? first.Date.AddHours(first.Hour) : first.Date;
                    var expected = new JsonArray();
                    while (at <= links.Max(l => l.At).UtcDateTime)
                    {
                        var end = at + width;
                        var seen = units.Where(u => u.At.UtcDateTime >= at && u.At.UtcDateTime < end).ToList();
                        expected.Add(new JsonObject
                        {
                            ["start"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                            ["left"] = seen.Count(u => u.Lean == "left"),
                            ["center"] = seen.Count(u => u.Lean == "center"),
                            ["right"] = seen.Count(u => u.Lean == "right"),
                            ["unrated"] = seen.Count(u => u.Lean is null),
                        });
                        at = end;
                    }

                    var actual = timeline["buckets"]!.AsArray();
                    var context = $"story {story["id"]}, {bucket}, {basis}";
                    Assert.True(JsonNode.DeepEquals(expected, new JsonArray([.. actual.Select(b => (JsonNode)new JsonObject(
                        b!.AsObject().Where(p => p.Key != "cumulative").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))))])), context);

                    // After the last bucket, the coverage of the whole story.
                    var coverage = (await Api.CoverageAsync(story, basis))["bias"]!;
                    var last = actual[^1]!["cumulative"]!;
                    Assert.Equal(
                        ((int)coverage["rated"]!, (int)coverage["unrated"]!, (int?)coverage["left"]!["percent"], (int?)coverage["center"]!["percent"],
                            (int?)coverage["right"]!["percent"], (string?)coverage["label"]),
                        ((int)last["rated"]!, (int)last["unrated"]!, (int?)last["left"], (int?)last["center"], (int?)last["right"], (string?)last["label"]));

                    foreach (var lean in new[] { "left", "center", "right" })
                    {
                        var firstOfLean = links.Where(l => l.Lean == lean).OrderBy(l => l.At).ThenBy(l => l.Article).Select(l => (long?)l.Article).FirstOrDefault();
                        Assert.Equal(firstOfLean, (long?)timeline["firstBySide"]![lean]?["articleId"]);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task MoreThan2000BucketsIsA400OnBucketAskingForALargerOne()
    {
        var story = await Api.CreateStoryAsync();
        var outlet = await Api.CreateOutletAsync("center");
        await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet, DateTimeOffset.Parse("2025-01-01T00:00:00Z")));
        await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet, DateTimeOffset.Parse("2025-03-25T08:00:00Z"))); // the 2,001st hour

        var errors = await (await Client.GetAsync($"/v1/stories/{story["id"]}/timeline?bucket=hour")).ReadValidationErrorsAsync("bucket");

        Assert.Equal("The story's articles span 2,001 hours, more than 2,000 buckets; use a larger bucket (bucket=day).", (string?)errors["bucket"]![0]);
        Assert.Equal(84, (await TimelineAsync(story, "?bucket=day"))["buckets"]!.AsArray().Count);
    }

    [Fact]
    public async Task ExactlyTwoThousandHoursIsAnswered()
    {
        var story = await Api.CreateStoryAsync();
        var outlet = await Api.CreateOutletAsync("center");
        await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet, DateTimeOffset.Parse("2025-01-01T00:00:00Z")));
        await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet, DateTimeOffset.Parse("2025-03-25T07:59:59Z")));

        Assert.Equal(2_000, (await TimelineAsync(story))["buckets"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("bucket=week", "bucket", "hour, day")]
    [InlineData("basis=outlets", "basis", "sources, articles")]
    [InlineData("asOf=yesterday", "asOf", "RFC 3339")]
    [InlineData("rater=nobody", "rater", "does not exist")]
    public async Task BadQueriesAre400sNamingTheField(string query, string field, string message)
    {
        var story = await Api.CreateStoryAsync();

        var errors = await (await Client.GetAsync($"/v1/stories/{story["id"]}/timeline?{query}")).ReadValidationErrorsAsync(field);

        Assert.Contains(message, (string?)errors[field]![0]);
    }

    [Fact]
    public async Task AnUnknownStoryIsA404()
    {
        var problem = await (await Client.GetAsync("/v1/stories/987654321/timeline")).ReadProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("987654321", (string?)problem["detail"]);
    }

    [Fact]
    public async Task TheTimelineIsCachedLikeCoverageAndChangesWithItsLinks()
    {
        var story = await Api.CreateStoryAsync();
        var outlet = await Api.CreateOutletAsync("left");
        await Api.CoverAsync(story, outlet);
        var url = $"/v1/stories/{story["id"]}/timeline";

        var first = await Client.GetAsync(url);
        Assert.Equal("public, max-age=30", first.Headers.CacheControl?.ToString());
        Assert.NotNull(first.Content.Headers.LastModified);
        var tags = new[] { first.Headers.ETag?.Tag, (await Client.GetAsync(url + "?bucket=day")).Headers.ETag?.Tag,
            (await Client.GetAsync(url + "?basis=articles")).Headers.ETag?.Tag, (await Client.GetAsync($"/v1/stories/{story["id"]}/coverage")).Headers.ETag?.Tag };
        Assert.Equal(4, tags.Distinct().Count());

        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await Client.SendAsync(again)).StatusCode);

        await Api.CoverAsync(story, await Api.CreateOutletAsync("right"));
        var changed = new HttpRequestMessage(HttpMethod.Get, url);
        changed.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var fresh = await (await Client.SendAsync(changed)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("No majority lean", (string?)fresh["buckets"]![0]!["cumulative"]!["label"]);
    }

    [Fact]
    public async Task ChosenRatingsCountAsInCoverage()
    {
        var story = await Api.CreateStoryAsync();
        var outlet = await Api.CreateOutletAsync("left");
        await Api.CoverAsync(story, outlet);
        var recorded = await Client.PutAsJsonAsync($"/v1/outlets/{outlet["id"]}/ratings/allsides",
            new { bias = "Right", effectiveFrom = "2024-01-01T00:00:00Z" });
        Assert.True(recorded.IsSuccessStatusCode, await recorded.Content.ReadAsStringAsync());

        var byAllSides = await TimelineAsync(story, "?rater=allsides");
        var before = await TimelineAsync(story, "?rater=allsides&asOf=2023-06-01T00:00:00Z");

        Assert.Equal(1, (int)byAllSides["buckets"]![0]!["right"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"rater": "allsides", "method": null, "asOf": null}"""), byAllSides["ratings"]));
        Assert.Equal(1, (int)before["buckets"]![0]!["unrated"]!);
        Assert.Equal("2023-06-01T00:00:00Z", (string?)before["ratings"]!["asOf"]);
        Assert.False(before["firstBySide"]!.AsObject().ContainsKey("right"));
        Assert.Equal("combined", (string?)(await TimelineAsync(story))["ratings"]!["rater"]);
    }
}
