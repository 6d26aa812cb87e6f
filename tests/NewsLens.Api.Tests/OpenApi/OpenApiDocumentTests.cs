using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NewsLens.Api.Tests.OpenApi;

/// <summary>
/// The committed <c>openapi/newslens.v1.json</c> is the contract partners generate clients from; it must be
/// exactly what the server serves. Set NEWSLENS_UPDATE_OPENAPI=1 to rewrite it from the server.
/// </summary>
public class OpenApiDocumentTests(NewsLensFactory factory) : IClassFixture<NewsLensFactory>
{
    private const string UpdateSwitch = "NEWSLENS_UPDATE_OPENAPI";

    [Fact]
    public async Task ServedDocumentMatchesTheCommittedOne()
    {
        var served = await ServedDocumentAsync();
        var path = Path.Combine(RepositoryRoot(), "openapi", "newslens.v1.json");
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        if (Environment.GetEnvironmentVariable(UpdateSwitch) == "1")
        {
            await File.WriteAllTextAsync(path, text);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run the tests once with {UpdateSwitch}=1 to write it.");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(
            JsonNode.DeepEquals(committed, served),
            $"The served OpenAPI document differs from {path}. If the change is intended, run `{UpdateSwitch}=1 dotnet test` and commit the file.");
    }

    [Fact]
    public async Task DocumentIsOpenApi30WithAnOperationIdSummaryAndTagOnEveryOperation()
    {
        var document = await ServedDocumentAsync();

        Assert.StartsWith("3.0", (string)document["openapi"]!);
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (name: $"{op.Key.ToUpperInvariant()} {path.Key}", op: op.Value!)))
            .ToList();
        Assert.Equal(31, operations.Count);
        foreach (var (name, op) in operations)
        {
            Assert.False(string.IsNullOrEmpty((string?)op["operationId"]), name);
            Assert.False(string.IsNullOrEmpty((string?)op["summary"]), name);
            Assert.NotEmpty(op["tags"]!.AsArray());
            foreach (var (code, response) in op["responses"]!.AsObject().Where(r => r.Key[0] is '4' or '5'))
            {
                Assert.True(response!["content"]?["application/problem+json"] is not null, $"{name} {code} is not application/problem+json");
            }
        }
    }

    [Fact]
    public async Task EnumsAppearAsTheirSnakeCaseValues()
    {
        var schemas = (await ServedDocumentAsync())["components"]!["schemas"]!;

        var bias = schemas["Outlet"]!["properties"]!["bias"]!;
        Assert.Equal(["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null],
            bias["enum"]!.AsArray().Select(v => (string?)v));
        Assert.True((bool)bias["nullable"]!);
        Assert.Equal(["very_high", "high", "mostly_factual", "mixed", "low", "very_low", "unrated"],
            schemas["FactualityBreakdown"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        var response = await factory.CreateClient().GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheDocumentCarriesAStrongETagAndARevalidationIs304()
    {
        var client = factory.CreateClient();
        var first = await client.GetAsync("/swagger/v1/swagger.json");
        var second = await client.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal("public, max-age=300", first.Headers.CacheControl?.ToString());

        var revalidation = new HttpRequestMessage(HttpMethod.Get, "/swagger/v1/swagger.json");
        revalidation.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(revalidation);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        var stale = new HttpRequestMessage(HttpMethod.Get, "/swagger/v1/swagger.json");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-build\""));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(stale)).StatusCode);
    }

    private async Task<JsonNode> ServedDocumentAsync()
    {
        var response = await factory.CreateClient().GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NewsLens.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("NewsLens.sln not found above the test assembly.");
    }
}

/// <summary>Counts how often the document is generated, through the provider Swashbuckle registers.</summary>
public sealed class CountingOpenApiFactory : NewsLensFactory
{
    private int generations;

    public int Generations => Volatile.Read(ref generations);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddTransient<IAsyncSwaggerProvider>(s => new CountingProvider(s.GetRequiredService<SwaggerGenerator>(), this));
            services.AddTransient<ISwaggerProvider>(s => new CountingProvider(s.GetRequiredService<SwaggerGenerator>(), this));
        });
    }

    private sealed class CountingProvider(SwaggerGenerator generator, CountingOpenApiFactory factory) : IAsyncSwaggerProvider, ISwaggerProvider
    {
        public Task<OpenApiDocument> GetSwaggerAsync(string documentName, string? host = null, string? basePath = null)
        {
            Interlocked.Increment(ref factory.generations);
            return generator.GetSwaggerAsync(documentName, host, basePath);
        }

        public OpenApiDocument GetSwagger(string documentName, string? host = null, string? basePath = null)
        {
            Interlocked.Increment(ref factory.generations);
            return generator.GetSwagger(documentName, host, basePath);
        }
    }
}

public class OpenApiDocumentCacheTests(CountingOpenApiFactory factory) : IClassFixture<CountingOpenApiFactory>
{
    [Fact]
    public async Task TheDocumentIsBuiltOncePerProcessHoweverManyClientsAskAtOnce()
    {
        var client = factory.CreateAnonymousClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetAsync("/swagger/v1/swagger.json")));
        answers = [.. answers, await client.GetAsync("/swagger/v1/swagger.json"), await client.GetAsync("/swagger/v1/swagger.json")];

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(answers.Select(a => a.Headers.ETag!.Tag).Distinct());
        Assert.Equal(1, factory.Generations);
    }
}

public class OpenApiRateLimitTests(RateLimitedFactory factory) : IClassFixture<RateLimitedFactory>
{
    [Fact]
    public async Task TheDocumentationTakesTokensFromTheAddressBucketLikeAnyAnonymousRequest()
    {
        var stranger = factory.CreateAnonymousClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await stranger.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        }

        var limited = await stranger.GetAsync("/swagger/v1/swagger.json");
        await limited.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.Contains("Retry-After"));
        await (await stranger.GetAsync("/swagger/index.html")).ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await stranger.GetAsync("/health/live")).StatusCode);
    }
}

public sealed class OpenApiDisabledFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("OpenApi:Enabled", "false")];
}

public class OpenApiDisabledTests(OpenApiDisabledFactory factory) : IClassFixture<OpenApiDisabledFactory>
{
    [Theory]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger")]
    public async Task WithOpenApiDisabledTheDocumentationIsNotFound(string url)
    {
        await (await factory.CreateClient().GetAsync(url)).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WithOpenApiDisabledTheApiStillAnswers()
    {
        await (await factory.CreateClient().GetAsync("/v1/outlets")).ReadJsonAsync(HttpStatusCode.OK);
    }
}
