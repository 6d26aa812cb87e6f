using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace NewsLens.Api.Security;

/// <summary>
/// Token buckets kept in Redis (RedisRateLimiting), one per client for the whole cluster. While Redis cannot be
/// reached, each process limits with a bucket of its own, as it does without Redis, and says so once in the log:
/// a rate limiter that fails requests when its store is down would turn a Redis outage into an API outage.
/// </summary>
public sealed class ClusterBuckets(IOptions<RateLimitSettings> settings, ILogger<ClusterBuckets> logger) : IDisposable
{
    // Connects in the background and keeps reconnecting: the service starts, and serves, while Redis is down.
    private readonly Lazy<ConnectionMultiplexer> redis = new(() =>
    {
        var options = ConfigurationOptions.Parse(settings.Value.Redis!);
        options.AbortOnConnectFail = false;
        return ConnectionMultiplexer.Connect(options);
    });

    private int unreachable;

    public RateLimiter Create(string client, RateLimitSettings limits) => new RedisOrLocalBucket(
        new RedisTokenBucketRateLimiter<string>($"newslens:{client}", new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis.Value,
            TokenLimit = limits.TokenLimit,
            TokensPerPeriod = limits.TokensPerPeriod,
            ReplenishmentPeriod = limits.ReplenishmentPeriod,
        }),
        new TokenBucketRateLimiter(RateLimits.LocalBucket(limits)),
        this);

    private void Reached()
    {
        if (Interlocked.Exchange(ref unreachable, 0) == 1)
        {
            logger.LogInformation("Redis is reachable again: rate limits hold for the whole cluster again.");
        }
    }

    private void Unreachable(Exception exception)
    {
        if (Interlocked.Exchange(ref unreachable, 1) == 0)
        {
            logger.LogWarning("Redis cannot be reached ({Message}): each process limits on its own until it is back.", exception.Message);
        }
    }

    public void Dispose()
    {
        if (redis.IsValueCreated)
        {
            redis.Value.Dispose();
        }
    }

    /// <summary>The cluster's bucket, or this process's own while Redis fails.</summary>
    private sealed class RedisOrLocalBucket(RateLimiter cluster, RateLimiter local, ClusterBuckets buckets) : RateLimiter
    {
        // The Redis limiter always reports itself busy; the local bucket says when the client has been idle.
        public override TimeSpan? IdleDuration => local.IdleDuration;

        // The Redis limiter keeps no statistics of its own.
        public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            try
            {
                var lease = cluster.AttemptAcquire(permitCount);
                buckets.Reached();
                return lease;
            }
            catch (RedisException exception)
            {
                buckets.Unreachable(exception);
                return local.AttemptAcquire(permitCount);
            }
        }

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                var lease = await cluster.AcquireAsync(permitCount, cancellationToken);
                buckets.Reached();
                return lease;
            }
            catch (RedisException exception)
            {
                buckets.Unreachable(exception);
                return await local.AcquireAsync(permitCount, cancellationToken);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                cluster.Dispose();
                local.Dispose();
            }
        }
    }
}
