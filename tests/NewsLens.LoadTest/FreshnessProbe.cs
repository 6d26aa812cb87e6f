using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NewsLens.LoadTest;

/// <summary>A story's coverage as one replica served it: the figure the probes compare, and its validators.</summary>
sealed record CoverageRead(int TotalArticles, int TotalSources, int Left, int Center, int Right, int Unrated, string? ETag, DateTimeOffset? LastModified)
{
    public static async Task<CoverageRead?> GetAsync(HttpClient http, long storyId)
    {
        using var response = await http.GetAsync($"/v1/stories/{storyId}/coverage");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var coverage = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var bias = coverage["bias"]!;
        return new CoverageRead((int)coverage["totalArticles"]!, (int)coverage["totalSources"]!, (int)bias["left"]!["count"]!, (int)bias["center"]!["count"]!,
            (int)bias["right"]!["count"]!, (int)bias["unrated"]!, response.Headers.ETag?.Tag, response.Content.Headers.LastModified);
    }

    /// <summary>"articles/sources/left/center/right/unrated", as <see cref="Recount.CoverageAsync"/> counts it from the links.</summary>
    public string Counts => $"{TotalArticles}/{TotalSources}/{Left}/{Center}/{Right}/{Unrated}";
}

/// <summary>
/// The cross-replica freshness window: after a write answered 2xx by one replica, how long until each other replica
/// serves the new coverage. A sample warms the readers' caches with the probe story's current coverage, links or
/// unlinks the probe's article through the writer (each replica in turn), checks that the writer serves the change
/// at once, then polls every other replica until it does. A window includes the round trip of the read that saw it.
/// </summary>
sealed class FreshnessProbe(IReadOnlyList<Replica> replicas, HttpClient proxy)
{
    /// <summary>A window this long counts as never: the promise is one second.</summary>
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(5);

    /// <summary>Fewer windows than this say too little about the p99 and the max.</summary>
    public const int EnoughSamples = 20;

    private readonly List<double> windows = [];

    /// <summary>When each window began, in seconds since the probe started: says whether the worst came early (cold) or anywhere.</summary>
    private readonly List<double> began = [];

    private readonly long started = Stopwatch.GetTimestamp();

    public int Samples => windows.Count;
    private int staleOwnReads, validatorMismatches, failedWrites, timedOut;

    public async Task RunAsync(CancellationToken stop)
    {
        var domain = $"probe-{Guid.NewGuid():N}"[..24] + ".example";
        var outlet = await CreateAsync("/v1/outlets", new { name = "Freshness probe", domain, bias = "center" });
        var story = await CreateAsync("/v1/stories", new { title = "Freshness probe" });
        var article = await CreateAsync("/v1/articles", new { url = $"https://{domain}/probe", title = "Probe", publishedAt = "2025-05-05T05:05:05Z", outletId = outlet });
        var linked = false;
        for (var sample = 0; !stop.IsCancellationRequested; sample++)
        {
            var writer = replicas[sample % replicas.Count];
            var readers = replicas.Where(r => r != writer).ToList();
            // The readers hold the current version first, so the window measured is the change feed's, not a cold read's.
            await Task.WhenAll(readers.Select(r => CoverageRead.GetAsync(r.Http, story)));
            using var write = await writer.Http.SendAsync(new HttpRequestMessage(linked ? HttpMethod.Delete : HttpMethod.Put, $"/v1/stories/{story}/articles/{article}"));
            var acknowledged = Stopwatch.GetTimestamp();
            if (!write.IsSuccessStatusCode)
            {
                failedWrites++;
                linked = (await CoverageRead.GetAsync(writer.Http, story))?.TotalArticles == 1;
                continue;
            }

            linked = !linked;
            var expected = linked ? 1 : 0;
            var own = await CoverageRead.GetAsync(writer.Http, story);
            if (own?.TotalArticles != expected)
            {
                staleOwnReads++;
            }

            foreach (var window in await Task.WhenAll(readers.Select(r => PollAsync(r, story, expected, acknowledged, own))))
            {
                if (window is { } ms)
                {
                    windows.Add(ms);
                    began.Add(Stopwatch.GetElapsedTime(started, acknowledged).TotalSeconds);
                }
                else
                {
                    timedOut++;
                }
            }
        }
    }

    /// <summary>Milliseconds from the writer's answer until <paramref name="reader"/> served the new coverage; null past <see cref="GiveUp"/>.</summary>
    private async Task<double?> PollAsync(Replica reader, long story, int expected, long acknowledged, CoverageRead? own)
    {
        while (Stopwatch.GetElapsedTime(acknowledged) < GiveUp)
        {
            CoverageRead? read;
            try
            {
                read = await CoverageRead.GetAsync(reader.Http, story);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                continue;
            }

            if (read?.TotalArticles != expected)
            {
                // Not in a tight loop: on two cores the polls would take the CPU the change feed needs.
                await Task.Delay(5);
                continue;
            }

            var window = Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds;
            // The same state must carry the same validators from every replica, or a client's cache would churn.
            if (own is not null && (read.ETag != own.ETag || read.LastModified != own.LastModified))
            {
                validatorMismatches++;
            }

            return window;
        }

        return null;
    }

    private async Task<long> CreateAsync(string path, object body)
    {
        using var response = await proxy.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (long)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
    }

    public bool Passed(out string figures)
    {
        var sorted = windows.Order().ToList();
        var worst = windows.Select((ms, i) => (ms, at: began[i])).OrderByDescending(w => w.ms).Take(3).Select(w => $"{w.ms:F0} ms at {w.at:F1} s");
        figures = sorted.Count == 0
            ? $"no samples; {failedWrites} probe writes failed"
            : $"{sorted.Count} samples: p50 {Percentile(sorted, 50):F1} ms, p99 {Percentile(sorted, 99):F1} ms, max {sorted[^1]:F1} ms " +
              $"(worst: {string.Join(", ", worst)} into the probe); " +
              $"{timedOut} not fresh within {GiveUp.TotalSeconds:F0} s, {staleOwnReads} stale reads from the writer itself, " +
              $"{validatorMismatches} ETag/Last-Modified differences, {failedWrites} probe writes failed";
        return sorted.Count >= EnoughSamples && sorted[^1] <= 1000 && timedOut == 0 && staleOwnReads == 0 && validatorMismatches == 0 && failedWrites == 0;
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent) =>
        sorted[Math.Max(0, (int)Math.Ceiling(percent / 100 * sorted.Count) - 1)];
}
