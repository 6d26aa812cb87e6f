using System.Collections.Concurrent;

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
    public void Unanswered() => Interlocked.Increment(ref unanswered);

    public async Task RecordAsync(string what, HttpResponseMessage response)
    {
        if ((int)response.StatusCode >= 500)
        {
            Interlocked.Increment(ref serverErrors);
            var body = await response.Content.ReadAsStringAsync();
            if (body.Contains("locked", StringComparison.OrdinalIgnoreCase) || body.Contains("busy", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref locked);
            }

            Errors.Enqueue($"{what} → {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
        }
    }
}
