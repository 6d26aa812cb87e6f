using System.Diagnostics;

namespace NewsLens.LoadTest;

/// <summary>
/// Concurrent load (issue 6, suite 1): every client for the given time against a running server, then every
/// acknowledged write checked and every story's summary recounted; no answer may be a 5xx.
/// </summary>
static class LoadRun
{
    public static async Task<int> RunAsync(LoadTestOptions options, ServerDatabase database, List<LoadClient> clients, Stats stats)
    {
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(c => c.RunAsync(TimeSpan.FromSeconds(options.Seconds))));
        Console.WriteLine($"load ({database.StorageEngine}): {options.Clients} clients for {deadline.Elapsed.TotalSeconds:F1} s: {stats.Requests} requests ({stats.Requests / deadline.Elapsed.TotalSeconds:F0}/s), " +
            $"{stats.Acknowledged} writes acknowledged, {stats.ServerErrors} 5xx, {stats.Locked} busy ('database is locked', lock timeouts)");

        var lost = 0;
        foreach (var client in clients)
        {
            lost += await client.VerifyAsync();
        }

        var (summaries, mismatched) = await Recount.CompareAsync(database);
        Console.WriteLine($"verify: {clients.Sum(c => c.Checked)} acknowledged writes checked, {lost} lost or wrong; {summaries} story summaries recounted, {mismatched} differ");
        foreach (var error in stats.Errors.Take(10))
        {
            Console.WriteLine("  " + error);
        }

        var failed = stats.ServerErrors + lost + mismatched + (int)stats.Locked;
        Console.WriteLine($"load ({database.StorageEngine}): {(failed == 0 ? "passed" : "FAILED")}");
        return failed == 0 ? 0 : 1;
    }
}
