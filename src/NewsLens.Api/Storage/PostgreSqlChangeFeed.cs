using System.Diagnostics;
using Dapper;
using Npgsql;

namespace NewsLens.Api.Storage;

/// <summary>
/// Brings other processes' writes to this process's caches: LISTENs on <see cref="Channel"/>, where every write on
/// PostgreSQL announces the stories it changed as it commits (<see cref="PostgreSqlDatabase"/>), and moves their
/// generations (<see cref="StoryChanges"/>). While the listening connection is down, notifications may be missed,
/// so the changes are suspended (every read asks the database) until it is back.
/// </summary>
public sealed class PostgreSqlChangeFeed(PostgreSqlDatabase database, ILogger<PostgreSqlChangeFeed> logger) : BackgroundService
{
    public const string Channel = "newslens_story_changes";

    /// <summary>The payload's story list for a write that changed every story, or too many to name.</summary>
    public const string Everything = "*";

    /// <summary>Ids per notification: 20-digit ids and commas stay under PostgreSQL's 8,000-byte payload.</summary>
    public const int StoriesPerNotification = 350;

    /// <summary>A write that changed more stories says <see cref="Everything"/> instead (a bulk import).</summary>
    public const int MaxStoriesNamed = 10_000;

    /// <summary>
    /// How often the feed sends itself a heartbeat on its own channel. PostgreSQL delivers notifications in commit
    /// order, so when one comes back every write committed elsewhere before it was sent has been applied
    /// (<see cref="StoryChanges.FeedCompleteAt"/>): that is what lets the coverage cache trust its entries without
    /// asking the database (<c>Coverage:ChangeFeedTrust</c>).
    /// </summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(100);

    /// <summary>How long no notification may arrive before the listening connection is taken for dead and reopened.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(3);

    // Only this process listens here.
    private string HeartbeatChannel => $"newslens_feed_{database.Sender}";

    // Heartbeats sent and not yet back: number → when it was sent (a Stopwatch timestamp).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, long> sent = new();

    /// <summary>
    /// The listener and the heartbeat each on a thread and a connection of its own, not the thread pool's: a heartbeat
    /// queued behind a saturated pool would come back late, and every coverage read would then ask the database,
    /// loading it further. The listener blocks until a notification arrives (a heartbeat at least every 100 ms), so
    /// it never times out while the feed is alive.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        Task.Factory.StartNew(() => Listen(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default),
        Task.Factory.StartNew(() => Beat(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));

    private void Listen(CancellationToken stoppingToken)
    {
        database.Changes.Suspend();
        var outage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var connection = (NpgsqlConnection)database.Open();
                connection.Notification += (_, notification) =>
                {
                    if (notification.Channel != HeartbeatChannel)
                    {
                        Apply(notification.Payload);
                    }
                    else if (long.TryParse(notification.Payload, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var beat) &&
                             sent.TryRemove(beat, out var sentAt))
                    {
                        database.Changes.FeedCompleteAt(sentAt);
                        NewsLensMetrics.HeartbeatCameBack(Stopwatch.GetElapsedTime(sentAt));
                    }
                };
                connection.Execute($"LISTEN {Channel}; LISTEN {HeartbeatChannel}");
                database.Changes.Resume();
                if (outage)
                {
                    logger.LogInformation("Listening for other processes' writes again; cached coverage is trusted again.");
                    outage = false;
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!connection.Wait(Silence))
                    {
                        throw new TimeoutException($"no notification, not even a heartbeat, arrived for {Silence.TotalSeconds:F0} s");
                    }
                }
            }
            catch (Exception exception) when (StorageFaults.Classify(exception) is not null || exception is IOException or TimeoutException)
            {
                database.Changes.Suspend();
                if (!outage && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Lost the connection that hears other processes' writes ({Message}); every coverage read asks the database until it is back.",
                        exception.Message);
                    outage = true;
                }

                stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>
    /// Every <see cref="Heartbeat"/>, a notification on this process's own channel from a connection of its own; and
    /// one more when stopping, which wakes the listener.
    /// </summary>
    private void Beat(CancellationToken stoppingToken)
    {
        NpgsqlConnection? connection = null;
        for (var beat = 1L; ; beat++)
        {
            var stopping = stoppingToken.WaitHandle.WaitOne(Heartbeat);
            sent[beat] = Stopwatch.GetTimestamp();
            sent.TryRemove(beat - 100, out _); // one that never came back (sent while the listener was away)
            try
            {
                connection ??= (NpgsqlConnection)database.Open();
                connection.Execute("SELECT pg_notify(@channel, @payload)",
                    new { channel = HeartbeatChannel, payload = beat.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    commandTimeout: (int)Silence.TotalSeconds);
            }
            catch (Exception exception) when (StorageFaults.Classify(exception) is not null || exception is IOException or TimeoutException)
            {
                // The listener hears the silence; the next beat opens another connection.
                connection?.Dispose();
                connection = null;
            }

            if (stopping)
            {
                connection?.Dispose();
                return;
            }
        }
    }

    private void Apply(string payload)
    {
        var (sender, stories) = payload.IndexOf(' ') is var space and > 0 ? (payload[..space], payload[(space + 1)..]) : ("", payload);
        if (sender == database.Sender)
        {
            return;
        }

        if (stories == Everything)
        {
            database.Changes.ChangedAll();
            return;
        }

        var ids = new List<long>();
        foreach (var id in stories.Split(','))
        {
            if (long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var storyId))
            {
                ids.Add(storyId);
            }
            else
            {
                // Not ours to read: be safe rather than stale.
                database.Changes.ChangedAll();
                return;
            }
        }

        database.Changes.Changed(ids);
    }
}
