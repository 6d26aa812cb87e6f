using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using NewsLens.Api.Articles;
using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;
using Xunit.Abstractions;

namespace NewsLens.Api.Tests.Coverage;

/// <summary>
/// The coverage summaries are kept by CoverageSummaries in every write's transaction. After a random sequence of every
/// kind of write that can change them, each one must equal a recount from the links themselves.
/// </summary>
public class CoverageSummaryConsistencyTests(NewsLensFactory factory, ITestOutputHelper output) : ApiTests(factory)
{
    private static readonly string?[] Biases = ["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null];
    private static readonly string?[] Factualities = ["very_high", "high", "mixed", "low", null];

    /// <summary>Rows of an import large enough for the engine's bulk path.</summary>
    private static int BulkRows => TestEngine.Current == StorageEngine.PostgreSql ? PostgreSqlDialect.CopyRows : SqliteDialect.Instance.RowsPerStatement;

    [Theory]
    [InlineData(20261126)]
    [InlineData(7)]
    [InlineData(424242)]
    public async Task SummariesEqualARecountAfterRandomWrites(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var outlets = new List<JsonNode>();
        var stories = new List<long>();
        var articles = new List<JsonNode>();
        var links = new HashSet<(long Story, long Article)>();
        for (var i = 0; i < 10; i++)
        {
            outlets.Add(await Api.CreateOutletAsync(Pick(random, Biases), factuality: Pick(random, Factualities)));
        }

        for (var i = 0; i < 6; i++)
        {
            stories.Add((long)(await Api.CreateStoryAsync($"Story {i}"))["id"]!);
        }

        var counts = new Dictionary<string, int>();
        for (var step = 0; step < 400; step++)
        {
            var roll = random.Next(100);
            string operation;
            if (roll < 25 || articles.Count < 5)
            {
                operation = "create article";
                var published = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(100_000));
                articles.Add(await Api.CreateArticleAsync(outlets[random.Next(outlets.Count)], published));
            }
            else if (roll < 60)
            {
                operation = "link";
                var link = (stories[random.Next(stories.Count)], (long)articles[random.Next(articles.Count)]["id"]!);
                Assert.Equal(HttpStatusCode.NoContent, (await Client.PutAsync($"/v1/stories/{link.Item1}/articles/{link.Item2}", null)).StatusCode);
                links.Add(link);
            }
            else if (roll < 72 && links.Count > 0)
            {
                operation = "unlink";
                var link = links.ElementAt(random.Next(links.Count));
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/stories/{link.Story}/articles/{link.Article}")).StatusCode);
                links.Remove(link);
            }
            else if (roll < 80)
            {
                operation = "re-rate outlet";
                var outlet = outlets[random.Next(outlets.Count)];
                var response = await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}", new
                {
                    name = "Re-rated",
                    domain = (string)outlet["domain"]!,
                    bias = Pick(random, Biases),
                    factuality = Pick(random, Factualities),
                });
                await response.ReadJsonAsync(HttpStatusCode.OK);
            }
            else if (roll < 86)
            {
                operation = "delete article";
                var article = articles[random.Next(articles.Count)];
                var id = (long)article["id"]!;
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/articles/{id}")).StatusCode);
                articles.Remove(article);
                links.RemoveWhere(l => l.Article == id);
            }
            else if (roll < 89)
            {
                // Small imports and larger ones (several statements of rows on SQLite, COPY on PostgreSQL) keep the
                // summaries the same way.
                var size = random.Next(2) == 0 ? random.Next(1, 6) : BulkRows + random.Next(1, 6);
                operation = size > BulkRows ? "bulk import" : "small import";
                var rows = Enumerable.Range(0, size).Select(_ =>
                {
                    // New articles, and sometimes an existing one again with a new title and time.
                    var existing = articles.Count > 0 && random.Next(3) == 0 ? articles[random.Next(articles.Count)] : null;
                    var outlet = outlets[random.Next(outlets.Count)];
                    return new
                    {
                        url = existing is null ? $"https://{(string)outlet["domain"]!}/import/{Guid.NewGuid():N}" : (string)existing["url"]!,
                        title = $"Imported {random.Next()}",
                        publishedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(100_000)).ToString("O"),
                        outletId = existing is null ? (long)outlet["id"]! : (long)existing["outletId"]!,
                        storyIds = stories.Where(_ => random.Next(3) == 0).ToArray(),
                    };
                }).DistinctBy(r => r.url).ToList();
                var result = await (await Client.PostAsJsonAsync("/v1/articles/import", rows)).ReadJsonAsync(HttpStatusCode.OK);
                var storedByUrl = (await Api.ReadAllPagesAsync("/v1/articles", 200)).ToDictionary(a => (string)a["url"]!);
                foreach (var row in rows)
                {
                    var stored = storedByUrl[row.url];
                    if (!articles.Any(a => (long)a["id"]! == (long)stored["id"]!))
                    {
                        articles.Add(stored);
                    }

                    foreach (var storyId in row.storyIds)
                    {
                        links.Add((storyId, (long)stored["id"]!));
                    }
                }
            }
            else if (roll < 92)
            {
                // An import that names a stored article with another time moves it, and its links with it.
                operation = "move publication time";
                var article = articles[random.Next(articles.Count)];
                var moved = DateTimeOffset.Parse((string)article["publishedAt"]!, System.Globalization.CultureInfo.InvariantCulture).AddMilliseconds(random.Next(-5_000_000, 5_000_000));
                await (await Client.PostAsJsonAsync("/v1/articles/import", new[]
                {
                    new { url = (string)article["url"]!, title = (string)article["title"]!, publishedAt = moved.ToString("O"), outletId = (long)article["outletId"]! },
                })).ReadJsonAsync(HttpStatusCode.OK);
            }
            else if (roll < 95)
            {
                operation = "delete story";
                var story = stories[random.Next(stories.Count)];
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/stories/{story}")).StatusCode);
                stories.Remove(story);
                links.RemoveWhere(l => l.Story == story);
                stories.Add((long)(await Api.CreateStoryAsync("Replacement"))["id"]!);
            }
            else
            {
                operation = "edit story";
                var story = stories[random.Next(stories.Count)];
                await (await Client.PutAsJsonAsync($"/v1/stories/{story}", new { title = "Edited" })).ReadJsonAsync(HttpStatusCode.OK);
            }

            counts[operation] = counts.GetValueOrDefault(operation) + 1;
        }

        output.WriteLine(string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}")));
        Assert.True(links.Count > 10, $"only {links.Count} links survived; the sequence tests too little");
        Assert.True(counts.ContainsKey("small import") && counts.ContainsKey("bulk import"), "the sequence must import both ways");

        await AssertSummariesEqualRecountAsync();
        await AssertCoverageEndpointAgreesAsync(stories);
    }

    [Fact]
    public async Task SummariesEqualARecountAfterWritesLargerThanOneStatementCarries()
    {
        // More (story, outlet) pairs than one row set carries (512) and more stories than one recount (256).
        var random = new Random(7);
        var outlets = new[] { await Api.CreateOutletAsync("left"), await Api.CreateOutletAsync("center"), await Api.CreateOutletAsync("right") };
        var stories = new List<long>();
        for (var i = 0; i < 700; i++)
        {
            stories.Add((long)(await Api.CreateStoryAsync($"Story {i}"))["id"]!);
        }

        string Import(int minutes) => string.Join('\n', Enumerable.Range(0, 2_000).Select(i => new JsonObject
        {
            ["url"] = $"https://{(string)outlets[i % 3]["domain"]!}/large/{i}",
            ["title"] = $"Article {i}",
            ["publishedAt"] = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minutes + i).ToString("O"),
            ["storyIds"] = new JsonArray(stories[i % stories.Count], stories[random.Next(stories.Count)]),
        }.ToJsonString()));

        var imported = await (await Client.PostAsync("/v1/articles/import", new StringContent(Import(0), System.Text.Encoding.UTF8, "application/x-ndjson")))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2_000, (int)imported["created"]!);
        await AssertSummariesEqualRecountAsync();

        // The same articles moved in time (their links' pairs recounted) and linked again elsewhere; then an outlet in every story re-rated.
        await (await Client.PostAsync("/v1/articles/import", new StringContent(Import(90_000), System.Text.Encoding.UTF8, "application/x-ndjson")))
            .ReadJsonAsync(HttpStatusCode.OK);
        await AssertSummariesEqualRecountAsync();
        (await Client.PutAsJsonAsync($"/v1/outlets/{(long)outlets[1]["id"]!}/ratings/newslens", new { bias = "far_right" })).EnsureSuccessStatusCode();
        await AssertSummariesEqualRecountAsync();
        await AssertCoverageEndpointAgreesAsync(stories.Take(50));
    }

    private async Task AssertSummariesEqualRecountAsync()
    {
        const string recountOutlets = """
            SELECT sa.story_id, sa.outlet_id, COUNT(*) AS articles, MIN(sa.published_at) AS first, MAX(sa.published_at) AS last, o.lean
            FROM story_articles sa JOIN outlets o ON o.id = sa.outlet_id
            GROUP BY sa.story_id, sa.outlet_id, o.lean ORDER BY sa.story_id, sa.outlet_id
            """;
        const string storedOutlets = """
            SELECT story_id, outlet_id, articles, first_published_at AS first, last_published_at AS last, lean
            FROM story_outlets ORDER BY story_id, outlet_id
            """;
        // From the links and the articles' own rows, not from story_outlets.
        const string recountSummaries = """
            SELECT st.id AS story_id,
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'left') AS sources_left,
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'center') AS sources_center,
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'right') AS sources_right,
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE a.id IS NOT NULL AND o.lean IS NULL) AS sources_unrated,
                   COUNT(a.id) FILTER (WHERE o.lean = 'left') AS articles_left,
                   COUNT(a.id) FILTER (WHERE o.lean = 'center') AS articles_center,
                   COUNT(a.id) FILTER (WHERE o.lean = 'right') AS articles_right,
                   COUNT(a.id) FILTER (WHERE a.id IS NOT NULL AND o.lean IS NULL) AS articles_unrated,
                   MIN(a.published_at) AS first_published_at,
                   MAX(a.published_at) AS last_published_at
            FROM stories st
            LEFT JOIN story_articles sa ON sa.story_id = st.id
            LEFT JOIN articles a ON a.id = sa.article_id
            LEFT JOIN outlets o ON o.id = a.outlet_id
            GROUP BY st.id ORDER BY st.id
            """;
        const string storedSummaries = """
            SELECT story_id, sources_left, sources_center, sources_right, sources_unrated,
                   articles_left, articles_center, articles_right, articles_unrated, first_published_at, last_published_at
            FROM story_summaries ORDER BY story_id
            """;

        await using var connection = await Factory.OpenDatabaseAsync();
        Assert.Equal(
            Rows(await connection.QueryAsync(recountOutlets)),
            Rows(await connection.QueryAsync(storedOutlets)));
        Assert.Equal(
            Rows(await connection.QueryAsync(recountSummaries)),
            Rows(await connection.QueryAsync(storedSummaries)));

        var flags = await connection.QueryAsync<(long StoryId, long Left, long Center, long Right, string Majority, string? Blindspot)>(
            "SELECT story_id, sources_left, sources_center, sources_right, majority, blindspot FROM story_summaries");
        foreach (var flag in flags)
        {
            var leans = new LeanCounts((int)flag.Left, (int)flag.Center, (int)flag.Right);
            Assert.Equal(BiasDistributionRule.Majority(leans) is { } lean ? lean.ToString().ToLowerInvariant() : "none", flag.Majority);
            Assert.Equal(BiasDistributionRule.Blindspot(leans, new BlindspotOptions())?.ToString().ToLowerInvariant(), flag.Blindspot);
        }
    }

    private async Task AssertCoverageEndpointAgreesAsync(IEnumerable<long> stories)
    {
        await using var connection = await Factory.OpenDatabaseAsync();
        foreach (var story in stories)
        {
            var coverage = await (await Client.GetAsync($"/v1/stories/{story}/coverage")).ReadJsonAsync(HttpStatusCode.OK);
            var (sources, articles) = await connection.QuerySingleAsync<(long, long)>(
                "SELECT COUNT(DISTINCT a.outlet_id), COUNT(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = @story", new { story });
            Assert.Equal(sources, (long)coverage["totalSources"]!);
            Assert.Equal(articles, (long)coverage["totalArticles"]!);
        }
    }

    private static List<string> Rows(IEnumerable<dynamic> rows) =>
        [.. rows.Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values.Select(v => v?.ToString() ?? "null")))];

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
