using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Http;

public class CorsTests(CorsFactory factory) : IClassFixture<CorsFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    [Fact]
    public async Task APreflightFromAnAllowedOriginIsAnswered()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/outlets/1");
        preflight.Headers.Add("Origin", CorsFactory.Dashboard);
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type, if-match");

        var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CorsFactory.Dashboard, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PUT", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("if-match", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task APreflightFromAnotherOriginIsNotAllowed()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/outlets");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        var response = await client.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task ResponsesExposeETagLastModifiedAndLocationToScripts()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/outlets");
        request.Headers.Add("Origin", "http://localhost:3000");

        var response = await client.SendAsync(request);

        Assert.Equal("http://localhost:3000", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single().Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("ETag", exposed);
        Assert.Contains("Location", exposed);
        Assert.Contains("Last-Modified", exposed);
    }
}

public class FrontendDefaultsTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task NoOriginIsAllowedByDefault()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/outlets");
        request.Headers.Add("Origin", "https://dashboard.example");

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task JsonIsCompressedWhenTheClientAcceptsIt(string encoding)
    {
        for (var i = 0; i < 5; i++)
        {
            await Api.CreateOutletAsync("center");
        }

        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/outlets");
        request.Headers.Add("Accept-Encoding", encoding);

        var response = await Client.SendAsync(request);

        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.Single());
        await using var body = await response.Content.ReadAsStreamAsync();
        await using Stream decoded = encoding == "br" ? new BrotliStream(body, CompressionMode.Decompress) : new GZipStream(body, CompressionMode.Decompress);
        var page = JsonNode.Parse(decoded)!;
        Assert.True(page["items"]!.AsArray().Count >= 5);
    }

    [Fact]
    public async Task ProblemsAreCompressedToo()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/outlets/987654321");
        request.Headers.Add("Accept-Encoding", "gzip");

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
    }
}
