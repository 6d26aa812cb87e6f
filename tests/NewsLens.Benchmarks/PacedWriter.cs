using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace NewsLens.Benchmarks;

/// <summary>What the paced writer achieved. Latency counts from each request's scheduled time.</summary>
public sealed record WriterResult(int Scheduled, int Written, int Errors, double Seconds, long P50Us, long P99Us, long MaxUs)
{
    public double WritesPerSecond => Written / Seconds;
}

/// <summary>
/// One client importing one article per request (POST /v1/articles/import, a single NDJSON row linked to a random
/// story) at a fixed rate, open loop: each request leaves at its scheduled time whether or not the ones before it have
/// answered, so a slow server shows as latency and a lower achieved rate instead of quietly fewer requests.
/// </summary>
public sealed class PacedWriter(HttpClient http, IReadOnlyList<long> storyIds, IReadOnlyList<string> outletDomains, int perSecond)
{
    public async Task<WriterResult> RunAsync(TimeSpan duration, string runId)
    {
        var count = (int)(duration.TotalSeconds * perSecond);
        var requests = new Task<(bool Written, long Us)>[count];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var row = Row(runId, i, outletDomains[Random.Shared.Next(outletDomains.Count)], storyIds[Random.Shared.Next(storyIds.Count)]);
            requests[i] = WriteAsync(row, due, clock);
        }

        var results = await Task.WhenAll(requests);
        var seconds = clock.Elapsed.TotalSeconds;
        var latencies = results.Select(r => r.Us).Order().ToArray();
        var written = results.Count(r => r.Written);
        return new WriterResult(count, written, count - written, seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.LastOrDefault());
    }

    private static string Row(string runId, int i, string domain, long storyId) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"url":"https://{{domain}}/under-writes/{{runId}}/{{i}}","title":"Written under reads {{i}}","publishedAt":"2026-01-01T00:00:00Z","storyIds":[{{storyId}}]}""") + "\n";

    /// <summary>Written means acknowledged: a 200 whose result says the one row was created.</summary>
    private async Task<(bool Written, long Us)> WriteAsync(string row, TimeSpan due, Stopwatch clock)
    {
        try
        {
            using var content = new StringContent(row, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var response = await http.PostAsync("/v1/articles/import", content);
            var body = await response.Content.ReadAsStringAsync();
            var created = response.IsSuccessStatusCode && (int?)JsonNode.Parse(body)?["created"] == 1;
            if (!created)
            {
                Console.Error.WriteLine($"paced writer: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            }

            return (created, (long)(clock.Elapsed - due).TotalMicroseconds);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"paced writer: {e.Message}");
            return (false, (long)(clock.Elapsed - due).TotalMicroseconds);
        }
    }

    private static long Percentile(long[] sorted, double share) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(share * sorted.Length) - 1)];
}
