using System.Net;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Demo;

public sealed class DemoFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Demo:Seed", "true")];
}

public class DemoDataTests(DemoFactory factory) : IClassFixture<DemoFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    [Fact]
    public async Task TheDemoStoryReadsFiftyFivePercentOfTheSourcesLeanLeft()
    {
        var story = await FindStoryAsync("Kremlin says it doesn't like European proposals on security guarantees for Ukraine");
        Assert.False(string.IsNullOrEmpty((string?)story["summary"]));

        var coverage = await (await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("55% of the sources lean Left", (string?)coverage["bias"]!["label"]);
        Assert.Equal(50, (int)coverage["totalArticles"]!);
        Assert.Equal(23, (int)coverage["totalSources"]!);
        Assert.Equal(20, (int)coverage["bias"]!["rated"]!);
        Assert.Equal(3, (int)coverage["bias"]!["unrated"]!);
        Assert.Equal([11, 5, 4], new[] { "left", "center", "right" }.Select(l => (int)coverage["bias"]![l]!["count"]!));
    }

    [Theory]
    [InlineData("Governors push back on federal energy efficiency mandates", "right", null)]
    [InlineData("Central bank holds interest rates steady for a third meeting", "center", null)]
    [InlineData("Audit finds cost overruns at city transit agency", "right", "left")]
    [InlineData("Study links heat waves to rising hospital admissions", "left", "right")]
    [InlineData("Community garden wins regional award", null, null)]
    public async Task TheOtherDemoStoriesShowTheirCases(string title, string? majority, string? blindspot)
    {
        var story = await FindStoryAsync(title);

        var coverage = await (await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(majority, (string?)coverage["bias"]!["majority"]);
        Assert.Equal(blindspot, (string?)coverage["blindspot"]);
        if (majority is null)
        {
            Assert.Equal("No rated sources", (string?)coverage["bias"]!["label"]);
        }
    }

    [Fact]
    public async Task SeedingHappensOnlyIntoAnEmptyDatabase()
    {
        var before = await CountStoriesAsync();

        // A second host on the same database file runs the seeder again at start.
        using var second = new SameDatabaseFactory(factory.ConnectionString, new KeyValuePair<string, string?>("Demo:Seed", "true"));
        using var secondClient = second.CreateClient();
        var page = await (await secondClient.GetAsync("/v1/stories?limit=200")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(6, before);
        Assert.Equal(before, page["items"]!.AsArray().Count);
    }

    private async Task<int> CountStoriesAsync() =>
        (await (await client.GetAsync("/v1/stories?limit=200")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray().Count;

    private async Task<JsonNode> FindStoryAsync(string title)
    {
        var page = await (await client.GetAsync("/v1/stories?limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        return page["items"]!.AsArray().Single(s => (string?)s!["title"] == title)!;
    }
}
