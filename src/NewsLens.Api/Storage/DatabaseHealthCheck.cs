using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NewsLens.Api.Storage;

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
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be reached.");
        }

        if (applied < DatabaseMigrator.KnownScripts(database.Engine).Count)
        {
            return HealthCheckResult.Unhealthy($"{applied} of {DatabaseMigrator.KnownScripts(database.Engine).Count} migrations applied.");
        }

        return storage.ReadOnlyReason is { } reason
            ? HealthCheckResult.Degraded($"Read-only: {reason} Reads are served; writes answer 503.")
            : HealthCheckResult.Healthy($"{applied} migrations applied.");
    }
}
