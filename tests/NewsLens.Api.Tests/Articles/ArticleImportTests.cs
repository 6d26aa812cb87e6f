using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NewsLens.Api.Articles;

namespace NewsLens.Api.Tests.Articles;

public class ArticleImportTests(NewsLensFactory factory) : ApiTests(factory)
{
    private Task<HttpResponseMessage> ImportNdJsonAsync(IEnumerable<object> rows, string query = "") =>
        Client.PostAsync($"/v1/articles/import{query}",
            new StringContent(string.Join("\n", rows.Select(r => System.Text.Json.JsonSerializer.Serialize(r))) + "\n", Encoding.UTF8, "application/x-ndjson"));

    private async Task<List<JsonNode>> ArticlesOfAsync(JsonNode outlet) =>
        await Api.ReadAllPagesAsync($"/v1/articles?outletId={(long)outlet["id"]!}", 200);

    [Fact]
    public async Task NdJsonRowsAreCreatedResolvedByHostAndLinked()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var domain = (string)outlet["domain"]!;
        var story = await Api.CreateStoryAsync();
        var other = await Api.CreateStoryAsync();
        long storyId = (long)story["id"]!, otherId = (long)other["id"]!;

        var result = await (await ImportNdJsonAsync(
        [
            new { url = $"https://edition.{domain}/a?utm_medium=x", title = "A", publishedAt = "2025-03-01T10:00:00+02:00", storyIds = new[] { storyId, otherId } },
            new { url = $"https://{domain}/b", title = "B", publishedAt = "2025-03-02T10:00:00Z", storyIds = new[] { storyId } },
            new { url = $"https://{domain}/c", title = "C", publishedAt = "2025-03-03T10:00:00Z", outletId = (long)outlet["id"]! },
        ])).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":3,"updated":0,"unchanged":0,"dryRun":false,"linked":3}"""), result), result.ToJsonString());
        var articles = await ArticlesOfAsync(outlet);
        Assert.Equal([$"https://{domain}/c", $"https://{domain}/b", $"https://edition.{domain}/a"], articles.Select(a => (string)a["url"]!));
        var coverage = await Api.CoverageAsync(story, "articles");
        Assert.Equal(2, (int)coverage["totalArticles"]!);
        Assert.Equal("2025-03-01T08:00:00Z", (string?)coverage["firstPublishedAt"]);
        Assert.Equal(1, (int)(await Api.CoverageAsync(other))["totalArticles"]!);
    }

    [Fact]
    public async Task AnExistingCanonicalUrlIsUpdatedAndLinkedNotDuplicated()
    {
        var outlet = await Api.CreateOutletAsync("center");
        var article = await Api.CreateArticleAsync(outlet, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), "kept");
        var story = await Api.CreateStoryAsync();
        await Api.LinkAsync(story, article);

        var result = await (await Client.PostAsJsonAsync("/v1/articles/import", new[]
        {
            new { url = ((string)article["url"]!).ToUpperInvariant().Replace("HTTPS://", "https://", StringComparison.Ordinal).Replace("/KEPT", "/kept", StringComparison.Ordinal) + "#frag", title = "New title", publishedAt = "2024-12-31T00:00:00Z", storyIds = new[] { (long)story["id"]! } },
        })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, (int)result["updated"]!);
        Assert.Equal(0, (int)result["linked"]!);
        var updated = await (await Client.GetAsync($"/v1/articles/{(long)article["id"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("New title", (string?)updated["title"]);
        Assert.Equal("2024-12-31T00:00:00Z", (string?)updated["publishedAt"]);
        Assert.Single(await ArticlesOfAsync(outlet));
        Assert.Equal("2024-12-31T00:00:00Z", (string?)(await Api.CoverageAsync(story))["firstPublishedAt"]);
    }

    [Fact]
    public async Task AnyBadRowRefusesTheWholeImportAndWritesNothing()
    {
        var outlet = await Api.CreateOutletAsync();
        var domain = (string)outlet["domain"]!;

        var response = await ImportNdJsonAsync(
        [
            new { url = $"https://{domain}/good", title = "Good", publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{domain}/dup", title = "Dup", publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{domain}/dup#again", title = "Dup again", publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{ApiDriver.UniqueDomain("nobody")}/x", title = "No outlet", publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{domain}/late", title = "Bad time", publishedAt = "2025-03-01T10:00:00" },
            new { url = $"https://{domain}/story", title = "No story", publishedAt = "2025-03-01T10:00:00Z", storyIds = new[] { 987654321L } },
        ]);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["3:url", "4:outletId", "5:publishedAt", "6:storyIds"], problem["badRows"]!.AsArray().Select(r => $"{(long)r!["row"]!}:{(string?)r["field"]}"));
        Assert.Empty(await ArticlesOfAsync(outlet));
    }

    [Fact]
    public async Task MalformedLinesAreBadRowsAndAMalformedArrayIsA400()
    {
        var ndjson = await Client.PostAsync("/v1/articles/import", new StringContent("{\"url\":\n[1,2]\n", Encoding.UTF8, "application/x-ndjson"));
        var problem = await ndjson.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, (int)problem["badRowCount"]!);

        await (await Client.PostAsync("/v1/articles/import", new StringContent("""[{"url":"https://a.example/","title":7}]""", Encoding.UTF8, "application/json")))
            .ReadValidationErrorsAsync("[0].title");
        await (await Client.PostAsync("/v1/articles/import", new StringContent("[{\"url\":", Encoding.UTF8, "application/json")))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ADryRunCountsWithoutWriting()
    {
        var outlet = await Api.CreateOutletAsync();

        var result = await (await ImportNdJsonAsync(
            [new { url = $"https://{(string)outlet["domain"]!}/dry", title = "Dry", publishedAt = "2025-03-01T10:00:00Z" }], "?dryRun=true"))
            .ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, (int)result["created"]!);
        Assert.True((bool)result["dryRun"]!);
        Assert.Empty(await ArticlesOfAsync(outlet));
    }

    [Fact]
    public async Task ThousandsOfRowsImportInOneRequest()
    {
        var outlet = await Api.CreateOutletAsync("right");
        var story = await Api.CreateStoryAsync();
        var rows = Enumerable.Range(0, 5000).Select(i => new
        {
            url = $"https://{(string)outlet["domain"]!}/bulk/{i}",
            title = $"Bulk {i}",
            publishedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("O"),
            storyIds = new[] { (long)story["id"]! },
        });

        var result = await (await ImportNdJsonAsync(rows)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(5000, (int)result["created"]!);
        Assert.Equal(5000, (int)result["linked"]!);
        var coverage = await Api.CoverageAsync(story, "articles");
        Assert.Equal(5000, (int)coverage["totalArticles"]!);
        Assert.Equal("100% of the articles lean Right", (string?)coverage["bias"]!["label"]);
    }

    [Fact]
    public async Task AnImportLargerThanOneWindowIsWrittenWindowByWindowAndCountedExactly()
    {
        var left = await Api.CreateOutletAsync("left");
        var right = await Api.CreateOutletAsync("right");
        var (first, second) = (await Api.CreateStoryAsync(), await Api.CreateStoryAsync());
        var total = ArticleImporter.WindowRows + 4_000;
        // Outlets alternate and publication times run backwards, so each window's sort reorders every row; every
        // third row is also linked to the second story, across the window boundary.
        var rows = Enumerable.Range(0, total).Select(i => new
        {
            url = $"https://{(string)(i % 2 == 0 ? left : right)["domain"]!}/window/{i}",
            title = $"Window {i}",
            publishedAt = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(-i).ToString("O"),
            storyIds = i % 3 == 0 ? new[] { (long)first["id"]!, (long)second["id"]! } : new[] { (long)first["id"]! },
        });

        var result = await (await ImportNdJsonAsync(rows)).ReadJsonAsync(HttpStatusCode.OK);

        var linkedToSecond = (total + 2) / 3;
        Assert.Equal(total, (int)result["created"]!);
        Assert.Equal(total + linkedToSecond, (int)result["linked"]!);
        var coverage = await Api.CoverageAsync(first, "articles");
        Assert.Equal(total, (int)coverage["totalArticles"]!);
        Assert.Equal(2, (int)coverage["totalSources"]!);
        var secondCoverage = await Api.CoverageAsync(second, "articles");
        Assert.Equal(linkedToSecond, (int)secondCoverage["totalArticles"]!);

        // The last row of the file (the earliest publication time) is stored with its own title and outlet.
        var last = await (await Client.GetAsync($"/v1/articles?url={Uri.EscapeDataString($"https://{(string)(total % 2 == 1 ? left : right)["domain"]!}/window/{total - 1}")}"))
            .ReadJsonAsync(HttpStatusCode.OK);
        var article = last["items"]!.AsArray().Single()!;
        Assert.Equal($"Window {total - 1}", (string?)article["title"]);
    }

    [Fact]
    public async Task AnImportWhoseBodyIsStillArrivingDoesNotHoldUpOtherWrites()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        var (firstHalfRead, rest) = (new TaskCompletionSource(), new TaskCompletionSource());
        async IAsyncEnumerable<ImportedLine> SlowBody()
        {
            for (var i = 1; i <= 4; i++)
            {
                if (i == 3)
                {
                    firstHalfRead.SetResult();
                    await rest.Task;
                }

                yield return new ImportedLine(i, new ArticleImportRow($"https://{(string)outlet["domain"]!}/slow/{i}", $"Slow {i}", "2025-03-01T10:00:00Z", StoryIds: [(long)story["id"]!]), null, null);
            }
        }

        var importer = Factory.Services.GetRequiredService<ArticleImporter>();
        var import = Task.Run(() => importer.ImportAsync(SlowBody(), dryRun: false, CancellationToken.None));
        await firstHalfRead.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The import has read its first rows and waits for the rest of its body. Other writes go ahead meanwhile;
        // when the import took the write turn before reading, this write failed with 503 after the busy timeout.
        var other = await Api.CreateOutletAsync("right");
        await Api.LinkAsync(story, await Api.CreateArticleAsync(other, new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(import.IsCompleted);

        rest.SetResult();
        var outcome = await import.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, outcome.Result?.Created);
        var coverage = await Api.CoverageAsync(story, "articles");
        Assert.Equal(5, (int)coverage["totalArticles"]!);
        Assert.Equal(2, (int)coverage["totalSources"]!);
    }

    [Fact]
    public async Task ARowOverTheRowLimitIsABadRowAndTheOtherRowsAreStillChecked()
    {
        var outlet = await Api.CreateOutletAsync();
        var domain = (string)outlet["domain"]!;

        var response = await ImportNdJsonAsync(
        [
            new { url = $"https://{domain}/fine", title = "Fine", publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{domain}/huge", title = new string('x', 100_000), publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{domain}/late", title = "Late", publishedAt = "not a time" },
        ]);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["2:body", "3:publishedAt"], problem["badRows"]!.AsArray().Select(r => $"{(long)r!["row"]!}:{(string?)r["field"]}"));
        Assert.Contains("65,536 bytes", (string?)problem["badRows"]![0]!["message"]);
        Assert.Empty(await ArticlesOfAsync(outlet));
    }

    [Fact]
    public async Task AJsonArrayElementOverTheRowLimitIsABadRow()
    {
        var outlet = await Api.CreateOutletAsync();
        var rows = new object[]
        {
            new { url = $"https://{(string)outlet["domain"]!}/ok", title = "Ok", publishedAt = "2025-03-01T10:00:00Z" },
            new { url = $"https://{(string)outlet["domain"]!}/" + new string('p', 70_000), title = "Long URL", publishedAt = "2025-03-01T10:00:00Z" },
        };

        var problem = await (await Client.PostAsJsonAsync("/v1/articles/import", rows)).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        var badRow = problem["badRows"]!.AsArray().Single()!;
        Assert.Equal(2, (long)badRow["row"]!);
        Assert.Contains("Imports:MaxRowBytes", (string?)badRow["message"]);
    }

    [Theory]
    [InlineData("application/x-ndjson")]
    [InlineData("application/json")]
    public async Task InvalidUtf8IsABadRowNamingTheRow(string mediaType)
    {
        var outlet = await Api.CreateOutletAsync();
        var prefix = "{\"url\":\"https://" + (string)outlet["domain"]!;
        var good = Encoding.UTF8.GetBytes(prefix + "/good\",\"title\":\"Good\",\"publishedAt\":\"2025-03-01T10:00:00Z\"}");
        var broken = Encoding.UTF8.GetBytes(prefix + "/bad\",\"title\":\"Caf").Concat(new byte[] { 0xC3, 0x28 })
            .Concat(Encoding.UTF8.GetBytes("\",\"publishedAt\":\"2025-03-01T10:00:00Z\"}")).ToArray();
        var body = mediaType == "application/json"
            ? [.. "["u8, .. good, .. ","u8, .. broken, .. "]"u8]
            : (byte[])[.. good, .. "\n"u8, .. broken, .. "\n"u8];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);

        var problem = await (await Client.PostAsync("/v1/articles/import", content)).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        var badRow = problem["badRows"]!.AsArray().Single()!;
        Assert.Equal(2, (long)badRow["row"]!);
        Assert.Contains("UTF-8", (string?)badRow["message"]);
        Assert.Empty(await ArticlesOfAsync(outlet));
    }

    [Fact]
    public async Task ADryRunCountsWhatTheImportThenDoesWithoutTakingTheWriteTurn()
    {
        var outlet = await Api.CreateOutletAsync();
        var domain = (string)outlet["domain"]!;
        var (first, second) = (await Api.CreateStoryAsync(), await Api.CreateStoryAsync());
        var unchanged = await Api.CreateArticleAsync(outlet, new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero), "/unchanged");
        var retitled = await Api.CreateArticleAsync(outlet, new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero), "/retitled");
        await Api.LinkAsync(first, unchanged);
        object[] rows =
        [
            new { url = (string)unchanged["url"]!, title = (string)unchanged["title"]!, publishedAt = "2025-03-01T00:00:00Z", storyIds = new[] { (long)first["id"]!, (long)second["id"]! } },
            new { url = (string)retitled["url"]!, title = "A new title", publishedAt = "2025-03-01T00:00:00Z", storyIds = new[] { (long)first["id"]! } },
            new { url = $"https://{domain}/new", title = "New", publishedAt = "2025-03-02T00:00:00Z", storyIds = new[] { (long)first["id"]!, (long)second["id"]! } },
        ];
        var database = Factory.Services.GetRequiredService<NewsLens.Api.Storage.Database>();
        var writesBefore = database.WriteCount;

        var preview = await (await ImportNdJsonAsync(rows, "?dryRun=true")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(writesBefore, database.WriteCount);
        var result = await (await ImportNdJsonAsync(rows)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"created":1,"updated":1,"unchanged":1,"dryRun":true,"linked":4}"""), preview), preview.ToJsonString());
        result["dryRun"] = true;
        Assert.True(JsonNode.DeepEquals(preview, result), result.ToJsonString());
    }

    [Fact]
    public async Task ADryRunFindsAnArticleThatBelongsToAnotherOutlet()
    {
        var (owner, other) = (await Api.CreateOutletAsync(), await Api.CreateOutletAsync());
        var article = await Api.CreateArticleAsync(owner);

        var problem = await (await ImportNdJsonAsync(
            [new { url = (string)article["url"]!, title = "Moved", publishedAt = "2025-03-01T00:00:00Z", outletId = (long)other["id"]! }], "?dryRun=true"))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("outletId", (string?)problem["badRows"]![0]!["field"]);
    }

    [Fact]
    public async Task AnImportLargerThanOneWindowDoesNotHoldUpOtherWritesWhileItsBodyArrives()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var story = await Api.CreateStoryAsync();
        var (pausing, rest) = (new TaskCompletionSource(), new TaskCompletionSource());
        var total = ArticleImporter.WindowRows + 100;
        async IAsyncEnumerable<ImportedLine> SlowBody()
        {
            for (var i = 1; i <= total; i++)
            {
                if (i == ArticleImporter.WindowRows + 50)
                {
                    pausing.SetResult();
                    await rest.Task;
                }

                yield return new ImportedLine(i, new ArticleImportRow($"https://{(string)outlet["domain"]!}/large/{i}", $"Large {i}", "2025-03-01T10:00:00Z",
                    StoryIds: i % 1000 == 0 ? [(long)story["id"]!] : null), null, null);
            }
        }

        var importer = Factory.Services.GetRequiredService<ArticleImporter>();
        var import = Task.Run(() => importer.ImportAsync(SlowBody(), dryRun: false, CancellationToken.None));
        await pausing.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // The first window has been read; when windows were written as they arrived, the import held the write turn
        // here and this write failed with 503 after the busy timeout.
        var created = await Client.PostAsJsonAsync("/v1/stories", new { title = "Written while an import waits for its body" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False(import.IsCompleted);

        rest.SetResult();
        var outcome = await import.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(total, outcome.Result?.Created);
        Assert.Equal(total / 1000, outcome.Result?.Linked);
    }

    [Theory]
    [InlineData("Quotes \" and a backslash \\ in a title")]
    [InlineData("Émile Zola à Paris: «accents», ß, ĳ and 中文")]
    [InlineData("Emoji 📰 outside the BMP, a line separator \u2028 and <b>markup</b> & ampersands")]
    public async Task TitlesArriveExactlyAsSent(string title)
    {
        // Rows travel to SQLite as a JSON array (json_each); every character must come out as it went in.
        var outlet = await Api.CreateOutletAsync("center");
        var url = $"https://{(string)outlet["domain"]!}/text/{Guid.NewGuid():N}?q=a%20b";

        await (await ImportNdJsonAsync([new { url, title, publishedAt = "2025-03-01T10:00:00Z" }])).ReadJsonAsync(HttpStatusCode.OK);

        var stored = (await ArticlesOfAsync(outlet)).Single();
        Assert.Equal(title, (string?)stored["title"]);
        Assert.Equal(url, (string?)stored["url"]);
    }
}
