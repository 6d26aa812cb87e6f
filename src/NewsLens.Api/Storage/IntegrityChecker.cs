using Dapper;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Storage;

/// <summary>
/// Runs SQLite's quick_check (every page and index entry is read and checked; no write lock) after start and
/// then on a schedule, and reports damage through <see cref="StorageHealth"/>, so a database with a bad page is
/// reported unhealthy instead of answering reads of that page with errors while it looks ready.
/// </summary>
public sealed class IntegrityChecker(Database database, StorageHealth health, IOptions<StorageSettings> settings, TimeProvider clock,
    ILogger<IntegrityChecker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = settings.Value.IntegrityCheckInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (true)
            {
                await CheckAsync(stoppingToken);
                await Task.Delay(interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check; returns the problem found, or null when the database is sound.</summary>
    public async Task<string?> CheckAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string? problem;
        try
        {
            await using var connection = await database.OpenAsync(ct);
            // quick_check lists up to 100 problems, one per row, or the single row "ok".
            var rows = (await connection.QueryAsync<string>(new CommandDefinition("PRAGMA quick_check", cancellationToken: ct))).ToList();
            problem = rows is ["ok"] ? null : $"quick_check found {rows.Count} problem(s), the first: {rows[0]}";
        }
        catch (Microsoft.Data.Sqlite.SqliteException exception) when (StorageFaults.Classify(exception) is StorageFault.Corrupt)
        {
            problem = $"quick_check stopped: {exception.Message}";
        }

        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        health.Checked(problem, clock.GetUtcNow(), took);
        if (problem is null)
        {
            logger.LogInformation("Database integrity check passed in {Seconds:F1} s", took.TotalSeconds);
        }
        else
        {
            logger.LogError("Database integrity check FAILED in {Seconds:F1} s: {Problem}. Restore from a backup (docs/operations.md, Backups and restore).", took.TotalSeconds, problem);
        }

        return problem;
    }
}
