using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace NewsLens.Api.Tests.Storage;

/// <summary>
/// While the PostgreSQL server cannot be reached, requests get a 503 problem with Retry-After (never a 500),
/// /health/ready fails, and the service recovers by itself when the server is back: no restart.
/// </summary>
public sealed class DatabaseUnreachableTests : IDisposable
{
    private readonly ProxiedFactory factory = new();

    [PostgreSqlFact("the database server going away")]
    public async Task RequestsAre503WhileTheServerIsGoneAndSucceedOnceItIsBack()
    {
        var client = factory.CreateClient();
        var story = await (await client.PostAsJsonAsync("/v1/stories", new { title = "Before the outage" })).ReadJsonAsync(HttpStatusCode.Created);
        var storyId = (long)story["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        // Eight connections in the service's pool, more than the requests below will find dead: when one breaks,
        // Npgsql empties the pool, so none of them is handed out again after the outage.
        var database = factory.Services.GetRequiredService<Database>();
        foreach (var connection in await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => database.OpenAsync())))
        {
            await connection.DisposeAsync();
        }

        factory.Proxy.Cut();

        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => client.GetAsync($"/v1/stories/{storyId}"),
            () => client.GetAsync("/v1/outlets"),
            () => client.PostAsJsonAsync("/v1/stories", new { title = "During the outage" }),
        })
        {
            var response = await request();
            var problem = await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("cannot reach its database", (string?)problem["detail"]);
            Assert.Contains("nothing was changed", (string?)problem["detail"]);
            Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Contains(factory.Logs.Lines, line => line.Contains("database unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains("Unhandled exception", StringComparison.Ordinal));

        factory.Proxy.Restore();

        // The first request after the server is back succeeds: connections pooled before the outage are not reused.
        var read = await (await client.GetAsync($"/v1/stories/{storyId}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Before the outage", (string?)read["title"]);
        await (await client.PostAsJsonAsync("/v1/stories", new { title = "After the outage" })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var titles = (await new ApiDriver(client).ReadAllPagesAsync("/v1/stories", 100)).Select(s => (string?)s["title"]).ToList();
        Assert.Equal(["After the outage", "Before the outage"], titles);
    }

    public void Dispose() => factory.Dispose();

    /// <summary>The API on a database of the test cluster, reached through a proxy the test can cut.</summary>
    private sealed class ProxiedFactory : LoggedFactory
    {
        private CuttableProxy? proxy;

        public CuttableProxy Proxy => proxy ??= new CuttableProxy("127.0.0.1", new NpgsqlConnectionStringBuilder(ConnectionString).Port);

        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [new("ConnectionStrings:NewsLens", new NpgsqlConnectionStringBuilder(ConnectionString) { Port = Proxy.Port }.ToString())];

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            proxy?.Dispose();
        }
    }
}
