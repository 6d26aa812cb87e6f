using System.Diagnostics;
using System.Net;

namespace NewsLens.LoadTest;

/// <summary>
/// The per-key rate limit across the cluster: one key sends three buckets' worth of requests at once through the proxy,
/// which spreads them over every replica. With the bucket in Redis the key gets one bucket from the whole cluster (its
/// TokenLimit, plus what is given back meanwhile) and 429s for the rest; with a bucket per replica it would get three.
/// </summary>
static class RateLimitBurst
{
    /// <summary>
    /// The documented bucket size (200 at once), with one token back an hour instead of 100 a second, so that the count
    /// allowed is the bucket exactly, however fast this machine sends the burst.
    /// </summary>
    public static ReplicaRateLimits Limits(string? redis) => new(200, 1, TimeSpan.FromHours(1), redis);

    public static async Task<ClusterCheck> RunAsync(LoadTestOptions options, ReplicaRateLimits limits, int replicas, long storyId)
    {
        var requests = replicas * limits.TokenLimit;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(options.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Replica.BurstKey(options));
        int allowed = 0, limited = 0, limitedWithoutRetryAfter = 0, other = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
        {
            using var response = await http.GetAsync($"/v1/stories/{storyId}/coverage", ct);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref allowed);
            }
            else if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Interlocked.Increment(ref limited);
                if (response.Headers.RetryAfter is null)
                {
                    Interlocked.Increment(ref limitedWithoutRetryAfter);
                }
            }
            else
            {
                Interlocked.Increment(ref other);
            }
        });

        // A refill may fall in the burst once per period it spans (with the hour's period, none does).
        var most = limits.TokenLimit + (clock.Elapsed < limits.ReplenishmentPeriod ? 0 : limits.TokensPerPeriod * (int)Math.Ceiling(clock.Elapsed / limits.ReplenishmentPeriod));
        return new ClusterCheck("per-key rate limit across replicas (Redis)", allowed >= limits.TokenLimit && allowed <= most && other == 0 && limitedWithoutRetryAfter == 0,
            $"{(limits.Redis is null ? "bucket per replica (no Redis)" : "bucket in Redis")}: one key sent {requests} requests in {clock.Elapsed.TotalSeconds:F1} s " +
            $"through the proxy: {allowed} 2xx, {limited} 429 ({limitedWithoutRetryAfter} without Retry-After), {other} other; " +
            $"one bucket for the cluster allows {(most == limits.TokenLimit ? $"exactly {most}" : $"{limits.TokenLimit}–{most}")}, a bucket per replica up to {replicas * limits.TokenLimit}");
    }
}
