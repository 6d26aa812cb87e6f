using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace NewsLens.Api.Tests.Outlets;

public class OutletImportTests(NewsLensFactory factory) : ApiTests(factory)
{
    private Task<HttpResponseMessage> ImportCsvAsync(string csv, string query = "", HttpClient? client = null) =>
        (client ?? Client).PostAsync($"/v1/outlets/import{query}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    private async Task<JsonNode?> OutletAsync(string domain)
    {
        var page = await (await Client.GetAsync($"/v1/outlets?q={domain}")).ReadJsonAsync(HttpStatusCode.OK);
        return page["items"]!.AsArray().SingleOrDefault(o => (string?)o!["domain"] == domain);
    }

    [Fact]
    public async Task ACsvWithBomCrlfQuotesAndEmbeddedNewlinesImports()
    {
        var a = ApiDriver.UniqueDomain("csva");
        var b = ApiDriver.UniqueDomain("csvb");
        var csv = "\uFEFFname,domain,bias,factuality,ownership,country,extra\r\n" +
                  $"\"Example, Inc.\",https://www.{a}/news,Lean Left,very high,corporation,us,\"a note\r\nover two lines\"\r\n" +
                  $"\"Two \"\"Quoted\"\"\",{b},left-center,,,,\r\n";

        var result = await (await ImportCsvAsync(csv)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":2,"updated":0,"unchanged":0,"dryRun":false}"""), result));
        var first = (await OutletAsync(a))!;
        Assert.Equal("Example, Inc.", (string?)first["name"]);
        Assert.Equal("lean_left", (string?)first["bias"]);
        Assert.Equal("very_high", (string?)first["factuality"]);
        Assert.Equal("corporation", (string?)first["ownership"]);
        Assert.Equal("US", (string?)first["country"]);
        var second = (await OutletAsync(b))!;
        Assert.Equal("Two \"Quoted\"", (string?)second["name"]);
        Assert.Equal("lean_left", (string?)second["bias"]);
        Assert.Null(second["factuality"]);
    }

    [Fact]
    public async Task ImportUpsertsByNormalizedDomainAndReRatingChangesCoverage()
    {
        var domain = ApiDriver.UniqueDomain("upsert");
        await (await ImportCsvAsync($"name,domain,bias\nFirst,{domain},left\n")).ReadJsonAsync(HttpStatusCode.OK);
        var outlet = (await OutletAsync(domain))!;
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet);
        Assert.Equal("left", (string?)(await Api.CoverageAsync(story))["bias"]!["majority"]);

        var same = await (await ImportCsvAsync($"name,domain,bias\nFirst,https://WWW.{domain.ToUpperInvariant()}/,Left\n")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)same["unchanged"]!);

        var changed = await (await ImportCsvAsync($"name,domain,bias\nFirst,{domain},Right\n")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)changed["updated"]!);
        Assert.Equal((long)outlet["id"]!, (long)(await OutletAsync(domain))!["id"]!);
        Assert.Equal("right", (string?)(await Api.CoverageAsync(story))["bias"]!["majority"]);
    }

    private async Task<JsonNode> RatingsAsync(JsonNode outlet, string query = "") =>
        await (await Client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings{query}")).ReadJsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task WithARaterTheRowsAreThatRatersRatingsInItsWordsAndCombineWithOurs()
    {
        var domain = ApiDriver.UniqueDomain("byrater");
        await (await ImportCsvAsync($"name,domain,bias\nRated,{domain},center\n")).ReadJsonAsync(HttpStatusCode.OK);
        var outlet = (await OutletAsync(domain))!;
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet);

        var result = await (await ImportCsvAsync($"name,domain,bias,factuality\nRated,{domain},Left,high\n", "?rater=allsides")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":0,"updated":1,"unchanged":0,"dryRun":false}"""), result));
        var ratings = await RatingsAsync(outlet);
        var allsides = ratings["current"]!.AsArray().Single(r => (string?)r!["rater"] == "allsides")!;
        Assert.Equal("left|Left|high|" + NewsLensFactory.TestKeyName, $"{allsides["bias"]}|{allsides["raterBias"]}|{allsides["factuality"]}|{allsides["recordedBy"]}");
        Assert.Equal("center", (string?)ratings["current"]!.AsArray().Single(r => (string?)r!["rater"] == "newslens")!["bias"]);
        // Ours center and AllSides' left combine (mean) to lean_left: the outlet's bias and the story's coverage follow.
        Assert.Equal("lean_left", (string?)(await OutletAsync(domain))!["bias"]);
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["bias"]!["left"]!["count"]!);
    }

    [Fact]
    public async Task ARowIsUnchangedWhenItsRatersRatingIsInForceWhateverOtherRatersSay()
    {
        var domain = ApiDriver.UniqueDomain("unchanged");
        var csv = $"name,domain,bias\nSteady,{domain},center\n";
        await (await ImportCsvAsync(csv)).ReadJsonAsync(HttpStatusCode.OK);
        var outlet = (await OutletAsync(domain))!;
        (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings/mbfc", new { bias = "right" })).EnsureSuccessStatusCode();
        Assert.Equal("lean_right", (string?)(await OutletAsync(domain))!["bias"]);

        // The combined bias (lean_right) differs from the row's, but the newslens rating in force is the row's: nothing to do.
        var again = await (await ImportCsvAsync(csv)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":0,"updated":0,"unchanged":1,"dryRun":false}"""), again));
        Assert.Equal(2, (await RatingsAsync(outlet, "?history=true"))["history"]!.AsArray().Count);

        var byMbfc = await (await ImportCsvAsync($"name,domain,bias\nSteady,{domain},right\n", "?rater=mbfc&dryRun=true")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)byMbfc["unchanged"]!);
    }

    [Fact]
    public async Task ARatersVocabularyDecidesWhichWordsItsImportReads()
    {
        var domain = ApiDriver.UniqueDomain("vocabulary");
        var problem = await (await ImportCsvAsync($"name,domain,bias\nWords,{domain},least biased\n", "?rater=allsides")).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        var row = problem["badRows"]!.AsArray().Single()!;
        Assert.Equal("bias", (string?)row["field"]);
        Assert.Contains("allsides vocabulary", (string?)row["message"]);
        Assert.Null(await OutletAsync(domain));

        // Ad Fontes scores, as JSON numbers too.
        var response = await Client.PostAsJsonAsync("/v1/outlets/import?rater=adfontes", new[] { new { name = "Scored", domain, bias = (object)-12.5 } });
        Assert.Equal(1, (int)(await response.ReadJsonAsync(HttpStatusCode.OK))["created"]!);
        var outlet = (await OutletAsync(domain))!;
        var adfontes = (await RatingsAsync(outlet))["current"]!.AsArray().Single()!;
        Assert.Equal("adfontes|lean_left|-12.5", $"{adfontes["rater"]}|{adfontes["bias"]}|{adfontes["raterBias"]}");
        Assert.Equal("lean_left", (string?)outlet["bias"]);
    }

    [Fact]
    public async Task AnUnknownRaterIsA400NamingItAndNothingIsWritten()
    {
        var domain = ApiDriver.UniqueDomain("norater");
        var problem = await (await ImportCsvAsync($"name,domain,bias\nNobody,{domain},left\n", "?rater=nobody")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("nobody", problem["errors"]!["rater"]![0]!.ToString());
        Assert.Null(await OutletAsync(domain));
    }

    [Fact]
    public async Task AnyBadRowRefusesTheWholeFileListingEveryBadRow()
    {
        var good = ApiDriver.UniqueDomain("good");
        var dup = ApiDriver.UniqueDomain("dup");
        var csv = "name,domain,bias,factuality,ownership,country\n" +
                  $"Good,{good},left,,,\n" +
                  $"Bad bias,{ApiDriver.UniqueDomain()},pro-science,,,\n" +
                  ",nodomain,,,,\n" +
                  $"Dup 1,{dup},,,,\n" +
                  $"Dup 2,www.{dup},,,,\n" +
                  $"Country,{ApiDriver.UniqueDomain()},,satire,state,usa\n";

        var response = await ImportCsvAsync(csv);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        var rows = problem["badRows"]!.AsArray().Select(r => $"{(long)r!["row"]!}:{(string?)r["field"]}").ToList();
        Assert.Equal(["2:bias", "3:name", "3:domain", "5:domain", "6:factuality", "6:ownership", "6:country"], rows);
        Assert.Equal(7, (int)problem["badRowCount"]!);
        var bias = problem["badRows"]![0]!;
        Assert.Equal("pro-science", (string?)bias["value"]);
        Assert.False(string.IsNullOrEmpty((string?)bias["message"]));
        Assert.Contains("also on row 4", (string?)problem["badRows"]![3]!["message"]);
        Assert.Null(await OutletAsync(good));
    }

    [Fact]
    public async Task ADryRunCountsWithoutWriting()
    {
        var domain = ApiDriver.UniqueDomain("dry");

        var result = await (await ImportCsvAsync($"name,domain\nDry,{domain}\n", "?dryRun=true")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":1,"updated":0,"unchanged":0,"dryRun":true}"""), result));
        Assert.Null(await OutletAsync(domain));
        await (await ImportCsvAsync($"name,domain\nDry,{domain}\n", "?dryRun=maybe")).ReadValidationErrorsAsync("dryRun");
    }

    [Fact]
    public async Task AnEmptyCsvIsA400LikeAnyImportWithoutRows()
    {
        await (await ImportCsvAsync("")).ReadValidationErrorsAsync("body");
        await (await ImportCsvAsync("\r\n\n")).ReadValidationErrorsAsync("body");
        await (await ImportCsvAsync("name,domain\n")).ReadValidationErrorsAsync("body");
    }

    [Fact]
    public async Task ARecordOverTheRowLimitIsABadRowAndTheOthersAreChecked()
    {
        var domain = ApiDriver.UniqueDomain("long");
        var csv = $"name,domain\n\"{new string('n', 70_000)}\",{domain}\nFine,{domain}\n,missing.example\n";

        var problem = await (await ImportCsvAsync(csv)).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["1:body", "3:name"], problem["badRows"]!.AsArray().Select(r => $"{(long)r!["row"]!}:{(string?)r["field"]}"));
        Assert.Contains("65,536 bytes", (string?)problem["badRows"]![0]!["message"]);
        Assert.Null(await OutletAsync(domain));
    }

    [Fact]
    public async Task AHeaderOverTheRowLimitIsABadHeader()
    {
        var problem = await (await ImportCsvAsync("name,domain," + new string('c', 70_000) + "\nA,a.example\n")).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("0:header", $"{(long)problem["badRows"]![0]!["row"]!}:{(string?)problem["badRows"]![0]!["field"]}");
    }

    [Fact]
    public async Task InvalidUtf8InACsvIsABadRowNotAReplacementCharacter()
    {
        var domain = ApiDriver.UniqueDomain("latin1");
        var body = Encoding.UTF8.GetBytes($"name,domain\nGood,good-{domain}\nCaf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes($",{domain}\n")).ToArray();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");

        var problem = await (await Client.PostAsync("/v1/outlets/import", content)).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        var badRow = problem["badRows"]!.AsArray().Single()!;
        Assert.Equal(2, (long)badRow["row"]!);
        Assert.Contains("UTF-8", (string?)badRow["message"]);
        Assert.Null(await OutletAsync(domain));
    }

    [Fact]
    public async Task ADryRunCountsWhatTheImportThenDoesWithoutTakingTheWriteTurn()
    {
        var (existing, renamed, created) = (ApiDriver.UniqueDomain("same"), ApiDriver.UniqueDomain("renamed"), ApiDriver.UniqueDomain("new"));
        await (await ImportCsvAsync($"name,domain,bias\nSame,{existing},left\nOld name,{renamed},right\n")).ReadJsonAsync(HttpStatusCode.OK);
        var csv = $"name,domain,bias\nSame,{existing},left\nNew name,{renamed},right\nNew,{created},center\n";
        var database = Factory.Services.GetRequiredService<NewsLens.Api.Storage.Database>();
        var writesBefore = database.WriteCount;

        var preview = await (await ImportCsvAsync(csv, "?dryRun=true")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(writesBefore, database.WriteCount);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":1,"updated":1,"unchanged":1,"dryRun":true}"""), preview), preview.ToJsonString());
        var result = await (await ImportCsvAsync(csv)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":1,"updated":1,"unchanged":1,"dryRun":false}"""), result), result.ToJsonString());
        Assert.Equal("New name", (string?)(await OutletAsync(renamed))!["name"]);
    }

    [Fact]
    public async Task AJsonArrayImportsToo()
    {
        var domain = ApiDriver.UniqueDomain("json");

        var response = await Client.PostAsJsonAsync("/v1/outlets/import", new[] { new { name = "Json", domain, bias = "Lean Right", factuality = "mostly factual" } });

        await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("lean_right", (string?)(await OutletAsync(domain))!["bias"]);
        await (await Client.PostAsync("/v1/outlets/import", new StringContent("""[{"name":"x","domain":5}]""", Encoding.UTF8, "application/json")))
            .ReadValidationErrorsAsync("[0].domain");
    }

    [Fact]
    public async Task AHeaderWithoutNameOrDomainIsAProblem()
    {
        var problem = await (await ImportCsvAsync("title,site\nA,a.example\n")).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["name", "domain"], problem["badRows"]!.AsArray().Select(r => (string?)r!["field"]));
    }

    [Fact]
    public async Task OtherContentTypesAre415AndImportsNeedAKey()
    {
        await (await Client.PostAsync("/v1/outlets/import", new StringContent("name,domain\n", Encoding.UTF8, "text/plain"))).ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await ImportCsvAsync("name,domain\nA,a.example\n", client: Factory.CreateAnonymousClient())).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ImportsTakeBodiesOverTheOneMebibyteLimitOfOtherEndpoints()
    {
        var csv = new StringBuilder("name,domain\n");
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; csv.Length < 1_300_000; i++)
        {
            csv.Append($"Outlet number {i} with a long name to fill the file quickly,big{i}-{run}.example\n");
        }

        var result = await (await ImportCsvAsync(csv.ToString())).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((int)result["created"]! > 10_000);
    }
}
