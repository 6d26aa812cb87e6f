using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Http;

public sealed class ShutdownSettings
{
    public const string Section = "Shutdown";

    /// <summary>
    /// How long a stopping process (SIGTERM) keeps serving while /health/ready already fails, so that a load balancer
    /// takes it out before it stops accepting connections.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A rolling restart that loses nothing: on SIGTERM the process fails readiness at once, keeps serving for
/// <see cref="ShutdownSettings.DrainDelay"/>, then stops accepting, finishes the requests in flight and exits.
/// </summary>
public static class GracefulShutdown
{
    public static WebApplicationBuilder AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownSettings>().BindConfiguration(ShutdownSettings.Section)
            .Validate(s => s.DrainDelay >= TimeSpan.Zero, "Shutdown:DrainDelay must not be negative.").ValidateOnStart();
        builder.Services.AddSingleton<Draining>();
        builder.Services.AddHealthChecks().AddCheck<Draining>("shutdown", tags: ["ready"]);
        return builder;
    }

    public static WebApplication UseGracefulShutdown(this WebApplication app)
    {
        var draining = app.Services.GetRequiredService<Draining>();
        var delay = app.Services.GetRequiredService<IOptions<ShutdownSettings>>().Value.DrainDelay;
        // Stopping callbacks run before the server stops accepting: the delay is served, not waited out idle.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            draining.Begin();
            if (delay > TimeSpan.Zero)
            {
                app.Logger.LogInformation("Stopping: /health/ready fails now; serving {Seconds:F0} s more for the balancer to notice, then finishing requests in flight.",
                    delay.TotalSeconds);
                Thread.Sleep(delay);
            }
        });
        return app;
    }

    /// <summary>Fails readiness once the process is stopping.</summary>
    public sealed class Draining : IHealthCheck
    {
        private volatile bool stopping;

        public void Begin() => stopping = true;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(stopping
                ? HealthCheckResult.Unhealthy("Stopping: finishing the requests in flight; send new ones elsewhere.")
                : HealthCheckResult.Healthy("Serving."));
    }
}
