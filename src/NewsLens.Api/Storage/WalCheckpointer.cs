using Dapper;

namespace NewsLens.Api.Storage;

/// <summary>
/// Copies the write-ahead log into the database file in the background, a moment after writes, instead of in
/// the commit of whichever write crossed SQLite's 1,000-page threshold (connections are opened with
/// wal_autocheckpoint = 0).
/// </summary>
/// <remarks>
/// <para>
/// With SQLite's automatic checkpoint, the write that crossed the threshold copied the whole log and waited for
/// the file's fsync while it held the write turn. A PASSIVE checkpoint waits for no reader or writer, so the next
/// write goes on while the last one is copied (docs/benchmarks.md has the figures).
/// </para>
/// <para>
/// The log starts over (and journal_size_limit cuts the file back) only when a write begins after a checkpoint
/// has copied all of it. Small writes leave such gaps all the time; back-to-back imports leave none, so once the
/// log holds <see cref="RestartFrames"/> or more, the checkpointer takes the write turn, like a writer, and
/// copies what is left with no write running.
/// </para>
/// </remarks>
public sealed class WalCheckpointer(SqliteDatabase database, ILogger<WalCheckpointer> logger) : BackgroundService
{
    /// <summary>How often the log is checkpointed while writes come in; nothing is done while none do.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>A log of this many frames (4 KiB pages: 256 MiB) is finished under the write turn so it can start over.</summary>
    public const long RestartFrames = 65_536;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var checkpointed = database.WriteCount;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var writes = database.WriteCount;
                if (writes != checkpointed && await CheckpointAsync(stoppingToken))
                {
                    checkpointed = writes;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: a PASSIVE checkpoint, finished under the write turn when the log has grown long. False (and a warning) when it could not run.</summary>
    public async Task<bool> CheckpointAsync(CancellationToken ct)
    {
        try
        {
            var (frames, copied) = await PassiveAsync(ct);
            if (frames >= RestartFrames)
            {
                await using var turn = await database.TryTakeWriteTurnAsync(ct);
                if (turn is null)
                {
                    return false;
                }

                (frames, copied) = await PassiveAsync(ct);
                logger.LogInformation("WAL checkpoint under the write turn: {Copied} of {Frames} frames copied", copied, frames);
            }

            return true;
        }
        catch (Microsoft.Data.Sqlite.SqliteException exception)
        {
            logger.LogWarning(exception, "WAL checkpoint failed; it is tried again at the next write");
            return false;
        }
    }

    private async Task<(long Frames, long Copied)> PassiveAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // (busy, log frames, frames checkpointed); -1 for both when the database is not in WAL mode.
        var (_, frames, copied) = await connection.QuerySingleAsync<(long, long, long)>(
            new CommandDefinition("PRAGMA wal_checkpoint(PASSIVE)", cancellationToken: ct));
        return (frames, copied);
    }
}
