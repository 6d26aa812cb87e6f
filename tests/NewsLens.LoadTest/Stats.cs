using System.Collections.Concurrent;
using System.Diagnostics;

namespace NewsLens.LoadTest;

/// <summary>What the clients saw, counted (requests, acknowledged writes, unanswered requests, 5xx answers), and a line for each error found.</summary>
sealed class Stats
{
    private long requests, acknowledged, serverErrors, locked;
    public long Requests => requests;
    public long Acknowledged => acknowledged;
    public long ServerErrors => serverErrors;
    public long Locked => locked;
    public ConcurrentQueue<string> Errors { get; } = new();

    public void Request() => Interlocked.Increment(ref requests);
    public void Ack() => Interlocked.Increment(ref acknowledged);

    private long unanswered;
    public long UnansweredCount => unanswered;
    /// <summary>Why the first unanswered requests went unanswered (the client's exception), to read when a run fails.</summary>
    public ConcurrentQueue<string> UnansweredReasons { get; } = new();

    public void Unanswered(Exception? reason = null)
    {
        if (Interlocked.Increment(ref unanswered) <= 20 && reason is not null)
        {
            UnansweredReasons.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {reason.GetType().Name}: {reason.Message}" +
                (reason.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : ""));
        }

        Interlocked.Exchange(ref lastFailure, Stopwatch.GetTimestamp());
    }

    /// <summary>Answers by status; a 5xx a proxy made itself (no replica's <c>traceId</c> in the problem) is counted apart.</summary>
    private readonly ConcurrentDictionary<Answer, long> answers = new();

    /// <summary>When the last 5xx or unanswered request was seen (a <see cref="Stopwatch"/> timestamp; 0: never).</summary>
    private long lastFailure;
    public long LastFailure => Interlocked.Read(ref lastFailure);

    public async Task RecordAsync(string what, HttpResponseMessage response)
    {
        if ((int)response.StatusCode < 500)
        {
            answers.AddOrUpdate(new Answer((int)response.StatusCode, FromProxy: false), 1, (_, n) => n + 1);
            return;
        }

        Interlocked.Increment(ref serverErrors);
        Interlocked.Exchange(ref lastFailure, Stopwatch.GetTimestamp());
        var body = await response.Content.ReadAsStringAsync();
        // Every problem the service writes carries a traceId; a proxy's own error page has none.
        answers.AddOrUpdate(new Answer((int)response.StatusCode, FromProxy: !body.Contains("\"traceId\"", StringComparison.Ordinal)), 1, (_, n) => n + 1);
        if (body.Contains("locked", StringComparison.OrdinalIgnoreCase) || body.Contains("busy", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref locked);
        }

        Errors.Enqueue($"{what} → {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
    }

    /// <summary>The counts so far, to subtract from a later snapshot for one stretch of a run.</summary>
    public StatsSnapshot Snapshot() => new(Requests, Acknowledged, UnansweredCount, answers.ToDictionary(a => a.Key, a => a.Value));
}

/// <summary>One kind of answer: its status, and whether a proxy in front made it rather than the service.</summary>
readonly record struct Answer(int Status, bool FromProxy);

/// <summary>The counts of <see cref="Stats"/> at one moment; <c>later - earlier</c> is what happened between.</summary>
sealed record StatsSnapshot(long Requests, long Acknowledged, long Unanswered, IReadOnlyDictionary<Answer, long> Answers)
{
    public long Count(Func<Answer, bool> which) => Answers.Where(a => which(a.Key)).Sum(a => a.Value);

    /// <summary>Requests that got no answer or a 5xx.</summary>
    public long Failed => Unanswered + Count(a => a.Status >= 500);

    public static StatsSnapshot operator -(StatsSnapshot later, StatsSnapshot earlier) => new(
        later.Requests - earlier.Requests,
        later.Acknowledged - earlier.Acknowledged,
        later.Unanswered - earlier.Unanswered,
        later.Answers.ToDictionary(a => a.Key, a => a.Value - earlier.Answers.GetValueOrDefault(a.Key)));

    /// <summary>"2xx 1,234, 404 3, 503 12 (proxy 4)": what came back, for a phase's line.</summary>
    public string Describe()
    {
        var parts = Answers.Where(a => a.Value > 0).GroupBy(a => a.Key.Status >= 200 && a.Key.Status < 300 ? "2xx" : a.Key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var proxy = g.Where(a => a.Key.FromProxy).Sum(a => a.Value);
                return $"{g.Key} {g.Sum(a => a.Value):N0}" + (proxy > 0 ? $" (proxy {proxy:N0})" : "");
            });
        return string.Join(", ", parts) + (Unanswered > 0 ? $", unanswered {Unanswered:N0}" : "");
    }
}
