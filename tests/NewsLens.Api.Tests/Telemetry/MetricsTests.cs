using System.Globalization;
using System.Net;
using System.Text;

namespace NewsLens.Api.Tests.Telemetry;

/// <summary>
/// <c>/metrics</c> serves Prometheus text with the request duration per route and the service's own instruments, and
/// they move with the work done. Alone (<see cref="MetricsCollection"/>): ASP.NET Core's request meter is one per host,
/// OpenTelemetry merges the meters of every host in the process under one name, and a host of another test stopping
/// meanwhile drops the merged series (one host per process in production has no such neighbours). The NewsLens meter is
/// one per process, so the assertions are "grew by at least", never exact counts.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task MetricsCountCacheHitsMissesInvalidationsWriteWaitsImportRowsHeartbeatsAndRequestsPerRoute()
    {
        var outlet = await Api.CreateOutletAsync(bias: "left");
        var story = await Api.CreateStoryAsync();
        await Api.CoverAsync(story, outlet);
        var before = await ScrapeAsync();

        await Api.CoverageAsync(story); // a miss: the link made the story stale
        await Api.CoverageAsync(story); // a hit
        var ndjson = $"{{\"url\":\"https://{(string)outlet["domain"]!}/metrics-{Guid.NewGuid():N}\",\"title\":\"T\",\"publishedAt\":\"2025-06-01T12:00:00Z\",\"storyIds\":[{(long)story["id"]!}]}}\n";
        var import = await Client.PostAsync("/v1/articles/import", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);

        var expected = new (string Name, string[] Labels, double AtLeast)[]
        {
            ("newslens_coverage_cache_misses_total", [], 1),
            ("newslens_coverage_cache_hits_total", [], 1),
            ("newslens_coverage_cache_invalidations_total", [], 1),
            ("newslens_write_wait_seconds_count", [], 1),
            ("newslens_import_rows_total", ["kind=\"articles\"", "outcome=\"written\""], 1),
            ("http_server_request_duration_seconds_count", ["http_route=\"/v1/stories/{storyId:long}/coverage\""], 2),
        };
        if (TestEngine.Current == NewsLens.Api.Storage.StorageEngine.PostgreSql)
        {
            expected = [.. expected, ("newslens_change_feed_heartbeat_seconds_count", [], 1)]; // ten a second
        }


        // A request's duration is recorded as its context is disposed, after the client has the answer, and the
        // exporter may answer from a copy a few hundred milliseconds old: scrape until everything shows, for 10 s.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string[] missing;
        do
        {
            var after = await ScrapeAsync();
            missing = expected.Where(e => Grew(before, after, e.Name, e.Labels) < e.AtLeast)
                .Select(e => $"{e.Name} grew {Grew(before, after, e.Name, e.Labels)}, expected at least {e.AtLeast}").ToArray();
        }
        while (missing.Length > 0 && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(missing.Length == 0, string.Join("; ", missing));
    }

    private async Task<string> ScrapeAsync()
    {
        // The exporter may answer a scrape from a copy up to a few hundred milliseconds old; wait that out.
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>How much the sum of every sample of <paramref name="name"/> whose labels hold all of <paramref name="labels"/> grew.</summary>
    private static double Grew(string before, string after, string name, params string[] labels) =>
        Sum(after, name, labels) - Sum(before, name, labels);

    private static double Sum(string scrape, string name, string[] labels) => scrape.Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
        .Where(line => labels.All(line.Contains))
        .Sum(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
}

/// <summary>Runs its tests after every parallel test class has finished, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics, alone";
}

public sealed class MetricsEndpointTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task MetricsArePrometheusTextAndCanBeSwitchedOff()
    {
        var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);

        using var off = Factory.WithWebHostBuilder(web => web.UseSetting("Metrics:Enabled", "false"));
        var missing = await off.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
