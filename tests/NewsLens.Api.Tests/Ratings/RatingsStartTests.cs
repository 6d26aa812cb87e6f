using System.Net;
using System.Net.Http.Json;

namespace NewsLens.Api.Tests.Ratings;

/// <summary>What happens to ratings when a service starts: the migration that carries single ratings over, and a changed combination rule.</summary>
public sealed class RatingsStartTests
{
    [Fact]
    public async Task ADatabaseFromBeforeRatersKeepsEachOutletsRatingAsItsNewsLensRating()
    {
        using var factory = new NewsLensFactory();
        var api = new ApiDriver(factory.CreateClient());
        var outlet = await api.CreateOutletAsync(bias: "lean_right", factuality: "high");
        var unrated = await api.CreateOutletAsync();
        var story = await api.CreateStoryAsync();
        await api.CoverAsync(story, outlet);
        var coverage = (await api.CoverageAsync(story)).ToJsonString();

        // Back to the schema before raters: one rating per outlet, in the outlet's row.
        var lastScript = DatabaseMigrator.KnownScripts(TestEngine.Current)[^1];
        Assert.Contains("raters_and_dated_ratings", lastScript);
        await using (var connection = await factory.OpenDatabaseAsync())
        {
            foreach (var sql in new[]
            {
                "DROP TABLE outlet_ratings", "DROP TABLE raters", "ALTER TABLE outlets DROP COLUMN multi_rated", "ALTER TABLE outlets DROP COLUMN contested",
                $"DELETE FROM schema_versions WHERE scriptname = '{lastScript}'",
                $"UPDATE outlets SET updated_at = 1600000000000 WHERE id = {(long)outlet["id"]!}",
            })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }
        }

        using var migrated = new SameDatabaseFactory(factory.ConnectionString);
        var client = migrated.CreateClient();
        var ratings = await (await client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings?history=true")).ReadJsonAsync(HttpStatusCode.OK);
        var carried = ratings["history"]!.AsArray().Single()!;
        Assert.Equal("newslens", (string?)carried["rater"]);
        Assert.Equal("lean_right", (string?)carried["bias"]);
        Assert.Equal("high", (string?)carried["factuality"]);
        Assert.Equal("2020-09-13T12:26:40Z", (string?)carried["effectiveFrom"]);
        Assert.Null((string?)carried["recordedBy"]);
        Assert.Empty((await (await client.GetAsync($"/v1/outlets/{(long)unrated["id"]!}/ratings?history=true")).ReadJsonAsync(HttpStatusCode.OK))["history"]!.AsArray());
        Assert.Equal(coverage, (await new ApiDriver(client).CoverageAsync(story)).ToJsonString());
    }

    [Fact]
    public async Task ANewCombinationRuleRecombinesEveryOutletAtStartAndMovesCoverage()
    {
        using var factory = new NewsLensFactory();
        var client = factory.CreateClient();
        var api = new ApiDriver(client);
        var outlet = await api.CreateOutletAsync(bias: "center");
        (await client.PutAsJsonAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings/allsides", new { bias = "Left" })).EnsureSuccessStatusCode();
        var story = await api.CreateStoryAsync();
        await api.CoverAsync(story, outlet);
        Assert.Equal("lean_left", (string?)(await (await client.GetAsync($"/v1/outlets/{(long)outlet["id"]!}")).ReadJsonAsync(HttpStatusCode.OK))["bias"]);

        using (var priority = new SameDatabaseFactory(factory.ConnectionString,
            new("Ratings:Combine:Method", "priority"), new("Ratings:Combine:Raters:0", "newslens"), new("Ratings:Combine:Raters:1", "allsides")))
        {
            var other = priority.CreateClient();
            Assert.Equal("center", (string?)(await (await other.GetAsync($"/v1/outlets/{(long)outlet["id"]!}")).ReadJsonAsync(HttpStatusCode.OK))["bias"]);
            var coverage = await new ApiDriver(other).CoverageAsync(story);
            Assert.Equal(1, (int)coverage["bias"]!["center"]!["count"]!);
            var ratings = await (await other.GetAsync($"/v1/outlets/{(long)outlet["id"]!}/ratings")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("priority", (string?)ratings["combined"]!["method"]);
        }

        using var back = new SameDatabaseFactory(factory.ConnectionString);
        var again = back.CreateClient();
        Assert.Equal("lean_left", (string?)(await (await again.GetAsync($"/v1/outlets/{(long)outlet["id"]!}")).ReadJsonAsync(HttpStatusCode.OK))["bias"]);
        Assert.Equal(1, (int)(await new ApiDriver(again).CoverageAsync(story))["bias"]!["left"]!["count"]!);
    }
}
