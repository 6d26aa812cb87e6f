using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NewsLens.Api.Tests.Security;

namespace NewsLens.Api.Tests.Readers;

public class ReaderProfileApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    private async Task<HttpResponseMessage> ProfileAsync(object body, HttpClient? client = null) =>
        await (client ?? Client).PostAsJsonAsync("/v1/reader-profile", body);

    [Fact]
    public async Task ItemsMatchByIdOrByCanonicalUrlAndTheRestAreListed()
    {
        var left = await Api.CreateOutletAsync("left", factuality: "high", ownership: "independent");
        var right = await Api.CreateOutletAsync("lean_right", factuality: "mixed", ownership: "billionaire");
        var unrated = await Api.CreateOutletAsync();
        var a1 = await Api.CreateArticleAsync(left, path: "politics/a1?id=7");
        var a2 = await Api.CreateArticleAsync(left);
        var a3 = await Api.CreateArticleAsync(right);
        var a4 = await Api.CreateArticleAsync(unrated);
        var host = ((string)left["domain"]!).ToUpperInvariant();

        var response = await ProfileAsync(new
        {
            articles = new object[]
            {
                (long)a1["id"]!,
                $"HTTPS://{host}:443/politics/a1?utm_source=feed&id=7#comments", // a1 again, as a tracking link
                (string)a2["url"]!,
                ((long)a3["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), // an id as text
                (long)a4["id"]!,
                987654321,
                "https://nowhere.example/story?utm_campaign=x",
                "not a url",
                987654321,
            },
        });
        var profile = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(9, (int)profile["items"]!);
        Assert.Equal(4, (int)profile["matched"]!);
        Assert.Equal(["987654321", "https://nowhere.example/story", "not a url"], profile["unmatched"]!.AsArray().Select(u => (string?)u));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"rated": 2, "unrated": 1,
             "left": {"count": 1, "percent": 50, "low": 9, "high": 91}, "center": {"count": 0, "percent": 0, "low": 0, "high": 66},
             "right": {"count": 1, "percent": 50, "low": 9, "high": 91}, "majority": null, "label": "No majority lean"}
            """), profile["sources"]!["bias"]), profile["sources"]!["bias"]!.ToJsonString());
        Assert.Equal("67% of the articles lean Left", (string?)profile["articles"]!["bias"]!["label"]);
        Assert.Equal((3, 1), ((int)profile["articles"]!["bias"]!["rated"]!, (int)profile["articles"]!["bias"]!["unrated"]!));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"very_high":0,"high":2,"mostly_factual":0,"mixed":1,"low":0,"very_low":0,"unrated":1}"""), profile["articles"]!["factuality"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"independent":1,"media_conglomerate":0,"billionaire":1,"private_equity":0,"government":0,"corporation":0,"telecom":0,"other":0,"unrated":1}"""),
            profile["sources"]!["ownership"]));
        Assert.Equal("right", (string?)profile["readsLeast"]);
        Assert.Equal(
            ["items", "matched", "unmatched", "sources", "articles", "readsLeast", "window", "blindspotsMissed"],
            profile.AsObject().Select(p => p.Key));
    }

    /// <summary>Random reading lists over outlets of every lean, recounted from what the test created.</summary>
    [Fact]
    public async Task RandomReadingListsMatchARecount()
    {
        var random = new Random(1616);
        string?[] biases = ["far_left", "left", "lean_left", "center", "lean_right", "right", "far_right", null];
        var articles = new List<(JsonNode Article, long Outlet, string? Lean)>();
        foreach (var bias in biases)
        {
            var lean = bias switch { null => null, "center" => "center", _ when bias.Contains("left") => "left", _ => "right" };
            var outlet = await Api.CreateOutletAsync(bias);
            for (var i = 0; i < 3; i++)
            {
                articles.Add((await Api.CreateArticleAsync(outlet), (long)outlet["id"]!, lean));
            }
        }

        for (var round = 0; round < 8; round++)
        {
            var read = Enumerable.Range(0, random.Next(1, 20)).Select(_ => articles[random.Next(articles.Count)]).ToList();
            var items = read.Select(a => random.Next(2) == 0 ? (object)(long)a.Article["id"]! : (string)a.Article["url"]!).ToArray();

            var profile = await (await ProfileAsync(new { articles = items })).ReadJsonAsync(HttpStatusCode.OK);

            var distinct = read.DistinctBy(a => (long)a.Article["id"]!).ToList();
            Assert.Equal(distinct.Count, (int)profile["matched"]!);
            Assert.Empty(profile["unmatched"]!.AsArray());
            foreach (var (basis, units) in new[] { ("articles", distinct.Select(a => a.Lean).ToList()), ("sources", distinct.DistinctBy(a => a.Outlet).Select(a => a.Lean).ToList()) })
            {
                var bias = profile[basis]!["bias"]!;
                Assert.Equal(
                    (units.Count(l => l == "left"), units.Count(l => l == "center"), units.Count(l => l == "right"), units.Count(l => l is null)),
                    ((int)bias["left"]!["count"]!, (int)bias["center"]!["count"]!, (int)bias["right"]!["count"]!, (int)bias["unrated"]!));
                var percents = new[] { (int?)bias["left"]!["percent"], (int?)bias["center"]!["percent"], (int?)bias["right"]!["percent"] };
                Assert.True(percents.All(p => p is null) || percents.Sum() == 100, bias.ToJsonString());
            }
        }
    }

    [Fact]
    public async Task BlindspotsMissedAreTheOtherSidesStoriesInTheWindowThatTheReaderReadNothingOf()
    {
        // The reader reads the Left: what the Right covers and the Left barely does (blindspot "left") is what they miss.
        var lefts = new List<JsonNode>();
        var rights = new List<JsonNode>();
        for (var i = 0; i < 5; i++)
        {
            lefts.Add(await Api.CreateOutletAsync("left"));
            rights.Add(await Api.CreateOutletAsync("right"));
        }

        async Task<(JsonNode Story, List<JsonNode> Articles)> StoryAsync(string title, IEnumerable<JsonNode> outlets, DateTimeOffset at)
        {
            var story = await Api.CreateStoryAsync(title);
            var linked = new List<JsonNode>();
            foreach (var outlet in outlets)
            {
                var article = await Api.CreateArticleAsync(outlet, at);
                await Api.LinkAsync(story, article);
                linked.Add(article);
                at = at.AddMinutes(5);
            }

            return (story, linked);
        }

        var day = new DateTimeOffset(2019, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var readStory = await StoryAsync("The Left's story", lefts, day.AddDays(10));
        var older = await StoryAsync("Right-only, older", rights, day.AddDays(2));
        var newer = await StoryAsync("Right-only, newer", rights, day.AddDays(5));
        var readAnyway = await StoryAsync("Right-only, but read", rights, day.AddDays(6));
        var tooOld = await StoryAsync("Right-only, before the window", rights, day.AddDays(-25));
        var leftOnly = await StoryAsync("Left-only", lefts, day.AddDays(4));

        var profile = await (await ProfileAsync(new
        {
            articles = new object[] { (long)readStory.Articles[0]["id"]!, (long)readStory.Articles[1]["id"]!, (string)readAnyway.Articles[2]["url"]! },
        })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("right", (string?)profile["readsLeast"]);
        // The window ends at the last article read (the Left's story, day 10 + 5 minutes) and starts 30 days before.
        Assert.Equal(("2019-04-11T12:05:00Z", "2019-05-11T12:05:00Z"), ((string?)profile["window"]!["from"], (string?)profile["window"]!["to"]));
        var missed = profile["blindspotsMissed"]!.AsArray();
        Assert.Equal([(long)newer.Story["id"]!, (long)older.Story["id"]!], missed.Select(m => (long)m!["storyId"]!));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"storyId": {{newer.Story["id"]}}, "title": "Right-only, newer", "blindspot": "left", "firstPublishedAt": "2019-05-06T12:00:00Z",
             "totalSources": 5, "label": "100% of the sources lean Right"}
            """), missed[0]), missed[0]!.ToJsonString());

        // A window that holds the older story only, and one that holds nothing.
        var narrow = await (await ProfileAsync(new
        {
            articles = new object[] { (long)readStory.Articles[0]["id"]! },
            from = "2019-05-02T00:00:00Z",
            to = "2019-05-04T00:00:00Z",
        })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal([(long)older.Story["id"]!], narrow["blindspotsMissed"]!.AsArray().Select(m => (long)m!["storyId"]!));
        var wide = await (await ProfileAsync(new { articles = new object[] { (long)readStory.Articles[0]["id"]! }, from = "2019-03-01T00:00:00Z" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains((long)tooOld.Story["id"]!, wide["blindspotsMissed"]!.AsArray().Select(m => (long)m!["storyId"]!));

        // Reading the Right instead: the stories only the Left covers are the ones missed.
        var rightReader = await (await ProfileAsync(new { articles = new object[] { (long)older.Articles[0]["id"]! }, to = "2019-05-20T00:00:00Z" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("left", (string?)rightReader["readsLeast"]);
        Assert.Equal([(long)readStory.Story["id"]!, (long)leftOnly.Story["id"]!], rightReader["blindspotsMissed"]!.AsArray().Select(m => (long)m!["storyId"]!));
        Assert.All(rightReader["blindspotsMissed"]!.AsArray(), m => Assert.Equal("right", (string?)m!["blindspot"]));
    }

    [Fact]
    public async Task AtMostTwentyBlindspotsAreListedNewestFirst()
    {
        var rights = new List<JsonNode>();
        for (var i = 0; i < 5; i++)
        {
            rights.Add(await Api.CreateOutletAsync("far_right"));
        }

        var reader = await Api.CreateArticleAsync(await Api.CreateOutletAsync("lean_left"), new DateTimeOffset(2018, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var ids = new List<long>();
        for (var s = 0; s < 22; s++)
        {
            var story = await Api.CreateStoryAsync($"Right-only {s}");
            foreach (var outlet in rights)
            {
                await Api.LinkAsync(story, await Api.CreateArticleAsync(outlet, new DateTimeOffset(2018, 1, 5, 0, 0, 0, TimeSpan.Zero).AddHours(s)));
            }

            ids.Add((long)story["id"]!);
        }

        var profile = await (await ProfileAsync(new { articles = new[] { (long)reader["id"]! } })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(Enumerable.Reverse(ids).Take(20), profile["blindspotsMissed"]!.AsArray().Select(m => (long)m!["storyId"]!));
    }

    [Fact]
    public async Task NothingMatchedIsAProfileOfNothing()
    {
        var profile = await (await ProfileAsync(new { articles = new object[] { 987654321, "https://nowhere.example/x" } })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(0, (int)profile["matched"]!);
        Assert.Equal("No rated sources", (string?)profile["sources"]!["bias"]!["label"]);
        Assert.Equal("No rated articles", (string?)profile["articles"]!["bias"]!["label"]);
        Assert.Null(profile["readsLeast"]);
    }

    [Theory]
    [InlineData("""{"articles": []}""", "articles", "Give 1 to 5,000 article ids or URLs.")]
    [InlineData("""{}""", "articles", "Give 1 to 5,000 article ids or URLs.")]
    [InlineData("""{"articles": [1, 0]}""", "articles[1]", "An article id is a whole number of 1 or more.")]
    [InlineData("""{"articles": [1.5]}""", "articles[0]", "An article id is a whole number of 1 or more.")]
    [InlineData("""{"articles": ["  "]}""", "articles[0]", "An article URL has 1 to 2,048 characters.")]
    [InlineData("""{"articles": ["7", "0"]}""", "articles[1]", "An article id is a whole number of 1 or more.")]
    [InlineData("""{"articles": ["99999999999999999999"]}""", "articles[0]", "An article id is a whole number of 1 or more.")]
    [InlineData("""{"articles": [true]}""", "articles[0]", "Expected an article id (a number) or an article URL (a string), not a boolean.")]
    [InlineData("""{"articles": [1], "from": "2025-02-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}""", "from", "'from' must be before 'to'.")]
    [InlineData("""{"articles": [1], "to": "yesterday"}""", "to", null)]
    [InlineData("""[1, 2]""", "body", null)]
    public async Task BadBodiesAre400sNamingTheField(string body, string field, string? message)
    {
        var response = await Client.PostAsync("/v1/reader-profile", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var errors = await response.ReadValidationErrorsAsync(field);
        if (message is not null)
        {
            Assert.Equal(message, (string?)errors[field]![0]);
        }
    }

    [Fact]
    public async Task MoreThan5000ItemsIsA400OnArticles()
    {
        var errors = await (await ProfileAsync(new { articles = Enumerable.Range(1, 5_001).ToArray() })).ReadValidationErrorsAsync("articles");

        Assert.Equal("At most 5,000 article ids or URLs; 5,001 were given.", (string?)errors["articles"]![0]);
        Assert.Equal(5_000, (int)(await (await ProfileAsync(new { articles = Enumerable.Range(1, 5_000).ToArray() })).ReadJsonAsync(HttpStatusCode.OK))["items"]!);
    }

    [Fact]
    public async Task FiveThousandLongUrlsFitTheBodyLimit()
    {
        var urls = Enumerable.Range(0, 5_000).Select(i => $"https://long.example/{i}/{new string('a', 2_000)}").ToArray();

        var profile = await (await ProfileAsync(new { articles = urls })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(5_000, profile["unmatched"]!.AsArray().Count);
    }

    [Fact]
    public async Task ProfilingIsAnOpenReadThatStoresNothing()
    {
        var outlet = await Api.CreateOutletAsync("center");
        var url = $"https://{(string)outlet["domain"]!}/{Guid.NewGuid():N}";
        var before = await (await Client.GetAsync("/v1/articles?limit=200")).ReadJsonAsync(HttpStatusCode.OK);

        var anonymous = await ProfileAsync(new { articles = new[] { url } }, Factory.CreateAnonymousClient());

        var profile = await anonymous.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal([url], profile["unmatched"]!.AsArray().Select(u => (string?)u));
        var after = await (await Client.GetAsync("/v1/articles?limit=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }
}

/// <summary>The profile's access, scopes and logs, on a deployment with a read-only and a write-only key and every log line captured.</summary>
public class ReaderProfileAccessTests(KeyedFactory factory) : IClassFixture<KeyedFactory>
{
    private static HttpRequestMessage Profile(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reader-profile") { Content = JsonContent.Create(body) };
        request.Headers.Add(ApiKeys.Header, key);
        return request;
    }

    [Fact]
    public async Task AReadOnlyKeyMayProfileAndAWriteOnlyKeyMayNot()
    {
        var client = factory.CreateAnonymousClient();

        await (await client.SendAsync(Profile(KeyedFactory.ReaderKey, new { articles = new[] { 1 } }))).ReadJsonAsync(HttpStatusCode.OK);
        var problem = await (await client.SendAsync(Profile(KeyedFactory.WriterKey, new { articles = new[] { 1 } }))).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("This API key lacks the 'read' scope.", (string?)problem["detail"]);
    }

    [Fact]
    public async Task NothingSentReachesTheLogs()
    {
        var marker = Guid.NewGuid().ToString("N");
        var client = factory.CreateAnonymousClient();

        await (await client.SendAsync(Profile(KeyedFactory.ReaderKey, new { articles = new object[] { $"https://private-{marker}.example/read/{marker}", 5 } })))
            .ReadJsonAsync(HttpStatusCode.OK);
        await (await client.SendAsync(Profile(KeyedFactory.ReaderKey, new { articles = new object[] { $"https://private-{marker}.example/", true } })))
            .ReadProblemAsync(HttpStatusCode.BadRequest);

        Assert.NotEmpty(factory.Logs);
        Assert.DoesNotContain(factory.Logs, line => line.Contains(marker, StringComparison.Ordinal));
    }
}

public class ReaderProfileClosedReadsTests(ClosedReadsFactory factory) : IClassFixture<ClosedReadsFactory>
{
    [Fact]
    public async Task WhereReadsNeedAKeySoDoesTheProfile()
    {
        var body = new { articles = new[] { 1 } };

        await (await factory.CreateAnonymousClient().PostAsJsonAsync("/v1/reader-profile", body)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.CreateClient().PostAsJsonAsync("/v1/reader-profile", body)).ReadJsonAsync(HttpStatusCode.OK);
    }
}
