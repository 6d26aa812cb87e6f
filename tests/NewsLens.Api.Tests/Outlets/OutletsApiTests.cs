using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Outlets;

public class OutletsApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task PostingAnOutletReturnsItWithLocationAndNormalizedFields()
    {
        var host = ApiDriver.UniqueDomain("normalized");
        var response = await Client.PostAsJsonAsync("/v1/outlets", new
        {
            name = "  The Example Times  ",
            domain = $"https://WWW.{host.ToUpperInvariant()}:8443/news?x=1",
            bias = "lean_left",
            factuality = "mostly_factual",
            ownership = "private_equity",
            country = "gb",
        });

        var outlet = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = (long)outlet["id"]!;
        Assert.Equal($"/v1/outlets/{id}", response.Headers.Location?.ToString());
        Assert.Equal("The Example Times", (string?)outlet["name"]);
        Assert.Equal(host, (string?)outlet["domain"]);
        Assert.Equal("lean_left", (string?)outlet["bias"]);
        Assert.Equal("left", (string?)outlet["lean"]);
        Assert.Equal("mostly_factual", (string?)outlet["factuality"]);
        Assert.Equal("private_equity", (string?)outlet["ownership"]);
        Assert.Equal("GB", (string?)outlet["country"]);
        Assert.EndsWith("Z", (string?)outlet["createdAt"]);
        Assert.Equal((string?)outlet["createdAt"], (string?)outlet["updatedAt"]);
        Assert.Equal(
            ["id", "name", "domain", "bias", "lean", "factuality", "ownership", "country", "createdAt", "updatedAt", "ratings"],
            outlet.AsObject().Select(p => p.Key));
        // Its bias and factuality are its NewsLens rating, in force from its creation.
        var rating = outlet["ratings"]!.AsArray().Single()!;
        Assert.Equal($"newslens lean_left mostly_factual {outlet["createdAt"]}", $"{rating["rater"]} {rating["bias"]} {rating["factuality"]} {rating["effectiveFrom"]}");

        var fetched = await (await Client.GetAsync($"/v1/outlets/{id}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(outlet, fetched));
    }

    [Fact]
    public async Task AnUnratedOutletHasNullRatingsAndLean()
    {
        var outlet = await Api.CreateOutletAsync();

        foreach (var field in new[] { "bias", "lean", "factuality", "ownership", "country" })
        {
            Assert.True(outlet.AsObject().ContainsKey(field), field);
            Assert.Null(outlet[field]);
        }
    }

    [Theory]
    [InlineData("far_left", "left")]
    [InlineData("left", "left")]
    [InlineData("lean_left", "left")]
    [InlineData("center", "center")]
    [InlineData("lean_right", "right")]
    [InlineData("right", "right")]
    [InlineData("far_right", "right")]
    public async Task LeanIsDerivedFromBias(string bias, string lean)
    {
        var outlet = await Api.CreateOutletAsync(bias);

        Assert.Equal(lean, (string?)outlet["lean"]);
    }

    [Fact]
    public async Task PostingWithoutNameOrDomainReturnsValidationProblem()
    {
        var response = await Client.PostRawAsync("/v1/outlets", "{}");

        var errors = await response.ReadValidationErrorsAsync("name", "domain");
        Assert.Contains("must not be empty", (string?)errors["name"]![0]);
    }

    [Theory]
    [InlineData("""{"name":"   ","domain":"ok.example"}""", "name")]
    [InlineData("""{"name":"X","domain":"not a domain"}""", "domain")]
    [InlineData("""{"name":"X","domain":"localhost"}""", "domain")]
    [InlineData("""{"name":"X","domain":"10.1.2.3"}""", "domain")]
    [InlineData("""{"name":"X","domain":"ok.example","country":"UK"}""", "country")]
    [InlineData("""{"name":"X","domain":"ok.example","country":"USA"}""", "country")]
    [InlineData("""{"name":"X","domain":"ok.example","bias":"leftish"}""", "bias")]
    [InlineData("""{"name":"X","domain":"ok.example","bias":"Lean Left"}""", "bias")]
    [InlineData("""{"name":"X","domain":"ok.example","bias":2}""", "bias")]
    [InlineData("""{"name":"X","domain":"ok.example","factuality":"true"}""", "factuality")]
    [InlineData("""{"name":"X","domain":"ok.example","ownership":"state"}""", "ownership")]
    [InlineData("""{"name":123,"domain":"ok.example"}""", "name")]
    [InlineData("""{"name":"X","domain":["ok.example"]}""", "domain")]
    [InlineData("""{"name":"X","domain":"ok.example",""", "body")]
    [InlineData("""not json""", "body")]
    [InlineData("""[]""", "body")]
    public async Task InvalidFieldsAreNamedInTheProblem(string body, string field)
    {
        var response = await Client.PostRawAsync("/v1/outlets", body);

        await response.ReadValidationErrorsAsync(field);
    }

    [Fact]
    public async Task AnUnknownEnumValueListsTheAllowedValues()
    {
        var response = await Client.PostRawAsync("/v1/outlets", """{"name":"X","domain":"ok.example","bias":"leftish"}""");

        var errors = await response.ReadValidationErrorsAsync("bias");
        Assert.Equal("'leftish' is not a valid value; expected one of: far_left, left, lean_left, center, lean_right, right, far_right.", (string?)errors["bias"]![0]);
    }

    [Fact]
    public async Task NamesOverTwoHundredCharactersAreRejectedAndTrimmingHappensFirst()
    {
        var tooLong = await Client.PostAsJsonAsync("/v1/outlets", new { name = new string('n', 201), domain = ApiDriver.UniqueDomain() });
        await tooLong.ReadValidationErrorsAsync("name");

        var padded = await Client.PostAsJsonAsync("/v1/outlets", new { name = "  " + new string('n', 200) + "  ", domain = ApiDriver.UniqueDomain() });
        await padded.ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AMissingBodyIsAProblem()
    {
        var response = await Client.PostAsync("/v1/outlets", new StringContent("", System.Text.Encoding.UTF8, "application/json"));

        await response.ReadValidationErrorsAsync("body");
    }

    [Fact]
    public async Task AWrongContentTypeIs415()
    {
        var response = await Client.PostRawAsync("/v1/outlets", """{"name":"X","domain":"ok.example"}""", "text/plain");

        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task ABodyOverOneMebibyteIs413AndNothingIsWritten()
    {
        var domain = ApiDriver.UniqueDomain("huge");
        var body = $$"""{"name":"{{new string('x', 1024 * 1024)}}","domain":"{{domain}}"}""";

        var response = await Client.PostRawAsync("/v1/outlets", body);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var list = await (await Client.GetAsync($"/v1/outlets?q={domain}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task ADuplicateDomainIs409NamingTheOutletThatHasIt()
    {
        var first = await Api.CreateOutletAsync();
        var domain = (string)first["domain"]!;

        var response = await Client.PostAsJsonAsync("/v1/outlets", new { name = "Copy", domain = $"http://www.{domain.ToUpperInvariant()}/other" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal((long)first["id"]!, (long)problem["outletId"]!);
    }

    [Fact]
    public async Task AFullWidthSpellingOfAStoredDomainIsTheSameOutlet()
    {
        var seed3 = await Api.CreateOutletAsync(domain: "seed3.example");

        // What a browser visits for both spellings is seed3.example (UTS #46 mapping), so they are one outlet.
        var copy = await Client.PostAsJsonAsync("/v1/outlets", new { name = "Look-alike", domain = "ｓｅｅｄ３.example" });
        var problem = await copy.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal((long)seed3["id"]!, (long)problem["outletId"]!);

        var article = await (await Client.PostAsJsonAsync("/v1/articles", new { url = "https://ｓｅｅｄ３．example/news?id=1", title = "T", publishedAt = "2025-01-01T00:00:00Z" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal((long)seed3["id"]!, (long)article["outletId"]!);
        Assert.Equal("https://seed3.example/news?id=1", (string?)article["url"]);
        var list = await (await Client.GetAsync("/v1/outlets?q=seed3")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Single(list["items"]!.AsArray());
    }

    [Fact]
    public async Task GettingAnUnknownOutletIs404Problem()
    {
        var problem = await (await Client.GetAsync("/v1/outlets/987654321")).ReadProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal("Outlet 987654321 does not exist.", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("/v1/outlets/abc")]
    [InlineData("/v1/outlets/99999999999999999999999")]
    [InlineData("/v1/outlets/1.5")]
    public async Task NonNumericOrOutOfRangeIdsAre404(string url)
    {
        await (await Client.GetAsync(url)).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutReplacesEveryFieldAndBumpsUpdatedAt()
    {
        var outlet = await Api.CreateOutletAsync("left", factuality: "high", ownership: "telecom");
        var id = (long)outlet["id"]!;
        var newDomain = ApiDriver.UniqueDomain("moved");
        await Task.Delay(5);

        var response = await Client.PutAsJsonAsync($"/v1/outlets/{id}", new { name = "Renamed", domain = newDomain, bias = "center" });

        var replaced = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed", (string?)replaced["name"]);
        Assert.Equal(newDomain, (string?)replaced["domain"]);
        Assert.Equal("center", (string?)replaced["bias"]);
        Assert.Equal("center", (string?)replaced["lean"]);
        Assert.Null(replaced["factuality"]);
        Assert.Null(replaced["ownership"]);
        Assert.Equal((string?)outlet["createdAt"], (string?)replaced["createdAt"]);
        Assert.True(DateTime.Parse((string)replaced["updatedAt"]!) > DateTime.Parse((string)outlet["updatedAt"]!));
    }

    [Fact]
    public async Task PutToAnotherOutletsDomainIs409AndChangesNothing()
    {
        var first = await Api.CreateOutletAsync();
        var second = await Api.CreateOutletAsync("right");

        var response = await Client.PutAsJsonAsync($"/v1/outlets/{(long)second["id"]!}", new { name = "Clash", domain = (string)first["domain"]! });

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        var unchanged = await (await Client.GetAsync($"/v1/outlets/{(long)second["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(second, unchanged));
    }

    [Fact]
    public async Task PutKeepingItsOwnDomainIsAllowed()
    {
        var outlet = await Api.CreateOutletAsync();

        var response = await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new { name = "Same domain", domain = (string)outlet["domain"]! });

        await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PutOnAnUnknownOutletIs404AndInvalidBodyIs400()
    {
        var missing = await Client.PutAsJsonAsync("/v1/outlets/987654321", new { name = "X", domain = ApiDriver.UniqueDomain() });
        await missing.ReadProblemAsync(HttpStatusCode.NotFound);

        var outlet = await Api.CreateOutletAsync();
        var invalid = await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new { name = "", domain = "x" });
        await invalid.ReadValidationErrorsAsync("name", "domain");
    }

    [Fact]
    public async Task DeletingAnOutletWithArticlesIs409AndWithoutIs204()
    {
        var outlet = await Api.CreateOutletAsync();
        var article = await Api.CreateArticleAsync(outlet);
        var id = (long)outlet["id"]!;

        var refused = await Client.DeleteAsync($"/v1/outlets/{id}");
        await refused.ReadProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/articles/{(long)article["id"]!}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/outlets/{id}")).StatusCode);
        await (await Client.GetAsync($"/v1/outlets/{id}")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.DeleteAsync($"/v1/outlets/{id}")).ReadProblemAsync(HttpStatusCode.NotFound);
    }
}

/// <summary>List tests run on their own database so they can count every row.</summary>
public class OutletListTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task ListsPageThroughEveryOutletOnceInIdOrderAndFilterByLeanAndText()
    {
        var biases = new[] { "far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null };
        var created = new List<JsonNode>();
        for (var i = 0; i < 23; i++)
        {
            created.Add(await Api.CreateOutletAsync(biases[i % biases.Length], name: i % 5 == 0 ? $"Daily Bugle {i}" : $"Outlet {i}"));
        }

        var all = await Api.ReadAllPagesAsync("/v1/outlets", 5);
        Assert.Equal(created.Select(o => (long)o["id"]!), all.Select(o => (long)o["id"]!));

        var left = await Api.ReadAllPagesAsync("/v1/outlets?lean=left", 2);
        Assert.Equal(created.Where(o => (string?)o["lean"] == "left").Select(o => (long)o["id"]!), left.Select(o => (long)o["id"]!));
        Assert.Equal(9, left.Count);

        var bugle = await Api.ReadAllPagesAsync("/v1/outlets?q=daily%20BUGLE", 2);
        Assert.Equal([0, 5, 10, 15, 20], bugle.Select(o => int.Parse(((string)o["name"]!).Split(' ')[^1])));

        var byDomain = await Api.ReadAllPagesAsync($"/v1/outlets?q={(string)created[7]["domain"]!}", 50);
        Assert.Equal((long)created[7]["id"]!, (long)Assert.Single(byDomain)["id"]!);

        var none = await Api.ReadAllPagesAsync("/v1/outlets?q=%25", 50);   // % is matched literally
        Assert.Empty(none);
    }

    [Fact]
    public async Task DefaultPageSizeIsFifty()
    {
        for (var i = 0; i < 3; i++)
        {
            await Api.CreateOutletAsync();
        }

        var page = await (await Client.GetAsync("/v1/outlets")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(page["items"]!.AsArray().Count <= 50);
        Assert.True(page.AsObject().ContainsKey("nextCursor"));
    }

    [Theory]
    [InlineData("/v1/outlets?limit=0", "limit")]
    [InlineData("/v1/outlets?limit=201", "limit")]
    [InlineData("/v1/outlets?limit=abc", "limit")]
    [InlineData("/v1/outlets?limit=99999999999", "limit")]
    [InlineData("/v1/outlets?cursor=garbage", "cursor")]
    [InlineData("/v1/outlets?cursor=c3Rvcmllczo1", "cursor")]
    [InlineData("/v1/outlets?lean=lean_left", "lean")]
    [InlineData("/v1/outlets?lean=LEFT", "lean")]
    public async Task BadListParametersAreNamedInA400(string url, string field)
    {
        await (await Client.GetAsync(url)).ReadValidationErrorsAsync(field);
    }
}
