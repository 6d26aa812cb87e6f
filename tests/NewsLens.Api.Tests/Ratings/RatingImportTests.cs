using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>A rater's ratings in bulk: matched by domain or exact name, all or nothing, dated, idempotent.</summary>
public sealed class RatingImportTests(NewsLensFactory factory) : ApiTests(factory)
{
    private Task<HttpResponseMessage> ImportCsvAsync(string rater, string csv, string query = "") =>
        Client.PostAsync($"/v1/raters/{rater}/ratings/import{query}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    private async Task<JsonNode> HistoryAsync(JsonNode outlet) =>
        (await (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings?history=true")).ReadJsonAsync(HttpStatusCode.OK))["history"]!;

    [Fact]
    public async Task ACsvInTheRatersWordsIsRecordedByDomainAndByNameAndMovesCoverage()
    {
        var byDomain = await Api.CreateOutletAsync(bias: "center");
        var name = $"Named Only {Guid.NewGuid():N}";
        var byName = await Api.CreateOutletAsync(name: name);
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, byDomain);

        var csv = $"""
            domain,name,bias,factuality,source_url,note
            https://www.{(string)byDomain["domain"]!}/,,Left,,https://www.allsides.com/news-source/x,from the 2023 table
            ,{name},Lean Right,,,
            """;
        var dry = await (await ImportCsvAsync("allsides", csv, "?effectiveFrom=2023-11-15T00:00:00Z&dryRun=true")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"recorded":2,"unchanged":0,"dryRun":true}"""), dry));
        Assert.Single((await HistoryAsync(byDomain)).AsArray()); // only its own newslens rating

        var done = await (await ImportCsvAsync("allsides", csv, "?effectiveFrom=2023-11-15T00:00:00Z")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)done["recorded"]!);
        var rating = (await HistoryAsync(byDomain)).AsArray().Single(r => (string?)r!["rater"] == "allsides")!;
        Assert.Equal("left|Left|2023-11-15T00:00:00Z|from the 2023 table|" + NewsLensFactory.TestKeyName,
            $"{rating["bias"]}|{rating["raterBias"]}|{rating["effectiveFrom"]}|{rating["note"]}|{rating["recordedBy"]}");
        Assert.Equal("lean_right", (string?)(await (await Client.GetAsync($"/v1/outlets/{(long)byName["id"]!}")).ReadJsonAsync(HttpStatusCode.OK))["bias"]);
        // center (ours) and left (AllSides): lean_left, so the story's one source now leans left.
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["bias"]!["left"]!["count"]!);

        var again = await (await ImportCsvAsync("allsides", csv, "?effectiveFrom=2023-11-15T00:00:00Z")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"recorded":0,"unchanged":2,"dryRun":false}"""), again));
    }

    [Fact]
    public async Task AJsonImportTakesAdFontesScoresAsNumbers()
    {
        var outlet = await Api.CreateOutletAsync();
        var response = await Client.PostAsJsonAsync("/v1/raters/adfontes/ratings/import", new[] { new { domain = (string)outlet["domain"]!, bias = (object)31.5 } });
        Assert.Equal(1, (int)(await response.ReadJsonAsync(HttpStatusCode.OK))["recorded"]!);
        Assert.Equal("far_right", (string?)(await HistoryAsync(outlet))[0]!["bias"]);
    }

    [Fact]
    public async Task EveryBadRowIsListedAndNothingIsWritten()
    {
        var outlet = await Api.CreateOutletAsync();
        var shared = $"Shared {Guid.NewGuid():N}";
        await Api.CreateOutletAsync(name: shared);
        await Api.CreateOutletAsync(name: shared);
        var domain = (string)outlet["domain"]!;
        var csv = $"""
            domain,name,bias
            {domain},,Left
            {domain},,Right
            nowhere-{Guid.NewGuid():N}.example,,Left
            ,{shared},Left
            ,Nobody By This Name {Guid.NewGuid():N},Left
            {ApiDriver.UniqueDomain()},,least biased
            ,,Left
            """;
        var problem = await (await ImportCsvAsync("allsides", csv)).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        var rows = problem["badRows"]!.AsArray().Select(r => $"{r!["row"]}:{r["field"]}").ToList();
        Assert.Equal(["2:domain", "3:domain", "4:name", "5:name", "6:bias", "7:domain"], rows.Order());
        Assert.Contains("also on row 1", problem["badRows"]!.AsArray().Single(r => (int)r!["row"]! == 2)!["message"]!.ToString());
        Assert.Empty((await HistoryAsync(outlet)).AsArray());
    }

    [Fact]
    public async Task AnUnknownRaterAFutureDateOrABadHeaderIsRefused()
    {
        await (await ImportCsvAsync("nobody", "domain,bias\nexample.com,Left\n")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await ImportCsvAsync("allsides", "domain,bias\nexample.com,Left\n", $"?effectiveFrom={DateTimeOffset.UtcNow.AddDays(1):yyyy-MM-ddTHH:mm:ssZ}"))
            .ReadValidationErrorsAsync("effectiveFrom");
        var header = await (await ImportCsvAsync("allsides", "outlet,rating\nexample.com,Left\n")).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("header", (string?)header["badRows"]![0]!["field"]);
        await (await ImportCsvAsync("allsides", "domain,bias\n")).ReadValidationErrorsAsync("body");
    }
}
