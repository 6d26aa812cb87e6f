using System.Net;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Stories;

public class StoryLinksApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task LinkingIsIdempotent()
    {
        var outlet = await Api.CreateOutletAsync("center");
        var story = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);

        await Api.LinkAsync(story, article);
        await Api.LinkAsync(story, article);

        var coverage = await Api.CoverageAsync(story, "articles");
        Assert.Equal(1, (int)coverage["totalArticles"]!);
        var list = await Api.ReadAllPagesAsync($"/v1/stories/{(long)story["id"]!}/articles", 10);
        Assert.Single(list);
    }

    [Fact]
    public async Task LinkingAMissingStoryOrArticleIs404NamingWhichAndLinksNothing()
    {
        var outlet = await Api.CreateOutletAsync();
        var story = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);

        var noStory = await (await Client.PutAsync($"/v1/stories/987654321/articles/{(long)article["id"]!}", null)).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Story 987654321 does not exist.", (string?)noStory["detail"]);
        var noArticle = await (await Client.PutAsync($"/v1/stories/{(long)story["id"]!}/articles/987654321", null)).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Article 987654321 does not exist.", (string?)noArticle["detail"]);

        Assert.Equal(0, (int)(await Api.CoverageAsync(story))["totalArticles"]!);
    }

    [Fact]
    public async Task UnlinkingRemovesTheLinkAndUnlinkingAgainIs404()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);
        await Api.LinkAsync(story, article);
        var url = $"/v1/stories/{(long)story["id"]!}/articles/{(long)article["id"]!}";

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(url)).StatusCode);
        Assert.Equal(0, (int)(await Api.CoverageAsync(story))["totalArticles"]!);
        await (await Client.GetAsync($"/v1/articles/{(long)article["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);

        var again = await (await Client.DeleteAsync(url)).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("is not linked", (string?)again["detail"]);
    }

    [Fact]
    public async Task TheStoryArticleListIsNewestPublishedFirstWithEachArticlesOutlet()
    {
        var left = await Api.CreateOutletAsync("lean_left", name: "Left Paper");
        var unrated = await Api.CreateOutletAsync(name: "Blog");
        var story = await Api.CreateStoryAsync();
        var unlinked = await Api.CreateArticleAsync(left);
        var start = new DateTimeOffset(2025, 5, 5, 8, 0, 0, TimeSpan.Zero);
        var linked = new List<JsonNode>();
        for (var i = 0; i < 9; i++)
        {
            var article = await Api.CreateArticleAsync(i % 2 == 0 ? left : unrated, start.AddMinutes(i % 4 * 10));
            await Api.LinkAsync(story, article);
            linked.Add(article);
        }

        var items = await Api.ReadAllPagesAsync($"/v1/stories/{(long)story["id"]!}/articles", 2);

        var expected = linked.OrderByDescending(a => DateTime.Parse((string)a["publishedAt"]!).ToUniversalTime()).ThenByDescending(a => (long)a["id"]!).Select(a => (long)a["id"]!);
        Assert.Equal(expected, items.Select(a => (long)a["id"]!));
        Assert.DoesNotContain((long)unlinked["id"]!, items.Select(a => (long)a["id"]!));
        var first = items.First(a => (long)a["outletId"]! == (long)left["id"]!);
        Assert.Equal(["id", "url", "title", "outletId", "publishedAt", "createdAt", "outlet"], first.AsObject().Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["id"] = (long)left["id"]!, ["name"] = "Left Paper", ["domain"] = (string)left["domain"]!, ["lean"] = "left" },
            first["outlet"]));
        Assert.Null(items.First(a => (long)a["outletId"]! == (long)unrated["id"]!)["outlet"]!["lean"]);
    }

    [Fact]
    public async Task AStoryArticleListCursorOnlyWorksForItsOwnStory()
    {
        var outlet = await Api.CreateOutletAsync();
        var story = await Api.CreateStoryAsync();
        var other = await Api.CreateStoryAsync();
        for (var i = 0; i < 3; i++)
        {
            await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet));
        }

        var page = await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/articles?limit=1")).ReadJsonAsync(HttpStatusCode.OK);
        var cursor = Uri.EscapeDataString((string)page["nextCursor"]!);

        await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/articles?limit=1&cursor={cursor}")).ReadJsonAsync(HttpStatusCode.OK);
        await (await Client.GetAsync($"/v1/stories/{(long)other["id"]!}/articles?limit=1&cursor={cursor}")).ReadValidationErrorsAsync("cursor");
    }

    [Fact]
    public async Task AnEmptyStoryHasAnEmptyListAndAnUnknownOneIs404()
    {
        var story = await Api.CreateStoryAsync();

        var page = await (await Client.GetAsync($"/v1/stories/{(long)story["id"]!}/articles")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(page["items"]!.AsArray());
        Assert.Null(page["nextCursor"]);
        await (await Client.GetAsync("/v1/stories/987654321/articles")).ReadProblemAsync(HttpStatusCode.NotFound);
    }
}
