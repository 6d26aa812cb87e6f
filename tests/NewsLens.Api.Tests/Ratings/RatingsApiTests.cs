using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>Raters, dated ratings with provenance, and the combined rating that outlets and coverage use.</summary>
public sealed class RatingsApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    private async Task<JsonNode> RateAsync(JsonNode outlet, string rater, object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        await (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings/{rater}", body)).ReadJsonAsync(expected);

    private async Task<JsonNode> RatingsAsync(JsonNode outlet, string query = "") =>
        await (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings{query}")).ReadJsonAsync(HttpStatusCode.OK);

    private async Task<JsonNode> OutletAsync(JsonNode outlet) =>
        await (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task TheFourBuiltInRatersAreListedFirstAndAPartnerCanAddOne()
    {
        var id = $"rater-{Guid.NewGuid():N}"[..20];
        var created = await (await Client.PostAsJsonAsync("/v1/raters", new { id, name = "Ground Truth", url = "https://example.org/ratings", vocabulary = "mbfc" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("mbfc", (string?)created["vocabulary"]);
        Assert.False((bool)created["builtIn"]!);

        var raters = (await (await Client.GetAsync("/v1/raters")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
        Assert.Equal(["newslens", "allsides", "mbfc", "adfontes"], raters.Take(4));
        Assert.Contains(id, raters);
        Assert.Equal("Ground Truth", (string?)(await (await Client.GetAsync($"/v1/raters/{id}")).ReadJsonAsync(HttpStatusCode.OK))["name"]);

        await (await Client.PostAsJsonAsync("/v1/raters", new { id, name = "Again", vocabulary = "mbfc" })).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await Client.PostAsJsonAsync("/v1/raters", new { id = "Not A Slug", name = "X", vocabulary = "mbfc" })).ReadValidationErrorsAsync("id");
        await (await Client.PostAsJsonAsync("/v1/raters", new { id = "fine-slug", name = "X", vocabulary = "gallup" })).ReadValidationErrorsAsync("vocabulary");
        await (await Client.GetAsync("/v1/raters/nobody")).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ARatingOfAnotherRaterIsCombinedIntoTheOutletsBiasAndMovesCoverage()
    {
        var outlet = await Api.CreateOutletAsync(bias: "center", factuality: "high");
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet);
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["bias"]!["center"]!["count"]!);

        var rating = await RateAsync(outlet, "allsides", new { bias = "Left", sourceUrl = "https://www.allsides.com/news-source/x" });
        Assert.Equal("left", (string?)rating["bias"]);
        Assert.Equal("Left", (string?)rating["raterBias"]);
        Assert.Equal(NewsLensFactory.TestKeyName, (string?)rating["recordedBy"]);

        // center (0) and left (−2): −1 → lean_left, so the outlet now leans left, in the outlet and in coverage.
        var combined = await OutletAsync(outlet);
        Assert.Equal("lean_left", (string?)combined["bias"]);
        Assert.Equal("left", (string?)combined["lean"]);
        Assert.Equal("high", (string?)combined["factuality"]);
        var coverage = await Api.CoverageAsync(story);
        Assert.Equal(1, (int)coverage["bias"]!["left"]!["count"]!);
        Assert.Equal(0, (int)coverage["bias"]!["center"]!["count"]!);

        Assert.Equal(["newslens:center", "allsides:left"], combined["ratings"]!.AsArray().Select(r => $"{r!["rater"]}:{r["bias"]}"));
        var listed = await (await Client.GetAsync($"/v1/outlets?q={(string)outlet["domain"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(combined["ratings"]!.ToJsonString(), listed["items"]![0]!["ratings"]!.ToJsonString());

        var ratings = await RatingsAsync(outlet);
        Assert.Equal("lean_left", (string?)ratings["combined"]!["bias"]);
        Assert.Equal("mean", (string?)ratings["combined"]!["method"]);
        Assert.Equal(["newslens", "allsides"], ratings["combined"]!["raters"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["newslens", "allsides"], ratings["current"]!.AsArray().Select(r => (string)r!["rater"]!));
        Assert.Null(ratings["history"]);
    }

    [Fact]
    public async Task TheSameRatingSentAgainRecordsNothingAndADifferentOneAtTheSameInstantIsAConflict()
    {
        var outlet = await Api.CreateOutletAsync();
        await RateAsync(outlet, "mbfc", new { bias = "left-center", factuality = "Mostly Factual", effectiveFrom = "2024-06-01T00:00:00Z" });

        var again = await RateAsync(outlet, "mbfc", new { bias = "left-center", factuality = "Mostly Factual" }, HttpStatusCode.OK);
        Assert.Equal("2024-06-01T00:00:00Z", (string?)again["effectiveFrom"]);
        await RateAsync(outlet, "mbfc", new { bias = "left-center", factuality = "Mostly Factual", effectiveFrom = "2024-06-01T00:00:00Z" }, HttpStatusCode.OK);

        var conflict = await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings/mbfc", new { bias = "right", effectiveFrom = "2024-06-01T00:00:00Z" });
        Assert.Contains("history is never overwritten", (string?)(await conflict.ReadProblemAsync(HttpStatusCode.Conflict))["detail"]);

        Assert.Single((await RatingsAsync(outlet, "?history=true"))["history"]!.AsArray());
    }

    [Fact]
    public async Task HistoryIsKeptAndAsOfAnswersAsTheRatingsStoodThen()
    {
        var outlet = await Api.CreateOutletAsync();
        await RateAsync(outlet, "allsides", new { bias = "Center", effectiveFrom = "2017-01-01T00:00:00Z" });
        await RateAsync(outlet, "allsides", new { bias = "Left", effectiveFrom = "2022-01-01T00:00:00Z" });
        // Recorded later, effective in between: history grows, the rating in force now stays.
        await RateAsync(outlet, "allsides", new { bias = "Lean Left", effectiveFrom = "2019-01-01T00:00:00Z", note = "backfilled" });

        Assert.Equal("left", (string?)(await OutletAsync(outlet))["bias"]);
        var history = (await RatingsAsync(outlet, "?history=true"))["history"]!.AsArray();
        Assert.Equal(["center", "lean_left", "left"], history.Select(r => (string)r!["bias"]!));

        var in2020 = await RatingsAsync(outlet, "?asOf=2020-06-01T00:00:00Z&history=true");
        Assert.Equal("lean_left", (string?)in2020["current"]![0]!["bias"]);
        Assert.Equal("lean_left", (string?)in2020["combined"]!["bias"]);
        Assert.Equal(2, in2020["history"]!.AsArray().Count);
        var before = await RatingsAsync(outlet, "?asOf=2016-01-01T00:00:00Z");
        Assert.Empty(before["current"]!.AsArray());
        Assert.Null(before["combined"]!["bias"]);
    }

    [Fact]
    public async Task AnAdFontesScoreIsStoredAsSentAndByItsBand()
    {
        var outlet = await Api.CreateOutletAsync();
        var rating = await RateAsync(outlet, "adfontes", new { bias = -12.5 });
        Assert.Equal("lean_left", (string?)rating["bias"]);
        Assert.Equal("-12.5", (string?)rating["raterBias"]);

        var withdrawn = await RateAsync(outlet, "allsides", new { bias = "Mixed" });
        Assert.Null(withdrawn["bias"]);
        Assert.Equal("lean_left", (string?)(await OutletAsync(outlet))["bias"]);
    }

    [Fact]
    public async Task BadRatingsAreProblemsThatNameTheFieldAndChangeNothing()
    {
        var outlet = await Api.CreateOutletAsync(bias: "center");
        var url = $"/v1/outlets/{(long)outlet["id"]!}/ratings";

        var word = await (await Client.PutAsJsonAsync($"{url}/allsides", new { bias = "least biased" })).ReadValidationErrorsAsync("bias");
        Assert.Contains("allsides vocabulary", word["bias"]![0]!.ToString());
        await (await Client.PutAsJsonAsync($"{url}/allsides", new { bias = "Left", effectiveFrom = DateTimeOffset.UtcNow.AddDays(1) })).ReadValidationErrorsAsync("effectiveFrom");
        await (await Client.PutAsJsonAsync($"{url}/allsides", new { bias = "Left", factuality = "great" })).ReadValidationErrorsAsync("factuality");
        await (await Client.PutAsJsonAsync($"{url}/allsides", new { bias = "Left", sourceUrl = "javascript:alert(1)" })).ReadValidationErrorsAsync("sourceUrl");
        await (await Client.PutAsJsonAsync($"{url}/adfontes", new { bias = 50 })).ReadValidationErrorsAsync("bias");
        await (await Client.PutAsJsonAsync($"{url}/nobody", new { bias = "Left" })).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.PutAsJsonAsync("/v1/outlets/999999999/ratings/allsides", new { bias = "Left" })).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"{url}?asOf=yesterday")).ReadValidationErrorsAsync("asOf");
        await (await Client.GetAsync($"{url}?asOf={DateTimeOffset.UtcNow.AddDays(1):yyyy-MM-ddTHH:mm:ssZ}")).ReadValidationErrorsAsync("asOf");
        await (await Client.GetAsync("/v1/outlets/999999999/ratings")).ReadProblemAsync(HttpStatusCode.NotFound);

        var ratings = await RatingsAsync(outlet, "?history=true");
        Assert.Equal(["newslens"], ratings["history"]!.AsArray().Select(r => (string)r!["rater"]!));
        Assert.Equal("center", (string?)(await OutletAsync(outlet))["bias"]);
    }

    [Fact]
    public async Task AnOutletsOwnBiasIsItsNewsLensRatingRecordedWithTheKeyThatWroteIt()
    {
        var outlet = await Api.CreateOutletAsync(bias: "right", factuality: "mixed");
        var replaced = await (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}",
            new { name = "Renamed", domain = (string)outlet["domain"]!, bias = "lean_right", factuality = "mixed" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("lean_right", (string?)replaced["bias"]);
        // A rename alone records no rating.
        await (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}",
            new { name = "Renamed again", domain = (string)outlet["domain"]!, bias = "lean_right", factuality = "mixed" })).ReadJsonAsync(HttpStatusCode.OK);

        var history = (await RatingsAsync(outlet, "?history=true"))["history"]!.AsArray();
        Assert.Equal(["right", "lean_right"], history.Select(r => (string)r!["bias"]!));
        Assert.All(history, r => Assert.Equal("newslens", (string?)r!["rater"]));
        Assert.All(history, r => Assert.Equal(NewsLensFactory.TestKeyName, (string?)r!["recordedBy"]));

        // With another rater's rating in force, the outlet's bias is the combination, not what the outlet write said.
        await RateAsync(outlet, "mbfc", new { bias = "extreme right" });
        Assert.Equal("right", (string?)(await OutletAsync(outlet))["bias"]); // lean_right (+1) and far_right (+3) → +2
    }

    [Fact]
    public async Task ARatingChangesTheOutletsETag()
    {
        var outlet = await Api.CreateOutletAsync(bias: "center");
        var before = (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}")).Headers.ETag;
        await RateAsync(outlet, "allsides", new { bias = "Center", effectiveFrom = "2020-01-01T00:00:00Z" });
        var after = (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}")).Headers.ETag;
        Assert.NotEqual(before, after);
    }
}
