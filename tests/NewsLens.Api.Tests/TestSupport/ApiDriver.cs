using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>Creates resources through the public API for tests that need them as a starting point.</summary>
public sealed class ApiDriver(HttpClient client)
{
    public HttpClient Client => client;

    /// <summary>A domain no other test uses.</summary>
    public static string UniqueDomain(string prefix = "outlet") => $"{prefix}-{Guid.NewGuid():N}.example";

    public async Task<JsonNode> CreateOutletAsync(string? bias = null, string? domain = null, string? factuality = null, string? ownership = null, string? name = null)
    {
        var response = await client.PostAsJsonAsync("/v1/outlets", new { name = name ?? "Outlet", domain = domain ?? UniqueDomain(), bias, factuality, ownership });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    public async Task<JsonNode> CreateStoryAsync(string title = "A story", string? summary = null)
    {
        var response = await client.PostAsJsonAsync("/v1/stories", new { title, summary });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    public async Task<JsonNode> CreateArticleAsync(JsonNode outlet, DateTimeOffset? publishedAt = null, string? path = null)
    {
        var url = $"https://{(string)outlet["domain"]!}/{path ?? Guid.NewGuid().ToString("N")}";
        var response = await client.PostAsJsonAsync("/v1/articles", new
        {
            url,
            title = "An article",
            publishedAt = (publishedAt ?? new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero)).ToString("O"),
            outletId = (long)outlet["id"]!,
        });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    public async Task LinkAsync(JsonNode story, JsonNode article)
    {
        var response = await client.PutAsync($"/v1/stories/{(long)story["id"]!}/articles/{(long)article["id"]!}", null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Links <paramref name="articles"/> new articles of <paramref name="outlet"/> to the story.</summary>
    public async Task CoverAsync(JsonNode story, JsonNode outlet, int articles = 1)
    {
        for (var i = 0; i < articles; i++)
        {
            await LinkAsync(story, await CreateArticleAsync(outlet));
        }
    }

    public async Task<JsonNode> CoverageAsync(JsonNode story, string? basis = null)
    {
        var response = await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage{(basis is null ? "" : "?basis=" + basis)}");
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    /// <summary>Follows <c>nextCursor</c> to the end and returns every item, asserting each page's size.</summary>
    public async Task<List<JsonNode>> ReadAllPagesAsync(string url, int limit, string? startCursor = null)
    {
        var items = new List<JsonNode>();
        var cursor = startCursor;
        var separator = url.Contains('?') ? '&' : '?';
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await (await client.GetAsync($"{url}{separator}limit={limit}{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}"))
                .ReadJsonAsync(HttpStatusCode.OK);
            var pageItems = page["items"]!.AsArray();
            cursor = (string?)page["nextCursor"];
            Assert.True(pageItems.Count <= limit);
            if (cursor is not null)
            {
                Assert.Equal(limit, pageItems.Count);
            }

            items.AddRange(pageItems.Select(i => i!));
            if (cursor is null)
            {
                return items;
            }
        }

        throw new InvalidOperationException("Pagination did not end.");
    }
}
