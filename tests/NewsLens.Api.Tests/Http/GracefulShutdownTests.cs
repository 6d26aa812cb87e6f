using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace NewsLens.Api.Tests.Http;

/// <summary>A stopping process fails readiness at once and keeps serving for the drain delay, so a balancer can take it out first.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task AStoppingProcessFailsReadinessAndServesUntilTheDrainDelayEnds()
    {
        using var factory = new SameDatabaseFactory(null, new KeyValuePair<string, string?>("Shutdown:DrainDelay", "00:00:02"));
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        var clock = Stopwatch.StartNew();
        var stopping = Task.Run(factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication);
        var ready = await client.GetAsync("/health/ready");
        while (ready.StatusCode == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            ready = await client.GetAsync("/health/ready");
        }

        var report = await ready.ReadJsonAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", (string?)report["checks"]!["shutdown"]!["status"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/outlets")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        await stopping;
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"stopping took {clock.Elapsed.TotalSeconds:F1} s, less than the drain delay");
    }
}
