using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Http;

public class HttpCachingTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Theory]
    [InlineData("outlets")]
    [InlineData("stories")]
    [InlineData("articles")]
    public async Task SingleResourcesAnswerIfNoneMatchWith304(string resource)
    {
        var url = await CreateAsync(resource);
        var first = await Client.GetAsync(url);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        var again = await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, again.Headers.ETag);

        var weak = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("If-None-Match", $"\"other\", W/{etag.Tag}"));
        Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode);
        var star = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("If-None-Match", "*"));
        Assert.Equal(HttpStatusCode.NotModified, star.StatusCode);
        var stale = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"o1v999\""));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
    }

    [Theory]
    [InlineData("outlets")]
    [InlineData("stories")]
    public async Task IfMatchProtectsPutAndDeleteFromLostUpdates(string resource)
    {
        var url = await CreateAsync(resource);
        var read = await Client.GetAsync(url);
        var original = await read.ReadJsonAsync(HttpStatusCode.OK);
        var etag = read.Headers.ETag!;

        var firstWriter = await SendAsync(HttpMethod.Put, url, Body(resource, original, "First"), etag.Tag);
        await firstWriter.ReadJsonAsync(HttpStatusCode.OK);
        var newTag = firstWriter.Headers.ETag!;
        Assert.NotEqual(etag, newTag);

        var secondWriter = await SendAsync(HttpMethod.Put, url, Body(resource, original, "Second"), etag.Tag);
        var problem = await secondWriter.ReadProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Contains("has changed", (string?)problem["detail"]);
        var current = await (await Client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("First", (string?)current[resource == "outlets" ? "name" : "title"]);

        await (await SendAsync(HttpMethod.Delete, url, null, etag.Tag)).ReadProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await SendAsync(HttpMethod.Delete, url, null, "W/" + newTag.Tag)).ReadProblemAsync(HttpStatusCode.PreconditionFailed); // weak tags never match If-Match
        await (await Client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, url, null, $"\"nope\", {newTag.Tag}")).StatusCode);
        await (await Client.GetAsync(url)).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task IfMatchStarAndNoIfMatchBothWrite()
    {
        var url = await CreateAsync("stories");

        var star = await SendAsync(HttpMethod.Put, url, new { title = "Star" }, "*");
        await star.ReadJsonAsync(HttpStatusCode.OK);
        var plain = await Client.PutAsJsonAsync(url, new { title = "Plain" });
        await plain.ReadJsonAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("outlets")]
    [InlineData("stories")]
    [InlineData("articles")]
    public async Task IdsAreNeverReusedSoOldETagsNeverMatchNewResources(string resource)
    {
        var url = await CreateAsync(resource);
        var etag = (await Client.GetAsync(url)).Headers.ETag!;
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(url)).StatusCode);

        var next = await CreateAsync(resource);

        Assert.NotEqual(url, next);
        Assert.True(long.Parse(next.Split('/')[^1]) > long.Parse(url.Split('/')[^1]));
        var reused = await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
    }

    [Fact]
    public async Task CreatedResourcesCarryTheirETag()
    {
        var response = await Client.PostAsJsonAsync("/v1/stories", new { title = "Tagged" });
        var story = await response.ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal($"\"s{(long)story["id"]!}v1\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task CoverageIsPubliclyCacheableAndRevalidatesByETagAndLastModified()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet);
        var url = $"/v1/stories/{(long)story["id"]!}/coverage";

        var first = await Client.GetAsync(url);
        await first.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("public, max-age=30", first.Headers.CacheControl?.ToString());
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;

        var byTag = await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, byTag.StatusCode);
        Assert.Equal("public, max-age=30", byTag.Headers.CacheControl?.ToString());
        var byDate = await GetAsync(url, r => r.Headers.IfModifiedSince = lastModified);
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);
        var byOlderDate = await GetAsync(url, r => r.Headers.IfModifiedSince = lastModified.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, byOlderDate.StatusCode);
        var otherBasis = await GetAsync(url + "?basis=articles", r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.OK, otherBasis.StatusCode);

        await Api.CoverAsync(story, await Api.CreateOutletAsync("right"));

        var changed = await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task ReRatingOrRenamingAnOutletChangesTheETagsOfTheStoriesItCovered()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet);
        var coverageUrl = $"/v1/stories/{(long)story["id"]!}/coverage";
        var pageUrl = $"/v1/stories/{(long)story["id"]!}?include=articles";
        var plainUrl = $"/v1/stories/{(long)story["id"]!}";
        var coverageTag = (await Client.GetAsync(coverageUrl)).Headers.ETag!;
        var pageTag = (await Client.GetAsync(pageUrl)).Headers.ETag!;
        var plainTag = (await Client.GetAsync(plainUrl)).Headers.ETag!;

        await (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new { name = "Renamed", domain = (string)outlet["domain"]!, bias = "left" }))
            .ReadJsonAsync(HttpStatusCode.OK);

        Assert.NotEqual(pageTag, (await Client.GetAsync(pageUrl)).Headers.ETag);
        Assert.Equal(plainTag, (await Client.GetAsync(plainUrl)).Headers.ETag);
        var renamedCoverageTag = (await Client.GetAsync(coverageUrl)).Headers.ETag!;

        await (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new { name = "Renamed", domain = (string)outlet["domain"]!, bias = "right" }))
            .ReadJsonAsync(HttpStatusCode.OK);

        var rerated = await GetAsync(coverageUrl, r => r.Headers.IfNoneMatch.Add(renamedCoverageTag));
        Assert.Equal(HttpStatusCode.OK, rerated.StatusCode);
        Assert.NotEqual(coverageTag, rerated.Headers.ETag);
    }

    [Fact]
    public async Task BatchCoverageRevalidatesAsAWhole()
    {
        var outlet = await Api.CreateOutletAsync("center");
        var a = await Api.CreateStoryAsync();
        var b = await Api.CreateStoryAsync();
        var url = $"/v1/coverage?storyIds={(long)a["id"]!},{(long)b["id"]!},987654321";

        var first = await Client.GetAsync(url);
        await first.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("public, max-age=30", first.Headers.CacheControl?.ToString());
        var etag = first.Headers.ETag!;
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag))).StatusCode);
        var reordered = $"/v1/coverage?storyIds={(long)b["id"]!},{(long)a["id"]!},987654321";
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(reordered, r => r.Headers.IfNoneMatch.Add(etag))).StatusCode);

        await Api.CoverAsync(b, outlet);

        var changed = await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task ListsAreNotCachedWithoutRevalidation()
    {
        var response = await Client.GetAsync("/v1/outlets");

        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Null(response.Headers.ETag);
    }

    private async Task<string> CreateAsync(string resource) => resource switch
    {
        "outlets" => $"/v1/outlets/{(long)(await Api.CreateOutletAsync("center"))["id"]!}",
        "stories" => $"/v1/stories/{(long)(await Api.CreateStoryAsync())["id"]!}",
        _ => $"/v1/articles/{(long)(await Api.CreateArticleAsync(await Api.CreateOutletAsync()))["id"]!}",
    };

    private static object Body(string resource, JsonNode original, string name) => resource == "outlets"
        ? new { name, domain = (string)original["domain"]! }
        : new { title = name };

    private Task<HttpResponseMessage> GetAsync(string url, Action<HttpRequestMessage> configure)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure(request);
        return Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object? body, string ifMatch)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return Client.SendAsync(request);
    }
}
