using System.Net;

namespace NewsLens.Api.Tests.Security;

public class LogSafetyTests(LoggedFactory factory) : IClassFixture<LoggedFactory>
{
    [Theory]
    [InlineData("/v1/outlets?api_key=")]
    [InlineData("/v1/stories?limit=5&API_KEY=")]
    [InlineData("/v1/outlets/1?apikey=")]
    [InlineData("/health/ready?key=")]
    public async Task AKeyInTheQueryStringIsRefusedAndNeverLogged(string url)
    {
        var secret = "nlk_" + Guid.NewGuid().ToString("N");
        var client = factory.CreateAnonymousClient();

        var response = await client.GetAsync(url + secret);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("X-Api-Key header", (string?)problem["detail"]);
        Assert.Single(problem["errors"]!.AsObject());
        Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheHostingLayersPerRequestLinesStayOffEvenWhenConfiguredOn()
    {
        using var verbose = factory.WithWebHostBuilder(builder => builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Trace"));
        var marker = Guid.NewGuid().ToString("N");

        await verbose.CreateClient().GetAsync($"/v1/outlets?q={marker}");

        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(marker, StringComparison.Ordinal));
    }
}
