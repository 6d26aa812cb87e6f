using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NewsLens.Api.Infrastructure;

/// <summary>
/// Ready when the database answers and every migration this build carries has been applied. Degraded (still
/// ready: reads are served) when the service runs read-only; unhealthy when the database's pages are known to be
/// damaged.
/// </summary>
public sealed class DatabaseHealthCheck(Database database, StorageHealth storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (storage.Damage is { } damage)
        {
            return HealthCheckResult.Unhealthy($"The database is damaged: {damage}");
        }

        int applied;
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            applied = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                $"SELECT COUNT(*) FROM {DatabaseMigrator.JournalTable}", cancellationToken: cancellationToken));
        }
        catch (Exception exception) when (exception is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be reached.");
        }

        if (applied < DatabaseMigrator.KnownScripts.Count)
        {
            return HealthCheckResult.Unhealthy($"{applied} of {DatabaseMigrator.KnownScripts.Count} migrations applied.");
        }

        return storage.ReadOnlyReason is { } reason
            ? HealthCheckResult.Degraded($"Read-only: {reason} Reads are served; writes answer 503.")
            : HealthCheckResult.Healthy($"{applied} migrations applied.");
    }
}

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        // Live: the process answers. Ready: it can also serve data.
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteJson });
        return routes;
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
