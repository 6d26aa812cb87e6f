using System.Net;
using System.Net.Http.Json;

namespace NewsLens.Api.Tests.Infrastructure;

public sealed class RateLimitedFactory : NewsLensFactory
{
    public const string OtherKey = "other-key-zyxwvutsrqponm";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimiting:Enabled", "true"),
        new("RateLimiting:TokenLimit", "3"),
        new("RateLimiting:TokensPerPeriod", "1"),
        new("RateLimiting:ReplenishmentPeriod", "00:10:00"),
        new("Auth:Keys:1:Name", "other"),
        new("Auth:Keys:1:Sha256", ApiKeys.Hash(OtherKey)),
    ];
}

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

        // Another key, and health checks, are not affected.
        var other = factory.CreateAnonymousClient();
        other.DefaultRequestHeaders.Add(ApiKeys.Header, RateLimitedFactory.OtherKey);
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/v1/stories", new { title = "Still allowed" })).StatusCode);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
    }
}
