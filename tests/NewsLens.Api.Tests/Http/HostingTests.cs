using System.Net;

namespace NewsLens.Api.Tests.Http;

public class HostingTests(NewsLensFactory factory) : IClassFixture<NewsLensFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    [Fact]
    public async Task LiveAndReadyAreHealthy()
    {
        var live = await (await client.GetAsync("/health/live")).ReadJsonAsync(HttpStatusCode.OK);
        var ready = await (await client.GetAsync("/health/ready")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("Healthy", (string?)live["status"]);
        Assert.Equal("Healthy", (string?)ready["status"]);
        Assert.Equal("Healthy", (string?)ready["checks"]!["database"]!["status"]);
    }

    [Fact]
    public async Task UnknownRoutesAndWrongMethodsAreProblems()
    {
        await (await client.GetAsync("/v1/nothing-here")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/v2/outlets")).ReadProblemAsync(HttpStatusCode.NotFound);

        var patch = await client.PatchAsync("/v1/outlets/1", new StringContent("{}"));
        await patch.ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
        var deleteList = await client.DeleteAsync("/v1/stories");
        await deleteList.ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("/v1/outlets")]
    [InlineData("/v1/outlets/987654321")]
    [InlineData("/health/live")]
    [InlineData("/nowhere")]
    public async Task EveryAnswerForbidsContentTypeSniffingAndNamesNoServer(string url)
    {
        var response = await client.GetAsync(url);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task ProblemsDoNotRevealServerInternals()
    {
        var response = await client.PostAsync("/v1/outlets", new StringContent("""{"name":"x","domain":{"nested":[1,2,{"deep":true}]}}""", System.Text.Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("System.", body);
        Assert.DoesNotContain("NewsLens.Api", body);
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain(".cs:line", body);
        Assert.Contains("Expected a string, not an object.", body);
    }
}
