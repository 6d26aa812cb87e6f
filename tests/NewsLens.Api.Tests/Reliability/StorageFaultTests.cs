using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using NewsLens.Api.Tests.Infrastructure;

namespace NewsLens.Api.Tests.Reliability;

/// <summary>The API with a one-second wait for the write lock, so a held lock becomes a fault quickly.</summary>
public sealed class ShortBusyFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("ConnectionStrings:NewsLens", ConnectionString + ";Default Timeout=1")];
}

/// <summary>
/// A storage fault simulated at the connection layer: another connection holds the database's write lock
/// past the busy timeout (as a stuck writer, a long maintenance job or a backup tool would). The machine's
/// root user can write to read-only files, so a read-only file cannot be used to test this here.
/// </summary>
public class StorageFaultTests(ShortBusyFactory factory) : IClassFixture<ShortBusyFactory>
{
    [Fact]
    public async Task WritesAnswer503WithRetryAfterWhileReadsGoOnAndTheServiceRecovers()
    {
        var client = factory.CreateClient();
        var story = await new ApiDriver(client).CreateStoryAsync("Before the fault");

        await using (var holder = new SqliteConnection(factory.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = holder.BeginTransaction(deferred: false);   // BEGIN IMMEDIATE: the write lock

            var refused = await client.PostAsJsonAsync("/v1/stories", new { title = "During the fault" });
            var problem = await refused.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("5", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains("nothing was changed", (string?)problem["detail"]);

            var read = await client.GetAsync($"/v1/stories/{(long)story["id"]!}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage")).StatusCode);
        }

        var recovered = await client.PostAsJsonAsync("/v1/stories", new { title = "After the fault" });
        await recovered.ReadJsonAsync(HttpStatusCode.Created);
        var titles = (await new ApiDriver(client).ReadAllPagesAsync("/v1/stories", 50)).Select(s => (string)s["title"]!).ToList();
        Assert.DoesNotContain("During the fault", titles);
        Assert.Contains("After the fault", titles);
    }
}
