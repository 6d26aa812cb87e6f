using System.Net;

namespace NewsLens.Api.Tests.Http;

public class HeadRequestTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Theory]
    [InlineData("/v1/outlets?limit=1")]
    [InlineData("/v1/outlets/{outlet}")]
    [InlineData("/v1/articles")]
    [InlineData("/v1/articles/{article}")]
    [InlineData("/v1/stories")]
    [InlineData("/v1/stories/{story}?include=coverage,articles")]
    [InlineData("/v1/stories/{story}/articles")]
    [InlineData("/v1/stories/{story}/coverage")]
    [InlineData("/v1/coverage?storyIds={story}")]
    [InlineData("/v1/outlets/987654321")]
    [InlineData("/v1/outlets?limit=0")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task HeadAnswersWithTheStatusAndHeadersOfGetAndNoBody(string template)
    {
        var url = await UrlAsync(template);

        var get = await Client.GetAsync(url);
        var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(DeclaredLength(get), DeclaredLength(head));
    }

    [Fact]
    public async Task HeadOfTheOpenApiDocumentDeclaresItsLength()
    {
        var get = await Client.GetAsync("/swagger/v1/swagger.json");
        var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/swagger/v1/swagger.json"));

        Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), DeclaredLength(head));
    }

    [Theory]
    [InlineData("/v1/outlets/{outlet}")]
    [InlineData("/v1/stories/{story}/coverage")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task AConditionalHeadIs304WhenTheClientsCopyIsCurrent(string template)
    {
        var url = await UrlAsync(template);
        var etag = (await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url))).Headers.ETag;
        Assert.NotNull(etag);

        var revalidation = new HttpRequestMessage(HttpMethod.Head, url);
        revalidation.Headers.IfNoneMatch.Add(etag);
        var answer = await Client.SendAsync(revalidation);

        Assert.Equal(HttpStatusCode.NotModified, answer.StatusCode);
        Assert.Equal(etag, answer.Headers.ETag);
    }

    [Theory]
    [InlineData("OPTIONS", "/v1/outlets")]
    [InlineData("PATCH", "/v1/outlets/{outlet}")]
    [InlineData("DELETE", "/v1/stories")]
    [InlineData("HEAD", "/v1/outlets/import")]
    [InlineData("HEAD", "/v1/admin/backups")]
    [InlineData("TRACE", "/v1/outlets")]
    public async Task OtherMethodsAreStill405Problems(string method, string template)
    {
        var answer = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), await UrlAsync(template)));

        if (method == "HEAD")
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            await answer.ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
        }
    }

    /// <summary>The Content-Length the server sent, if any (HttpClient would otherwise count the bytes it received).</summary>
    private static string? DeclaredLength(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values) ? values.ToString() : null;

    private async Task<string> UrlAsync(string template)
    {
        if (!template.Contains('{'))
        {
            return template;
        }

        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        var article = await Api.CreateArticleAsync(outlet);
        await Api.LinkAsync(story, article);
        return template.Replace("{outlet}", $"{(long)outlet["id"]!}").Replace("{story}", $"{(long)story["id"]!}").Replace("{article}", $"{(long)article["id"]!}");
    }
}

public class HeadCorsTests(CorsFactory factory) : IClassFixture<CorsFactory>
{
    [Fact]
    public async Task AnAllowedOriginMayPreflightAndSendHead()
    {
        var client = factory.CreateClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/outlets");
        preflight.Headers.Add("Origin", CorsFactory.Dashboard);
        preflight.Headers.Add("Access-Control-Request-Method", "HEAD");

        var answer = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains("HEAD", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        var head = new HttpRequestMessage(HttpMethod.Head, "/v1/outlets");
        head.Headers.Add("Origin", CorsFactory.Dashboard);
        var response = await client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CorsFactory.Dashboard, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
