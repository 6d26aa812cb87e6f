using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Articles;

public class ArticlesApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task PostingAnArticleStoresItsCanonicalUrlAndUtcTime()
    {
        var outlet = await Api.CreateOutletAsync();
        var domain = (string)outlet["domain"]!;

        var response = await Client.PostAsJsonAsync("/v1/articles", new
        {
            url = $"HTTPS://{domain.ToUpperInvariant()}:443/World/Story?utm_source=x&id=5#comments",
            title = " Headline ",
            publishedAt = "2025-06-01T14:30:15.250+02:00",
            outletId = (long)outlet["id"]!,
        });

        var article = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/v1/articles/{(long)article["id"]!}", response.Headers.Location?.ToString());
        Assert.Equal($"https://{domain}/World/Story?id=5", (string?)article["url"]);
        Assert.Equal("Headline", (string?)article["title"]);
        Assert.Equal("2025-06-01T12:30:15.25Z", (string?)article["publishedAt"]);
        Assert.Equal((long)outlet["id"]!, (long)article["outletId"]!);
        Assert.Equal(["id", "url", "title", "outletId", "publishedAt", "createdAt"], article.AsObject().Select(p => p.Key));
        var fetched = await (await Client.GetAsync($"/v1/articles/{(long)article["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(article, fetched));
    }

    [Fact]
    public async Task WithoutOutletIdTheOutletIsResolvedFromTheHostOrItsClosestParent()
    {
        var parent = await Api.CreateOutletAsync(domain: ApiDriver.UniqueDomain("cnn"));
        var parentDomain = (string)parent["domain"]!;
        var child = await Api.CreateOutletAsync(domain: "money." + parentDomain);

        async Task<long> OutletOf(string url) =>
            (long)(await (await Client.PostAsJsonAsync("/v1/articles", new { url, title = "T", publishedAt = "2025-01-01T00:00:00Z" }))
                .ReadJsonAsync(HttpStatusCode.Created))["outletId"]!;

        Assert.Equal((long)parent["id"]!, await OutletOf($"https://edition.{parentDomain}/a"));
        Assert.Equal((long)parent["id"]!, await OutletOf($"https://www.{parentDomain}/b"));
        Assert.Equal((long)parent["id"]!, await OutletOf($"https://{parentDomain}/c"));
        Assert.Equal((long)child["id"]!, await OutletOf($"https://money.{parentDomain}/d"));
        Assert.Equal((long)child["id"]!, await OutletOf($"https://markets.money.{parentDomain}/e"));
    }

    [Fact]
    public async Task WithoutAMatchingOutletTheProblemIsOnOutletId()
    {
        var response = await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://{ApiDriver.UniqueDomain("nobody")}/a", title = "T", publishedAt = "2025-01-01T00:00:00Z" });

        await response.ReadValidationErrorsAsync("outletId");
    }

    [Fact]
    public async Task AnUnknownOutletIdIsAProblemOnOutletId()
    {
        var outlet = await Api.CreateOutletAsync();
        var response = await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://{(string)outlet["domain"]!}/a", title = "T", publishedAt = "2025-01-01T00:00:00Z", outletId = 987654321 });

        await response.ReadValidationErrorsAsync("outletId");
    }

    [Fact]
    public async Task ASecondArticleWithTheSameCanonicalUrlIs409CarryingTheExistingId()
    {
        var outlet = await Api.CreateOutletAsync();
        var domain = (string)outlet["domain"]!;
        var first = await (await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://{domain}/same?id=1", title = "T", publishedAt = "2025-01-01T00:00:00Z" }))
            .ReadJsonAsync(HttpStatusCode.Created);

        var response = await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://{domain.ToUpperInvariant()}/same?utm_medium=social&id=1#top", title = "Again", publishedAt = "2025-01-02T00:00:00Z" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal((long)first["id"]!, (long)problem["articleId"]!);
    }

    [Theory]
    [InlineData("""{"title":"T","publishedAt":"2025-01-01T00:00:00Z"}""", "url")]
    [InlineData("""{"url":"example.com/a","title":"T","publishedAt":"2025-01-01T00:00:00Z"}""", "url")]
    [InlineData("""{"url":"ftp://example.com/a","title":"T","publishedAt":"2025-01-01T00:00:00Z"}""", "url")]
    [InlineData("""{"url":"https://example.com/a","publishedAt":"2025-01-01T00:00:00Z"}""", "title")]
    [InlineData("""{"url":"https://example.com/a","title":"T"}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"2025-01-01T00:00:00"}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"2025-13-01T00:00:00Z"}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"yesterday"}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":1700000000}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"1899-12-31T23:59:59Z"}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"2999-01-01T00:00:00Z"}""", "publishedAt")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"2025-01-01T00:00:00Z","outletId":"5"}""", "outletId")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"2025-01-01T00:00:00Z","outletId":0}""", "outletId")]
    [InlineData("""{"url":"https://example.com/a","title":"T","publishedAt":"2025-01-01T00:00:00Z","outletId":99999999999999999999999}""", "outletId")]
    public async Task InvalidArticlesAreNamedInTheProblem(string body, string field)
    {
        await (await Client.PostRawAsync("/v1/articles", body)).ReadValidationErrorsAsync(field);
    }

    [Fact]
    public async Task UrlsAndTitlesOverTheirLimitsAreRejected()
    {
        var outlet = await Api.CreateOutletAsync();
        var longUrl = $"https://{(string)outlet["domain"]!}/{new string('p', 2048)}";

        await (await Client.PostAsJsonAsync("/v1/articles", new { url = longUrl, title = "T", publishedAt = "2025-01-01T00:00:00Z" })).ReadValidationErrorsAsync("url");
        await (await Client.PostAsJsonAsync("/v1/articles", new { url = $"https://{(string)outlet["domain"]!}/t", title = new string('t', 501), publishedAt = "2025-01-01T00:00:00Z" }))
            .ReadValidationErrorsAsync("title");
    }

    [Fact]
    public async Task DeletingAnArticleRemovesItsLinks()
    {
        var outlet = await Api.CreateOutletAsync("right");
        var story = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);
        await Api.LinkAsync(story, article);
        Assert.Equal(1, (int)(await Api.CoverageAsync(story))["totalArticles"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/articles/{(long)article["id"]!}")).StatusCode);

        Assert.Equal(0, (int)(await Api.CoverageAsync(story))["totalArticles"]!);
        await (await Client.GetAsync($"/v1/articles/{(long)article["id"]!}")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.DeleteAsync($"/v1/articles/{(long)article["id"]!}")).ReadProblemAsync(HttpStatusCode.NotFound);
    }
}

public class ArticleListTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task ArticlesAreListedNewestPublishedFirstAndFilterByOutletAndUrl()
    {
        var a = await Api.CreateOutletAsync();
        var b = await Api.CreateOutletAsync();
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var created = new List<JsonNode>();
        for (var i = 0; i < 14; i++)
        {
            // Several articles share a publication time, so the id breaks ties.
            created.Add(await Api.CreateArticleAsync(i % 3 == 0 ? b : a, start.AddHours(i % 5)));
        }

        var expected = created.OrderByDescending(x => DateTime.Parse((string)x["publishedAt"]!).ToUniversalTime()).ThenByDescending(x => (long)x["id"]!)
            .Select(x => (long)x["id"]!).ToList();

        var all = await Api.ReadAllPagesAsync("/v1/articles", 4);
        Assert.Equal(expected, all.Select(x => (long)x["id"]!));

        var ofB = await Api.ReadAllPagesAsync($"/v1/articles?outletId={(long)b["id"]!}", 2);
        Assert.Equal(expected.Where(id => created.Single(c => (long)c["id"]! == id)["outletId"]!.GetValue<long>() == (long)b["id"]!), ofB.Select(x => (long)x["id"]!));

        var url = (string)created[3]["url"]!;
        var byUrl = await Api.ReadAllPagesAsync($"/v1/articles?url={Uri.EscapeDataString(url.ToUpperInvariant().Replace("HTTPS://", "https://", StringComparison.Ordinal) + "#x")}", 10);
        Assert.Empty(byUrl);   // the path is case-sensitive; only scheme and host are folded
        var byCanonical = await Api.ReadAllPagesAsync($"/v1/articles?url={Uri.EscapeDataString(url + "?utm_source=feed#x")}", 10);
        Assert.Equal((long)created[3]["id"]!, (long)Assert.Single(byCanonical)["id"]!);
    }

    [Theory]
    [InlineData("/v1/articles?url=not-a-url", "url")]
    [InlineData("/v1/articles?outletId=x", "outletId")]
    [InlineData("/v1/articles?limit=500", "limit")]
    [InlineData("/v1/articles?cursor=c3Rvcmllczo1", "cursor")]
    public async Task BadListParametersAreNamedInA400(string url, string field)
    {
        await (await Client.GetAsync(url)).ReadValidationErrorsAsync(field);
    }
}
