namespace NewsLens.Api.Tests.Coverage;

public sealed class ShortCacheFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("HttpCaching:CoverageMaxAgeSeconds", "5")];
}

public class CoverageCacheLifetimeTests(ShortCacheFactory factory) : IClassFixture<ShortCacheFactory>
{
    [Fact]
    public async Task CoverageMaxAgeIsConfigurable()
    {
        var client = factory.CreateClient();
        var story = await new ApiDriver(client).CreateStoryAsync();

        var response = await client.GetAsync($"/v1/stories/{(long)story["id"]!}/coverage");

        Assert.Equal("public, max-age=5", response.Headers.CacheControl?.ToString());
    }
}
