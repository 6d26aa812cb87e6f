using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace NewsLens.Api.Tests.Coverage;

public class CoverageSvgApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>The demo story's shape: 11 Left, 5 Center, 4 Right and 3 unrated sources.</summary>
    private async Task<JsonNode> DemoShapedStoryAsync()
    {
        var story = await Api.CreateStoryAsync();
        foreach (var (bias, outlets) in new[] { ("left", 11), ("center", 5), ("right", 4), ((string?)null, 3) })
        {
            for (var i = 0; i < outlets; i++)
            {
                await Api.CoverAsync(story, await Api.CreateOutletAsync(bias));
            }
        }

        return story;
    }

    private static async Task<XElement> ReadSvgAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        return XElement.Parse(body);
    }

    [Fact]
    public async Task TheBarOfA55_25_20StoryHasSegmentsOfExactlyTheirShareOfTheWidth()
    {
        var story = await DemoShapedStoryAsync();

        var response = await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg?width=400");
        var svg = await ReadSvgAsync(response);

        var segments = svg.Elements(Svg + "rect").Where(r => r.Attribute("data-lean") is not null)
            .Select(r => ((string)r.Attribute("data-lean")!, (string)r.Attribute("x")!, (string)r.Attribute("width")!));
        Assert.Equal([("left", "0", "220"), ("center", "220", "100"), ("right", "320", "80")], segments);
        Assert.Equal("55% of the sources lean Left", svg.Element(Svg + "title")!.Value);
        Assert.Equal("Left 11, Center 5, Right 4 rated sources; 3 unrated.", svg.Element(Svg + "desc")!.Value);
        Assert.Equal("img", (string?)svg.Attribute("role"));
        Assert.Equal("400", (string?)svg.Attribute("width"));
        Assert.Equal("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

        var articles = await ReadSvgAsync(await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg?basis=articles&theme=dark"));
        Assert.Equal("55% of the articles lean Left", articles.Element(Svg + "title")!.Value);
        Assert.Equal("320", (string?)articles.Attribute("width"));
        Assert.Contains(articles.Elements(Svg + "rect"), r => (string?)r.Attribute("fill") == "#60A5FA");
    }

    [Fact]
    public async Task AStoryWithNothingRatedIsAGreyBarReadingNoRatedSources()
    {
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, await Api.CreateOutletAsync());

        var svg = await ReadSvgAsync(await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg"));

        Assert.Equal("No rated sources", svg.Element(Svg + "title")!.Value);
        Assert.Equal("Left 0, Center 0, Right 0 rated sources; 1 unrated.", svg.Element(Svg + "desc")!.Value);
        Assert.DoesNotContain(svg.Elements(Svg + "rect"), r => r.Attribute("data-lean") is not null);
    }

    [Fact]
    public async Task TheBarIsCachedLikeCoverageWithAnETagPerWidthThemeAndBasis()
    {
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, await Api.CreateOutletAsync("left"));
        var url = $"/v1/stories/{story["id"]}/coverage.svg";

        var coverage = await Client.GetAsync($"/v1/stories/{story["id"]}/coverage");
        var first = await Client.GetAsync(url);
        Assert.Equal(coverage.Headers.CacheControl?.ToString(), first.Headers.CacheControl?.ToString());
        Assert.Equal("public, max-age=30", first.Headers.CacheControl?.ToString());
        Assert.NotNull(first.Content.Headers.LastModified);
        var tags = new List<string?> { coverage.Headers.ETag?.Tag, first.Headers.ETag?.Tag };
        foreach (var variant in new[] { "?width=321", "?theme=dark", "?basis=articles", "?width=320&theme=light&basis=sources" })
        {
            tags.Add((await Client.GetAsync(url + variant)).Headers.ETag?.Tag);
        }

        Assert.All(tags, Assert.NotNull);
        Assert.Equal(5, tags.Distinct().Count()); // the explicit defaults are the defaults' tag
        Assert.Equal(first.Headers.ETag!.Tag, tags[^1]);

        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag);
        var notModified = await Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        await Api.CoverAsync(story, await Api.CreateOutletAsync("right"));
        var changed = new HttpRequestMessage(HttpMethod.Get, url);
        changed.Headers.IfNoneMatch.Add(first.Headers.ETag);
        var fresh = await Client.SendAsync(changed);
        Assert.Equal("No majority lean", (await ReadSvgAsync(fresh)).Element(Svg + "title")!.Value);
        Assert.NotEqual(first.Headers.ETag, fresh.Headers.ETag);
    }

    [Fact]
    public async Task ChosenRatingsCountAsInJsonCoverage()
    {
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, await Api.CreateOutletAsync("left"));

        var byAllSides = await ReadSvgAsync(await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg?rater=allsides"));
        var asOf = await ReadSvgAsync(await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg?asOf=2000-01-01T00:00:00Z"));

        Assert.Equal("No rated sources", byAllSides.Element(Svg + "title")!.Value);
        Assert.Equal("No rated sources", asOf.Element(Svg + "title")!.Value);
        var errors = await (await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg?rater=nobody")).ReadValidationErrorsAsync("rater");
        Assert.Contains("nobody", (string?)errors["rater"]![0]);
    }

    [Fact]
    public async Task AnUnknownStoryIsA404ProblemInJson()
    {
        var problem = await (await Client.GetAsync("/v1/stories/987654321/coverage.svg")).ReadProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("987654321", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("width=119", "width", "between 120 and 1200")]
    [InlineData("width=1201", "width", "between 120 and 1200")]
    [InlineData("width=wide", "width", "not a whole number")]
    [InlineData("theme=blue", "theme", "light, dark")]
    [InlineData("basis=outlets", "basis", "sources, articles")]
    public async Task ABadWidthThemeOrBasisIsA400NamingTheField(string query, string field, string message)
    {
        var story = await Api.CreateStoryAsync();

        var errors = await (await Client.GetAsync($"/v1/stories/{story["id"]}/coverage.svg?{query}")).ReadValidationErrorsAsync(field);

        Assert.Contains(message, (string?)errors[field]![0]);
    }

    [Fact]
    public async Task HeadAnswersTheHeadersWithoutTheImage()
    {
        var story = await Api.CreateStoryAsync();

        var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1/stories/{story["id"]}/coverage.svg"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("image/svg+xml", head.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ABrowsersImageRequestGetsTheImage()
    {
        var story = await Api.CreateStoryAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/stories/{story["id"]}/coverage.svg");
        request.Headers.Accept.ParseAdd("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
    }
}
