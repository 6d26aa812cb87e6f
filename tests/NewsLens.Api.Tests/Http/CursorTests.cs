using Microsoft.Extensions.DependencyInjection;
using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NewsLens.Api.Stories;

namespace NewsLens.Api.Tests.Http;

public class CursorProtectorTests
{
    private static readonly CursorProtector Cursors = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>What a list does with a cursor query value: parse it, then check that this protector issued it for the list.</summary>
    private static bool TryDecode(CursorProtector protector, string cursor, string list, int keyParts, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out long[]? key)
    {
        key = PageCursor.TryParse(cursor, out var parsed, out _) && protector.Issued(parsed, list, keyParts) ? parsed.Keys : null;
        return key is not null;
    }

    [Fact]
    public void RoundTripsItsKey()
    {
        var cursor = Cursors.Encode("articles", 1_700_000_000_000, -5);

        Assert.True(TryDecode(Cursors, cursor, "articles", 2, out var key));
        Assert.Equal([1_700_000_000_000, -5], key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("YXJ0aWNsZXM6MToy")]      // "articles:1:2" without a tag: built by hand
    [InlineData("YXJ0aWNsZXM6MTotNQ")]    // "articles:1:-5"
    public void RefusesCursorsItDidNotIssue(string cursor)
    {
        Assert.False(TryDecode(Cursors, cursor, "articles", 2, out _));
    }

    [Fact]
    public void RefusesItsOwnCursorsForAnotherListOrShape()
    {
        Assert.False(TryDecode(Cursors, Cursors.Encode("stories", 5), "articles", 2, out _));
        Assert.False(TryDecode(Cursors, Cursors.Encode("articles", 1), "articles", 2, out _));
    }

    [Fact]
    public void RefusesEveryCursorWithOneByteChangedAndEveryOtherSpelling()
    {
        var bytes = Base64Url.DecodeFromChars(Cursors.Encode("articles", 1_700_000_000_000, 42));
        for (var i = 0; i < bytes.Length; i++)
        {
            var altered = (byte[])bytes.Clone();
            altered[i] ^= 0x01;
            Assert.False(TryDecode(Cursors, Base64Url.EncodeToString(altered), "articles", 2, out _), $"byte {i} changed");
        }

        Assert.False(TryDecode(Cursors, Convert.ToBase64String(bytes) + "=", "articles", 2, out _));
        Assert.False(TryDecode(Cursors, Base64Url.EncodeToString(bytes[..^1]), "articles", 2, out _));
    }

    [Fact]
    public void ACursorSignedWithAnotherKeyIsRefused()
    {
        var other = new CursorProtector(new byte[32]);

        Assert.False(TryDecode(Cursors, other.Encode("articles", 1, 2), "articles", 2, out _));
    }

    [Fact]
    public void KeysShorterThanThirtyTwoBytesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new CursorProtector(new byte[31]));
    }
}

public class CursorApiTests(NewsLensFactory factory) : ApiTests(factory)
{
    public static TheoryData<string> Lists => ["outlets", "articles", "stories", "story articles"];

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task ForgedAndAlteredCursorsAre400ProblemsNamingCursor(string list)
    {
        var (url, name, keyParts) = await ListWithTwoPagesAsync(list);
        var real = (string)(await (await Client.GetAsync($"{url}?limit=1")).ReadJsonAsync(HttpStatusCode.OK))["nextCursor"]!;
        var altered = Base64Url.DecodeFromChars(real);
        altered[name.Length + 1] ^= 0x01;   // the first digit of the key

        string[] forged =
        [
            Hand("outlets:+7"),
            Hand("outlets:0"),
            Hand($"{name}:{string.Join(':', Enumerable.Repeat("+7", keyParts))}"),
            Hand($"{name}:{string.Join(':', Enumerable.Repeat("0", keyParts))}"),
            Base64Url.EncodeToString(altered),
        ];
        foreach (var cursor in forged)
        {
            var errors = await (await Client.GetAsync($"{url}?limit=1&cursor={cursor}")).ReadValidationErrorsAsync("cursor");
            Assert.Contains("pass nextCursor", (string?)errors["cursor"]![0]);
        }
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task ARealNextCursorStillPages(string list)
    {
        var (url, _, _) = await ListWithTwoPagesAsync(list);

        var first = await (await Client.GetAsync($"{url}?limit=1")).ReadJsonAsync(HttpStatusCode.OK);
        var second = await (await Client.GetAsync($"{url}?limit=1&cursor={(string)first["nextCursor"]!}")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.NotEqual((long)first["items"]![0]!["id"]!, (long)second["items"]![0]!["id"]!);
    }

    private static string Hand(string payload) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));

    /// <summary>A list that has at least two items, its list name and its key parts.</summary>
    private async Task<(string Url, string Name, int KeyParts)> ListWithTwoPagesAsync(string list)
    {
        var outlet = await Api.CreateOutletAsync();
        var story = await Api.CreateStoryAsync();
        await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet, articles: 2);
        await Api.CreateOutletAsync();
        var storyId = (long)story["id"]!;
        return list switch
        {
            "outlets" => ("/v1/outlets", "outlets", 1),
            "articles" => ("/v1/articles", "articles", 2),
            "stories" => ("/v1/stories", StorySearch.From(new StoryListQuery(null, null, null, null, null, null, null, null, null, null, null)).ListName, 1),
            _ => ($"/v1/stories/{storyId}/articles", StoryStore.ArticleListName(storyId), 2),
        };
    }
}

public class CursorKeyTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Repeat((byte)0xA5, 32).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Repeat((byte)0x5A, 32).ToArray());

    [Fact]
    public async Task ACursorSurvivesARestartOnTheSameDatabaseAndNoOtherDatabaseTakesIt()
    {
        using var first = new NewsLensFactory();
        var (cursor, page) = await SecondPageAsync(first.CreateClient());

        // Another host on the file: a restart, or a second process beside the first.
        using var restarted = new SameDatabaseFactory(first.ConnectionString);
        var again = await (await restarted.CreateClient().GetAsync($"/v1/outlets?limit=1&cursor={cursor}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(page, again));

        using var elsewhere = new NewsLensFactory();
        await (await elsewhere.CreateClient().GetAsync($"/v1/outlets?limit=1&cursor={cursor}")).ReadValidationErrorsAsync("cursor");
    }

    [Fact]
    public async Task AConfiguredKeySignsCursorsAndACursorMadeWithAnotherKeyIsRefused()
    {
        using var a = new SameDatabaseFactory(null, [new("Cursors:Key", KeyA)]);
        var (cursor, _) = await SecondPageAsync(a.CreateClient());

        using var alsoA = new SameDatabaseFactory(null, [new("Cursors:Key", KeyA)]);
        await (await alsoA.CreateClient().GetAsync($"/v1/outlets?limit=1&cursor={cursor}")).ReadJsonAsync(HttpStatusCode.OK);
        using var b = new SameDatabaseFactory(a.ConnectionString, [new("Cursors:Key", KeyB)]);
        await (await b.CreateClient().GetAsync($"/v1/outlets?limit=1&cursor={cursor}")).ReadValidationErrorsAsync("cursor");
    }

    [Theory]
    [InlineData("c2hvcnQ=")]                 // base64 of "short": 5 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")] // 16 bytes
    [InlineData("not base64 at all!")]
    public void AConfiguredKeyThatIsNotBase64OfThirtyTwoBytesFailsStart(string key)
    {
        using var factory = new SameDatabaseFactory(null, [new("Cursors:Key", key)]);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Cursors:Key must be base64 of at least 32", Flatten(error));
    }

    [Fact]
    public async Task ProcessesStartingAtOnceOnOneDatabaseAgreeOnTheGeneratedKey()
    {
        using var factory = new NewsLensFactory();
        factory.CreateClient();
        await using (var connection = await factory.OpenDatabaseAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM server_settings";
            await command.ExecuteNonQueryAsync();
        }

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            ServerSettings.GetOrAdd(factory.Services.GetRequiredService<NewsLens.Api.Storage.Database>(), "cursor_key", () => $"value-{i}", out _))));

        Assert.Single(keys.Distinct());
    }

    private static async Task<(string Cursor, JsonNode SecondPage)> SecondPageAsync(HttpClient client)
    {
        var driver = new ApiDriver(client);
        await driver.CreateOutletAsync();
        await driver.CreateOutletAsync();
        var cursor = (string)(await (await client.GetAsync("/v1/outlets?limit=1")).ReadJsonAsync(HttpStatusCode.OK))["nextCursor"]!;
        var page = await (await client.GetAsync($"/v1/outlets?limit=1&cursor={cursor}")).ReadJsonAsync(HttpStatusCode.OK);
        return (cursor, page);
    }

    private static string Flatten(Exception? exception)
    {
        var messages = new List<string>();
        for (; exception is not null; exception = exception.InnerException)
        {
            messages.Add(exception.Message);
        }

        return string.Join(" | ", messages);
    }
}
