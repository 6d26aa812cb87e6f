using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Stories;

public class StoriesApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task PostingAStoryReturnsItWithLocation()
    {
        var response = await Client.PostAsJsonAsync("/v1/stories", new { title = "  Parliament passes budget ", summary = "After a long night." });

        var story = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = (long)story["id"]!;
        Assert.Equal($"/v1/stories/{id}", response.Headers.Location?.ToString());
        Assert.Equal("Parliament passes budget", (string?)story["title"]);
        Assert.Equal("After a long night.", (string?)story["summary"]);
        Assert.Equal(["id", "title", "summary", "createdAt", "updatedAt"], story.AsObject().Select(p => p.Key));
        var fetched = await (await Client.GetAsync($"/v1/stories/{id}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(story, fetched));
    }

    [Fact]
    public async Task SummaryIsOptional()
    {
        var story = await Api.CreateStoryAsync("No summary");

        Assert.True(story.AsObject().ContainsKey("summary"));
        Assert.Null(story["summary"]);
    }

    [Theory]
    [InlineData("""{}""", "title")]
    [InlineData("""{"title":"  "}""", "title")]
    [InlineData("""{"title":null}""", "title")]
    [InlineData("""{"title":"T","summary":7}""", "summary")]
    [InlineData("""{"title":["T"]}""", "title")]
    public async Task InvalidStoriesAreRejected(string body, string field)
    {
        await (await Client.PostRawAsync("/v1/stories", body)).ReadValidationErrorsAsync(field);
    }

    [Fact]
    public async Task TitleAndSummaryLengthsAreBounded()
    {
        var longTitle = await Client.PostAsJsonAsync("/v1/stories", new { title = new string('t', 501) });
        await longTitle.ReadValidationErrorsAsync("title");
        var longSummary = await Client.PostAsJsonAsync("/v1/stories", new { title = "T", summary = new string('s', 5001) });
        await longSummary.ReadValidationErrorsAsync("summary");

        var atLimits = await Client.PostAsJsonAsync("/v1/stories", new { title = new string('t', 500), summary = new string('s', 5000) });
        await atLimits.ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task PutReplacesTitleAndSummary()
    {
        var story = await Api.CreateStoryAsync("Before", "Old summary");
        var id = (long)story["id"]!;

        var replaced = await (await Client.PutAsJsonAsync($"/v1/stories/{id}", new { title = "After" })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("After", (string?)replaced["title"]);
        Assert.Null(replaced["summary"]);
        Assert.Equal((string?)story["createdAt"], (string?)replaced["createdAt"]);
        await (await Client.PutAsJsonAsync("/v1/stories/987654321", new { title = "X" })).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.PutAsJsonAsync($"/v1/stories/{id}", new { title = "" })).ReadValidationErrorsAsync("title");
    }

    [Fact]
    public async Task DeletingAStoryRemovesItsLinksButNotItsArticles()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        var other = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);
        await Api.LinkAsync(story, article);
        await Api.LinkAsync(other, article);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/stories/{(long)story["id"]!}")).StatusCode);

        await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/articles")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"/v1/articles/{(long)article["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        var otherCoverage = await Api.CoverageAsync(other);
        Assert.Equal(1, (int)otherCoverage["totalArticles"]!);
        await (await Client.DeleteAsync($"/v1/stories/{(long)story["id"]!}")).ReadProblemAsync(HttpStatusCode.NotFound);
    }
}

public class StoryListTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task StoriesAreListedNewestFirstAcrossPagesWhileNewOnesArrive()
    {
        var created = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            created.Add((long)(await Api.CreateStoryAsync($"Story {i}"))["id"]!);
        }

        var firstPage = await (await Client.GetAsync("/v1/stories?limit=5")).ReadJsonAsync(HttpStatusCode.OK);
        await Api.CreateStoryAsync("Arrived while paging");   // keyset pagination: later pages are unaffected
        var rest = await Api.ReadAllPagesAsync("/v1/stories", 5, (string)firstPage["nextCursor"]!);

        var seen = firstPage["items"]!.AsArray().Select(s => (long)s!["id"]!).Concat(rest.Select(s => (long)s["id"]!));
        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Theory]
    [InlineData("/v1/stories?limit=0", "limit")]
    [InlineData("/v1/stories?limit=-1", "limit")]
    [InlineData("/v1/stories?cursor=YXJ0aWNsZXM6MToy", "cursor")]
    [InlineData("/v1/stories?cursor=%00", "cursor")]
    public async Task BadListParametersAreNamedInA400(string url, string field)
    {
        await (await Client.GetAsync(url)).ReadValidationErrorsAsync(field);
    }
}
