using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NewsLens.Api.Dashboard;
using NewsLens.Api.Tests.OpenApi;

namespace NewsLens.Api.Tests.Dashboard;

public partial class DashboardPageTests(NewsLensFactory factory) : ApiTests(factory)
{
    private static readonly string Folder = Path.Combine(OpenApiDocumentTests.RepositoryRoot(), "src", "NewsLens.Api", "wwwroot", "dashboard");

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.html")]
    public async Task TheDashboardIsAnHtmlPageUnderAStrictContentSecurityPolicy(string url)
    {
        var response = await Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(DashboardPage.ContentSecurityPolicy, policy);
        var directives = policy.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ') + 1)..]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["style-src"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["base-uri"]);
        Assert.DoesNotContain("unsafe", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("""<script type="module" src="/dashboard/app.js"></script>""", html);
        Assert.Contains("""<link rel="stylesheet" href="/dashboard/dashboard.css">""", html);
    }

    [Fact]
    public async Task ThePageHasNoInlineScriptNoInlineStyleAndNothingFromElsewhere()
    {
        var html = await Client.GetStringAsync("/dashboard");

        foreach (Match script in ScriptTag().Matches(html))
        {
            Assert.Matches("src=\"/dashboard/[a-z-]+\\.js\"", script.Value);
        }

        Assert.Single(ScriptTag().Matches(html));
        Assert.DoesNotMatch(@"\sstyle\s*=", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
    }

    [Theory]
    [InlineData("/dashboard/app.js", "text/javascript")]
    [InlineData("/dashboard/story.js", "text/javascript")]
    [InlineData("/dashboard/dashboard.css", "text/css")]
    [InlineData("/dashboard/favicon.svg", "image/svg+xml")]
    public async Task AssetsAreServedWithTheirTypesAndRevalidated(string url, string mediaType)
    {
        var response = await Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());

        var revalidation = new HttpRequestMessage(HttpMethod.Get, url);
        revalidation.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        var notModified = await Client.SendAsync(revalidation);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/app.js")]
    [InlineData("/dashboard/dashboard.css")]
    public async Task HeadAnswersLikeGetWithoutTheBody(string url)
    {
        var get = await Client.GetAsync(url);
        var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.GetValues("Content-Security-Policy"), head.Headers.GetValues("Content-Security-Policy"));
    }

    [Fact]
    public async Task EveryModuleThePageImportsIsServed()
    {
        var seen = new HashSet<string>();
        var pending = new Queue<string>(["app.js"]);
        while (pending.TryDequeue(out var module))
        {
            if (!seen.Add(module))
            {
                continue;
            }

            var response = await Client.GetAsync($"/dashboard/{module}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/dashboard/{module} answered {(int)response.StatusCode}");
            foreach (Match import in ImportFrom().Matches(await response.Content.ReadAsStringAsync()))
            {
                pending.Enqueue(import.Groups[1].Value);
            }
        }

        Assert.Contains("story.js", seen);
        Assert.Contains("list.js", seen);
    }

    [Fact]
    public void NoScriptParsesDataAsMarkup()
    {
        var scripts = Directory.GetFiles(Folder, "*.js");
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var code = File.ReadAllText(script);
            foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", ".style.", "setAttribute('style'" })
            {
                Assert.False(code.Contains(sink, StringComparison.Ordinal), $"{Path.GetFileName(script)} uses {sink}");
            }
        }
    }

    [Fact]
    public async Task AMissingDashboardFileIsANotFoundProblem()
    {
        var response = await Client.GetAsync("/dashboard/nothing-here.js");

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheDashboardIsNotInTheOpenApiDocument()
    {
        var document = JsonNode.Parse(await Client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v1/stories", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/dashboard", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ThePageNeedsNoKeyWhereReadsAreOpen()
    {
        using var anonymous = Factory.CreateAnonymousClient();

        var response = await anonymous.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/stories?include=coverage")).StatusCode);
    }

    [GeneratedRegex("<script\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("""from '\./([a-z-]+\.js)'""")]
    private static partial Regex ImportFrom();
}
