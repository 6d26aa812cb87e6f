using System.Net;
using System.Net.Http.Json;

namespace NewsLens.Api.Tests.Security;

public class RateLimitTests(RateLimitedFactory factory) : IClassFixture<RateLimitedFactory>
{
    [Fact]
    public async Task EachKeyHasItsOwnBucketAndAnEmptyBucketIs429WithRetryAfter()
    {
        var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/outlets")).StatusCode);
        }

        var limited = await client.GetAsync("/v1/outlets");
        var problem = await limited.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Contains("retry after", (string?)problem["detail"]);

        // Another key, health checks and metrics are not affected.
        var other = factory.CreateAnonymousClient();
        other.DefaultRequestHeaders.Add(ApiKeys.Header, RateLimitedFactory.OtherKey);
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/v1/stories", new { title = "Still allowed" })).StatusCode);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        }
    }
}
