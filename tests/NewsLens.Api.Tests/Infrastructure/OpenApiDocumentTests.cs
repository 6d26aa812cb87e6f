using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.Infrastructure;

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
        Assert.Equal(22, operations.Count);
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
