using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NewsLens.Api.Coverage;

namespace NewsLens.Api.Tests.Stories;

/// <summary>Builds one random but seeded data set and checks every filter and sort against a model of it, across pages.</summary>
public sealed class StorySearchFixture : IAsyncLifetime
{
    private static readonly string[] Words = ["Kremlin", "Budget", "Storm", "Élection", "Garden", "Harbor"];
    private static readonly string?[] Biases = ["left", "lean_left", "far_left", "left", "center", "center", "right", "lean_right", "far_right", "right", null];

    public NewsLensFactory Factory { get; } = new();

    public List<StoryModel> Stories { get; } = [];

    public List<long> OutletIds { get; } = [];

    public async Task InitializeAsync()
    {
        var client = Factory.CreateClient();
        var api = new ApiDriver(client);
        var random = new Random(1234);
        var outlets = new List<JsonNode>();
        foreach (var bias in Biases)
        {
            outlets.Add(await api.CreateOutletAsync(bias));
        }

        OutletIds.AddRange(outlets.Select(o => (long)o["id"]!));
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 26; i++)
        {
            var title = $"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]} number {i}";
            var summary = i % 3 == 0 ? $"Mentions {Words[random.Next(Words.Length)]}" : null;
            var story = await api.CreateStoryAsync(title, summary);
            var model = new StoryModel((long)story["id"]!, title, summary);
            // Some stories lean hard one way, so majorities and blindspots on both sides occur.
            var shuffled = outlets.OrderBy(_ => random.Next()).ToList();
            var covering = (i % 4) switch
            {
                1 => [.. outlets.Where(o => (string?)o["lean"] == "left"), .. shuffled.Where(o => (string?)o["lean"] != "left").Take(random.Next(0, 2))],
                2 => [.. outlets.Where(o => (string?)o["lean"] == "right"), .. shuffled.Where(o => (string?)o["lean"] != "right").Take(random.Next(0, 2))],
                3 => shuffled.Take(random.Next(0, 4)).ToList(),
                _ => shuffled.Take(random.Next(0, outlets.Count + 1)).ToList(),
            };
            foreach (var outlet in covering)
            {
                for (var n = random.Next(1, 3); n > 0; n--)
                {
                    var published = start.AddHours(random.Next(0, 24 * 60));
                    await api.LinkAsync(story, await api.CreateArticleAsync(outlet, published));
                    model.FirstPublished = model.FirstPublished is { } first && first < published ? first : published;
                }

                model.Outlets.Add((long)outlet["id"]!);
                var lean = (string?)outlet["lean"];
                model.Counts = lean switch
                {
                    "left" => model.Counts with { Left = model.Counts.Left + 1 },
                    "center" => model.Counts with { Center = model.Counts.Center + 1 },
                    "right" => model.Counts with { Right = model.Counts.Right + 1 },
                    _ => model.Counts,
                };
                model.Sources++;
            }

            Stories.Add(model);
        }

        // The last edit decides the recently_updated order: its time is the story's last change, which the
        // answer reports as updatedAt (the model takes the server's clock, not the order of the requests).
        foreach (var model in Stories.OrderBy(_ => random.Next()))
        {
            await Task.Delay(2);
            var edited = await (await client.PutAsJsonAsync($"/v1/stories/{model.Id}", new { title = model.Title, summary = model.Summary }))
                .ReadJsonAsync(HttpStatusCode.OK);
            model.ChangedAt = DateTimeOffset.Parse((string)edited["updatedAt"]!, CultureInfo.InvariantCulture);
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }

    public sealed class StoryModel(long id, string title, string? summary)
    {
        public long Id { get; } = id;
        public string Title { get; } = title;
        public string? Summary { get; } = summary;
        public HashSet<long> Outlets { get; } = [];
        public LeanCounts Counts { get; set; }
        public int Sources { get; set; }
        public DateTimeOffset? FirstPublished { get; set; }
        public DateTimeOffset ChangedAt { get; set; }

        public string Majority => BiasDistributionRule.Majority(Counts)?.ToString().ToLowerInvariant() ?? "none";

        public string? Blindspot => BiasDistributionRule.Blindspot(Counts, new BlindspotOptions())?.ToString().ToLowerInvariant();

        /// <summary>Every query word starts a word of the title or summary, ignoring case and accents.</summary>
        public bool Matches(string q)
        {
            var words = Fold($"{Title} {Summary}").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return Fold(q).Split(' ', StringSplitOptions.RemoveEmptyEntries).All(term => words.Any(w => w.StartsWith(term, StringComparison.Ordinal)));
        }

        // The only accent in the vocabulary; the tests run with invariant globalization, which has no Unicode normalization.
        private static string Fold(string text) => text.ToLowerInvariant().Replace('é', 'e');
    }
}

public class StorySearchTests(StorySearchFixture data) : IClassFixture<StorySearchFixture>
{
    private readonly HttpClient client = data.Factory.CreateClient();

    private ApiDriver Api => new(client);

    public static TheoryData<string> Sorts => ["", "&sort=newest", "&sort=most_sources", "&sort=recently_updated"];

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task EverySortPagesThroughEveryStoryOnceInOrder(string sort)
    {
        var ids = await IdsAsync($"/v1/stories?x=1{sort}", 4);

        Assert.Equal(Ordered(data.Stories, sort).Select(s => s.Id), ids);
    }

    [Theory]
    [InlineData("majority=left")]
    [InlineData("majority=center")]
    [InlineData("majority=right")]
    [InlineData("majority=none")]
    [InlineData("blindspot=left")]
    [InlineData("blindspot=right")]
    [InlineData("blindspot=any")]
    [InlineData("minSources=4")]
    [InlineData("q=kreml")]
    [InlineData("q=ELECTION")]
    [InlineData("q=budget%20storm")]
    [InlineData("q=mentions%20garden")]
    [InlineData("q=harbor%20%2A%20%22%20%28")]
    [InlineData("publishedFrom=2025-01-20T00:00:00Z")]
    [InlineData("publishedTo=2025-01-10")]
    [InlineData("publishedFrom=2025-01-05T00:00:00%2B02:00&publishedTo=2025-02-01T00:00:00Z")]
    [InlineData("majority=left&minSources=3")]
    [InlineData("blindspot=any&q=storm")]
    public async Task FiltersMatchTheModelUnderEverySort(string filter)
    {
        foreach (var sort in Sorts)
        {
            var ids = await IdsAsync($"/v1/stories?{filter}{sort}", 3);

            var expected = Ordered(data.Stories.Where(s => Matches(s, filter)), sort).Select(s => s.Id).ToList();
            Assert.True(expected.Count is > 0 and < 26, $"{filter}: the seeded data should give a partial answer, not {expected.Count} stories");
            Assert.True(expected.SequenceEqual(ids), $"{filter}{sort}: expected [{string.Join(",", expected)}], got [{string.Join(",", ids)}]");
        }
    }

    [Fact]
    public async Task OutletIdFindsTheStoriesThatOutletCovered()
    {
        foreach (var outletId in data.OutletIds)
        {
            var ids = await IdsAsync($"/v1/stories?outletId={outletId}&sort=most_sources", 2);

            Assert.Equal(Ordered(data.Stories.Where(s => s.Outlets.Contains(outletId)), "&sort=most_sources").Select(s => s.Id), ids);
        }
    }

    [Fact]
    public async Task IncludeCoverageEmbedsEachStorysCoverage()
    {
        var page = await (await client.GetAsync("/v1/stories?include=coverage&limit=30")).ReadJsonAsync(HttpStatusCode.OK);

        foreach (var item in page["items"]!.AsArray())
        {
            var single = await (await client.GetAsync($"/v1/stories/{(long)item!["id"]!}/coverage")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.True(JsonNode.DeepEquals(single, item["coverage"]), item.ToJsonString());
        }

        var plain = await (await client.GetAsync("/v1/stories?limit=5")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.All(plain["items"]!.AsArray(), item => Assert.False(item!.AsObject().ContainsKey("coverage")));
    }

    [Fact]
    public async Task AStoryPageRendersFromOneRequest()
    {
        var story = data.Stories.OrderByDescending(s => s.Sources).First();

        var page = await (await client.GetAsync($"/v1/stories/{story.Id}?include=coverage,articles")).ReadJsonAsync(HttpStatusCode.OK);

        var coverage = await (await client.GetAsync($"/v1/stories/{story.Id}/coverage")).ReadJsonAsync(HttpStatusCode.OK);
        var articles = await (await client.GetAsync($"/v1/stories/{story.Id}/articles")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(story.Title, (string?)page["title"]);
        Assert.True(JsonNode.DeepEquals(coverage, page["coverage"]));
        Assert.True(JsonNode.DeepEquals(articles, page["articles"]));

        var plain = await (await client.GetAsync($"/v1/stories/{story.Id}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["id", "title", "summary", "createdAt", "updatedAt"], plain.AsObject().Select(p => p.Key));
        var onlyCoverage = await (await client.GetAsync($"/v1/stories/{story.Id}?include=coverage")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(onlyCoverage.AsObject().ContainsKey("articles"));
    }

    [Fact]
    public async Task ACursorOnlyWorksWithTheFiltersAndSortItWasIssuedFor()
    {
        var page = await (await client.GetAsync("/v1/stories?majority=none&limit=1")).ReadJsonAsync(HttpStatusCode.OK);
        var cursor = Uri.EscapeDataString((string)page["nextCursor"]!);

        await (await client.GetAsync($"/v1/stories?majority=none&limit=1&cursor={cursor}")).ReadJsonAsync(HttpStatusCode.OK);
        await (await client.GetAsync($"/v1/stories?majority=left&limit=1&cursor={cursor}")).ReadValidationErrorsAsync("cursor");
        await (await client.GetAsync($"/v1/stories?majority=none&sort=most_sources&limit=1&cursor={cursor}")).ReadValidationErrorsAsync("cursor");
    }

    [Theory]
    [InlineData("majority=most", "majority")]
    [InlineData("blindspot=both", "blindspot")]
    [InlineData("minSources=-1", "minSources")]
    [InlineData("minSources=lots", "minSources")]
    [InlineData("sort=oldest", "sort")]
    [InlineData("include=articles", "include")]
    [InlineData("include=coverage,bogus", "include")]
    [InlineData("q=%21%21%21", "q")]
    [InlineData("outletId=0", "outletId")]
    [InlineData("publishedFrom=yesterday", "publishedFrom")]
    [InlineData("publishedFrom=2025-01-01T00:00:00", "publishedFrom")]
    [InlineData("publishedFrom=2025-02-01&publishedTo=2025-01-01", "publishedTo")]
    public async Task BadFiltersAre400Problems(string query, string field)
    {
        await (await client.GetAsync($"/v1/stories?{query}")).ReadValidationErrorsAsync(field);
    }

    [Fact]
    public async Task BadStoryIncludeIs400()
    {
        await (await client.GetAsync($"/v1/stories/{data.Stories[0].Id}?include=everything")).ReadValidationErrorsAsync("include");
    }

    private async Task<List<long>> IdsAsync(string url, int limit) =>
        [.. (await Api.ReadAllPagesAsync(url, limit)).Select(s => (long)s["id"]!)];

    private static IEnumerable<StorySearchFixture.StoryModel> Ordered(IEnumerable<StorySearchFixture.StoryModel> stories, string sort) => sort switch
    {
        "&sort=most_sources" => stories.OrderByDescending(s => s.Sources).ThenByDescending(s => s.Id),
        "&sort=recently_updated" => stories.OrderByDescending(s => s.ChangedAt).ThenByDescending(s => s.Id),
        _ => stories.OrderByDescending(s => s.Id),
    };

    private static bool Matches(StorySearchFixture.StoryModel story, string filter) =>
        filter.Split('&').All(part =>
        {
            var (key, value) = (part.Split('=')[0], Uri.UnescapeDataString(part.Split('=')[1]));
            return key switch
            {
                "majority" => story.Majority == value,
                "blindspot" => value == "any" ? story.Blindspot is not null : story.Blindspot == value,
                "minSources" => story.Sources >= int.Parse(value, CultureInfo.InvariantCulture),
                "q" => story.Matches(new string([.. value.Where(c => char.IsLetterOrDigit(c) || c == ' ')])),
                "publishedFrom" => story.FirstPublished >= Parse(value),
                "publishedTo" => story.FirstPublished < Parse(value),
                _ => throw new ArgumentException(key),
            };
        });

    private static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, value.Length == 10 ? DateTimeStyles.AssumeUniversal : DateTimeStyles.None);
}
