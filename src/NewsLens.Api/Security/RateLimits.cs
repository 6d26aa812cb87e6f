using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Security;

public sealed class RateLimitSettings
{
    public const string Section = "RateLimiting";

    /// <summary>False switches rate limiting off (trusted internal deployments).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests a client may make at once (the bucket's size).</summary>
    public int TokenLimit { get; set; } = 200;

    /// <summary>Requests given back to the bucket every <see cref="ReplenishmentPeriod"/>.</summary>
    public int TokensPerPeriod { get; set; } = 100;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A StackExchange.Redis configuration (<c>redis:6379</c>) whose server keeps the buckets, so that a key's limit
    /// holds for every replica together; null: each process keeps its own.
    /// </summary>
    public string? Redis { get; set; }
}

/// <summary>
/// A token bucket per API key (else per client IP address), from ASP.NET Core's rate limiter; with
/// <see cref="RateLimitSettings.Redis"/>, one bucket per key in Redis for every replica (<see cref="ClusterBuckets"/>).
/// Health checks and metrics are never limited; the API documentation counts like any other request. A rejected
/// request is a 429 problem with Retry-After.
/// </summary>
public static class RateLimits
{
    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitSettings>().BindConfiguration(RateLimitSettings.Section)
            .Validate(s => s.TokenLimit > 0 && s.TokensPerPeriod > 0 && s.ReplenishmentPeriod > TimeSpan.Zero,
                "RateLimiting:TokenLimit, TokensPerPeriod and ReplenishmentPeriod must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ClusterBuckets>();
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            options.OnRejected = RejectAsync;
        });
        return builder;
    }

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var settings = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitSettings>>().CurrentValue;
        if (!settings.Enabled || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics"))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        var client = context.User.Identity?.IsAuthenticated == true
            ? "key:" + context.User.Identity.Name
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return settings.Redis is null
            ? RateLimitPartition.GetTokenBucketLimiter(client, _ => LocalBucket(settings))
            : RateLimitPartition.Get(client, key => context.RequestServices.GetRequiredService<ClusterBuckets>().Create(key, settings));
    }

    internal static TokenBucketRateLimiterOptions LocalBucket(RateLimitSettings settings) => new()
    {
        TokenLimit = settings.TokenLimit,
        TokensPerPeriod = settings.TokensPerPeriod,
        ReplenishmentPeriod = settings.ReplenishmentPeriod,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(http, StatusCodes.Status429TooManyRequests, $"Too many requests; retry after {seconds} s.");
    }
}
