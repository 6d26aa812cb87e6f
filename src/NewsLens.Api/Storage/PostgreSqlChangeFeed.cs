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

    /// <summary>How long the listening connection may be silent before it is checked with a query.</summary>
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        database.Changes.Suspend();
        var outage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await database.OpenAsync(stoppingToken);
                connection.Notification += (_, notification) => Apply(notification.Payload);
                await connection.ExecuteAsync($"LISTEN {Channel}");
                database.Changes.Resume();
                if (outage)
                {
                    logger.LogInformation("Listening for other processes' writes again; cached coverage is trusted again.");
                    outage = false;
                }

                while (true)
                {
                    if (!await connection.WaitAsync(Probe, stoppingToken))
                    {
                        await connection.ExecuteAsync("SELECT 1"); // a dead connection fails here, not never
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (StorageFaults.Classify(exception) is not null || exception is IOException or TimeoutException)
            {
                database.Changes.Suspend();
                if (!outage)
                {
                    logger.LogWarning("Lost the connection that hears other processes' writes ({Message}); every coverage read asks the database until it is back.",
                        exception.Message);
                    outage = true;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
