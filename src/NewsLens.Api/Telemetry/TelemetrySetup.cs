using OpenTelemetry.Metrics;

namespace NewsLens.Api.Telemetry;

public sealed class MetricsSettings
{
    public const string Section = "Metrics";

    /// <summary>Serve the Prometheus scrape endpoint <c>/metrics</c>. Keep it off the public network (see docs/operations.md).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// OpenTelemetry metrics for Prometheus: ASP.NET Core's request duration per route (<c>http_server_request_duration_seconds</c>),
/// Kestrel's connections, the rate limiter's decisions, and the service's own (<see cref="NewsLensMetrics"/>).
/// </summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue($"{MetricsSettings.Section}:{nameof(MetricsSettings.Enabled)}", true))
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", NewsLensMetrics.MeterName)
                .AddPrometheusExporter());
        }

        return builder;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        if (app.Configuration.GetValue($"{MetricsSettings.Section}:{nameof(MetricsSettings.Enabled)}", true))
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        return app;
    }
}
